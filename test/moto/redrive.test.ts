/**
 * The redrive on moto: an acknowledged event whose PutEvents failed (the bus is missing) is published by
 * a later redrive once the bus is back, and one whose publish keeps failing goes to the SQS dead-letter
 * queue through SqsDeadLetterQueue and is marked DEAD.
 */
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommandInput, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../lambda/adapters/aws/eventbridge';
import { SqsDeadLetterQueue } from '../../lambda/adapters/aws/sqs-dead-letters';
import { ensureTable } from '../../lambda/adapters/local/dynalite-store';
import { deriveEventId } from '../../lambda/core/event';
import { handleDelivery, recordKey } from '../../lambda/core/pipeline';
import { redrive, RedriveDeps } from '../../lambda/core/redrive';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { Fixture, loadFixtures, signedDelivery } from '../helpers/fixtures';
import { MemoryLog } from '../helpers/memory';
import {
  BusEvent,
  createBucket,
  createBus,
  createQueue,
  createVendorSecret,
  drainQueue,
  MotoClients,
  motoClients,
  motoPipelineDeps,
  MotoServer,
  ruleToQueue,
  startMoto,
} from './moto-server';


const TABLE = 'callhooks-moto-redrive';
const BUCKET = 'callhooks-moto-redrive-payloads';
const LIVE_BUS = 'callhooks-moto-redrive-bus';
const MISSING_BUS = 'callhooks-bus-that-does-not-exist';
const LEASE_MS = 60_000;

let moto: MotoServer;
let clients: MotoClients;
let secret: string;
let secretArn: string;
let dlqUrl: string;
const adapter = quarterzip();

/** A delivery accepted while the bus is missing: answered 202, its record PENDING. Resolves with its key. */
async function acceptedButUnpublished(id: string, now: Date): Promise<{ key: string; eventId: string }> {
  const deps = motoPipelineDeps(clients, {
    adapters: new Map([['quarterzip', adapter]]),
    secretArns: new Map([['quarterzip', secretArn]]),
    table: TABLE,
    bus: MISSING_BUS,
    bucket: BUCKET,
  });
  const fixture = loadFixtures('quarterzip').find((f) => f.name === 'call-completed')!;
  const reply = await handleDelivery(signedDelivery(fixture, adapter, secret, now, id), deps);
  if (reply.statusCode !== 202) throw new Error(`expected 202, got ${reply.statusCode}`);
  return { key: recordKey('quarterzip', id), eventId: deriveEventId('quarterzip', id) };
}

const DAY = 24 * 3_600_000;

function redriveDeps(bus: string, maxAgeMs: number): RedriveDeps {
  return {
    store: motoPipelineDeps(clients, { adapters: new Map(), secretArns: new Map(), table: TABLE, bus, bucket: BUCKET }).store,
    publisher: new EventBridgePublisher(clients.eventBridge, bus),
    deadLetters: new SqsDeadLetterQueue(clients.sqs, dlqUrl),
    log: new MemoryLog(),
    maxAgeMs,
    leaseMs: LEASE_MS,
  };
}

async function status(key: string): Promise<string | undefined> {
  const out = await clients.dynamo.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key } }, ConsistentRead: true }));
  return out.Item?.status?.S;
}

beforeAll(async () => {
  moto = await startMoto();
  clients = motoClients(moto);
  await Promise.all([ensureTable(clients.dynamo, TABLE), createBucket(clients, BUCKET), createBus(clients, LIVE_BUS)]);
  secret = adapter.generateSecret();
  secretArn = await createVendorSecret(clients, 'quarterzip', secret);
  dlqUrl = (await createQueue(clients.sqs, 'callhooks-moto-dlq')).url;
});

afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

describe('redrive on moto', () => {
  it('publishes an acknowledged event once the bus answers, with the same eventId, and marks it PUBLISHED', async () => {
    // Prepare
    const now = new Date();
    const { key, eventId } = await acceptedButUnpublished('msg_redrive_ok', now);
    const queue = await ruleToQueue(clients, LIVE_BUS, 'redrive-all', { source: [{ prefix: 'callhooks.' }] });

    // Act
    const report = await redrive(redriveDeps(LIVE_BUS, DAY), new Date(now.getTime() + LEASE_MS + 1_000));

    // Assert
    expect(report).toMatchObject({ published: 1, failed: 0, deadLettered: 0 });
    expect((await drainQueue<BusEvent>(clients.sqs, queue)).map((e) => e.detail.eventId)).toEqual([eventId]);
    expect(await status(key)).toBe('PUBLISHED');
  });

  it('when the publish fails again, counts the attempt and leaves the record PENDING', async () => {
    // Prepare
    const now = new Date();
    const { key } = await acceptedButUnpublished('msg_redrive_fails', now);

    // Act
    const report = await redrive(redriveDeps(MISSING_BUS, DAY), new Date(now.getTime() + LEASE_MS + 1_000));

    // Assert
    expect(report).toMatchObject({ published: 0, failed: 1, deadLettered: 0 });
    const [record] = (await redriveDeps(MISSING_BUS, DAY).store.listPending(new Date(now.getTime() + 3 * LEASE_MS), 100)).filter((r) => r.key === key);
    expect(record).toMatchObject({ status: 'PENDING', attempts: 1 });
  });

  it('with maxAge 0, sends one message naming the record key and where its event is to the SQS dead-letter queue, and marks it DEAD', async () => {
    // Prepare
    const now = new Date();
    const { key, eventId } = await acceptedButUnpublished('msg_redrive_dead', now);
    const later = new Date(now.getTime() + 10 * LEASE_MS); // past the lease of every earlier test's record too

    // Act
    const report = await redrive(redriveDeps(MISSING_BUS, 0), later);

    // Assert
    const messages = await drainQueue<Record<string, unknown>>(clients.sqs, dlqUrl);
    const ours = messages.filter((m) => m.key === key);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ key, eventId, vendor: 'quarterzip', attempts: 1, event: { in: 'record' }, republish: 'callhooks redrive --dead' });
    expect(ours[0].reason).toMatch(/^not published within 0 minutes of its receipt/);
    expect(JSON.stringify(ours[0])).not.toContain('transcript');
    expect(report.deadLettered).toBe(messages.length);
    expect(await status(key)).toBe('DEAD');
  });
});

describe('redrive on moto: entries isolated, requests within the PutEvents limits', () => {
  const BATCH_TABLE = 'callhooks-moto-redrive-batches';
  const BATCH_BUS = 'callhooks-moto-redrive-batches-bus';
  let requests: PutEventsRequestEntry[][];
  let recording: EventBridgeClient;
  let queue: string;

  /** AWS's size of an entry ("Calculating PutEvents event entry size"): Time 14, Source, DetailType, Detail. */
  const awsBytes = (e: PutEventsRequestEntry) => (e.Time ? 14 : 0) + [e.Source, e.DetailType, e.Detail].reduce((n, s) => n + Buffer.byteLength(s ?? '', 'utf8'), 0);

  /** `n` deliveries with transcripts of about `kb` KB, answered 202 while the bus is missing: PENDING records. */
  async function accepted(prefix: string, n: number, kb: number, now: Date): Promise<Array<{ key: string; eventId: string }>> {
    const deps = motoPipelineDeps(clients, { adapters: new Map([['quarterzip', adapter]]), secretArns: new Map([['quarterzip', secretArn]]), table: BATCH_TABLE, bus: MISSING_BUS, bucket: BUCKET });
    const fixture = loadFixtures('quarterzip').find((f) => f.name === 'call-completed')!;
    const out: Array<{ key: string; eventId: string }> = [];
    for (let i = 0; i < n; i++) {
      const body = structuredClone(fixture.body) as { data: { call_id: string; transcript: Array<{ speaker: string; text: string }> } };
      body.data.call_id = `${prefix}-${i}`;
      body.data.transcript = Array.from({ length: kb }, (_, t) => ({ speaker: t % 2 ? 'user' : 'agent', text: 'w'.repeat(1000) }));
      const id = `msg_${prefix}_${i}`;
      const reply = await handleDelivery(signedDelivery({ ...fixture, body } as Fixture, adapter, secret, new Date(now.getTime() + i), id), deps);
      expect(reply.statusCode).toBe(202);
      out.push({ key: recordKey('quarterzip', id), eventId: deriveEventId('quarterzip', id) });
    }
    return out;
  }

  function deps(): RedriveDeps {
    return { ...redriveDeps(BATCH_BUS, DAY), store: motoPipelineDeps(clients, { adapters: new Map(), secretArns: new Map(), table: BATCH_TABLE, bus: BATCH_BUS, bucket: BUCKET }).store, publisher: new EventBridgePublisher(recording, BATCH_BUS) };
  }

  beforeAll(async () => {
    await Promise.all([ensureTable(clients.dynamo, BATCH_TABLE), createBus(clients, BATCH_BUS)]);
    queue = await ruleToQueue(clients, BATCH_BUS, 'redrive-batches-all', { source: [{ prefix: 'callhooks.' }] });
    recording = new EventBridgeClient(moto.clientConfig);
    recording.middlewareStack.add(
      (next) => async (args) => {
        requests.push([...((args.input as PutEventsCommandInput).Entries ?? [])]);
        return next(args);
      },
      { step: 'initialize', name: 'recordPutEvents' },
    );
  });
  beforeEach(() => (requests = []));
  afterAll(() => recording?.destroy());

  it('12 events of about 60 KB each reach the bus in requests of at most 10 entries and 256 KB, as AWS sizes them', async () => {
    // Prepare
    const now = new Date();
    const records = await accepted('big', 12, 60, now);

    // Act
    const report = await redrive(deps(), new Date(now.getTime() + LEASE_MS + 1_000));

    // Assert
    expect(report).toMatchObject({ examined: 12, published: 12, failed: 0 });
    expect((await drainQueue<BusEvent>(clients.sqs, queue)).map((e) => e.detail.eventId).sort()).toEqual(records.map((r) => r.eventId).sort());
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) {
      expect(request.length).toBeLessThanOrEqual(10);
      expect(request.reduce((n, e) => n + awsBytes(e), 0)).toBeLessThanOrEqual(256 * 1024);
    }
    for (const r of records) expect(await statusIn(BATCH_TABLE, r.key)).toBe('PUBLISHED');
  });

  it('a record whose stored event is gone from the payload bucket fails alone; the records around it are published', async () => {
    // Prepare: the middle record points to an S3 object that does not exist.
    const now = new Date(Date.now() + 10 * LEASE_MS);
    const records = await accepted('gone', 3, 1, now);
    await clients.dynamo.send(
      new UpdateItemCommand({
        TableName: BATCH_TABLE,
        Key: { pk: { S: records[1].key } },
        UpdateExpression: 'SET eventBlobKey = :k REMOVE #event',
        ExpressionAttributeNames: { '#event': 'event' },
        ExpressionAttributeValues: { ':k': { S: 'events/quarterzip/never-written.json' } },
      }),
    );

    // Act
    const report = await redrive(deps(), new Date(now.getTime() + LEASE_MS + 1_000));

    // Assert
    expect(report).toMatchObject({ examined: 3, published: 2, failed: 1 });
    expect((await drainQueue<BusEvent>(clients.sqs, queue)).map((e) => e.detail.eventId).sort()).toEqual([records[0].eventId, records[2].eventId].sort());
    expect(await statusIn(BATCH_TABLE, records[1].key)).toBe('PENDING');
    expect(await statusIn(BATCH_TABLE, records[0].key)).toBe('PUBLISHED');
  });
});

async function statusIn(table: string, key: string): Promise<string | undefined> {
  const out = await clients.dynamo.send(new GetItemCommand({ TableName: table, Key: { pk: { S: key } }, ConsistentRead: true }));
  return out.Item?.status?.S;
}
