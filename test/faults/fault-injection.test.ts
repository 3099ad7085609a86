/**
 * Fault injection at every step of the pipeline, with the real DynamoDB adapter on an in-process store
 * (dynalite) and the failures AWS really returns, injected inside the SDK call. After each scenario the
 * guarantees of DESIGN.md are checked:
 *   1. every delivery answered 2xx reaches the bus (after the redrive where needed);
 *   2. no vendor event is published twice unless a fault hit after the publish, and then with the same eventId;
 *   3. a 5xx answer means nothing was stored (checked right after the answer).
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDedupStore } from '../../lambda/adapters/aws/dynamo-store';
import { LocalDynamo, startLocalDynamo, LOCAL_TABLE, localClient } from '../../lambda/adapters/local/dynalite-store';
import { handleDelivery, PipelineDeps, recordKey } from '../../lambda/core/pipeline';
import { redrive } from '../../lambda/core/redrive';
import { Headers, Delivery, Reply } from '../../lambda/core/http';
import { SecretCache } from '../../lambda/core/secrets';
import { signStandardWebhook } from '../helpers/standard-webhooks';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { MapSecrets, MemoryBlobs, MemoryDeadLetters, MemoryLog, MemoryPublisher } from '../helpers/memory';

const SECRET = 'whsec_' + Buffer.from('fault injection secret!!').toString('base64');
const adapter = quarterzip();
const LEASE_MS = 30_000;

/** Makes the next calls of the named DynamoDB commands fail with `error`, inside the SDK's send. */
class DynamoFaults {
  private faults: Array<{ command: string; error: () => Error; times: number }> = [];
  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const fault = this.faults.find((f) => f.command === context.commandName && f.times > 0);
        if (fault) {
          fault.times--;
          throw fault.error();
        }
        return next(args);
      },
      { step: 'initialize', name: 'faultInjection' },
    );
  }
  inject(command: string, error: () => Error, times = 1) {
    this.faults.push({ command, error, times });
  }
  clear() {
    this.faults = [];
  }
}

const awsError = (name: string, fault: 'client' | 'server' = 'server', status = 500) =>
  () => Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });
const THROTTLE = awsError('ProvisionedThroughputExceededException', 'client', 400);
const DDB_5XX = awsError('InternalServerError');
const TIMEOUT = () => Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });

let dynamo: LocalDynamo;
let client: DynamoDBClient;
let faults: DynamoFaults;
let counter = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamo(undefined);
  client = localClient(dynamo.endpoint);
  faults = new DynamoFaults(client);
});
afterAll(async () => {
  client.destroy();
  await dynamo.close();
});
afterEach(() => faults.clear());

interface World {
  deps: PipelineDeps;
  publisher: MemoryPublisher;
  blobs: MemoryBlobs;
  secrets: MapSecrets;
  deadLetters: MemoryDeadLetters;
  store: DynamoDedupStore;
}

function world(): World {
  const store = new DynamoDedupStore(client, LOCAL_TABLE);
  const publisher = new MemoryPublisher();
  const blobs = new MemoryBlobs();
  const secrets = new MapSecrets({ quarterzip: SECRET });
  return {
    store,
    publisher,
    blobs,
    secrets,
    deadLetters: new MemoryDeadLetters(),
    deps: {
      adapters: new Map([[adapter.name, adapter]]),
      secrets: new SecretCache(secrets),
      store,
      publisher,
      blobs,
      log: new MemoryLog(),
      limits: { maxBodyBytes: 2 << 20, maxEventBytes: 256 << 10, retentionDays: 30, leaseMs: LEASE_MS },
    },
  };
}

function newDelivery(at: Date, id = `msg_fault_${++counter}`, extra: Record<string, unknown> = {}): Delivery {
  const body = Buffer.from(JSON.stringify({ type: 'call.completed', data: { call_id: `c_${id}`, ...extra } }));
  return { vendor: 'quarterzip', method: 'POST', headers: new Headers(Object.entries(signStandardWebhook(body, SECRET, at, id))), query: {}, body, receivedAt: at };
}

const idOf = (d: Delivery) => d.headers.get('webhook-id')!;

async function recordExists(d: Delivery): Promise<boolean> {
  const out = await client.send(new GetItemCommand({ TableName: LOCAL_TABLE, Key: { pk: { S: recordKey('quarterzip', idOf(d)) } }, ConsistentRead: true }));
  return out.Item !== undefined;
}

/** Runs the redrive after every lease has ended, then checks the three guarantees. */
async function assertGuarantees(w: World, answered: Array<{ d: Delivery; reply: Reply | undefined }>, opts: { faultAfterPublish?: boolean; now: Date; maxEventBytes?: number }) {
  await redrive({ store: w.store, publisher: w.publisher, deadLetters: w.deadLetters, log: new MemoryLog(), leaseMs: LEASE_MS, blobs: w.blobs, maxEventBytes: opts.maxEventBytes }, new Date(opts.now.getTime() + LEASE_MS + 1000));
  const publishedIds = w.publisher.published.map((e) => e.detail.eventId);
  for (const { reply } of answered) {
    if (reply && reply.statusCode >= 200 && reply.statusCode < 300) expect(publishedIds).toContain(reply.body.eventId);
  }
  const counts = new Map<string, number>();
  for (const id of publishedIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  const doubled = [...counts.values()].filter((n) => n > 1).length;
  if (!opts.faultAfterPublish) expect(doubled).toBe(0);
}

describe('fault injection', () => {
  it.each([
    ['DynamoDB throttling on the claim', 'PutItemCommand', THROTTLE],
    ['DynamoDB 5xx on the claim', 'PutItemCommand', DDB_5XX],
    ['a DynamoDB timeout on the claim', 'PutItemCommand', TIMEOUT],
  ])('%s: published anyway under its eventId (200), no record; a retry publishes again under the same eventId', async (_label, command, error) => {
    const w = world();
    const now = new Date();
    const d = newDelivery(now);
    faults.inject(command, error, 3); // the SDK's own retries (maxAttempts 2 locally) are exhausted
    const reply = await handleDelivery(d, w.deps);
    expect(reply).toMatchObject({ statusCode: 200, body: { status: 'published' } });
    expect(w.publisher.published.map((e) => e.detail.eventId)).toEqual([reply.body.eventId]);
    expect(await recordExists(d)).toBe(false);
    faults.clear();
    const retry = await handleDelivery(d, w.deps);
    expect(retry.body).toMatchObject({ status: 'published', eventId: reply.body.eventId });
    await assertGuarantees(w, [{ d, reply }, { d, reply: retry }], { now, faultAfterPublish: true });
    expect(new Set(w.publisher.published.map((e) => e.detail.eventId))).toEqual(new Set([reply.body.eventId]));
  });

  it('Secrets Manager failing: 503 and nothing stored', async () => {
    const w = world();
    const now = new Date();
    const d = newDelivery(now);
    w.secrets.failNext = Object.assign(new Error('internal'), { name: 'InternalServiceError' });
    const reply = await handleDelivery(d, w.deps);
    expect(reply.statusCode).toBe(503);
    expect(await recordExists(d)).toBe(false);
    await assertGuarantees(w, [{ d, reply }], { now });
  });

  it.each([
    ['PutEvents throwing', 'throw'],
    ['PutEvents answering FailedEntryCount > 0', 'fail'],
  ] as const)('%s: 202, the event stays PENDING and the redrive publishes it once', async (_label, mode) => {
    const w = world();
    const now = new Date();
    const d = newDelivery(now);
    w.publisher.script = [mode];
    const reply = await handleDelivery(d, w.deps);
    expect(reply).toMatchObject({ statusCode: 202, body: { status: 'accepted', published: false } });
    expect(w.publisher.published).toHaveLength(0);
    await assertGuarantees(w, [{ d, reply }], { now });
    expect(w.publisher.published).toHaveLength(1);
  });

  it('a PutEvents timeout: 202 and published by the redrive', async () => {
    const w = world();
    const now = new Date();
    const d = newDelivery(now);
    w.publisher.publish = async () => {
      await new Promise((r) => setTimeout(r, 20));
      throw TIMEOUT();
    };
    const reply = await handleDelivery(d, w.deps);
    expect(reply.statusCode).toBe(202);
    w.publisher.publish = MemoryPublisher.prototype.publish.bind(w.publisher);
    await assertGuarantees(w, [{ d, reply }], { now });
    expect(w.publisher.published).toHaveLength(1);
  });

  it('a crash after the claim and before the publish: a redelivery within the lease gets 409 with Retry-After (never a 2xx), one after it takes the claim over and publishes once', async () => {
    const w = world();
    w.deps = { ...w.deps, limits: { ...w.deps.limits, inFlightWaitMs: 300 } };
    const now = new Date();
    const d = newDelivery(now);
    // The function dies inside PutEvents: the promise never settles and no answer is sent.
    let entered!: () => void;
    const inPublish = new Promise<void>((r) => (entered = r));
    w.publisher.publish = () => {
      entered();
      return new Promise(() => undefined);
    };
    void handleDelivery(d, w.deps);
    await inPublish;
    w.publisher.publish = MemoryPublisher.prototype.publish.bind(w.publisher);
    const early = await handleDelivery(d, w.deps);
    expect(early.statusCode).toBe(409);
    expect(Number(early.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(Number(early.headers?.['retry-after'])).toBeLessThanOrEqual(LEASE_MS / 1000);
    expect(w.publisher.published).toHaveLength(0);
    // The redrive does not see a claim: it holds no event.
    expect(await redrive({ store: w.store, publisher: w.publisher, deadLetters: w.deadLetters, log: new MemoryLog(), leaseMs: LEASE_MS }, new Date(now.getTime() + LEASE_MS + 1000))).toMatchObject({ examined: 0 });
    const late = await handleDelivery({ ...d, receivedAt: new Date(now.getTime() + LEASE_MS + 1000) }, w.deps);
    expect(late.body).toMatchObject({ status: 'published', eventId: early.body.eventId });
    const retry = await handleDelivery({ ...d, receivedAt: new Date(now.getTime() + LEASE_MS + 2000) }, w.deps);
    expect(retry.body).toMatchObject({ status: 'duplicate', eventId: early.body.eventId });
    await assertGuarantees(w, [{ d, reply: undefined }, { d, reply: early }, { d, reply: late }, { d, reply: retry }], { now });
    expect(w.publisher.published.map((e) => e.detail.eventId)).toEqual([late.body.eventId]);
  });

  it('a crash after the publish and before the mark: a copy after the lease publishes again, with the same eventId', async () => {
    const w = world();
    const now = new Date();
    const d = newDelivery(now);
    // The function dies inside the mark (UpdateItem never answers).
    const realMark = w.store.markPublished.bind(w.store);
    let entered!: () => void;
    const inMark = new Promise<void>((r) => (entered = r));
    w.store.markPublished = () => {
      entered();
      return new Promise(() => undefined);
    };
    void handleDelivery(d, w.deps);
    await inMark;
    w.store.markPublished = realMark;
    expect(w.publisher.published).toHaveLength(1);
    const later = await handleDelivery({ ...d, receivedAt: new Date(now.getTime() + LEASE_MS + 1000) }, w.deps);
    expect(later.body).toMatchObject({ status: 'published' });
    expect(w.publisher.published.map((e) => e.detail.eventId)).toEqual([later.body.eventId, later.body.eventId]);
    await assertGuarantees(w, [{ d, reply: later }], { faultAfterPublish: true, now });
  });

  /** The bus failing, then DynamoDB failing to keep the event: the delivery's answer (the spool's 202). */
  async function busThenStoreFailing(w: World, d: Delivery): Promise<Reply> {
    w.publisher.script = ['throw'];
    faults.inject('UpdateItemCommand', DDB_5XX, 3);
    const reply = await handleDelivery(d, w.deps);
    faults.clear();
    expect(reply).toMatchObject({ statusCode: 202, body: { status: 'accepted' } });
    return reply;
  }

  it('the bus failing, then the store failing to keep the event: spooled (202); a retry after the lease takes the claim over, and the spool is then a duplicate', async () => {
    const w = world();
    const now = new Date();
    const d = newDelivery(now);
    const reply = await busThenStoreFailing(w, d);
    expect(w.blobs.keys('spool/quarterzip/')).toHaveLength(1);
    const item = await client.send(new GetItemCommand({ TableName: LOCAL_TABLE, Key: { pk: { S: recordKey('quarterzip', idOf(d)) } }, ConsistentRead: true }));
    expect(item.Item).toMatchObject({ status: { S: 'IN_FLIGHT' } });
    expect(item.Item).not.toHaveProperty('event');
    const retry = await handleDelivery({ ...d, receivedAt: new Date(now.getTime() + LEASE_MS + 1000) }, w.deps);
    expect(retry.body).toMatchObject({ status: 'published' });
    await assertGuarantees(w, [{ d, reply }, { d, reply: retry }], { now });
    expect(w.publisher.published).toHaveLength(1);
    expect(w.blobs.keys('spool/')).toHaveLength(0);
  });

  it('the bus failing, then the store failing to keep the event, and no retry: the redrive publishes the spooled event after the lease', async () => {
    const w = world();
    const now = new Date();
    const d = newDelivery(now);
    const reply = await busThenStoreFailing(w, d);
    await assertGuarantees(w, [{ d, reply }], { now });
    expect(w.publisher.published.map((e) => e.detail.eventId)).toEqual([reply.body.eventId]);
    expect(w.blobs.keys('spool/')).toHaveLength(0);
  });

  it.each([
    ['throttling', THROTTLE],
    ['a 5xx', DDB_5XX],
  ])('DynamoDB %s when marking PUBLISHED: 200; a later copy may publish again, with the same eventId', async (_label, error) => {
    const w = world();
    const now = new Date();
    const d = newDelivery(now);
    faults.inject('UpdateItemCommand', error, 3);
    const reply = await handleDelivery(d, w.deps);
    expect(reply).toMatchObject({ statusCode: 200, body: { status: 'published' } });
    faults.clear();
    await assertGuarantees(w, [{ d, reply }], { faultAfterPublish: true, now });
    expect(new Set(w.publisher.published.map((e) => e.detail.eventId))).toEqual(new Set([reply.body.eventId]));
  });

  it('the payload store failing while offloading a large event: kept whole in its record (202), offloaded and published by the redrive', async () => {
    const w = world();
    w.deps = { ...w.deps, limits: { ...w.deps.limits, maxEventBytes: 8 * 1024 } };
    const now = new Date();
    const d = newDelivery(now, undefined, { transcript: Array.from({ length: 300 }, (_, i) => ({ speaker: 'agent', text: `line ${i} `.repeat(5) })) });
    w.blobs.failNext = Object.assign(new Error('slow down'), { name: 'SlowDown' });
    const reply = await handleDelivery(d, w.deps);
    expect(reply).toMatchObject({ statusCode: 202, body: { status: 'accepted' } });
    expect(await recordExists(d)).toBe(true);
    await assertGuarantees(w, [{ d, reply }], { now, maxEventBytes: 8 * 1024 });
    expect(w.publisher.published[0].detail.offload).toBeDefined();
  });

  it('DynamoDB failing during the redrive: nothing is lost, the next run publishes', async () => {
    const w = world();
    const now = new Date();
    const d = newDelivery(now);
    w.publisher.script = ['throw'];
    const reply = await handleDelivery(d, w.deps);
    expect(reply.statusCode).toBe(202);
    const later = new Date(now.getTime() + LEASE_MS + 1000);
    const deps = { store: w.store, publisher: w.publisher, deadLetters: w.deadLetters, log: new MemoryLog(), leaseMs: LEASE_MS };
    faults.inject('QueryCommand', THROTTLE, 3);
    await expect(redrive(deps, later)).rejects.toThrow();
    faults.clear();
    faults.inject('UpdateItemCommand', DDB_5XX, 3); // the lease itself fails: that record's failure, not the run's
    await expect(redrive(deps, later)).resolves.toMatchObject({ examined: 1, failed: 1, published: 0 });
    faults.clear();
    expect(w.publisher.published).toHaveLength(0);
    await assertGuarantees(w, [{ d, reply }], { now });
    expect(w.publisher.published).toHaveLength(1);
  });

  it('an event that keeps failing goes to the dead-letter queue once older than maxAge, never silently, never before', async () => {
    const w = world();
    const now = new Date();
    const d = newDelivery(now);
    w.publisher.script = Array(100).fill('fail');
    const reply = await handleDelivery(d, w.deps);
    const maxAgeMs = 2 * 3_600_000;
    const deps = { store: w.store, publisher: w.publisher, deadLetters: w.deadLetters, log: new MemoryLog(), leaseMs: LEASE_MS, maxAgeMs };
    // A run every minute for 2 hours and 16 minutes: attempts back off (at most 15 minutes apart); nothing is
    // dead before the 2 hours, and it is dead at the first attempt after them.
    let attempts = 0;
    for (let t = now.getTime() + 60_000; t <= now.getTime() + maxAgeMs + 16 * 60_000; t += 60_000) {
      const report = await redrive(deps, new Date(t));
      attempts += report.examined;
      if (t - now.getTime() < maxAgeMs) expect(w.deadLetters.sent).toHaveLength(0);
    }
    expect(w.deadLetters.sent).toHaveLength(1);
    expect(w.deadLetters.sent[0]).toMatchObject({ eventId: reply.body.eventId, key: recordKey('quarterzip', idOf(d)), event: { in: 'record' } });
    // 1, 2, 4, 8 minutes, then every 15: about a dozen attempts in 2 hours, not 120.
    expect(attempts).toBeGreaterThan(5);
    expect(attempts).toBeLessThan(15);
    expect(await redrive(deps, new Date(now.getTime() + maxAgeMs + 60 * 60_000))).toMatchObject({ examined: 0 });
  });
});

describe('concurrency on the real store', () => {
  it('many copies of the same deliveries racing at once publish each vendor event exactly once', async () => {
    const w = world();
    // Races, not slowness: 320 claims at once on this process's dynalite take seconds, past the claim's share of
    // the 6 s answer deadline, which would rightly publish without a record (a fault). Time is not the subject.
    w.deps = { ...w.deps, limits: { ...w.deps.limits, answerDeadlineMs: 120_000, inFlightWaitMs: 60_000 } };
    const now = new Date();
    const distinct = Array.from({ length: 40 }, () => newDelivery(now));
    const copies = distinct.flatMap((d) => Array.from({ length: 8 }, () => d));
    copies.sort(() => Math.random() - 0.5);
    const replies = await Promise.all(copies.map((d) => handleDelivery(d, w.deps)));
    expect(replies.filter((r) => r.body.status === 'published')).toHaveLength(40);
    expect(replies.filter((r) => r.body.status === 'duplicate')).toHaveLength(280);
    const ids = w.publisher.published.map((e) => e.detail.eventId);
    expect(new Set(ids).size).toBe(40);
    expect(ids).toHaveLength(40);
  });

  it('redrives racing each other and a late original publish a pending event once', async () => {
    const w = world();
    const now = new Date();
    const d = newDelivery(now);
    w.publisher.script = ['throw'];
    await handleDelivery(d, w.deps);
    const later = new Date(now.getTime() + LEASE_MS + 1000);
    const deps = { store: w.store, publisher: w.publisher, deadLetters: w.deadLetters, log: new MemoryLog(), leaseMs: LEASE_MS };
    const reports = await Promise.all(Array.from({ length: 5 }, () => redrive(deps, later)));
    expect(reports.reduce((n, r) => n + r.published, 0)).toBe(1);
    expect(w.publisher.published).toHaveLength(1);
  });
});
