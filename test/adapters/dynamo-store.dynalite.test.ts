/**
 * DynamoDedupStore against a real DynamoDB-compatible store (dynalite in-process), one per suite: the record
 * life of DESIGN.md §Record life and cost — a small claim, taken over once its lease ran out, the event
 * written only for the redrive — and what each write costs (ReturnConsumedCapacity, DynamoDB's size rules).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CapacityReport, DynamoDedupStore, MAX_INLINE_EVENT_BYTES } from '../../lambda/adapters/aws/dynamo-store';
import { LocalDynamo, startLocalDynamo, LOCAL_TABLE } from '../../lambda/adapters/local/dynalite-store';
import { DependencyError } from '../../lambda/core/errors';
import type { Claim } from '../../lambda/core/ports';
import { MemoryBlobs } from '../helpers/memory';

let dynamo: LocalDynamo;
let store: DynamoDedupStore;
const blobs = new MemoryBlobs();
const reports: CapacityReport[] = [];
const NOW = new Date('2026-11-22T12:00:00Z');
const nowS = NOW.getTime() / 1000;
const BIG = JSON.stringify({ text: 'x'.repeat(MAX_INLINE_EVENT_BYTES) });

function claim(key: string, over: Partial<Claim> = {}): Claim {
  return { key, eventId: `id-${key}`, vendor: 'quarterzip', receivedAt: NOW.toISOString(), expiresAt: nowS + 86_400, leaseUntil: NOW.getTime() + 60_000, ...over };
}

/** A record whose publish failed: claimed, then its event kept for the redrive. */
async function pending(key: string, over: Partial<Claim> = {}, eventJson = JSON.stringify({ key })) {
  const c = claim(key, over);
  expect(await store.claim(c, NOW)).toEqual({ outcome: 'claimed' });
  expect(await store.keepForRedrive(c, eventJson)).toBe('kept');
  return c;
}

async function item(key: string) {
  return (await dynamo.client.send(new GetItemCommand({ TableName: LOCAL_TABLE, Key: { pk: { S: key } }, ConsistentRead: true }))).Item;
}

beforeAll(async () => {
  dynamo = await startLocalDynamo(undefined);
  store = new DynamoDedupStore(dynamo.client, LOCAL_TABLE, { blobs, onConsumedCapacity: (r) => reports.push(r) });
});
afterAll(() => dynamo.close());
beforeEach(() => (reports.length = 0));

describe('DynamoDedupStore on dynalite: the claim', () => {
  it('claims once, as a small IN_FLIGHT record without the event; a second claim finds it in flight', async () => {
    expect(await store.claim(claim('a'), NOW)).toEqual({ outcome: 'claimed' });
    expect(await store.claim(claim('a'), NOW)).toMatchObject({ outcome: 'in-flight', record: { key: 'a', eventId: 'id-a', status: 'IN_FLIGHT' } });
    const stored = await item('a');
    expect(stored).toMatchObject({ status: { S: 'IN_FLIGHT' } });
    expect(stored).not.toHaveProperty('event');
    expect(stored).not.toHaveProperty('pendingShard');
  });

  it('a claim of a published record is a duplicate, with the record', async () => {
    await store.claim(claim('pub'), NOW);
    await store.markPublished('pub');
    expect(await store.claim(claim('pub'), NOW)).toMatchObject({ outcome: 'duplicate', record: { status: 'PUBLISHED', eventId: 'id-pub' } });
  });

  it('a claim of a record kept for the redrive is a duplicate', async () => {
    await pending('kept');
    expect(await store.claim(claim('kept'), NOW)).toMatchObject({ outcome: 'duplicate', record: { status: 'PENDING' } });
  });

  it('lets an expired record be claimed again', async () => {
    await store.claim(claim('b', { expiresAt: nowS - 1 }), NOW);
    await store.markPublished('b');
    expect(await store.claim(claim('b'), NOW)).toEqual({ outcome: 'claimed' });
  });

  it('takes over a claim whose lease ran out with nothing published or stored; not one whose lease is live', async () => {
    await store.claim(claim('dead-holder', { leaseUntil: NOW.getTime() - 1 }), NOW);
    await store.claim(claim('live-holder', { leaseUntil: NOW.getTime() + 10_000 }), NOW);
    expect(await store.claim(claim('dead-holder'), NOW)).toEqual({ outcome: 'claimed' });
    expect(await store.claim(claim('live-holder'), NOW)).toMatchObject({ outcome: 'in-flight' });
    expect(Number((await item('dead-holder'))?.leaseUntil?.N)).toBe(NOW.getTime() + 60_000);
  });

  it('of 50 concurrent claims of one key, exactly one wins; so does one of 20 racing to take over a dead claim', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => store.claim(claim('race'), NOW)));
    expect(results.filter((r) => r.outcome === 'claimed')).toHaveLength(1);
    await store.claim(claim('takeover-race', { leaseUntil: 0 }), NOW);
    const takeovers = await Promise.all(Array.from({ length: 20 }, () => store.claim(claim('takeover-race'), NOW)));
    expect(takeovers.filter((r) => r.outcome === 'claimed')).toHaveLength(1);
  });
});

describe('DynamoDedupStore on dynalite: what a write costs', () => {
  it('a claim and its mark are one write unit each, whatever the event size; a refused claim writes a small item', async () => {
    await store.claim(claim('cost'), NOW);
    await store.markPublished('cost');
    await store.claim(claim('cost'), NOW);
    const [put, mark, refused] = reports.filter((r) => r.operation !== 'get');
    expect(put).toMatchObject({ operation: 'claim', capacityUnits: 1, conditionRefused: false });
    expect(put.itemBytes).toBeLessThan(1024);
    expect(mark).toMatchObject({ operation: 'markPublished', capacityUnits: 1 });
    expect(refused).toMatchObject({ operation: 'claim', conditionRefused: true });
    expect(refused.itemBytes).toBeLessThan(1024);
  });
});

describe('DynamoDedupStore on dynalite: the event, only for the redrive', () => {
  it('keepForRedrive writes the event and puts the record in the pending index; markPublished drops both', async () => {
    await pending('p1', { leaseUntil: NOW.getTime() - 10 });
    await pending('p2', { leaseUntil: NOW.getTime() + 10_000 });
    const listed = (await store.listPending(NOW, 100)).map((r) => r.key);
    expect(listed).toContain('p1');
    expect(listed).not.toContain('p2');

    const leased = await store.lease('p1', NOW, NOW.getTime() + 60_000);
    expect(leased).toMatchObject({ key: 'p1', status: 'PENDING', attempts: 1, eventJson: JSON.stringify({ key: 'p1' }) });
    expect(await store.eventOf(leased!)).toBe(JSON.stringify({ key: 'p1' }));
    expect(await store.lease('p1', NOW, NOW.getTime() + 60_000)).toBeUndefined();

    await store.markPublished('p1');
    const later = new Date(NOW.getTime() + 120_000);
    expect((await store.listPending(later, 100)).map((r) => r.key)).not.toContain('p1');
    expect(await store.lease('p1', later, later.getTime() + 1)).toBeUndefined();
    expect(await item('p1')).not.toHaveProperty('event');
  });

  it("pendingFrom 'table' (the local mode's) lists what the index lists: PENDING with the lease ended, oldest lease first, within the limit", async () => {
    const scanning = new DynamoDedupStore(dynamo.client, LOCAL_TABLE, { blobs, pendingFrom: 'table' });
    await pending('t3', { leaseUntil: NOW.getTime() - 1_000 });
    await pending('t1', { leaseUntil: NOW.getTime() - 3_000 });
    await pending('t2', { leaseUntil: NOW.getTime() - 2_000 });
    await pending('t-live', { leaseUntil: NOW.getTime() + 10_000 });
    await store.claim(claim('t-inflight', { leaseUntil: 0 }), NOW);
    const ours = (records: Array<{ key: string }>) => records.map((r) => r.key).filter((k) => k.startsWith('t'));
    expect(ours(await scanning.listPending(NOW, 1000))).toEqual(ours(await store.listPending(NOW, 1000)));
    expect(ours(await scanning.listPending(NOW, 1000))).toEqual(['t1', 't2', 't3']);
    expect(await scanning.listPending(NOW, 2)).toEqual((await store.listPending(NOW, 2)));
  });

  it('a claim in flight is never in the pending index, whatever its lease', async () => {
    await store.claim(claim('inflight-old', { leaseUntil: 0 }), NOW);
    expect((await store.listPending(new Date(NOW.getTime() + 3_600_000), 1000)).map((r) => r.key)).not.toContain('inflight-old');
  });

  it('keepForRedrive answers settled, and writes nothing, when the record is no longer in flight', async () => {
    const c = claim('settled');
    await store.claim(c, NOW);
    await store.markPublished('settled');
    expect(await store.keepForRedrive(c, '{"late":true}')).toBe('settled');
    expect(await item('settled')).toMatchObject({ status: { S: 'PUBLISHED' } });
    expect(await item('settled')).not.toHaveProperty('event');
  });

  it('a dead record leaves the pending list, keeps its event and lives until the expiry it is given', async () => {
    await pending('d1', { leaseUntil: 0 });
    await store.markDead('d1', 1_900_000_000);
    expect((await store.listPending(NOW, 100)).map((r) => r.key)).not.toContain('d1');
    expect(await item('d1')).toMatchObject({ status: { S: 'DEAD' }, event: { S: JSON.stringify({ key: 'd1' }) }, expiresAt: { N: '1900000000' } });
  });

  it('keeps an event too large for an item in the payload store, and the item points to it', async () => {
    await pending('big', { leaseUntil: 0 }, BIG);
    expect(blobs.blobs.get('events/quarterzip/id-big.json')?.toString()).toBe(BIG);
    const leased = await store.lease('big', NOW, NOW.getTime() + 60_000);
    expect(leased).toMatchObject({ eventBlobKey: 'events/quarterzip/id-big.json', eventJson: undefined });
    expect(await store.eventOf(leased!)).toBe(BIG);
  });

  it('a payload store failure on an oversized event is a DependencyError naming the payload store, and the claim stays in flight', async () => {
    const c = claim('big2');
    await store.claim(c, NOW);
    blobs.failNext = Object.assign(new Error('slow down'), { name: 'SlowDown' });
    const error = await store.keepForRedrive(c, BIG).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).context).toEqual({ dependency: 'payload store' });
    expect(await item('big2')).toMatchObject({ status: { S: 'IN_FLIGHT' } });
  });
});
