/**
 * The opt-in capture of refused deliveries (lambda/core/capture.ts): a 401 keeps the request as received, at most
 * `perMinute` a minute, within the deadline, and never changes the answer; nothing else is captured.
 */
import { handle, handleDelivery, UNAUTHORIZED } from '../../lambda/core/pipeline';
import { RefusedCapture, type RefusedCaptureObject } from '../../lambda/core/capture';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { Headers, type Delivery } from '../../lambda/core/http';
import { signStandardWebhook } from '../helpers/standard-webhooks';
import type { CallOptions } from '../../lambda/core/ports';
import { memoryWorld, type MemoryWorld } from '../helpers/memory';

const SECRET = 'whsec_' + Buffer.from('capture test secret 24 b').toString('base64');
const FORGER = 'whsec_' + Buffer.from('not the endpoint secret!').toString('base64');
const NOW = new Date('2026-11-22T12:00:00Z');
const adapter = quarterzip();

function delivery(opts: { secret?: string; id?: string; method?: string; raw?: Buffer } = {}): Delivery {
  const raw = opts.raw ?? Buffer.from(JSON.stringify({ type: 'call.completed', timestamp: '2026-11-22T11:59:00Z', data: { call_id: opts.id ?? 'c1' } }));
  const headers = new Headers([['Content-Type', 'application/json'], ['X-Forwarded-For', '203.0.113.7'], ...Object.entries(signStandardWebhook(raw, opts.secret ?? SECRET, NOW, opts.id ?? 'msg_1'))]);
  return {
    vendor: 'quarterzip',
    method: opts.method ?? 'POST',
    url: { scheme: 'https', host: 'hooks.example.com', rawPath: '/webhooks/quarterzip', rawQuery: 'a=1&b=two' },
    headers,
    query: { a: '1', b: 'two' },
    body: raw,
    receivedAt: NOW,
    requestId: `req-${opts.id ?? '1'}`,
  };
}

/** A world whose clock is fixed at `clock.t` (the rate limit's time). */
function world(perMinute?: number, limits = {}): MemoryWorld & { clock: { t: number } } {
  const w = memoryWorld([adapter], { quarterzip: SECRET }, limits);
  const clock = { t: NOW.getTime() };
  Object.assign(w.deps, {
    clock: { now: () => clock.t, sleep: async () => undefined },
    captureRefused: perMinute === undefined ? undefined : new RefusedCapture(perMinute),
  });
  return Object.assign(w, { clock });
}

const captured = (w: MemoryWorld) => [...w.blobs.blobs.keys()].filter((k) => k.startsWith('refused/'));

describe('capture of refused deliveries', () => {
  it('keeps a forged delivery as received, once, and still answers the same 401', async () => {
    const w = world(10);
    const d = delivery({ secret: FORGER });
    const handled = await handle(d, w.deps);
    expect(handled).toMatchObject({ reply: UNAUTHORIZED, outcome: 'unauthorized', refusal: 'no-key-matched' });
    const keys = captured(w);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^refused\/quarterzip\/2026-11-22\/[0-9a-f]{64}\.json$/);
    expect([...w.blobs.blobs.keys()]).toEqual(keys);
    const object = JSON.parse(w.blobs.blobs.get(keys[0])!.toString('utf8')) as RefusedCaptureObject;
    expect(object).toMatchObject({
      capture: 1, vendor: 'quarterzip', endpoint: 'default', method: 'POST', reason: 'no-key-matched',
      receivedAt: NOW.toISOString(), query: { a: '1', b: 'two' }, requestId: 'req-1',
      url: { scheme: 'https', host: 'hooks.example.com', rawPath: '/webhooks/quarterzip', rawQuery: 'a=1&b=two' },
    });
    // The request rebuilt from the object is the one refused: same headers in order, same bytes.
    expect(object.headers).toEqual([...d.headers.entries()]);
    expect(Buffer.from(object.bodyBase64, 'base64').equals(d.body)).toBe(true);
    const rebuilt: Delivery = { ...d, headers: new Headers(object.headers.map(([k, v]) => [k, v])), body: Buffer.from(object.bodyBase64, 'base64') };
    expect(adapter.verify(rebuilt, FORGER, NOW)).toBe(true);
    // Nothing of the request in the logs.
    const logged = JSON.stringify(w.log.lines);
    for (const piece of [d.headers.get('webhook-signature')!, '203.0.113.7', d.body.toString('utf8'), object.bodyBase64]) expect(logged).not.toContain(piece);
  });

  it('captures nothing for a valid delivery, a 404, 405, 413 or a 400', async () => {
    const w = world(100, { maxBodyBytes: 4096 });
    expect((await handleDelivery(delivery(), w.deps)).statusCode).toBe(200);
    expect((await handleDelivery({ ...delivery({ secret: FORGER }), vendor: 'nobody' }, w.deps)).statusCode).toBe(404);
    expect((await handleDelivery(delivery({ secret: FORGER, method: 'GET' }), w.deps)).statusCode).toBe(405);
    expect((await handleDelivery(delivery({ secret: FORGER, raw: Buffer.alloc(5000, 'x') }), w.deps)).statusCode).toBe(413);
    expect((await handleDelivery(delivery({ id: 'bad', raw: Buffer.from('not json') }), w.deps)).statusCode).toBe(400);
    expect(captured(w)).toEqual([]);
  });

  it('captures at most perMinute a minute per instance, then again once the bucket refills', async () => {
    const w = world(2);
    for (const id of ['f1', 'f2', 'f3']) expect((await handleDelivery(delivery({ secret: FORGER, id }), w.deps)).statusCode).toBe(401);
    expect(captured(w)).toHaveLength(2);
    w.clock.t += 30_000; // half a minute: one token back
    for (const id of ['f4', 'f5']) await handleDelivery(delivery({ secret: FORGER, id }), w.deps);
    expect(captured(w)).toHaveLength(3);
  });

  it('captures nothing when off', async () => {
    const w = world(undefined);
    expect((await handleDelivery(delivery({ secret: FORGER }), w.deps)).statusCode).toBe(401);
    expect(w.blobs.blobs.size).toBe(0);
  });

  it('still answers 401 when the blob store fails, logging the error class only', async () => {
    const w = world(10);
    w.blobs.failPuts = Object.assign(new Error('AccessDenied for refused/quarterzip/…'), { name: 'AccessDenied' });
    expect(await handleDelivery(delivery({ secret: FORGER }), w.deps)).toEqual(UNAUTHORIZED);
    expect(w.log.lines).toContainEqual(expect.objectContaining({ message: 'refused delivery could not be captured', extra: expect.objectContaining({ error: 'AccessDenied' }) }));
    expect(JSON.stringify(w.log.lines)).not.toContain('AccessDenied for');
  });

  it('still answers 401 within the deadline when the blob store hangs, ignoring its signal', async () => {
    const w = world(10, { answerDeadlineMs: 600 });
    const signals: AbortSignal[] = [];
    (w.blobs as { put: unknown }).put = (_k: string, _b: Buffer | string, _t: string, o?: CallOptions) => {
      if (o?.signal) signals.push(o.signal);
      return new Promise(() => undefined);
    };
    const started = performance.now();
    expect(await handleDelivery(delivery({ secret: FORGER }), w.deps)).toEqual(UNAUTHORIZED);
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(600);
    expect(ms).toBeGreaterThanOrEqual(90); // it did wait for the put, up to a sixth of the deadline
    expect(signals).toHaveLength(1);
    expect(signals[0].aborted).toBe(true);
  });
});

describe('RefusedCapture', () => {
  it('refuses a perMinute that is not a positive integer', () => {
    expect(() => new RefusedCapture(0)).toThrow(/positive integer/);
    expect(() => new RefusedCapture(1.5)).toThrow(/positive integer/);
  });
});
