/**
 * The redrive (lambda/core/redrive.ts) on the in-memory ports: one bad entry never holds its neighbours back
 * (an event that cannot be read or prepared, a lease that fails, a request PutEvents refuses as a whole), the
 * bad one counts its attempt and reaches the dead-letter queue by the usual rule, and PutEvents requests stay
 * within AWS's limits: at most 10 entries and 256 KB in all, entries sized as AWS sizes them.
 */
import { handleDelivery } from '../../lambda/core/pipeline';
import { redrive, RedriveDeps } from '../../lambda/core/redrive';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { Headers } from '../../lambda/core/http';
import { signStandardWebhook } from '../../lambda/core/standard-webhooks';
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

  it('the bad entry reaches the dead-letter queue after maxAttempts, and its neighbours were published on the first run', async () => {
    // Prepare
    const { w, deps, records } = await pendingEvents(3);
    const bad = records[1];
    w.store.records.set(bad.key, { ...bad, eventJson: 'null' });
    const dlq = deps.deadLetters as MemoryDeadLetters;
    const run = (i: number) => redrive({ ...deps, maxAttempts: 2, leaseMs: 1_000 }, new Date(LATER.getTime() + i * 2_000));

    // Act
    const first = await run(0);
    const reports = [await run(1), await run(2)];

    // Assert
    expect(first).toMatchObject({ published: 2, failed: 1 });
    expect(published(w)).toEqual([records[0].eventId, records[2].eventId]);
    expect(reports).toMatchObject([{ examined: 1, failed: 1 }, { examined: 1, deadLettered: 1 }]);
    expect(dlq.sent.map((s) => s.record.key)).toEqual([bad.key]);
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
