/**
 * DedupStore on DynamoDB. One item per vendor event, keyed `pk` = `<vendor>#<dedup key>`.
 *
 * - claim: PutItem with `attribute_not_exists(pk) OR expiresAt < :now` (an expired record that TTL has
 *   not deleted yet does not count); ConditionalCheckFailedException means duplicate.
 * - pending records carry `pendingShard` = "P", which puts them in the sparse `pending` index sorted by
 *   `leaseUntil`; markPublished and markDead remove it, so the index only ever holds unpublished events.
 * - an item stops at 400 KB: an event over {@link MAX_INLINE_EVENT_BYTES} is kept in the payload store under
 *   `events/<vendor>/<eventId>.json` and the item holds only its key (`eventBlobKey`).
 */
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { BlobStore, ClaimResult, DedupRecord, DedupStore, RecordStatus } from '../../core/ports';
import { DependencyError } from '../../core/errors';
import { PENDING_SHARD, TABLE } from '../../config/table';
import { payloadPrefix } from '../../config/payloads';

const PK = TABLE.partitionKey;
const { pendingIndex: PENDING } = TABLE;

type Item = Record<string, AttributeValue>;

/** Events larger than this are kept in the payload store, not in the item (DynamoDB items stop at 400 KB). */
export const MAX_INLINE_EVENT_BYTES = 350_000;

export interface DynamoDedupStoreOptions {
  /** Where an event too large for an item is kept. @default - none: such an event fails the write (DependencyError) */
  readonly blobs?: BlobStore;
}

function toItem(r: DedupRecord): Item {
  const item: Item = {
    [PK]: { S: r.key },
    eventId: { S: r.eventId },
    vendor: { S: r.vendor },
    status: { S: r.status },
    receivedAt: { S: r.receivedAt },
    [TABLE.ttlAttribute]: { N: String(r.expiresAt) },
    [PENDING.sortKey]: { N: String(r.leaseUntil) },
    attempts: { N: String(r.attempts) },
  };
  if (r.status === 'PENDING') item[PENDING.partitionKey] = { S: PENDING_SHARD };
  if (r.eventJson !== undefined) item.event = { S: r.eventJson };
  if (r.eventBlobKey !== undefined) item.eventBlobKey = { S: r.eventBlobKey };
  return item;
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

function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

export class DynamoDedupStore implements DedupStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: DynamoDedupStoreOptions = {},
  ) {}

  /** The record as it fits in an item: an oversized event moved to the payload store. */
  private async fitted(record: DedupRecord): Promise<DedupRecord> {
    const json = record.eventJson;
    if (json === undefined || Buffer.byteLength(json, 'utf8') <= MAX_INLINE_EVENT_BYTES) return record;
    const eventBlobKey = `${payloadPrefix('events', record.vendor)}${record.eventId}.json`;
    try {
      if (!this.options.blobs) throw new Error('no payload store configured for events too large for an item');
      await this.options.blobs.put(eventBlobKey, json, 'application/json');
    } catch (err) {
      throw new DependencyError('payload store unavailable', { cause: err, context: { dependency: 'payload store' } });
    }
    return { ...record, eventJson: undefined, eventBlobKey };
  }

  async claim(record: DedupRecord, now: Date): Promise<ClaimResult> {
    const item = toItem(await this.fitted(record));
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: `attribute_not_exists(${PK}) OR ${TABLE.ttlAttribute} < :now`,
          ExpressionAttributeValues: { ':now': { N: String(Math.floor(now.getTime() / 1000)) } },
        }),
      );
      return 'claimed';
    } catch (err) {
      if (isConditionFailure(err)) return 'duplicate';
      throw new DependencyError('dedup store write failed', { cause: err, context: { dependency: 'dedup store' } });
    }
  }

  async markPublished(key: string): Promise<void> {
    await this.finish(key, 'PUBLISHED');
  }

  async markDead(key: string): Promise<void> {
    await this.finish(key, 'DEAD');
  }

  private async finish(key: string, status: RecordStatus): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [PK]: { S: key } },
          // A published record drops its event (it is on the bus); a dead one keeps it for inspection.
          UpdateExpression: status === 'PUBLISHED'
            ? `SET #status = :status REMOVE ${PENDING.partitionKey}, #event`
            : `SET #status = :status REMOVE ${PENDING.partitionKey}`,
          ConditionExpression: `attribute_exists(${PK})`,
          ExpressionAttributeNames: status === 'PUBLISHED' ? { '#status': 'status', '#event': 'event' } : { '#status': 'status' },
          ExpressionAttributeValues: { ':status': { S: status } },
        }),
      );
    } catch (err) {
      throw new DependencyError(`dedup store could not mark the record ${status}`, { cause: err });
    }
  }

  async listPending(now: Date, limit: number): Promise<DedupRecord[]> {
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
        }),
      );
      for (const item of out.Items ?? []) records.push(fromItem(item));
      startKey = out.LastEvaluatedKey;
    } while (startKey && records.length < limit);
    return records;
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
        }),
      );
      return out.Attributes ? fromItem(out.Attributes) : undefined;
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw new DependencyError('dedup store lease failed', { cause: err });
    }
  }
}
