/**
 * What a delivery costs in DynamoDB writes and AWS round trips, measured, for `npm run bench`:
 *
 * - the **new design** (the shipped code): signed Quarterzip deliveries through `handleDelivery` with the real
 *   adapter and `DynamoDedupStore` on dynalite, which reports `ReturnConsumedCapacity` by DynamoDB's size rules;
 *   a no-op bus (always succeeds) and a no-op payload store;
 * - **today's design** (0.1.0, before the small claim): a clearly separate *model* of its write pattern on the
 *   same dynalite — the claim was a conditional `PutItem` of the whole event, the publish mark an `UpdateItem` of
 *   that item which dropped the event (billed by the larger of the item before and after, so the event's size
 *   again), and a duplicate's refused `PutItem` was billed by the item it sent, the whole event.
 *
 * A write refused by its condition comes back from dynalite (as from DynamoDB's API) without a figure, though
 * DynamoDB bills it: it is counted by the larger of the item there and the item sent, 1 unit per started KB
 * (at least 1), as DynamoDB's developer guide says it bills one.
 */
import { GetItemCommand, PutItemCommand, UpdateItemCommand, AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { handleDelivery, PipelineDeps } from '../../lambda/core/pipeline';
import { Delivery, Headers } from '../../lambda/core/http';
import { SecretCache } from '../../lambda/core/secrets';
import type { BusEntry, DedupStore, EventPublisher } from '../../lambda/core/ports';
import { standardWebhooksScheme } from '../../lambda/schemes/standard-webhooks';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { DEFAULTS } from '../../lambda/config/config';
import { CapacityReport, DynamoDedupStore, itemBytes } from '../../lambda/adapters/aws/dynamo-store';
import { LOCAL_TABLE, startLocalDynamo } from '../../lambda/adapters/local/dynalite-store';
import { NOOP_LOG, NoopBlobs, NoopPublisher, NoopStore, StaticSecret } from './noop-ports';
import { callCompletedBody } from './payloads';

type Item = Record<string, AttributeValue>;

/** Quarterzip's proof of origin, which signs the deliveries measured here. */
const STANDARD_WEBHOOKS = standardWebhooksScheme();

/** Write units DynamoDB bills for an item of `bytes`: 1 per started KB, at least 1. */
export const writeUnitsOf = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** One DynamoDB request of a delivery, and the units it is billed. */
export interface BilledRequest {
  readonly operation: string;
  /** Write units (a write) or read units (a read). */
  readonly units: number;
  readonly kind: 'write' | 'read';
  /** How the figure was had: reported by the table, or counted by item size (a refused condition). */
  readonly source: 'reported' | 'item size (refused)';
}

export interface DeliveryCost {
  readonly requests: BilledRequest[];
  readonly writeUnits: number;
  readonly readUnits: number;
}

export interface SizeResult {
  readonly bodyBytes: number;
  /** The event as published (`detail` JSON), bytes. */
  readonly eventBytes: number;
  /** The bus entry's size as EventBridge counts it (detail + detail-type + source + time). */
  readonly entryBytes: number;
  readonly answers: { readonly first: string; readonly again: string };
  readonly now: { readonly first: DeliveryCost; readonly duplicate: DeliveryCost };
  readonly old: { readonly first: DeliveryCost; readonly duplicate: DeliveryCost };
  /** The AWS calls of the new delivery, in order (each awaited before the next: sequential round trips). */
  readonly newCalls: string[];
  readonly duplicateCalls: string[];
  /** CPU µs of one delivery through the core with no-op ports at this size (median of rounds), for the Lambda duration model. */
  readonly coreCpuUs: number;
}

function sum(requests: BilledRequest[], kind: 'write' | 'read') {
  return requests.filter((r) => r.kind === kind).reduce((a, r) => a + r.units, 0);
}

const costOf = (requests: BilledRequest[]): DeliveryCost => ({ requests, writeUnits: sum(requests, 'write'), readUnits: sum(requests, 'read') });

/** Counts the calls the pipeline makes on its store and bus, in order. */
function recording<T extends object>(target: T, name: string, calls: string[]): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value = Reflect.get(t, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(`${name}.${String(prop)}`);
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

/** The 0.1.0 record life's writes (a model, on the same table): the whole event in the claim, rewritten by the mark. */
class OldDesignModel {
  constructor(private readonly client: DynamoDBClient, private readonly table: string) {}

  private item(key: string, eventId: string, eventJson: string, now: Date): Item {
    return {
      pk: { S: key },
      eventId: { S: eventId },
      vendor: { S: 'quarterzip' },
      status: { S: 'PENDING' },
      receivedAt: { S: now.toISOString() },
      expiresAt: { N: String(Math.floor(now.getTime() / 1000) + 30 * 86_400) },
      leaseUntil: { N: String(now.getTime() + 60_000) },
      pendingShard: { S: 'P' },
      attempts: { N: '0' },
      event: { S: eventJson },
    };
  }

  /** The claim (PutItem with the event), and when it wins, the publish mark (UpdateItem of that item). */
  async deliver(key: string, eventId: string, eventJson: string, now: Date): Promise<DeliveryCost> {
    const item = this.item(key, eventId, eventJson, now);
    const requests: BilledRequest[] = [];
    const existing = (await this.client.send(new GetItemCommand({ TableName: this.table, Key: { pk: { S: key } }, ConsistentRead: true }))).Item;
    try {
      const out = await this.client.send(new PutItemCommand({
        TableName: this.table,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': { N: String(Math.floor(now.getTime() / 1000)) } },
        ReturnConsumedCapacity: 'TOTAL',
      }));
      requests.push({ operation: 'claim (PutItem with the event)', units: out.ConsumedCapacity?.CapacityUnits ?? NaN, kind: 'write', source: 'reported' });
    } catch (err) {
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      const bytes = Math.max(itemBytes(item), existing ? itemBytes(existing) : 0);
      requests.push({ operation: 'claim (PutItem with the event), refused', units: writeUnitsOf(bytes), kind: 'write', source: 'item size (refused)' });
      // 0.1.0 answered the duplicate from the refusal alone (no read).
      return costOf(requests);
    }
    const out = await this.client.send(new UpdateItemCommand({
      TableName: this.table,
      Key: { pk: { S: key } },
      // As 0.1.0 did: the published record drops its event (billed by the larger of before and after: the event's size).
      UpdateExpression: 'SET #status = :published REMOVE pendingShard, #event',
      ExpressionAttributeNames: { '#status': 'status', '#event': 'event' },
      ExpressionAttributeValues: { ':published': { S: 'PUBLISHED' } },
      ReturnConsumedCapacity: 'TOTAL',
    }));
    requests.push({ operation: 'mark published (UpdateItem of the item with the event)', units: out.ConsumedCapacity?.CapacityUnits ?? NaN, kind: 'write', source: 'reported' });
    return costOf(requests);
  }
}

function delivery(body: Buffer, secret: string, id: string, now: Date): Delivery {
  const h: Record<string, string> = { ...STANDARD_WEBHOOKS.sign({ body, id }, secret, now).headers, 'content-type': 'application/json' };
  return { vendor: 'quarterzip', method: 'POST', headers: new Headers(Object.entries(h)), query: {}, body, receivedAt: now };
}

/** CPU µs per delivery of `body` through the core with no-op ports (every claim new), median of 5 rounds. */
async function coreCpu(body: Buffer, n: number): Promise<number> {
  const secret = STANDARD_WEBHOOKS.generateCredential().secret;
  const adapter = quarterzip();
  const deps: PipelineDeps = {
    adapters: new Map([[adapter.name, adapter]]),
    secrets: new SecretCache(new StaticSecret(secret)),
    store: new NoopStore(),
    publisher: new NoopPublisher(),
    blobs: new NoopBlobs(),
    log: NOOP_LOG,
    limits: { maxBodyBytes: DEFAULTS.maxBodyBytes, maxEventBytes: DEFAULTS.maxEventBytes, retentionDays: DEFAULTS.retentionDays },
  };
  const rounds: number[] = [];
  for (let r = 0; r < 6; r++) {
    const now = new Date();
    const ds = Array.from({ length: n }, (_, i) => delivery(body, secret, `msg_cpu_${r}_${i}`, now));
    const c0 = process.cpuUsage();
    for (const d of ds) await handleDelivery(d, deps);
    const c = process.cpuUsage(c0);
    if (r > 0) rounds.push((c.user + c.system) / n);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)];
}

/**
 * For each body size: one new delivery and its redelivery through the shipped pipeline on dynalite, and the
 * same two through the model of today's design; the requests each made and the units they are billed.
 */
export async function measureWriteUnits(bodySizes: readonly number[], cpuDeliveries = 200): Promise<SizeResult[]> {
  const dynamo = await startLocalDynamo(undefined);
  try {
    const reports: CapacityReport[] = [];
    const blobs = new NoopBlobs();
    const store = new DynamoDedupStore(dynamo.client, LOCAL_TABLE, { blobs, onConsumedCapacity: (r) => reports.push(r) });
    const publisher = new NoopPublisher();
    const secret = STANDARD_WEBHOOKS.generateCredential().secret;
    const adapter = quarterzip();
    const calls: string[] = [];
    const deps: PipelineDeps = {
      adapters: new Map([[adapter.name, adapter]]),
      secrets: new SecretCache(new StaticSecret(secret)),
      store: recording<DedupStore>(store, 'DynamoDB', calls),
      publisher: recording<EventPublisher>(publisher, 'EventBridge', calls),
      blobs,
      log: NOOP_LOG,
      limits: { maxBodyBytes: DEFAULTS.maxBodyBytes, maxEventBytes: DEFAULTS.maxEventBytes, retentionDays: DEFAULTS.retentionDays },
    };
    const old = new OldDesignModel(dynamo.client, LOCAL_TABLE);
    const results: SizeResult[] = [];
    for (const bytes of bodySizes) {
      const body = callCompletedBody({ bytes, callId: `bench-wcu-${bytes}` });
      const now = new Date();
      const d = delivery(body, secret, `msg_bench_wcu_${bytes}`, now);
      const key = `quarterzip#msg_bench_wcu_${bytes}`;

      // The new design: the delivery, then its redelivery (same webhook-id).
      const run = async () => {
        reports.length = 0;
        calls.length = 0;
        const existing = (await dynamo.client.send(new GetItemCommand({ TableName: LOCAL_TABLE, Key: { pk: { S: key } }, ConsistentRead: true }))).Item;
        const answer = await handleDelivery(d, deps);
        const requests = reports.map((r): BilledRequest => {
          const kind = r.operation === 'get' || r.operation === 'listPending' ? 'read' : 'write';
          if (r.capacityUnits !== undefined) return { operation: r.operation, units: r.capacityUnits, kind, source: 'reported' };
          const bytes = Math.max(r.itemBytes ?? 0, existing ? itemBytes(existing) : 0);
          return { operation: `${r.operation}, refused`, units: writeUnitsOf(bytes), kind, source: 'item size (refused)' };
        });
        return { answer: `${answer.statusCode} ${(answer.body as { status?: string }).status ?? ''}`.trim(), cost: costOf(requests), calls: [...calls] };
      };
      const first = await run();
      const again = await run();
      const entry = publisher.last as BusEntry;
      const eventJson = entry.detailJson ?? JSON.stringify(entry.detail);
      const entryBytes = Buffer.byteLength(eventJson) + Buffer.byteLength(entry.detailType) + Buffer.byteLength(entry.source) + 14;

      // Today's design, modelled on the same table under another key.
      const oldKey = `old-model#${bytes}`;
      const oldFirst = await old.deliver(oldKey, entry.detail.eventId, eventJson, now);
      const oldAgain = await old.deliver(oldKey, entry.detail.eventId, eventJson, now);

      results.push({
        bodyBytes: bytes,
        eventBytes: Buffer.byteLength(eventJson),
        entryBytes,
        answers: { first: first.answer, again: again.answer },
        now: { first: first.cost, duplicate: again.cost },
        old: { first: oldFirst, duplicate: oldAgain },
        newCalls: first.calls,
        duplicateCalls: again.calls,
        coreCpuUs: await coreCpu(body, cpuDeliveries),
      });
    }
    return results;
  } finally {
    await dynamo.close();
  }
}
