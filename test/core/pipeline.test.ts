/**
 * The delivery pipeline and the record's life (see lambda/core/pipeline.ts): answers per DESIGN.md, and
 * every transition of PENDING → PUBLISHED, including a publish failure and a concurrent duplicate.
 */
import { handleDelivery, recordKey } from '../../lambda/core/pipeline';
import { redrive } from '../../lambda/core/redrive';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { customVendor } from '../../lambda/vendors/custom';
import { qcall } from '../../lambda/vendors/qcall';
import { Headers, Delivery } from '../../lambda/core/http';
import { deriveEventId } from '../../lambda/core/event';
import { signStandardWebhook } from '../helpers/standard-webhooks';
import { DependencyError } from '../../lambda/core/errors';
import { memoryWorld, MemoryDeadLetters } from '../helpers/memory';

const SECRET = 'whsec_' + Buffer.from('pipeline test secret 24b').toString('base64');
const adapter = quarterzip();
const NOW = new Date('2026-11-22T12:00:00Z');

function body(callId = 'abc123', extra: Record<string, unknown> = {}) {
  return Buffer.from(JSON.stringify({ type: 'call.completed', timestamp: '2026-11-22T11:59:00Z', data: { call_id: callId, transcript: [{ speaker: 'user', text: 'hello there' }], ...extra } }));
}

function delivery(opts: { id?: string; raw?: Buffer; secret?: string; method?: string; at?: Date } = {}): Delivery {
  const raw = opts.raw ?? body();
  const at = opts.at ?? NOW;
  return {
    vendor: 'quarterzip',
    method: opts.method ?? 'POST',
    headers: new Headers(Object.entries(signStandardWebhook(raw, opts.secret ?? SECRET, at, opts.id ?? 'msg_1'))),
    query: {},
    body: raw,
    receivedAt: at,
  };
}

function world(limits = {}) {
  return memoryWorld([adapter], { quarterzip: SECRET }, limits);
}

describe('handleDelivery answers', () => {
  it('publishes a new delivery and answers 200 with its eventId', async () => {
    const w = world();
    const reply = await handleDelivery(delivery(), w.deps);
    expect(reply).toMatchObject({ statusCode: 200, body: { status: 'published', eventId: deriveEventId('quarterzip', 'msg_1') } });
    expect(w.publisher.published).toHaveLength(1);
    expect(w.store.records.get('quarterzip#msg_1')).toMatchObject({ status: 'PUBLISHED', eventJson: undefined });
  });

  it('answers 404 for an unknown vendor, before anything else', async () => {
    const w = world();
    const reply = await handleDelivery({ ...delivery(), vendor: 'nobody' }, w.deps);
    expect(reply.statusCode).toBe(404);
    expect(w.secrets.fetches).toBe(0);
  });

  it('answers 405 with Allow for a method the vendor never uses, before reading the secret', async () => {
    const w = world();
    const reply = await handleDelivery(delivery({ method: 'GET' }), w.deps);
    expect(reply).toMatchObject({ statusCode: 405, headers: { allow: 'POST' } });
    expect(w.secrets.fetches).toBe(0);
  });

  it('answers 413 for a body over the limit, before reading the secret', async () => {
    const w = world({ maxBodyBytes: 1024 });
    const reply = await handleDelivery(delivery({ raw: body('x'.repeat(2000)) }), w.deps);
    expect(reply.statusCode).toBe(413);
    expect(w.secrets.fetches).toBe(0);
    expect(w.store.records.size).toBe(0);
  });

  it('answers 401 with no hint, and stores and publishes nothing, for a bad signature', async () => {
    const w = world();
    const other = 'whsec_' + Buffer.from('some other secret of 24b').toString('base64');
    const reply = await handleDelivery(delivery({ secret: other }), w.deps);
    expect(reply).toEqual({ statusCode: 401, body: { error: 'unauthorized', message: 'the delivery could not be authenticated' }, headers: undefined });
    expect(w.store.records.size).toBe(0);
    expect(w.publisher.published).toHaveLength(0);
    expect(w.blobs.blobs.size).toBe(0);
  });

  it('answers 400 for an authenticated but unparseable delivery, and keeps the raw bytes', async () => {
    const w = world();
    const raw = Buffer.from('{"type": "call.completed", "data": ');
    const reply = await handleDelivery(delivery({ raw }), w.deps);
    expect(reply).toMatchObject({ statusCode: 400, body: { error: 'bad_request', message: 'the body is not valid JSON' } });
    const kept = [...w.blobs.blobs.entries()].find(([k]) => k.endsWith('.body'));
    expect(kept?.[1]).toEqual(raw);
    expect(w.store.records.size).toBe(0);
    expect(w.publisher.published).toHaveLength(0);
  });

  it('keeps the query of a refused GET or DELETE (it holds every field), and refusals of one day do not overwrite each other', async () => {
    // Prepare: QCall deduplicating on order_id; GET and DELETE deliveries without it are refused (400)
    const byOrder = qcall({ dedupFields: ['order_id'] });
    const w = memoryWorld([byOrder], { qcall: 'token' });
    const refused = (method: string, query: Record<string, string>, requestId: string): Delivery => ({
      vendor: 'qcall', method, headers: new Headers([['authorization', 'Bearer token']]), query, body: Buffer.alloc(0), receivedAt: NOW, requestId,
    });

    // Act
    const replies = [
      await handleDelivery(refused('GET', { phone_number: '+911111111111' }, 'r1'), w.deps),
      await handleDelivery(refused('DELETE', { phone_number: '+912222222222' }, 'r2'), w.deps),
      await handleDelivery(refused('GET', { phone_number: '+911111111111' }, 'r3'), w.deps),
    ];

    // Assert: three refusals, three kept deliveries, each with its own query
    expect(replies.map((r) => r.statusCode)).toEqual([400, 400, 400]);
    const kept = [...w.blobs.blobs.entries()].filter(([k]) => k.startsWith('rejected/qcall/2026-11-22/') && k.endsWith('.json')).map(([, v]) => JSON.parse(String(v)));
    expect(kept.map((k) => [k.method, k.query])).toEqual([
      ['GET', { phone_number: '+911111111111' }],
      ['DELETE', { phone_number: '+912222222222' }],
      ['GET', { phone_number: '+911111111111' }],
    ]);
    expect([...w.blobs.blobs.keys()].filter((k) => k.endsWith('.body'))).toHaveLength(3);
  });

  it('keeps two refused deliveries with the same body on one day as two', async () => {
    // Prepare
    const w = world();
    const raw = Buffer.from('{"type": "call.completed", "data": ');

    // Act
    await handleDelivery({ ...delivery({ raw, id: 'msg_a' }), requestId: 'r1' }, w.deps);
    await handleDelivery({ ...delivery({ raw, id: 'msg_b' }), requestId: 'r2' }, w.deps);

    // Assert
    expect([...w.blobs.blobs.keys()].filter((k) => k.endsWith('.body'))).toHaveLength(2);
  });

  it('answers 503 when the secret cannot be read', async () => {
    const w = world();
    w.secrets.failNext = Object.assign(new Error('down'), { name: 'InternalServiceError' });
    const reply = await handleDelivery(delivery(), w.deps);
    expect(reply.statusCode).toBe(503);
    expect(w.store.records.size).toBe(0);
  });

  it('the dedup store failing: publishes anyway under the deterministic eventId (200), without a record', async () => {
    const w = world();
    w.store.failNext.claim = Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    const reply = await handleDelivery(delivery(), w.deps);
    expect(reply).toMatchObject({ statusCode: 200, body: { status: 'published', eventId: deriveEventId('quarterzip', 'msg_1') } });
    expect(w.publisher.published.map((e) => e.detail.eventId)).toEqual([deriveEventId('quarterzip', 'msg_1')]);
    expect(w.store.records.size).toBe(0);
    // A later copy, the store back, publishes again under the same eventId (at least once).
    const again = await handleDelivery(delivery(), w.deps);
    expect(again.body).toMatchObject({ status: 'published', eventId: reply.body.eventId });
  });

  it('the dedup store and the bus failing: the event is spooled to the payload bucket (202), and the redrive publishes it once', async () => {
    const w = world();
    w.store.failNext.claim = Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    w.publisher.script = ['throw'];
    const reply = await handleDelivery(delivery(), w.deps);
    expect(reply).toMatchObject({ statusCode: 202, body: { status: 'accepted', published: false, eventId: deriveEventId('quarterzip', 'msg_1') } });
    expect(w.publisher.published).toHaveLength(0);
    expect(w.blobs.keys('spool/quarterzip/')).toHaveLength(1);
    const report = await redrive({ store: w.store, publisher: w.publisher, deadLetters: new MemoryDeadLetters(), log: w.log, blobs: w.blobs }, new Date(NOW.getTime() + 1000));
    expect(report).toMatchObject({ published: 1 });
    expect(w.publisher.published.map((e) => e.detail.eventId)).toEqual([reply.body.eventId]);
    expect(w.blobs.keys('spool/')).toHaveLength(0);
    expect(w.store.records.get('quarterzip#msg_1')).toMatchObject({ status: 'PUBLISHED' });
    // The vendor's retry is now a duplicate.
    expect((await handleDelivery(delivery(), w.deps)).body).toMatchObject({ status: 'duplicate', eventId: reply.body.eventId });
  });

  it('the dedup store, the bus and the payload store all failing: 503 with Retry-After, nothing stored or published', async () => {
    const w = world();
    w.store.failNext.claim = Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    w.publisher.script = ['throw'];
    w.blobs.failPuts = Object.assign(new Error('slow down'), { name: 'SlowDown' });
    const reply = await handleDelivery(delivery(), w.deps);
    expect(reply).toMatchObject({ statusCode: 503, headers: { 'retry-after': '5' } });
    expect(w.publisher.published).toHaveLength(0);
    expect(w.store.records.size).toBe(0);
    expect(w.blobs.blobs.size).toBe(0);
  });

  it('the bus failing and then the record failing to keep the event: spooled (202); the redrive takes the claim over once its lease ends', async () => {
    const w = world();
    w.publisher.script = ['throw'];
    w.store.failNext.keepForRedrive = Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    const reply = await handleDelivery(delivery(), w.deps);
    expect(reply).toMatchObject({ statusCode: 202, body: { status: 'accepted', published: false } });
    expect(w.store.records.get('quarterzip#msg_1')).toMatchObject({ status: 'IN_FLIGHT' });
    const deps = { store: w.store, publisher: w.publisher, deadLetters: new MemoryDeadLetters(), log: w.log, blobs: w.blobs };
    // Within the claim's lease the spool waits (the copy that claimed it might still settle it) …
    expect(await redrive(deps, new Date(NOW.getTime() + 1000))).toMatchObject({ published: 0, skipped: 1 });
    // … after it, the redrive takes it over and publishes it once.
    expect(await redrive(deps, new Date(NOW.getTime() + 120_000))).toMatchObject({ published: 1 });
    expect(w.publisher.published.map((e) => e.detail.eventId)).toEqual([reply.body.eventId]);
    expect(w.blobs.keys('spool/')).toHaveLength(0);
  });
});

describe('the record life', () => {
  it('a redelivery answers duplicate with the same eventId and publishes nothing', async () => {
    const w = world();
    const first = await handleDelivery(delivery(), w.deps);
    const second = await handleDelivery(delivery({ at: new Date(NOW.getTime() + 60_000) }), w.deps);
    expect(second).toMatchObject({ statusCode: 200, body: { status: 'duplicate', duplicate: true, eventId: first.body.eventId } });
    expect(w.publisher.published).toHaveLength(1);
  });

  it('a concurrent duplicate arriving while the first copy is in flight publishes nothing', async () => {
    const w = world();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const realPublish = w.publisher.publish.bind(w.publisher);
    w.publisher.publish = async (entries) => {
      await gate;
      return realPublish(entries);
    };
    const first = handleDelivery(delivery(), w.deps);
    await new Promise((r) => setImmediate(r));
    // The second copy finds the record in flight and waits for the first, which then publishes.
    const second = handleDelivery(delivery(), w.deps);
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect((await second).body).toMatchObject({ status: 'duplicate', eventId: (await first).body.eventId });
    expect((await first).body).toMatchObject({ status: 'published' });
    expect(w.publisher.published).toHaveLength(1);
  });

  it.each(['throw', 'fail'] as const)('when PutEvents %ss, answers 202 and keeps the event PENDING; the redrive publishes it once the lease ends', async (mode) => {
    const w = world({ leaseMs: 30_000 });
    w.publisher.script = [mode];
    const reply = await handleDelivery(delivery(), w.deps);
    expect(reply).toMatchObject({ statusCode: 202, body: { status: 'accepted', published: false } });
    expect(w.store.records.get('quarterzip#msg_1')).toMatchObject({ status: 'PENDING' });

    const deps = { store: w.store, publisher: w.publisher, deadLetters: new MemoryDeadLetters(), log: w.log };
    expect(await redrive(deps, new Date(NOW.getTime() + 10_000))).toMatchObject({ examined: 0, published: 0 });
    expect(await redrive(deps, new Date(NOW.getTime() + 31_000))).toMatchObject({ examined: 1, published: 1 });
    expect(w.publisher.published).toHaveLength(1);
    expect(w.publisher.published[0].detail.eventId).toBe(reply.body.eventId);
    expect(w.store.records.get('quarterzip#msg_1')).toMatchObject({ status: 'PUBLISHED' });
    expect(await redrive(deps, new Date(NOW.getTime() + 200_000))).toMatchObject({ examined: 0 });
  });

  it('a duplicate of a PENDING record answers duplicate and does not publish', async () => {
    const w = world();
    w.publisher.script = ['throw'];
    await handleDelivery(delivery(), w.deps);
    const again = await handleDelivery(delivery(), w.deps);
    expect(again.body).toMatchObject({ status: 'duplicate' });
    expect(w.publisher.published).toHaveLength(0);
  });

  it('when marking PUBLISHED fails, still answers 200; a copy after the lease takes the claim over and republishes with the same eventId', async () => {
    const w = world({ leaseMs: 1000 });
    w.store.failNext.markPublished = new Error('boom');
    const reply = await handleDelivery(delivery(), w.deps);
    expect(reply.statusCode).toBe(200);
    // The redrive never sees a claim (it holds no event) …
    expect(await redrive({ store: w.store, publisher: w.publisher, deadLetters: new MemoryDeadLetters(), log: w.log }, new Date(NOW.getTime() + 5000))).toMatchObject({ examined: 0 });
    // … the next copy does.
    const again = await handleDelivery(delivery({ at: new Date(NOW.getTime() + 5000) }), w.deps);
    expect(again.body).toMatchObject({ status: 'published', eventId: reply.body.eventId });
    expect(w.publisher.published.map((e) => e.detail.eventId)).toEqual([reply.body.eventId, reply.body.eventId]);
  });

  it('an expired record no longer counts as a duplicate', async () => {
    const w = world({ retentionDays: 7 });
    await handleDelivery(delivery(), w.deps);
    const later = new Date(NOW.getTime() + 8 * 86_400_000);
    const reply = await handleDelivery(delivery({ at: later }), w.deps);
    expect(reply.body).toMatchObject({ status: 'published' });
  });

  it('records expire after retentionDays', async () => {
    const w = world({ retentionDays: 7 });
    await handleDelivery(delivery(), w.deps);
    expect(w.store.records.get('quarterzip#msg_1')?.expiresAt).toBe(NOW.getTime() / 1000 + 7 * 86_400);
  });

  it('uses a hashed key for very long dedup keys', () => {
    expect(recordKey('quarterzip', 'x'.repeat(2000))).toMatch(/^quarterzip#sha256:[0-9a-f]{64}$/);
    expect(recordKey('quarterzip', 'msg_1')).toBe('quarterzip#msg_1');
  });
});

describe('secret rotation', () => {
  it('re-reads the secret once when a signature fails, so a rotated secret verifies at once', async () => {
    const w = world();
    await handleDelivery(delivery({ id: 'msg_a' }), w.deps);
    const rotated = 'whsec_' + Buffer.from('the rotated secret 24 b.').toString('base64');
    w.secrets.values.quarterzip = rotated;
    const reply = await handleDelivery(delivery({ id: 'msg_b', secret: rotated }), w.deps);
    expect(reply.statusCode).toBe(200);
    expect(w.secrets.fetches).toBe(2);
  });

  it('accepts deliveries signed with the previous secret during a rotation window', async () => {
    const w = world();
    const next = 'whsec_' + Buffer.from('the rotated secret 24 b.').toString('base64');
    w.secrets.values.quarterzip = JSON.stringify({ current: next, previous: SECRET });
    expect((await handleDelivery(delivery({ id: 'old' }), w.deps)).statusCode).toBe(200);
    expect((await handleDelivery(delivery({ id: 'new', secret: next }), w.deps)).statusCode).toBe(200);
  });
});

describe('large events', () => {
  it('moves the transcript to the payload store when the event is over maxEventBytes, and says so', async () => {
    const w = world({ maxEventBytes: 8 * 1024 });
    const turns = Array.from({ length: 200 }, (_, i) => ({ speaker: i % 2 ? 'user' : 'agent', text: `turn ${i} `.repeat(10) }));
    const reply = await handleDelivery(delivery({ raw: body('big', { transcript: turns }) }), w.deps);
    expect(reply.statusCode).toBe(200);
    const { detail } = w.publisher.published[0];
    expect(detail.transcript).toEqual({ turns: [], truncated: false });
    expect(detail.offload).toMatchObject({ part: 'transcript' });
    expect(Buffer.byteLength(JSON.stringify(detail))).toBeLessThanOrEqual(8 * 1024);
    const stored = JSON.parse(w.blobs.blobs.get(detail.offload!.key)!.toString());
    expect(stored.turns).toHaveLength(200);
  });

  it('moves the whole detail when the rest alone is too large', async () => {
    const w = world({ maxEventBytes: 8 * 1024 });
    const reply = await handleDelivery(delivery({ raw: body('big', { workspace_id: 'w'.repeat(20_000) }) }), w.deps);
    expect(reply.statusCode).toBe(200);
    const { detail } = w.publisher.published[0];
    expect(detail.offload).toMatchObject({ part: 'detail' });
    expect(detail.account).toBeUndefined();
    expect(JSON.parse(w.blobs.blobs.get(detail.offload!.key)!.toString()).account.id).toHaveLength(20_000);
  });

  it('answers 400 event_too_large (kept, not a parse error) when even the event identifiers are over maxEventBytes', async () => {
    const w = world({ maxEventBytes: 8 * 1024 });
    const raw = body('c'.repeat(10_000));
    const reply = await handleDelivery(delivery({ raw }), w.deps);
    expect(reply).toMatchObject({ statusCode: 400, body: { error: 'event_too_large' } });
    expect(JSON.stringify(reply.body)).not.toContain('ccccc');
    expect(w.store.records.size).toBe(0);
    expect(w.publisher.published).toHaveLength(0);
    const kept = [...w.blobs.blobs.entries()].find(([k]) => k.startsWith('rejected/quarterzip/') && k.endsWith('.body'));
    expect(kept?.[1]).toEqual(raw);
    expect(w.log.lines.some((l) => l.message === 'authenticated event too large; kept for inspection')).toBe(true);
  });

  it('a store that fails on its payload store logs the payload store, not the dedup store, as unavailable', async () => {
    const w = world();
    w.store.failNext.claim = new DependencyError('payload store unavailable', { context: { dependency: 'payload store' } });
    await handleDelivery(delivery(), w.deps);
    expect(w.log.lines.map((l) => l.message)).toContain('payload store unavailable; publishing without a record');
    expect(w.log.lines.map((l) => l.message)).not.toContain('dedup store unavailable; publishing without a record');
  });

  it('the payload store failing for an event over the bus limit: the event is kept whole in its record (202), and the redrive offloads and publishes it', async () => {
    const w = world({ maxEventBytes: 8 * 1024 });
    w.blobs.failPuts = new Error('s3 down');
    const reply = await handleDelivery(delivery({ raw: body('big', { workspace_id: 'w'.repeat(20_000) }) }), w.deps);
    expect(reply).toMatchObject({ statusCode: 202, body: { status: 'accepted', published: false } });
    expect(w.publisher.published).toHaveLength(0);
    const record = w.store.records.get('quarterzip#msg_1');
    expect(record).toMatchObject({ status: 'PENDING' });
    expect(Buffer.byteLength(record!.eventJson!)).toBeGreaterThan(8 * 1024);
    w.blobs.failPuts = undefined;
    const report = await redrive({ store: w.store, publisher: w.publisher, deadLetters: new MemoryDeadLetters(), log: w.log, blobs: w.blobs, maxEventBytes: 8 * 1024 }, new Date(NOW.getTime() + 120_000));
    expect(report).toMatchObject({ published: 1 });
    const [published] = w.publisher.published;
    expect(published.detail).toMatchObject({ eventId: reply.body.eventId, offload: { part: 'detail' } });
    expect(Buffer.byteLength(published.detailJson ?? JSON.stringify(published.detail))).toBeLessThanOrEqual(8 * 1024);
    expect(w.blobs.keys(`offload/quarterzip/${reply.body.eventId}/`)).toContain(`offload/quarterzip/${reply.body.eventId}/detail.json`);
  });
});

describe('logs', () => {
  it('never contain the secret or payload content', async () => {
    const w = world();
    await handleDelivery(delivery({ raw: body('abc', { transcript: [{ speaker: 'user', text: 'my email is jane@example.com' }] }) }), w.deps);
    await handleDelivery(delivery({ secret: 'whsec_' + Buffer.from('wrong secret for the log').toString('base64') }), w.deps);
    const text = JSON.stringify(w.log.lines);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('jane@example.com');
    expect(text).toContain('delivery published');
  });
});

describe('hostile but authenticated input', () => {
  it('answers 400 (kept) for JSON nested too deeply to serialize again, never 5xx', async () => {
    // A custom vendor keeps its whole payload in detail.fields, so the nesting reaches the event.
    const custom = customVendor({ name: 'deepco', auth: { scheme: 'static-token', header: 'x-token' }, fields: { eventType: '/type' } });
    const w = memoryWorld([custom], { deepco: 'tok' });
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const raw = Buffer.from(`{"type":"call.completed","deep":${deep}}`);
    const d: Delivery = { vendor: 'deepco', method: 'POST', headers: new Headers([['x-token', 'tok']]), query: {}, body: raw, receivedAt: NOW };
    const reply = await handleDelivery(d, w.deps);
    expect(reply).toMatchObject({ statusCode: 400, body: { message: 'the payload is nested too deeply' } });
    expect(w.publisher.published).toHaveLength(0);
    expect(w.store.records.size).toBe(0);
    expect([...w.blobs.blobs.keys()].some((k) => k.startsWith('rejected/deepco/'))).toBe(true);
  });

  it('answers 400 (kept) when an adapter throws something other than ParseError', async () => {
    const broken = { ...adapter, parse: () => { throw new TypeError('bug'); } };
    const w = memoryWorld([broken], { quarterzip: SECRET });
    const reply = await handleDelivery(delivery(), w.deps);
    expect(reply).toMatchObject({ statusCode: 400, body: { message: 'the delivery could not be parsed' } });
    expect(w.log.lines.some((l) => l.level === 'error' && l.extra?.error === 'TypeError')).toBe(true);
  });
});
