/**
 * DESIGN.md §Deadlines and degraded operation, on the core with in-memory ports that hang, fail or answer
 * slowly: the answer comes within the answer deadline whatever a dependency does, a 2xx only when the event is
 * on the bus or kept (record, spool), and the redrive later publishes exactly the events answered 2xx.
 * The deadline here is 1.2 s (the construct's least) so that a hang costs little; the shipped default is 6 s.
 */
import { handleDelivery } from '../../lambda/core/pipeline';
import { redrive } from '../../lambda/core/redrive';
import { Budget, within, DeadlineExceeded } from '../../lambda/core/deadline';
import type { CallOptions } from '../../lambda/core/ports';
import { SecretCache } from '../../lambda/core/secrets';
import { Headers, Delivery, Reply } from '../../lambda/core/http';
import { signStandardWebhook } from '../helpers/standard-webhooks';
import { deriveEventId } from '../../lambda/core/event';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { MapSecrets, MemoryDeadLetters, memoryWorld, MemoryWorld } from '../helpers/memory';

const SECRET = 'whsec_' + Buffer.from('deadline test secret!!!!').toString('base64');
const DEADLINE_MS = 1200;
/**
 * What answering may take beyond the deadline: the answer itself, timers firing late on a busy machine (CI runs
 * this beside other suites). Without deadlines these cases would not answer at all, or after the 10 s timeout.
 */
const SLACK_MS = 800;
const adapter = quarterzip();
let n = 0;

function delivery(id = `msg_deadline_${++n}`): Delivery {
  const at = new Date();
  const body = Buffer.from(JSON.stringify({ type: 'call.completed', data: { call_id: `c_${id}` } }));
  return { vendor: 'quarterzip', method: 'POST', headers: new Headers(Object.entries(signStandardWebhook(body, SECRET, at, id))), query: {}, body, receivedAt: at };
}

/** Never settles, except by the signal it was given (an SDK call abandoned at its deadline). */
function hangs(options?: CallOptions): Promise<never> {
  return new Promise((_, reject) => options?.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
}
/** Never settles at all: a dependency that ignores the signal. */
const deaf = (): Promise<never> => new Promise(() => undefined);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Fault = 'hang' | 'deaf' | 'fail' | 'slow';

function world(faults: { store?: Fault; bus?: Fault; blobs?: Fault } = {}): MemoryWorld & { signals: AbortSignal[] } {
  const w = memoryWorld([adapter], { quarterzip: SECRET }, { answerDeadlineMs: DEADLINE_MS });
  const signals: AbortSignal[] = [];
  const wrap = <A extends unknown[], R>(fault: Fault | undefined, real: (...args: A) => Promise<R>, optionsAt: number) =>
    async (...args: A): Promise<R> => {
      const options = args[optionsAt] as CallOptions | undefined;
      if (options?.signal) signals.push(options.signal);
      if (fault === 'hang') return hangs(options);
      if (fault === 'deaf') return deaf();
      if (fault === 'fail') throw Object.assign(new Error('down'), { name: 'ServiceUnavailable', $fault: 'server' });
      if (fault === 'slow') await sleep(400);
      return real(...args);
    };
  const store = w.store;
  store.claim = wrap(faults.store, store.claim.bind(store), 2);
  store.keepForRedrive = wrap(faults.store, store.keepForRedrive.bind(store), 2);
  store.markPublished = wrap(faults.store, store.markPublished.bind(store), 1);
  store.get = wrap(faults.store, store.get.bind(store), 1);
  w.publisher.publish = wrap(faults.bus, w.publisher.publish.bind(w.publisher), 1);
  w.blobs.put = wrap(faults.blobs, w.blobs.put.bind(w.blobs), 3);
  return Object.assign(w, { signals });
}

async function timed(d: Delivery, w: MemoryWorld): Promise<{ reply: Reply; ms: number }> {
  const started = performance.now();
  const reply = await handleDelivery(d, w.deps);
  return { reply, ms: performance.now() - started };
}

/** After the outage: a healthy world over the same stores runs the redrive once every lease has ended. */
async function healAndRedrive(w: MemoryWorld) {
  const healthy = memoryWorld([adapter], { quarterzip: SECRET });
  const later = new Date(Date.now() + 3_600_000);
  // The same records and blobs, through their own (unwrapped) methods.
  const store = Object.assign(Object.create(Object.getPrototypeOf(w.store)), w.store);
  for (const m of ['claim', 'keepForRedrive', 'markPublished', 'get'] as const) delete store[m];
  const blobs = Object.assign(Object.create(Object.getPrototypeOf(w.blobs)), w.blobs);
  delete blobs.put;
  return redrive({ store, publisher: healthy.publisher, deadLetters: new MemoryDeadLetters(), log: healthy.log, blobs }, later).then((report) => ({ report, published: healthy.publisher.published }));
}

describe('the answer comes within the deadline, and a 2xx means the event is on the bus or kept', () => {
  it.each<[string, number, string, { store?: Fault; bus?: Fault; blobs?: Fault }]>([
    ['the bus hanging', 202, 'kept in its record', { bus: 'hang' }],
    ['the bus ignoring every signal', 202, 'kept in its record', { bus: 'deaf' }],
    ['DynamoDB hanging', 200, 'published without a record', { store: 'hang' }],
    ['DynamoDB ignoring every signal', 200, 'published without a record', { store: 'deaf' }],
    ['DynamoDB hanging and the bus failing', 202, 'spooled', { store: 'hang', bus: 'fail' }],
    ['DynamoDB and the bus both hanging', 202, 'spooled', { store: 'hang', bus: 'hang' }],
    ['DynamoDB slow (0.4 s a call) while the bus hangs', 202, 'kept in its record', { store: 'slow', bus: 'hang' }],
    ['DynamoDB failing and the bus hanging', 202, 'spooled', { store: 'fail', bus: 'hang' }],
    ['S3 hanging (nothing on the common path needs it)', 200, 'published', { blobs: 'hang' }],
  ])('%s: %i (%s)', async (_label, status, _what, faults) => {
    const w = world(faults);
    const d = delivery();
    const { reply, ms } = await timed(d, w);
    expect(reply.statusCode).toBe(status);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    const eventId = deriveEventId('quarterzip', d.headers.get('webhook-id')!);
    expect(reply.body.eventId).toBe(eventId);
    const onBus = w.publisher.published.some((e) => e.detail.eventId === eventId);
    const { published } = await healAndRedrive(w);
    // Answered 2xx: on the bus now, or published by the redrive once the dependencies are back.
    expect(onBus || published.some((e) => e.detail.eventId === eventId)).toBe(true);
  });

  it.each<[string, { store?: Fault; bus?: Fault; blobs?: Fault }]>([
    ['DynamoDB, the bus and S3 all hanging', { store: 'hang', bus: 'hang', blobs: 'hang' }],
    ['DynamoDB and S3 failing, the bus hanging', { store: 'fail', bus: 'hang', blobs: 'fail' }],
  ])('%s: 503 within the deadline, nothing published', async (_label, faults) => {
    const w = world(faults);
    const { reply, ms } = await timed(delivery(), w);
    expect(reply).toMatchObject({ statusCode: 503, headers: { 'retry-after': '5' } });
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(w.publisher.published).toHaveLength(0);
    expect((await healAndRedrive(w)).published).toHaveLength(0);
  });

  it('every call is given a signal, and a hung call\'s signal has aborted by the time the answer is given (the SDK abandons the request)', async () => {
    const w = world({ store: 'hang', bus: 'hang' });
    await timed(delivery(), w);
    expect(w.signals.length).toBeGreaterThanOrEqual(3); // claim, publish, spool
    // The claim's and the publish's signals fired; the spool's (it succeeded) may not have.
    expect(w.signals.slice(0, 2).every((s) => s.aborted)).toBe(true);
  });
});

describe('Secrets Manager', () => {
  it('hanging at cold start (nothing cached): 503 within the deadline, nothing stored', async () => {
    const w = memoryWorld([adapter], { quarterzip: SECRET }, { answerDeadlineMs: DEADLINE_MS });
    w.deps = { ...w.deps, secrets: new SecretCache({ fetch: (_key, options) => hangs(options) }) };
    const { reply, ms } = await timed(delivery(), w);
    expect(reply.statusCode).toBe(503);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(w.store.records.size).toBe(0);
  });

  it('failing after a read: the value read before still verifies (stale-if-error), counted, for 24 hours at most', async () => {
    let clock = Date.now();
    const source = new MapSecrets({ quarterzip: SECRET });
    const stale: number[] = [];
    const w = memoryWorld([adapter], { quarterzip: SECRET }, { answerDeadlineMs: DEADLINE_MS });
    w.deps = { ...w.deps, secrets: new SecretCache(source, { clock: () => clock, onStale: (_key, age) => stale.push(age) }) };
    expect((await handleDelivery(delivery(), w.deps)).statusCode).toBe(200);
    source.failNext = Object.assign(new Error('down'), { name: 'InternalServiceError' });
    source.failAll = true;
    clock += 10 * 60_000; // past the 5-minute refresh age
    expect((await handleDelivery(delivery(), w.deps)).statusCode).toBe(200);
    expect(stale).toHaveLength(1);
    // Within the retry interval the source is not asked again; the stale value is used and counted.
    const fetches = source.fetches;
    expect((await handleDelivery(delivery(), w.deps)).statusCode).toBe(200);
    expect(source.fetches).toBe(fetches);
    expect(stale).toHaveLength(2);
    clock += 24 * 3_600_000;
    expect((await handleDelivery(delivery(), w.deps)).statusCode).toBe(503);
  });
});

describe('deadline primitives', () => {
  it('within() rejects with DeadlineExceeded when the signal aborts, even if the work never settles', async () => {
    const signal = AbortSignal.timeout(30);
    await expect(within(signal, deaf)).rejects.toBeInstanceOf(DeadlineExceeded);
  });

  it('within() passes the work\'s own result and error through', async () => {
    await expect(within(AbortSignal.timeout(1000), async () => 7)).resolves.toBe(7);
    await expect(within(AbortSignal.timeout(1000), async () => { throw new RangeError('x'); })).rejects.toBeInstanceOf(RangeError);
  });

  it('a budget never runs past what the function has left, less a margin', () => {
    const b = new Budget(6000, 1_000_000, 4000, () => 1_000_000);
    expect(b.answerBy).toBe(1_000_000 + 3000);
    expect(new Budget(6000, 1_000_000, 60_000, () => 1_000_000).answerBy).toBe(1_006_000);
  });

  it('a step\'s signal leaves the reserve: with 1 s left and 0.4 s reserved, it aborts after about 0.6 s', async () => {
    const b = new Budget(1000);
    const started = performance.now();
    await new Promise<void>((resolve) => b.signal(5000, 400).addEventListener('abort', () => resolve()));
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThan(500);
    expect(ms).toBeLessThan(1500); // not the step's cap (5 s): the reserve is kept; room for a loaded machine
  });
});
