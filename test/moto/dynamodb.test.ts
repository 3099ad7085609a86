/**
 * DynamoDedupStore on moto's DynamoDB, with the table created by ensureTable (the stack's shape: key
 * `pk`, sparse `pending` index on pendingShard + leaseUntil): conditional claims, the pending index,
 * the lease, and what markPublished leaves behind.
 */
import { DescribeTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDedupStore } from '../../lambda/adapters/aws/dynamo-store';
import { TABLE as SHAPE } from '../../lambda/contracts/table';
import { ensureTable } from '../../lambda/adapters/local/dynalite-store';
import type { Claim } from '../../lambda/core/ports';
import { MotoClients, motoClients, MotoServer, startMoto } from './moto-server';


const TABLE = 'callhooks-moto-dedup';
const NOW = new Date('2026-11-22T12:00:00Z');
const nowS = NOW.getTime() / 1000;

let moto: MotoServer;
let clients: MotoClients;
let store: DynamoDedupStore;

function rec(key: string, over: Partial<Claim> = {}): Claim {
  return { key, eventId: `id-${key}`, vendor: 'quarterzip', receivedAt: NOW.toISOString(), expiresAt: nowS + 86_400, leaseUntil: NOW.getTime() + 60_000, ...over };
}

/** Claimed, then its publish failed: the event kept for the redrive (PENDING). */
async function pending(key: string, over: Partial<Claim> = {}) {
  const c = rec(key, over);
  await store.claim(c, NOW);
  expect(await store.keepForRedrive(c, JSON.stringify({ key }))).toBe('kept');
}

async function item(key: string) {
  const out = await clients.dynamo.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key } }, ConsistentRead: true }));
  return out.Item;
}

beforeAll(async () => {
  moto = await startMoto();
  clients = motoClients(moto);
  await ensureTable(clients.dynamo, TABLE);
  store = new DynamoDedupStore(clients.dynamo, TABLE, {});
});

afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

describe('ensureTable on moto', () => {
  it('creates the key and the sparse pending index, and a second call is a no-op', async () => {
    // Act
    await ensureTable(clients.dynamo, TABLE);
    const { Table } = await clients.dynamo.send(new DescribeTableCommand({ TableName: TABLE }));

    // Assert
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema])).toEqual([
      [SHAPE.pendingIndex.name, [{ AttributeName: 'pendingShard', KeyType: 'HASH' }, { AttributeName: 'leaseUntil', KeyType: 'RANGE' }]],
    ]);
  });
});

describe('DynamoDedupStore.claim on moto', () => {
  it('claims a new key with a small IN_FLIGHT record, outside the pending index', async () => {
    // Act
    const result = await store.claim(rec('claim-new'), NOW);

    // Assert
    expect(result).toEqual({ outcome: 'claimed' });
    expect(await item('claim-new')).toMatchObject({ status: { S: 'IN_FLIGHT' } });
    expect(await item('claim-new')).not.toHaveProperty('pendingShard');
    expect(await item('claim-new')).not.toHaveProperty('event');
  });

  it('answers in flight for a key claimed under a live lease, duplicate once published, and keeps the first record', async () => {
    // Prepare
    await store.claim(rec('claim-dup'), NOW);

    // Act
    const inFlight = await store.claim(rec('claim-dup', { eventId: 'another' }), NOW);
    await store.markPublished('claim-dup');
    const result = await store.claim(rec('claim-dup', { eventId: 'another' }), NOW);

    // Assert
    expect(inFlight).toMatchObject({ outcome: 'in-flight', record: { eventId: 'id-claim-dup' } });
    expect(result).toMatchObject({ outcome: 'duplicate', record: { status: 'PUBLISHED', eventId: 'id-claim-dup' } });
    expect((await item('claim-dup'))?.eventId).toEqual({ S: 'id-claim-dup' });
  });

  it('takes over a claim whose lease ran out', async () => {
    // Prepare
    await store.claim(rec('claim-takeover', { leaseUntil: NOW.getTime() - 1 }), NOW);

    // Act
    const result = await store.claim(rec('claim-takeover'), NOW);

    // Assert
    expect(result).toEqual({ outcome: 'claimed' });
    expect((await item('claim-takeover'))?.leaseUntil).toEqual({ N: String(NOW.getTime() + 60_000) });
  });

  it('lets an expired record (not yet deleted by TTL) be claimed again', async () => {
    // Prepare
    await store.claim(rec('claim-expired', { expiresAt: nowS - 1, eventId: 'old' }), NOW);

    // Act
    const result = await store.claim(rec('claim-expired'), NOW);

    // Assert
    expect(result).toEqual({ outcome: 'claimed' });
    expect((await item('claim-expired'))?.eventId).toEqual({ S: 'id-claim-expired' });
  });

  it('of 30 concurrent claims of one key, exactly one is claimed', async () => {
    // Act
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => store.claim(rec('claim-race', { eventId: `racer-${i}` }), NOW)));

    // Assert
    expect(results.filter((r) => r.outcome === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'in-flight')).toHaveLength(29);
  });
});

describe('the pending index, the lease and markPublished on moto', () => {
  const later = new Date(NOW.getTime() + 3_600_000);

  it('listPending returns only PENDING records whose lease ended, oldest lease first', async () => {
    // Prepare
    const t = NOW.getTime();
    await pending('list-newer', { leaseUntil: t - 1_000 });
    await pending('list-older', { leaseUntil: t - 5_000 });
    await pending('list-leased', { leaseUntil: t + 10_000 });
    await pending('list-done', { leaseUntil: t - 9_000 });
    await store.markPublished('list-done');
    await store.claim(rec('list-in-flight', { leaseUntil: t - 7_000 }), NOW);

    // Act
    const listed = (await store.listPending(NOW, 100)).map((r) => r.key).filter((k) => k.startsWith('list-'));

    // Assert
    expect(listed).toEqual(['list-older', 'list-newer']);
  });

  it('lease takes an ended lease once, counting the attempt; a second lease while it is held gets nothing', async () => {
    // Prepare
    await pending('lease-1', { leaseUntil: NOW.getTime() - 1 });

    // Act
    const first = await store.lease('lease-1', NOW, NOW.getTime() + 60_000);
    const second = await store.lease('lease-1', new Date(NOW.getTime() + 1_000), NOW.getTime() + 120_000);

    // Assert
    expect(first).toMatchObject({ key: 'lease-1', attempts: 1, leaseUntil: NOW.getTime() + 60_000, eventJson: JSON.stringify({ key: 'lease-1' }) });
    expect(second).toBeUndefined();
  });

  it('lease gets nothing for a record that is no longer pending', async () => {
    // Prepare
    await pending('lease-published', { leaseUntil: 0 });
    await store.markPublished('lease-published');

    // Act
    const leased = await store.lease('lease-published', later, later.getTime() + 60_000);

    // Assert
    expect(leased).toBeUndefined();
  });

  it('markPublished drops the stored event and takes the record out of the pending index', async () => {
    // Prepare
    await pending('publish-1', { leaseUntil: 0 });

    // Act
    await store.markPublished('publish-1');

    // Assert
    const stored = await item('publish-1');
    expect(stored?.status).toEqual({ S: 'PUBLISHED' });
    expect(stored).not.toHaveProperty('event');
    expect(stored).not.toHaveProperty('pendingShard');
    expect(stored?.eventId).toEqual({ S: 'id-publish-1' });
    expect((await store.listPending(later, 100)).map((r) => r.key)).not.toContain('publish-1');
  });

  it('markDead keeps the stored event for inspection and takes the record out of the pending index', async () => {
    // Prepare
    await pending('dead-1', { leaseUntil: 0 });

    // Act
    await store.markDead('dead-1', 1_900_000_000);

    // Assert
    const stored = await item('dead-1');
    expect(stored).toMatchObject({ status: { S: 'DEAD' }, event: { S: JSON.stringify({ key: 'dead-1' }) }, expiresAt: { N: '1900000000' } });
    expect(stored).not.toHaveProperty('pendingShard');
    expect((await store.listPending(later, 100)).map((r) => r.key)).not.toContain('dead-1');
  });
});
