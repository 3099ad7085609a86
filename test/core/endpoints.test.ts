/**
 * The pipeline with several endpoints per vendor: a delivery is verified with its own endpoint's secret only,
 * rotation (`current`/`previous`) and the re-read after a failed signature work per endpoint, `detail.endpoint`
 * names where it arrived (`default` on the plain route), and dedup is per endpoint (finding 5 of issue 16): the
 * `default` endpoint keeps its eventIds and record keys, a named endpoint's carry its name, and no holder of one
 * endpoint's secret can suppress another endpoint's event by claiming its id first.
 */
import { resolveConfig } from '../../lambda/config/config';
import { handleDelivery, recordKey } from '../../lambda/core/pipeline';
import { deriveEventId } from '../../lambda/core/event';
import { recordKeyPrefix } from '../../lambda/contracts/table';
import { Headers, fromApiGateway } from '../../lambda/core/http';
import { createVendorAdapters } from '../../lambda/vendors';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { koeiq } from '../../lambda/vendors/koeiq';
import { fixtureBody, loadFixtures } from '../../local/fixtures';
import { memoryWorld } from '../helpers/memory';
import { ENDPOINTS_CONFIG, QUARTERZIP_CALL } from '../helpers/endpoints';

const SECRET = (label: string) => 'whsec_' + Buffer.from(label.padEnd(24, '.')).toString('base64');

function world(secrets: Record<string, string>) {
  const { adapters, endpoints } = createVendorAdapters(resolveConfig(ENDPOINTS_CONFIG).vendors);
  const w = memoryWorld([...adapters.values()], secrets);
  return { ...w, deps: { ...w.deps, endpoints } };
}

/** A Quarterzip delivery to `/webhooks/quarterzip/<endpoint>`, through the API Gateway edge, signed with `secret`. */
function delivery(endpoint: string | undefined, secret: string, id: string, now = new Date()) {
  const body = fixtureBody(QUARTERZIP_CALL);
  const path = endpoint === undefined ? '/webhooks/quarterzip' : `/webhooks/quarterzip/${endpoint}`;
  return fromApiGateway({
    version: '2.0',
    rawPath: path,
    headers: { 'content-type': 'application/json', ...quarterzip().sign(body, secret, now, id) },
    body: body.toString('utf8'),
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST' } },
  } as never, now);
}

describe('endpoints in the pipeline', () => {
  it('reads the endpoint from the path: /webhooks/<vendor>/<endpoint>, and "default" for the plain route', () => {
    // Assert
    expect(delivery('eu', SECRET('x'), 'm').endpoint).toBe('eu');
    expect(delivery(undefined, SECRET('x'), 'm').endpoint).toBe('default');
  });

  it("verifies with the endpoint's own secret only", async () => {
    // Prepare
    const w = world({ 'quarterzip/eu': SECRET('eu'), 'quarterzip/us': SECRET('us') });

    // Act
    const euAtUs = await handleDelivery(delivery('us', SECRET('eu'), 'msg_1'), w.deps);
    const usAtUs = await handleDelivery(delivery('us', SECRET('us'), 'msg_1'), w.deps);

    // Assert
    expect(euAtUs.statusCode).toBe(401);
    expect(usAtUs.statusCode).toBe(200);
    expect(w.publisher.published.map((e) => e.detail.endpoint)).toEqual(['us']);
  });

  it('accepts current and previous during a rotation of one endpoint, and not at the other endpoint', async () => {
    // Prepare: eu is being rotated from "old" to "new"
    const w = world({ 'quarterzip/eu': JSON.stringify({ current: SECRET('new'), previous: SECRET('old') }), 'quarterzip/us': SECRET('us') });

    // Act
    const statuses = [
      (await handleDelivery(delivery('eu', SECRET('new'), 'msg_r1'), w.deps)).statusCode,
      (await handleDelivery(delivery('eu', SECRET('old'), 'msg_r2'), w.deps)).statusCode,
      (await handleDelivery(delivery('us', SECRET('old'), 'msg_r3'), w.deps)).statusCode,
    ];

    // Assert
    expect(statuses).toEqual([200, 200, 401]);
  });

  it("re-reads only the failing endpoint's secret after a failed signature, so its rotation takes effect at once", async () => {
    // Prepare: both secrets read and cached, then eu's is replaced at the source
    const w = world({ 'quarterzip/eu': SECRET('eu-1'), 'quarterzip/us': SECRET('us') });
    await handleDelivery(delivery('eu', SECRET('eu-1'), 'msg_a'), w.deps);
    await handleDelivery(delivery('us', SECRET('us'), 'msg_b'), w.deps);
    w.secrets.values['quarterzip/eu'] = SECRET('eu-2');
    const fetchesBefore = w.secrets.fetches;

    // Act
    const rotated = await handleDelivery(delivery('eu', SECRET('eu-2'), 'msg_c'), w.deps);
    const usStill = await handleDelivery(delivery('us', SECRET('us'), 'msg_d'), w.deps);
    const euSecretAtUs = await handleDelivery(delivery('us', SECRET('eu-2'), 'msg_e'), w.deps);

    // Assert
    expect(rotated.statusCode).toBe(200);
    expect(usStill.statusCode).toBe(200);
    expect(euSecretAtUs.statusCode).toBe(401);
    // eu re-read once; us read again only for the refused delivery (its signature failed), never for eu's rotation.
    expect(w.secrets.fetches - fetchesBefore).toBe(2);
  });

  it('keeps the eventId of the default endpoint (vendor and dedup key alone), and gives each named endpoint its own', async () => {
    // Prepare
    const w = world({ 'quarterzip/eu': SECRET('eu'), 'quarterzip/us': SECRET('us') });
    const plain = memoryWorld([quarterzip()], { quarterzip: SECRET('plain') });

    // Act
    const eu = await handleDelivery(delivery('eu', SECRET('eu'), 'msg_same'), w.deps);
    const us = await handleDelivery(delivery('us', SECRET('us'), 'msg_same'), w.deps);
    const atDefault = await handleDelivery(delivery(undefined, SECRET('plain'), 'msg_same'), plain.deps);

    // Assert: the same webhook-id in two workspaces is two events, each published
    expect(atDefault.body).toEqual({ status: 'published', eventId: deriveEventId('quarterzip', 'msg_same') });
    expect(eu.body).toEqual({ status: 'published', eventId: deriveEventId('quarterzip', 'msg_same', 'eu') });
    expect(us.body).toEqual({ status: 'published', eventId: deriveEventId('quarterzip', 'msg_same', 'us') });
    expect(new Set([atDefault.body.eventId, eu.body.eventId, us.body.eventId]).size).toBe(3);
    expect(w.publisher.published.map((e) => [e.detail.endpoint, e.detail.eventId])).toEqual([['eu', eu.body.eventId], ['us', us.body.eventId]]);
    expect(plain.publisher.published[0].detail.endpoint).toBe('default');
  });

  it("publishes KoeIQ tenant-b's event although tenant-a already sent the same voicelog_id", async () => {
    // Prepare: two KoeIQ tenants, each with its own secret; both number their voicelogs from vl_1001
    const { adapters, endpoints } = createVendorAdapters(resolveConfig({ vendors: { koeiq: { endpoints: ['tenant-a', 'tenant-b'] } } }).vendors);
    const w = memoryWorld([...adapters.values()], { 'koeiq/tenant-a': 'secret-a', 'koeiq/tenant-b': 'secret-b' });
    const deps = { ...w.deps, endpoints };
    const fixture = loadFixtures('koeiq').find((f) => f.name === 'transcription-completed')!;
    const sent = (tenant: string, secret: string) => {
      const body = Buffer.from(JSON.stringify({ ...(fixture.body as object), tenant_id: tenant, data: { voicelog_id: 'vl_1001' } }));
      return fromApiGateway({
        version: '2.0',
        rawPath: `/webhooks/koeiq/${tenant}`,
        headers: { 'content-type': 'application/json', ...koeiq().sign(body, secret, new Date()) },
        body: body.toString('utf8'),
        isBase64Encoded: false,
        requestContext: { http: { method: 'POST' } },
      } as never);
    };

    // Act
    const a = await handleDelivery(sent('tenant-a', 'secret-a'), deps);
    const b = await handleDelivery(sent('tenant-b', 'secret-b'), deps);
    const bAgain = await handleDelivery(sent('tenant-b', 'secret-b'), deps);

    // Assert: tenant-b's first delivery is published; its own redelivery is still a duplicate
    expect([a.statusCode, a.body.status, b.statusCode, b.body.status]).toEqual([200, 'published', 200, 'published']);
    expect(b.body.eventId).not.toBe(a.body.eventId);
    expect(bAgain.body).toEqual({ status: 'duplicate', duplicate: true, eventId: b.body.eventId });
    expect(w.publisher.published.map((e) => e.detail.endpoint)).toEqual(['tenant-a', 'tenant-b']);
  });

  it.each([
    ['claims the same webhook-id at its own endpoint', 'eu', 'msg_victim'],
    ['crafts the id of the victim\'s record key at the default endpoint', undefined, '~us#msg_victim'],
    ['crafts an escaped default-endpoint id', undefined, '~~msg_victim'],
  ])("does not let a holder of another Quarterzip workspace's secret suppress workspace us' event: the attacker %s", async (_name, attackerEndpoint, attackerId) => {
    // Prepare: the attacker holds eu's secret (or the plain route's) and sends first
    const { adapters, endpoints } = createVendorAdapters(resolveConfig({ vendors: { quarterzip: { endpoints: ['default', 'eu', 'us'] } } }).vendors);
    const w = memoryWorld([...adapters.values()], { quarterzip: SECRET('default'), 'quarterzip/eu': SECRET('eu'), 'quarterzip/us': SECRET('us') });
    const deps = { ...w.deps, endpoints };
    const attackerSecret = SECRET(attackerEndpoint ?? 'default');

    // Act
    const attack = await handleDelivery(delivery(attackerEndpoint, attackerSecret, attackerId), deps);
    const genuine = await handleDelivery(delivery('us', SECRET('us'), 'msg_victim'), deps);

    // Assert
    expect(attack.body).toMatchObject({ status: 'published' });
    expect(genuine.body).toEqual({ status: 'published', eventId: deriveEventId('quarterzip', 'msg_victim', 'us') });
    expect(w.publisher.published.map((e) => e.detail.endpoint)).toEqual([attackerEndpoint ?? 'default', 'us']);
  });

  it('keys the default endpoint\'s records as before, a named endpoint\'s under its name, every one under the vendor\'s prefix', () => {
    // Act
    const keys = [
      recordKey('quarterzip', 'msg_1'),
      recordKey('quarterzip', 'msg_1', 'default'),
      recordKey('quarterzip', 'msg_1', 'eu'),
      recordKey('quarterzip', '~eu#msg_1'),
      recordKey('quarterzip', 'x'.repeat(2000), 'eu'),
      recordKey('quarterzip', '~'.repeat(2000)),
    ];

    // Assert
    expect(keys.slice(0, 4)).toEqual(['quarterzip#msg_1', 'quarterzip#msg_1', 'quarterzip#~eu#msg_1', 'quarterzip#~~eu#msg_1']);
    expect(keys[4]).toMatch(/^quarterzip#~eu#sha256:[0-9a-f]{64}$/);
    expect(keys[5]).toMatch(/^quarterzip#sha256:[0-9a-f]{64}$/);
    for (const key of keys) expect(key.startsWith(recordKeyPrefix('quarterzip'))).toBe(true);
  });

  it('answers an endpoint the vendor does not list 404 before reading any secret', async () => {
    // Prepare
    const w = world({ 'quarterzip/eu': SECRET('eu'), 'quarterzip/us': SECRET('us') });

    // Act
    const plain = await handleDelivery(delivery(undefined, SECRET('eu'), 'msg_404'), w.deps);
    const unknown = await handleDelivery({ ...delivery('eu', SECRET('eu'), 'msg_404'), endpoint: 'asia', headers: new Headers() }, w.deps);

    // Assert
    expect([plain.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect(unknown.body).toEqual({ error: 'unknown_endpoint', message: 'no such webhook endpoint' });
    expect(w.secrets.fetches).toBe(0);
  });
});
