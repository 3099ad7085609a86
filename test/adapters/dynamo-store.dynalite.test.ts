/** DynamoDedupStore against a real DynamoDB-compatible store (dynalite in-process), one per suite. */
import { DynamoDedupStore, MAX_INLINE_EVENT_BYTES } from '../../lambda/adapters/aws/dynamo-store';
import { DependencyError } from '../../lambda/core/errors';
import { MemoryBlobs } from '../helpers/memory';
import { LocalDynamo, startLocalDynamo, LOCAL_TABLE } from '../../lambda/adapters/local/dynalite-store';
import type { DedupRecord } from '../../lambda/core/ports';

let dynamo: LocalDynamo;
let store: DynamoDedupStore;
const blobs = new MemoryBlobs();
const NOW = new Date('2026-11-22T12:00:00Z');
const nowS = NOW.getTime() / 1000;

function rec(key: string, over: Partial<DedupRecord> = {}): DedupRecord {
  return {
    key,
    eventId: `id-${key}`,
    vendor: 'quarterzip',
    status: 'PENDING',
    eventJson: JSON.stringify({ key }),
    receivedAt: NOW.toISOString(),
    expiresAt: nowS + 86_400,
    leaseUntil: NOW.getTime() + 60_000,
    attempts: 0,
    ...over,
  };
}

beforeAll(async () => {
  dynamo = await startLocalDynamo(undefined);
  store = new DynamoDedupStore(dynamo.client, LOCAL_TABLE, { blobs });
});
afterAll(() => dynamo.close());

describe('DynamoDedupStore on dynalite', () => {
  it('claims once; the second claim is a duplicate', async () => {
    expect(await store.claim(rec('a'), NOW)).toBe('claimed');
    expect(await store.claim(rec('a'), NOW)).toBe('duplicate');
  });

  it('lets an expired record be claimed again', async () => {
    await store.claim(rec('b', { expiresAt: nowS - 1 }), NOW);
    expect(await store.claim(rec('b'), NOW)).toBe('claimed');
  });

  it('of 50 concurrent claims of one key, exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => store.claim(rec('race'), NOW)));
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
  });

  it('lists only pending records whose lease ended, leases them once, and forgets them when published', async () => {
    await store.claim(rec('p1', { leaseUntil: NOW.getTime() - 10 }), NOW);
    await store.claim(rec('p2', { leaseUntil: NOW.getTime() + 10_000 }), NOW);
    const listed = (await store.listPending(NOW, 100)).map((r) => r.key);
    expect(listed).toContain('p1');
    expect(listed).not.toContain('p2');

    const leased = await store.lease('p1', NOW, NOW.getTime() + 60_000);
    expect(leased).toMatchObject({ key: 'p1', attempts: 1, eventJson: JSON.stringify({ key: 'p1' }) });
    expect(await store.lease('p1', NOW, NOW.getTime() + 60_000)).toBeUndefined();

    await store.markPublished('p1');
    const later = new Date(NOW.getTime() + 120_000);
    expect((await store.listPending(later, 100)).map((r) => r.key)).not.toContain('p1');
    expect(await store.lease('p1', later, later.getTime() + 1)).toBeUndefined();
  });

  it('a dead record leaves the pending list', async () => {
    await store.claim(rec('d1', { leaseUntil: 0 }), NOW);
    await store.markDead('d1');
    expect((await store.listPending(NOW, 100)).map((r) => r.key)).not.toContain('d1');
  });

  it('keeps an event too large for an item in the payload store, and the item points to it', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(MAX_INLINE_EVENT_BYTES) });
    expect(await store.claim(rec('big', { eventJson: big, leaseUntil: 0 }), NOW)).toBe('claimed');
    expect(blobs.blobs.get('events/quarterzip/id-big.json')?.toString()).toBe(big);
    const leased = await store.lease('big', NOW, NOW.getTime() + 60_000);
    expect(leased).toMatchObject({ eventBlobKey: 'events/quarterzip/id-big.json', eventJson: undefined });
  });

  it('a payload store failure on an oversized event is a DependencyError naming the payload store, and nothing is written', async () => {
    blobs.failNext = Object.assign(new Error('slow down'), { name: 'SlowDown' });
    const big = JSON.stringify({ text: 'x'.repeat(MAX_INLINE_EVENT_BYTES) });
    const error = await store.claim(rec('big2', { eventJson: big }), NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).context).toEqual({ dependency: 'payload store' });
    expect(await store.claim(rec('big2'), NOW)).toBe('claimed');
  });
});
