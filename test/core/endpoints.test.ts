/**
 * The pipeline with several endpoints per vendor: a delivery is verified with its own endpoint's secret only,
 * rotation (`current`/`previous`) and the re-read after a failed signature work per endpoint, `detail.endpoint`
 * names where it arrived (`default` on the plain route), and the eventId does not depend on the endpoint.
 */
import { resolveConfig } from '../../lambda/config/config';
import { handleDelivery } from '../../lambda/core/pipeline';
import { Headers, fromApiGateway } from '../../lambda/core/http';
import { createVendorAdapters } from '../../lambda/vendors';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { fixtureBody } from '../../local/fixtures';
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

  it('gives the same eventId at every endpoint, the one a vendor without endpoints gives', async () => {
    // Prepare
    const w = world({ 'quarterzip/eu': SECRET('eu'), 'quarterzip/us': SECRET('us') });
    const plain = memoryWorld([quarterzip()], { quarterzip: SECRET('plain') });

    // Act
    const eu = await handleDelivery(delivery('eu', SECRET('eu'), 'msg_same'), w.deps);
    const usCopy = await handleDelivery(delivery('us', SECRET('us'), 'msg_same'), w.deps);
    const withoutEndpoints = await handleDelivery(delivery(undefined, SECRET('plain'), 'msg_same'), plain.deps);

    // Assert
    expect(usCopy.body).toEqual({ status: 'duplicate', duplicate: true, eventId: eu.body.eventId });
    expect(withoutEndpoints.body.eventId).toBe(eu.body.eventId);
    expect(plain.publisher.published[0].detail.endpoint).toBe('default');
    expect(w.publisher.published).toHaveLength(1);
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
