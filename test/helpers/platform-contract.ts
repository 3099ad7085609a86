/**
 * What every platform's suite proves through the pipeline (issue 18's "done when"), with the delivery signed by the
 * vendor's own SDK (or by a test signature the SDK has verified first): accepted and published with the DESIGN
 * mapping and the vendor's call id; a redelivery is a duplicate with the same eventId; a tampered body, another
 * key, a stale timestamp (where one is signed) and another endpoint's secret are 401 with nothing stored.
 */
import { Delivery, Headers } from '../../lambda/core/http';
import { handleDelivery } from '../../lambda/core/pipeline';
import type { VendorAdapter } from '../../lambda/core/vendor';
import { Fixture, fixtureBody, schemaErrors } from './fixtures';
import { memoryWorld, MemoryWorld } from './memory';

export interface SignedRequest {
  readonly headers: Record<string, string>;
  /** The body to send, when signing replaced it. @default - the body given */
  readonly body?: Buffer;
}

export interface PlatformContract {
  readonly adapter: VendorAdapter;
  /** Two endpoint secrets in the vendor's form (each what Secrets Manager holds). */
  readonly secrets: readonly [string, string];
  /** Signs `body` at `now` as the vendor does, with its SDK (or a signature its SDK accepted). */
  sign(body: Buffer, secret: string, now: Date, fixture: Fixture): SignedRequest | Promise<SignedRequest>;
  /** A fixture's redelivery: what the vendor sends again (re-signed later, the same id). */
  readonly redeliveryAfterMs?: number;
  /** How far in the past a signed timestamp is stale; undefined when the vendor signs none. */
  readonly staleAfterMs?: number;
  /** Bytes that differ from the body while keeping its JSON valid (default: one character of a string changed). */
  tamper?(body: Buffer): Buffer;
}

export function deliveryOf(vendor: string, endpoint: string, signed: SignedRequest, body: Buffer, now: Date, fixture?: Fixture): Delivery {
  const headers = new Headers(Object.entries({ ...(fixture?.contentType ? { 'content-type': fixture.contentType } : {}), ...signed.headers }));
  return { vendor, endpoint, method: fixture?.method ?? 'POST', headers, query: fixture?.query ?? {}, body: signed.body ?? body, receivedAt: now };
}

/** Two endpoints `a` and `b` of the vendor, each with its own secret. */
export function twoEndpointWorld(c: PlatformContract): MemoryWorld {
  const name = c.adapter.name;
  const world = memoryWorld([c.adapter], { [`${name}/a`]: c.secrets[0], [`${name}/b`]: c.secrets[1] });
  const endpoints = new Map([[name, new Map([['a', c.adapter], ['b', c.adapter]])]]);
  return { ...world, deps: { ...world.deps, endpoints } };
}

function defaultTamper(body: Buffer): Buffer {
  const text = body.toString('utf8');
  const i = text.search(/[0-9a-zA-Z](?=[^"]*"\s*[,}\]])/);
  const c = text[i];
  return Buffer.from(`${text.slice(0, i)}${c === '0' ? '1' : '0'}${text.slice(i + 1)}`, 'utf8');
}

function expectNothingStored(world: MemoryWorld): void {
  expect(world.publisher.published).toHaveLength(0);
  expect(world.store.records.size).toBe(0);
  expect(world.blobs.blobs.size).toBe(0);
}

/** Runs the contract over one fixture. */
export function describeContract(c: PlatformContract, fixture: Fixture): void {
  const body = fixtureBody(fixture);
  const NOW = new Date();

  describe(`${c.adapter.name}/${fixture.name}: the vendor's SDK signs it`, () => {
    it(`is published as ${String(fixture.expect.type)} with the vendor's call id, and its redelivery is a duplicate with the same eventId`, async () => {
      const world = twoEndpointWorld(c);
      const first = await handleDelivery(deliveryOf(c.adapter.name, 'a', await c.sign(body, c.secrets[0], NOW, fixture), body, NOW, fixture), world.deps);
      expect(first).toMatchObject({ statusCode: 200, body: { status: 'published' } });
      expect(world.publisher.published).toHaveLength(1);
      const [entry] = world.publisher.published;
      expect(entry.source).toBe(`callhooks.${c.adapter.name}`);
      expect(entry.detailType).toBe(fixture.expect.type);
      expect(entry.detail).toMatchObject({ ...fixture.expect, endpoint: 'a' });
      expect(entry.detail.callId).toBe(fixture.expect.callId);
      expect(schemaErrors(JSON.parse(JSON.stringify(entry.detail)))).toEqual([]);

      const later = new Date(NOW.getTime() + (c.redeliveryAfterMs ?? 60_000));
      const again = await handleDelivery(deliveryOf(c.adapter.name, 'a', await c.sign(body, c.secrets[0], later, fixture), body, later, fixture), world.deps);
      expect(again).toMatchObject({ statusCode: 200, body: { status: 'duplicate', duplicate: true, eventId: entry.detail.eventId } });
      expect(world.publisher.published).toHaveLength(1);
    });

    const refused: Array<[string, () => Promise<Delivery>]> = [
      ['a tampered body', async () => {
        const signed = await c.sign(body, c.secrets[0], NOW, fixture);
        return deliveryOf(c.adapter.name, 'a', { ...signed, body: (c.tamper ?? defaultTamper)(signed.body ?? body) }, body, NOW, fixture);
      }],
      ['another key', async () => deliveryOf(c.adapter.name, 'a', await c.sign(body, c.adapter.generateSecret(), NOW, fixture), body, NOW, fixture)],
      ["another endpoint's secret", async () => deliveryOf(c.adapter.name, 'a', await c.sign(body, c.secrets[1], NOW, fixture), body, NOW, fixture)],
    ];
    if (c.staleAfterMs !== undefined) {
      const staleAfterMs = c.staleAfterMs;
      refused.push(['a stale timestamp', async () => {
        const then = new Date(NOW.getTime() - staleAfterMs - 1000);
        return deliveryOf(c.adapter.name, 'a', await c.sign(body, c.secrets[0], then, fixture), body, NOW, fixture);
      }]);
    }
    it.each(refused)('refuses %s with 401 and stores nothing', async (_label, make) => {
      const world = twoEndpointWorld(c);
      const reply = await handleDelivery(await make(), world.deps);
      expect(reply).toEqual(expect.objectContaining({ statusCode: 401, body: expect.objectContaining({ error: 'unauthorized' }) }));
      expectNothingStored(world);
    });
  });
}
