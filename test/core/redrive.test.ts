/**
 * The redrive (lambda/core/redrive.ts) on the in-memory ports: one bad entry never holds its neighbours back
 * (an event that cannot be read or prepared, a lease that fails, a request PutEvents refuses as a whole), the
 * bad one counts its attempt and reaches the dead-letter queue by the usual rule, and PutEvents requests stay
 * within AWS's limits: at most 10 entries and 256 KB in all, entries sized as AWS sizes them.
 */
import { handleDelivery } from '../../lambda/core/pipeline';
import { backoffMs, pendingRecords, deadLetterOf, KeptEventSource, redrive, RedriveDeps, republishDead } from '../../lambda/core/redrive';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { Headers } from '../../lambda/core/http';
import { signStandardWebhook } from '../helpers/standard-webhooks';
import { DependencyError } from '../../lambda/core/errors';
import type { BusEntry, DedupRecord } from '../../lambda/core/ports';
import { awsEntryBytes, beyondPutEventsLimits, memoryWorld, MemoryDeadLetters, MemoryWorld } from '../helpers/memory';

const SECRET = 'whsec_' + Buffer.from('redrive test secret 24by').toString('base64');
const adapter = quarterzip();
const NOW = new Date('2026-11-22T12:00:00Z');
/** After the lease of every record written at NOW (the default lease is 60 s). */
const LATER = new Date(NOW.getTime() + 61_000);

/** `n` deliveries answered 202 (the bus refused them): PENDING records, oldest lease first, in order. */
async function pendingEvents(n: number, transcriptBytes = 100): Promise<{ w: MemoryWorld; deps: RedriveDeps; records: DedupRecord[] }> {
  const w = memoryWorld([adapter], { quarterzip: SECRET });
  for (let i = 0; i < n; i++) {
    const at = new Date(NOW.getTime() + i);
    const raw = Buffer.from(
      JSON.stringify({ type: 'call.completed', timestamp: '2026-11-22T11:59:00Z', data: { call_id: `call-${i}`, transcript: [{ speaker: 'user', text: 'x'.repeat(transcriptBytes) }] } }),
    );
    w.publisher.script = ['throw'];
    const reply = await handleDelivery(
      { vendor: 'quarterzip', method: 'POST', headers: new Headers(Object.entries(signStandardWebhook(raw, SECRET, at, `msg_${i}`))), query: {}, body: raw, receivedAt: at },
      w.deps,
    );
    expect(reply.statusCode).toBe(202);
  }
  w.publisher.requests.length = 0;
  const records = [...w.store.records.values()];
  return { w, records, deps: { store: w.store, publisher: w.publisher, deadLetters: new MemoryDeadLetters(), log: w.log } };
}

const published = (w: MemoryWorld) => w.publisher.published.map((e) => e.detail.eventId);
const status = (w: MemoryWorld, r: DedupRecord) => w.store.records.get(r.key)?.status;

describe('the redrive isolates entries', () => {
  it.each([
    ['is not JSON', { eventJson: '{"eventId": "cut short' }],
    ['is JSON but not an event', { eventJson: 'null' }],
    ['is an object without the fields of an event', { eventJson: '{"eventId":"x"}' }],
    ['is missing (its blob is gone)', { eventJson: undefined, eventBlobKey: 'events/quarterzip/gone.json' }],
  ])('an entry whose stored event %s fails alone and counts its attempt; its neighbours are published', async (_, broken) => {
    // Prepare
    const { w, deps, records } = await pendingEvents(5);
    const bad = records[2];
    w.store.records.set(bad.key, { ...bad, ...broken });

    // Act
    const report = await redrive(deps, LATER);

    // Assert
    expect(report).toMatchObject({ examined: 5, published: 4, failed: 1, deadLettered: 0 });
    expect(published(w)).toEqual(records.filter((r) => r !== bad).map((r) => r.eventId));
    expect(w.store.records.get(bad.key)).toMatchObject({ status: 'PENDING', attempts: 1 });
    for (const r of records.filter((x) => x !== bad)) expect(status(w, r)).toBe('PUBLISHED');
  });

  it('a lease that fails for one record (the store errs) leaves that record for the next run and publishes the others', async () => {
    // Prepare
    const { w, deps, records } = await pendingEvents(4);
    w.store.failNext.lease = new DependencyError('dedup store lease failed', { context: { dependency: 'dedup store' } });

    // Act
    const report = await redrive(deps, LATER);

    // Assert: the first record's lease failed; it is still PENDING, not attempted.
    expect(report).toMatchObject({ examined: 4, published: 3, failed: 1 });
    expect(published(w)).toEqual(records.slice(1).map((r) => r.eventId));
    expect(w.store.records.get(records[0].key)).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(await redrive(deps, new Date(LATER.getTime() + 1))).toMatchObject({ examined: 1, published: 1 });
  });

  it('a request PutEvents refuses as a whole because of one entry is retried entry by entry: only that entry fails', async () => {
    // Prepare
    const { w, deps, records } = await pendingEvents(6);
    const poisoned = records[4].eventId;
    w.publisher.refuse = (entries) => (entries.some((e) => e.detail.eventId === poisoned) ? 'ValidationException' : undefined);

    // Act
    const report = await redrive(deps, LATER);

    // Assert
    expect(report).toMatchObject({ examined: 6, published: 5, failed: 1 });
    expect(published(w)).toEqual(records.filter((r) => r.eventId !== poisoned).map((r) => r.eventId));
    expect(w.store.records.get(records[4].key)).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(w.log.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'redrive publish failed for an entry', extra: expect.objectContaining({ eventId: poisoned, error: 'ValidationException' }) }));
  });

  it('the bad entry reaches the dead-letter queue once older than maxAge, and its neighbours were published on the first run', async () => {
    // Prepare
    const { w, deps, records } = await pendingEvents(3);
    const bad = records[1];
    w.store.records.set(bad.key, { ...bad, eventJson: 'null' });
    const dlq = deps.deadLetters as MemoryDeadLetters;
    const run = (at: number) => redrive({ ...deps, maxAgeMs: 3_600_000 }, new Date(NOW.getTime() + at));

    // Act
    const first = await run(61_000);
    const young = await run(59 * 60_000);
    const old = await run(62 * 60_000);

    // Assert
    expect(first).toMatchObject({ published: 2, failed: 1 });
    expect(published(w)).toEqual([records[0].eventId, records[2].eventId]);
    expect([young, old]).toMatchObject([{ examined: 1, failed: 1, deadLettered: 0 }, { examined: 1, deadLettered: 1 }]);
    expect(dlq.sent.map((s) => s.key)).toEqual([bad.key]);
    expect(status(w, bad)).toBe('DEAD');
  });

  it.each([
    ['an AWS server fault', Object.assign(new Error('down'), { name: 'InternalException', $fault: 'server' }), 2],
    ['a throttle', Object.assign(new Error('slow down'), { name: 'ThrottlingException', $fault: 'client', $retryable: { throttling: true } }), 2],
    ['a network error (entry by entry after that)', Object.assign(new Error('reset'), { name: 'TimeoutError' }), 2 + 12],
  ])('when the bus is down (%s), every entry fails once, counted once, and stays PENDING with one attempt', async (_, error, calls) => {
    // Prepare
    const { w, deps, records } = await pendingEvents(12);
    w.publisher.refuse = () => error;

    // Act
    const report = await redrive(deps, LATER);

    // Assert
    expect(report).toMatchObject({ examined: 12, published: 0, failed: 12 });
    for (const r of records) expect(w.store.records.get(r.key)).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(w.publisher.requests).toHaveLength(calls);
  });
});

describe('the redrive keeps each PutEvents request within its limits', () => {
  const totalBytes = (entries: readonly BusEntry[]) => entries.reduce((sum, e) => sum + awsEntryBytes(e), 0);

  it('12 events of about 100 KB each go out in requests of at most 256 KB (as AWS sizes entries), and all are published', async () => {
    // Prepare
    const { w, deps, records } = await pendingEvents(12, 100_000);
    w.publisher.refuse = beyondPutEventsLimits;

    // Act
    const report = await redrive(deps, LATER);

    // Assert
    expect(report).toMatchObject({ examined: 12, published: 12, failed: 0 });
    expect(published(w)).toEqual(records.map((r) => r.eventId));
    for (const request of w.publisher.requests) expect(totalBytes(request)).toBeLessThanOrEqual(256 * 1024);
    expect(w.publisher.requests.map((r) => r.length)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('small events go out 10 to a request', async () => {
    // Prepare
    const { w, deps } = await pendingEvents(25);
    w.publisher.refuse = beyondPutEventsLimits;

    // Act
    const report = await redrive(deps, LATER);

    // Assert
    expect(report).toMatchObject({ examined: 25, published: 25 });
    expect(w.publisher.requests.map((r) => r.length)).toEqual([10, 10, 5]);
  });

  it('an event larger than a request may carry together with others (maxEventBytes up to 1 MB) goes in a request of its own', async () => {
    // Prepare: a 300 KB event between two small ones (EventBridge takes entries of up to 1 MB).
    const { w, deps, records } = await pendingEvents(3);
    const big = records[1];
    const detail = JSON.parse(big.eventJson!) as { transcript: { turns: Array<{ text: string }> } };
    detail.transcript.turns[0].text = 'y'.repeat(300_000);
    w.store.records.set(big.key, { ...big, eventJson: JSON.stringify(detail) });

    // Act
    const report = await redrive(deps, LATER);

    // Assert
    expect(report).toMatchObject({ examined: 3, published: 3 });
    expect(w.publisher.requests.map((r) => r.map((e) => e.detail.eventId))).toEqual(records.map((r) => [r.eventId]));
  });
});

describe('the redrive publishes a record only under its own vendor', () => {
  it.each([
    ['a key under another vendor\'s prefix', (r: DedupRecord) => ({ ...r, key: `converc#${r.key}` })],
    ['a vendor that is not configured', (r: DedupRecord) => ({ ...r, vendor: 'converc', key: r.key.replace(/^quarterzip#/, 'converc#') })],
    ['a vendor name that is not a vendor name', (r: DedupRecord) => ({ ...r, vendor: 'quarterzip#x', key: `quarterzip#x#${r.key}` })],
  ])('refuses and dead-letters a record with %s, and publishes its neighbours', async (_, forge) => {
    // Prepare: the record as a compromised vendor function could have written it.
    const { w, deps, records } = await pendingEvents(3);
    const bad = forge(records[1]);
    w.store.records.delete(records[1].key);
    const detail = { ...(JSON.parse(records[1].eventJson!) as Record<string, unknown>), vendor: bad.vendor };
    w.store.records.set(bad.key, { ...bad, eventJson: JSON.stringify(detail) });
    const dlq = deps.deadLetters as MemoryDeadLetters;

    // Act
    const report = await redrive({ ...deps, vendors: ['quarterzip'] }, LATER);

    // Assert
    expect(report).toMatchObject({ examined: 3, published: 2, deadLettered: 1 });
    expect(w.publisher.published.map((e) => e.source)).toEqual(['callhooks.quarterzip', 'callhooks.quarterzip']);
    expect(dlq.sent).toMatchObject([{ key: bad.key, reason: expect.stringMatching(/^refused: the record key does not belong to its vendor/) }]);
    expect(w.store.records.get(bad.key)?.status).toBe('DEAD');
  });
});

describe('the redrive retries by age with backoff', () => {
  it('a 30-minute bus outage kills nothing: every event stays PENDING through it and is published after', async () => {
    // Prepare
    const { w, deps, records } = await pendingEvents(20);
    const dlq = deps.deadLetters as MemoryDeadLetters;
    w.publisher.refuse = () => Object.assign(new Error('down'), { name: 'InternalException', $fault: 'server' });

    // Act: a run every minute during the outage, then one after it.
    const during = [];
    for (let m = 1; m <= 30; m++) during.push(await redrive(deps, new Date(NOW.getTime() + m * 60_000 + 1_000)));
    w.publisher.refuse = undefined;
    let after = await redrive(deps, new Date(NOW.getTime() + 31 * 60_000 + 1_000));
    for (let m = 32; after.published < 20 && m <= 60; m++) after = await redrive(deps, new Date(NOW.getTime() + m * 60_000 + 1_000));

    // Assert
    expect(during.reduce((n, r) => n + r.deadLettered, 0)).toBe(0);
    expect(dlq.sent).toEqual([]);
    expect(new Set(published(w))).toEqual(new Set(records.map((r) => r.eventId)));
    for (const r of records) expect(status(w, r)).toBe('PUBLISHED');
    // Backed off: 1, 2, 4, 8, 15 minutes apart, so 5 attempts per record in 30 minutes, not 30.
    expect(during.reduce((n, r) => n + r.examined, 0)).toBe(20 * 5);
  });

  it('backs off 1, 2, 4, 8 lease lengths, then at most 15 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((a) => backoffMs(a, 60_000) / 60_000)).toEqual([1, 2, 4, 8, 15, 15, 15]);
  });

  it('a DEAD record lives at least 14 days after it died (its expiry pushed out), and keeps its event', async () => {
    // Prepare: records that expire in 7 days (the default retention).
    const { w, deps, records } = await pendingEvents(1);
    w.publisher.script = ['throw'];
    const at = new Date(NOW.getTime() + 25 * 3_600_000);

    // Act
    const report = await redrive(deps, at);

    // Assert
    expect(report).toMatchObject({ deadLettered: 1 });
    const dead = w.store.records.get(records[0].key)!;
    expect(dead.status).toBe('DEAD');
    expect(dead.eventJson).toBe(records[0].eventJson);
    expect(dead.expiresAt).toBeGreaterThanOrEqual(Math.floor(at.getTime() / 1000) + 14 * 86_400);
  });

  it('the dead-letter message names the record key and where the event is (the record, or the payload bucket)', async () => {
    const record: DedupRecord = { key: 'quarterzip#m1', eventId: 'e1', vendor: 'quarterzip', status: 'PENDING', receivedAt: NOW.toISOString(), expiresAt: 0, leaseUntil: 0, attempts: 3, eventJson: '{"secret":"x"}' };
    expect(deadLetterOf(record, 'why')).toEqual({
      reason: 'why', key: 'quarterzip#m1', vendor: 'quarterzip', eventId: 'e1', receivedAt: NOW.toISOString(), attempts: 3, event: { in: 'record' }, republish: 'callhooks redrive --dead',
    });
    expect(deadLetterOf({ ...record, eventJson: undefined, eventBlobKey: 'events/quarterzip/e1.json' }, 'why').event).toEqual({ in: 'payload-bucket', key: 'events/quarterzip/e1.json' });
  });
});

describe('the redrive drains a backlog in one run', () => {
  it('takes page after page until nothing is left, with several PutEvents requests in flight', async () => {
    // Prepare
    const { w, deps, records } = await pendingEvents(600);
    let inFlight = 0;
    let most = 0;
    const publish = w.publisher.publish.bind(w.publisher);
    w.publisher.publish = async (entries) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      try {
        return await publish(entries);
      } finally {
        inFlight--;
      }
    };

    // Act
    const report = await redrive({ ...deps, pageSize: 100 }, LATER);

    // Assert
    expect(report).toMatchObject({ examined: 600, published: 600, failed: 0 });
    expect(new Set(published(w)).size).toBe(records.length);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
  });

  it('stops starting pages when the run\'s time is nearly out, and the next run goes on', async () => {
    // Prepare: 250 pending, pages of 100, time for two pages (the first is always taken).
    const { w, deps } = await pendingEvents(250);
    let left = 20_000;
    const timeLeftMs = () => (left -= 10_000) + 10_000;

    // Act
    const first = await redrive({ ...deps, pageSize: 100, timeLeftMs, reserveMs: 10_000 }, LATER);
    const second = await redrive({ ...deps, pageSize: 100 }, LATER);

    // Assert
    expect(first).toMatchObject({ examined: 200, published: 200 });
    expect(second).toMatchObject({ examined: 50, published: 50 });
    expect(new Set(published(w)).size).toBe(250);
  });

  it('drains another source of kept events in parallel and adds up the counts', async () => {
    // Prepare
    const { deps } = await pendingEvents(2);
    const spool: KeptEventSource = { name: 'spool', drain: async () => ({ examined: 3, published: 2, failed: 1, deadLettered: 0, skipped: 0 }) };

    // Act
    const report = await redrive({ ...deps, sources: [pendingRecords, spool] }, LATER);

    // Assert
    expect(report).toEqual({ examined: 5, published: 4, failed: 1, deadLettered: 0, skipped: 0 });
  });
});

describe('republishing dead events (callhooks redrive --dead)', () => {
  async function deadEvents(n: number) {
    const world = await pendingEvents(n);
    world.w.publisher.script = Array(n).fill('throw');
    world.w.publisher.refuse = () => Object.assign(new Error('down'), { name: 'InternalException', $fault: 'server' });
    const report = await redrive(world.deps, new Date(NOW.getTime() + 25 * 3_600_000));
    expect(report.deadLettered).toBe(n);
    world.w.publisher.refuse = undefined;
    world.w.publisher.script = [];
    return world;
  }

  it('publishes each dead event under its eventId, marks it PUBLISHED and removes its message', async () => {
    // Prepare
    const { w, deps, records } = await deadEvents(12);
    const dlq = deps.deadLetters as MemoryDeadLetters;

    // Act
    const report = await republishDead(deps, new Date(NOW.getTime() + 26 * 3_600_000));

    // Assert
    expect(report).toMatchObject({ examined: 12, published: 12, failed: 0 });
    expect(published(w)).toEqual(records.map((r) => r.eventId));
    for (const r of records) expect(status(w, r)).toBe('PUBLISHED');
    expect(dlq.waiting).toEqual([]);
  });

  it('removes the message of a record no longer DEAD without publishing it, and keeps the message of one that fails', async () => {
    // Prepare
    const { w, deps, records } = await deadEvents(3);
    const dlq = deps.deadLetters as MemoryDeadLetters;
    await w.store.markPublished(records[0].key);
    w.store.records.set(records[2].key, { ...w.store.records.get(records[2].key)!, eventJson: 'null' });

    // Act
    const report = await republishDead(deps, new Date(NOW.getTime() + 26 * 3_600_000));

    // Assert
    expect(report).toMatchObject({ examined: 3, published: 1, skipped: 1, failed: 1 });
    expect(published(w)).toEqual([records[1].eventId]);
    expect(dlq.waiting.map((l) => l.key)).toEqual([records[2].key]);
  });
});
