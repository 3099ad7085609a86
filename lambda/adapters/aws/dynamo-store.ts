/**
 * DedupStore on DynamoDB. One item per vendor event, keyed `pk` = `<vendor>#<dedup key>`; the record life of
 * DESIGN.md §Record life and cost, where a write is billed by the item's size (1 write unit per started KB):
 *
 * - claim: PutItem of a small item (status IN_FLIGHT, eventId, lease; never the event) with
 *   `attribute_not_exists(pk) OR expiresAt < :now OR (status = IN_FLIGHT AND leaseUntil < :nowMs)`: an
 *   expired record that TTL has not deleted yet does not count, and a claim whose holder died (its lease ran
 *   out with nothing published or stored) is taken over. A refused claim (billed too, by the size of the item
 *   there: 1 unit for a claim or a published record) answers what is there, read from the refusal itself
 *   (`ReturnValuesOnConditionCheckFailure`) or, where the store does not return it (dynalite), by a read.
 * - markPublished: UpdateItem on the small item (1 unit). A new delivery so costs 2 write units, whatever the
 *   event's size, and a duplicate of a published event 1.
 * - keepForRedrive, only when the publish failed: the event goes into the item, which turns PENDING and
 *   carries `pendingShard` = "P", putting it in the sparse `pending` index sorted by `leaseUntil`; an event
 *   over {@link MAX_INLINE_EVENT_BYTES} (items stop at 400 KB) is kept in the payload store under
 *   `events/<vendor>/<eventId>.json` and the item holds its key (`eventBlobKey`). markPublished and markDead
 *   remove `pendingShard`, so the index only ever holds events waiting for the redrive.
 */
import {
  AttributeValue,
  ConditionalCheckFailedException,
  ConsumedCapacity,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { BlobStore, CallOptions, Claim, ClaimResult, DedupRecord, DedupStore, RecordStatus } from '../../core/ports';
import { DependencyError } from '../../core/errors';
import { PENDING_SHARD, TABLE } from '../../contracts/table';
import { payloadPrefix } from '../../contracts/payloads';

const PK = TABLE.partitionKey;
const { pendingIndex: PENDING } = TABLE;

type Item = Record<string, AttributeValue>;

/** Events larger than this are kept in the payload store, not in the item (DynamoDB items stop at 400 KB). */
export const MAX_INLINE_EVENT_BYTES = 350_000;

/** What the store reports per request when asked (see {@link DynamoDedupStoreOptions.onConsumedCapacity}). */
export interface CapacityReport {
  readonly operation: 'claim' | 'get' | 'markPublished' | 'keepForRedrive' | 'listPending' | 'lease' | 'markDead';
  /** Capacity units DynamoDB reported for the request; undefined when it reported none (a refused condition). */
  readonly capacityUnits?: number;
  /** True when the write was refused by its condition (DynamoDB bills it anyway, by the item's size). */
  readonly conditionRefused: boolean;
  /** Size of the item written, by DynamoDB's sizing rules (names + values), for a PutItem. */
  readonly itemBytes?: number;
}

export interface DynamoDedupStoreOptions {
  /** Where an event too large for an item is kept. @default - none: such an event fails keepForRedrive (DependencyError) */
  readonly blobs?: BlobStore;
  /**
   * Called after every request with the capacity it consumed; when set, requests ask for
   * `ReturnConsumedCapacity: 'TOTAL'` (nothing is asked or computed otherwise).
   * @default - not reported
   */
  readonly onConsumedCapacity?: (report: CapacityReport) => void;
  /**
   * Where listPending finds the records waiting for the redrive. `index`: the sparse `pending` index (one
   * query, what DynamoDB keeps consistent with the items). `table`: a scan of the table, every item read
   * itself, for an emulator whose index can disagree with its items: dynalite writes an item and its index
   * entries one after the other, so a `kill -9` between the two leaves a PENDING item the index has lost (or an
   * entry for an item that is not PENDING). A scan reads the whole table each run: the local mode's, not AWS's.
   * @default "index"
   */
  readonly pendingFrom?: 'index' | 'table';
}

/** An item's size by DynamoDB's rules: each attribute's name plus its value (strings as UTF-8, numbers ≈ 1 byte per 2 digits + 1). */
export function itemBytes(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name, 'utf8');
    if (value.S !== undefined) bytes += Buffer.byteLength(value.S, 'utf8');
    else if (value.N !== undefined) bytes += Math.ceil(value.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  }
  return bytes;
}

function claimItem(c: Claim): Item {
  return {
    [PK]: { S: c.key },
    eventId: { S: c.eventId },
    vendor: { S: c.vendor },
    status: { S: 'IN_FLIGHT' satisfies RecordStatus },
    receivedAt: { S: c.receivedAt },
    [TABLE.ttlAttribute]: { N: String(c.expiresAt) },
    [PENDING.sortKey]: { N: String(c.leaseUntil) },
    attempts: { N: '0' },
  };
}

function fromItem(item: Item): DedupRecord {
  return {
    key: item[PK]?.S ?? '',
    eventId: item.eventId?.S ?? '',
    vendor: item.vendor?.S ?? '',
    status: (item.status?.S ?? 'PENDING') as RecordStatus,
    eventJson: item.event?.S,
    eventBlobKey: item.eventBlobKey?.S,
    receivedAt: item.receivedAt?.S ?? '',
    expiresAt: Number(item[TABLE.ttlAttribute]?.N ?? 0),
    leaseUntil: Number(item[PENDING.sortKey]?.N ?? 0),
    attempts: Number(item.attempts?.N ?? 0),
  };
}

function isConditionFailure(err: unknown): err is ConditionalCheckFailedException {
  return err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

const storeError = (message: string, cause: unknown) => new DependencyError(message, { cause, context: { dependency: 'dedup store' } });

export class DynamoDedupStore implements DedupStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: DynamoDedupStoreOptions = {},
  ) {}

  /** `ReturnConsumedCapacity` when someone listens, and the report after the request. */
  private get capacity() {
    return this.options.onConsumedCapacity ? ({ ReturnConsumedCapacity: 'TOTAL' } as const) : {};
  }

  private report(operation: CapacityReport['operation'], consumed: ConsumedCapacity | undefined, conditionRefused = false, item?: Item): void {
    this.options.onConsumedCapacity?.({ operation, capacityUnits: consumed?.CapacityUnits, conditionRefused, itemBytes: item ? itemBytes(item) : undefined });
  }

  async claim(claim: Claim, now: Date, options: CallOptions = {}): Promise<ClaimResult> {
    const item = claimItem(claim);
    for (let tries = 0; tries < 2; tries++) {
      try {
        const out = await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: `attribute_not_exists(${PK}) OR ${TABLE.ttlAttribute} < :now OR (#status = :inFlight AND ${PENDING.sortKey} < :nowMs)`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':now': { N: String(Math.floor(now.getTime() / 1000)) },
              ':inFlight': { S: 'IN_FLIGHT' },
              ':nowMs': { N: String(now.getTime()) },
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            ...this.capacity,
          }),
          { abortSignal: options.signal },
        );
        this.report('claim', out?.ConsumedCapacity, false, item);
        return { outcome: 'claimed' };
      } catch (err) {
        if (!isConditionFailure(err)) throw storeError('dedup store write failed', err);
        this.report('claim', undefined, true, item);
        const existing = err.Item ? fromItem(err.Item) : await this.get(claim.key, options);
        // Gone between the write and the read (TTL): claim again, once.
        if (!existing) continue;
        return existing.status === 'IN_FLIGHT' ? { outcome: 'in-flight', record: existing } : { outcome: 'duplicate', record: existing };
      }
    }
    return { outcome: 'in-flight', record: { ...claim, status: 'IN_FLIGHT', attempts: 0 } };
  }

  async get(key: string, options: CallOptions = {}): Promise<DedupRecord | undefined> {
    try {
      const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { [PK]: { S: key } }, ConsistentRead: true, ...this.capacity }), { abortSignal: options.signal });
      this.report('get', out?.ConsumedCapacity);
      return out.Item ? fromItem(out.Item) : undefined;
    } catch (err) {
      throw storeError('dedup store read failed', err);
    }
  }

  async markPublished(key: string, options: CallOptions = {}): Promise<void> {
    // A published record drops any stored event (it is on the bus) and leaves the pending index.
    await this.update('markPublished', key, `SET #status = :status REMOVE ${PENDING.partitionKey}, #event, eventBlobKey`, 'PUBLISHED', { '#event': 'event' }, {}, options);
  }

  async markDead(key: string, expiresAt: number): Promise<void> {
    // A dead record keeps its event for inspection and for `callhooks redrive --dead`, and lives until expiresAt.
    await this.update('markDead', key, `SET #status = :status, ${TABLE.ttlAttribute} = :expiresAt REMOVE ${PENDING.partitionKey}`, 'DEAD', {}, {
      ':expiresAt': { N: String(expiresAt) },
    });
  }

  private async update(
    operation: CapacityReport['operation'],
    key: string,
    expression: string,
    status: RecordStatus,
    names: Record<string, string> = {},
    values: Record<string, AttributeValue> = {},
    options: CallOptions = {},
  ): Promise<void> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [PK]: { S: key } },
          UpdateExpression: expression,
          ConditionExpression: `attribute_exists(${PK})`,
          ExpressionAttributeNames: { '#status': 'status', ...names },
          ExpressionAttributeValues: { ':status': { S: status }, ...values },
          ...this.capacity,
        }),
        { abortSignal: options.signal },
      );
      this.report(operation, out?.ConsumedCapacity);
    } catch (err) {
      throw storeError(`dedup store could not mark the record ${status}`, err);
    }
  }

  async keepForRedrive(claim: Claim, eventJson: string, options: CallOptions = {}): Promise<'kept' | 'settled'> {
    let stored: { name: string; value: AttributeValue } = { name: 'event', value: { S: eventJson } };
    if (Buffer.byteLength(eventJson, 'utf8') > MAX_INLINE_EVENT_BYTES) {
      const blobKey = `${payloadPrefix('events', claim.vendor)}${claim.eventId}.json`;
      try {
        if (!this.options.blobs) throw new Error('no payload store configured for events too large for an item');
        await this.options.blobs.put(blobKey, eventJson, 'application/json', options);
      } catch (err) {
        throw new DependencyError('payload store unavailable', { cause: err, context: { dependency: 'payload store' } });
      }
      stored = { name: 'eventBlobKey', value: { S: blobKey } };
    }
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [PK]: { S: claim.key } },
          UpdateExpression: `SET #status = :pending, ${PENDING.partitionKey} = :shard, #stored = :stored`,
          ConditionExpression: '#status = :inFlight',
          ExpressionAttributeNames: { '#status': 'status', '#stored': stored.name },
          ExpressionAttributeValues: { ':pending': { S: 'PENDING' }, ':shard': { S: PENDING_SHARD }, ':stored': stored.value, ':inFlight': { S: 'IN_FLIGHT' } },
          ...this.capacity,
        }),
        { abortSignal: options.signal },
      );
      this.report('keepForRedrive', out?.ConsumedCapacity);
      return 'kept';
    } catch (err) {
      if (isConditionFailure(err)) {
        this.report('keepForRedrive', undefined, true);
        return 'settled';
      }
      throw storeError('dedup store could not keep the event for the redrive', err);
    }
  }

  async eventOf(record: DedupRecord): Promise<string> {
    if (record.eventJson !== undefined) return record.eventJson;
    if (record.eventBlobKey === undefined) throw new Error('the record holds no event');
    if (!this.options.blobs) throw new Error('no payload store configured to read the event from');
    return (await this.options.blobs.get(record.eventBlobKey)).toString('utf8');
  }

  async listPending(now: Date, limit: number): Promise<DedupRecord[]> {
    if (this.options.pendingFrom === 'table') return this.scanPending(now, limit);
    const records: DedupRecord[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: PENDING.name,
          KeyConditionExpression: `${PENDING.partitionKey} = :p AND ${PENDING.sortKey} < :now`,
          ExpressionAttributeValues: { ':p': { S: PENDING_SHARD }, ':now': { N: String(now.getTime()) } },
          Limit: limit - records.length,
          ExclusiveStartKey: startKey,
          ...this.capacity,
        }),
      );
      this.report('listPending', out?.ConsumedCapacity);
      for (const item of out.Items ?? []) records.push(fromItem(item));
      startKey = out.LastEvaluatedKey;
    } while (startKey && records.length < limit);
    return records;
  }

  /** listPending from the items themselves (`pendingFrom: 'table'`): PENDING, lease ended, oldest lease first. */
  private async scanPending(now: Date, limit: number): Promise<DedupRecord[]> {
    const records: DedupRecord[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: `#status = :pending AND ${PENDING.sortKey} < :now`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': { S: 'PENDING' }, ':now': { N: String(now.getTime()) } },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          ...this.capacity,
        }),
      );
      this.report('listPending', out?.ConsumedCapacity);
      for (const item of out.Items ?? []) records.push(fromItem(item));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return records.sort((a, b) => a.leaseUntil - b.leaseUntil).slice(0, limit);
  }

  async lease(key: string, now: Date, leaseUntil: number): Promise<DedupRecord | undefined> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [PK]: { S: key } },
          UpdateExpression: `SET ${PENDING.sortKey} = :until, attempts = attempts + :one`,
          ConditionExpression: `#status = :pending AND ${PENDING.sortKey} < :now`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':until': { N: String(leaseUntil) },
            ':one': { N: '1' },
            ':pending': { S: 'PENDING' },
            ':now': { N: String(now.getTime()) },
          },
          ReturnValues: 'ALL_NEW',
          ...this.capacity,
        }),
      );
      this.report('lease', out?.ConsumedCapacity);
      return out.Attributes ? fromItem(out.Attributes) : undefined;
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw storeError('dedup store lease failed', err);
    }
  }
}
