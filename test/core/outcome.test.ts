/** From the pipeline's answer to the outcome the metrics count, and the small helpers around the metrics port. */
import { countingOffloads, endpointOf, observingPending, redriveObservation } from '../../lambda/core/metrics';
import { OUTCOME_METRICS, OUTCOMES, outcomeOf } from '../../lambda/core/outcome';
import type { BlobStore, DedupRecord, DedupStore } from '../../lambda/core/ports';

describe('outcomeOf', () => {
  it.each([
    [200, { status: 'published', eventId: 'e' }, 'published'],
    [200, { status: 'duplicate', duplicate: true, eventId: 'e' }, 'duplicate'],
    [202, { status: 'accepted', eventId: 'e', published: false }, 'accepted'],
    [400, { error: 'bad_request' }, 'bad_request'],
    [401, { error: 'unauthorized' }, 'unauthorized'],
    [404, { error: 'unknown_vendor' }, 'not_found'],
    [405, { error: 'method_not_allowed' }, 'method_not_allowed'],
    [409, { error: 'in_flight' }, 'conflict'],
    [413, { error: 'payload_too_large' }, 'too_large'],
    [500, { error: 'internal' }, 'unavailable'],
    [503, { error: 'unavailable' }, 'unavailable'],
  ] as const)('%d %j → %s', (statusCode, body, outcome) => {
    expect(outcomeOf({ statusCode, body })).toBe(outcome);
  });

  it('names one distinct metric per outcome', () => {
    const names = OUTCOMES.map((o) => OUTCOME_METRICS[o]);
    expect(new Set(names).size).toBe(OUTCOMES.length);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
  });
});

describe('endpointOf', () => {
  it.each([
    [{}, 'default'],
    [{ endpoint: 'eu' }, 'eu'],
    [{ endpoint: 'us-west-2' }, 'us-west-2'],
    [{ endpoint: 'Not Valid' }, 'default'],
    [{ endpoint: 'x'.repeat(33) }, 'default'],
    [{ endpoint: 42 }, 'default'],
  ])('%j → %s', (delivery, endpoint) => {
    expect(endpointOf(delivery)).toBe(endpoint);
  });
});

describe('countingOffloads', () => {
  it('counts the puts under offload/ only, and passes every call through', async () => {
    const puts: string[] = [];
    class Blobs implements BlobStore {
      private readonly bucket = 'b';
      async put(key: string) { puts.push(key); return { url: `s3://${this.bucket}/${key}`, key }; }
      async get() { return Buffer.from('x'); }
    }
    const counted = countingOffloads(new Blobs());
    await counted.blobs.put('offload/qcall/e1/transcript.json', '{}', 'application/json');
    await counted.blobs.put('rejected/qcall/day/digest.body', 'x', 'application/octet-stream');
    await counted.blobs.put('events/qcall/e1.json', '{}', 'application/json');
    expect(counted.count()).toBe(1);
    expect(puts).toHaveLength(3);
    expect((await counted.blobs.get('k')).toString()).toBe('x');
  });
});

describe('redrive observation', () => {
  const record = (receivedAt: string, key = receivedAt): DedupRecord => ({ key, eventId: 'e', vendor: 'v', status: 'PENDING', receivedAt, expiresAt: 0, leaseUntil: 0, attempts: 0 });

  it('takes the backlog and the age of the oldest pending record from what the run listed', async () => {
    const now = new Date('2026-12-01T12:00:00Z');
    const listed = [record('2026-12-01T11:58:00Z'), record('2026-12-01T11:50:00Z'), record('not a time')];
    const store = { listPending: async () => listed, markDead: async () => undefined } as unknown as DedupStore;
    const observed = observingPending(store);
    await observed.store.listPending(now, 100);
    await observed.store.markDead('k', 0);
    expect(redriveObservation({ examined: 3, published: 2, failed: 1, deadLettered: 0, skipped: 0 }, observed.found(), now)).toEqual({
      published: 2, failed: 1, deadLettered: 0, backlog: 3, oldestPendingAgeSeconds: 600,
    });
  });

  it('counts every distinct record of a run that lists page after page, once, and starts afresh for the next run', async () => {
    const now = new Date('2026-12-01T12:00:00Z');
    const pages = [[record('2026-12-01T11:00:00Z', 'a'), record('2026-12-01T11:30:00Z', 'b')], [record('2026-12-01T11:30:00Z', 'b'), record('2026-12-01T11:40:00Z', 'c')], []];
    const store = { listPending: async () => pages.shift() ?? [] } as unknown as DedupStore;
    const observed = observingPending(store);
    for (let i = 0; i < 3; i++) await observed.store.listPending(now, 2);
    expect(redriveObservation({ examined: 3, published: 3, failed: 0, deadLettered: 0, skipped: 0 }, observed.found(), now)).toMatchObject({ backlog: 3, oldestPendingAgeSeconds: 3600 });
    expect(observed.found()).toEqual([]);
  });

  it('is 0 and 0 with nothing pending', () => {
    expect(redriveObservation({ examined: 0, published: 0, failed: 0, deadLettered: 0, skipped: 0 }, [], new Date())).toMatchObject({ backlog: 0, oldestPendingAgeSeconds: 0 });
  });
});
