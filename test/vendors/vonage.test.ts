/**
 * Vonage: each delivery carries the JWT Vonage signs (HS256 with the signature secret; iat, jti, iss, api_key,
 * application_id, payload_hash = the body's hex SHA-256), made here and first verified by @vonage/jwt's
 * verifySignature (the vector of vendor-docs/real-platform-vectors.json has no published secret: test/schemes covers
 * it); the synchronous requests; and the normalization of every fixture.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { Headers } from '../../lambda/core/http';
import { handleDelivery } from '../../lambda/core/pipeline';
import { parseVonage, vonage } from '../../lambda/vendors/vonage';
import { fixtureBody, loadFixtures } from '../helpers/fixtures';
import { deliveryOf, describeContract, twoEndpointWorld } from '../helpers/platform-contract';

// @vonage/jwt's index also loads uuid, which ships ESM only: its verifySignature module alone is CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { verifySignature } = require(join(dirname(require.resolve('@vonage/jwt')), 'verifySignature.js')) as { verifySignature: (jwt: string, secret: string) => boolean };

const adapter = vonage();
const fixtures = loadFixtures('vonage');
const SECRETS = ['vonage-signature-secret-4d7e1a9c2b', 'vonage-signature-secret-of-b-83f0'] as const;

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** An HS256 token of `claims`, as Vonage makes it. */
function hs256(claims: Record<string, unknown>, secret: string): string {
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** The token Vonage sends, checked by @vonage/jwt before the test uses it. */
function vonageToken(claims: Record<string, unknown>, secret: string): string {
  const token = hs256(claims, secret);
  if (!verifySignature(token, secret)) throw new Error('@vonage/jwt refused the test token');
  return token;
}
const claimsFor = (body: Buffer, now: Date) => ({
  iat: Math.floor(now.getTime() / 1000),
  jti: randomUUID(),
  iss: 'Vonage',
  payload_hash: createHash('sha256').update(body).digest('hex'),
  api_key: 'abcd1234',
  application_id: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
});

for (const fixture of fixtures) {
  describeContract(
    {
      adapter,
      secrets: SECRETS,
      sign: (body, secret, now) => ({ headers: { Authorization: `Bearer ${vonageToken(claimsFor(body, now), secret)}` } }),
      staleAfterMs: 300_000,
    },
    fixture,
  );
}

describe('vonage: verify', () => {
  const body = fixtureBody(fixtures.find((f) => f.name === 'completed')!);
  const at = (now: Date, token: string, raw = body) => deliveryOf('vonage', 'default', { headers: { authorization: `Bearer ${token}` } }, raw, now);

  it("signs what @vonage/jwt verifies, with the body's hash", () => {
    const now = new Date();
    const header = adapter.sign(body, SECRETS[0], now).authorization;
    const token = header.replace(/^Bearer /, '');
    expect(verifySignature(token, SECRETS[0])).toBe(true);
    expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())).toMatchObject({ payload_hash: createHash('sha256').update(body).digest('hex') });
  });

  it('refuses a token whose payload_hash is of another body (the signature alone would pass @vonage/jwt)', () => {
    const now = new Date();
    const token = vonageToken(claimsFor(Buffer.from('{"status":"completed"}'), now), SECRETS[0]);
    expect(adapter.verify(at(now, token), SECRETS[0], now)).toBe(false);
  });

  it('refuses a token without payload_hash, an alg none token, and a token with iat 301 s ahead', () => {
    const now = new Date();
    const { payload_hash: _, ...noHash } = claimsFor(body, now);
    const none = `${b64url('{"alg":"none","typ":"JWT"}')}.${b64url(JSON.stringify(claimsFor(body, now)))}.`;
    const ahead = vonageToken({ ...claimsFor(body, now), iat: Math.floor(now.getTime() / 1000) + 301 }, SECRETS[0]);
    for (const token of [vonageToken(noHash, SECRETS[0]), none, ahead]) expect(adapter.verify(at(now, token), SECRETS[0], now)).toBe(false);
  });

  it('refuses an expired token (exp passed), even with a fresh iat', () => {
    const now = new Date();
    const token = hs256({ ...claimsFor(body, now), exp: Math.floor(now.getTime() / 1000) - 60 }, SECRETS[0]);
    // @vonage/jwt refuses it too, and accepts the same claims without exp.
    expect(verifySignature(token, SECRETS[0])).toBe(false);
    expect(verifySignature(hs256(claimsFor(body, now), SECRETS[0]), SECRETS[0])).toBe(true);
    expect(adapter.verify(at(now, token), SECRETS[0], now)).toBe(false);
  });
});

describe('vonage: synchronous requests get 422 naming what they are for, and nothing is stored', () => {
  const now = new Date();
  const answerQuery = { to: '14155550199', from: '14155550100', uuid: '63f61863-4a51-4f6b-86e1-46edebcf9356', conversation_uuid: 'CON-f972836a-550f-45fa-956c-12a2ab5b7d22', region_url: 'https://api-us-3.vonage.com' };
  const cases: Array<[string, string, Buffer, Record<string, string>, RegExp]> = [
    ['the answer_url GET', 'GET', Buffer.alloc(0), answerQuery, /answer_url.*NCCO/],
    ['the answer_url POST (answer_method POST)', 'POST', Buffer.from(JSON.stringify(answerQuery)), {}, /answer_url.*NCCO/],
    ['an input action\'s result', 'POST', Buffer.from(JSON.stringify({ ...answerQuery, region_url: undefined, dtmf: { digits: '1', timed_out: false }, speech: { results: [] }, timestamp: '2026-01-01T00:00:10.000Z' })), {}, /input action.*eventUrl/],
  ];
  it.each(cases)('%s', async (_label, method, body, query, message) => {
    const world = twoEndpointWorld({ adapter, secrets: SECRETS, sign: () => ({ headers: {} }) });
    // The GET's payload_hash covers the compact JSON of its query parameters, in their order.
    const token = vonageToken({ ...claimsFor(method === 'GET' ? Buffer.from(JSON.stringify(query)) : body, now) }, SECRETS[0]);
    const url = { scheme: 'https', host: 'hooks.example.com', rawPath: '/webhooks/vonage/a', rawQuery: method === 'GET' ? new URLSearchParams(query).toString() : '' };
    const d = { vendor: 'vonage', endpoint: 'a', method, url, headers: new Headers([['authorization', `Bearer ${token}`], ['content-type', 'application/json']]), query, body, receivedAt: now };
    const reply = await handleDelivery(d, world.deps);
    expect(reply.statusCode).toBe(422);
    expect(reply.body).toMatchObject({ error: 'synchronous_message', message: expect.stringMatching(message) });
    expect(world.publisher.published).toHaveLength(0);
    expect(world.store.records.size).toBe(0);
    expect(world.blobs.blobs.size).toBe(0);
  });

  it('refuses with 401 an unsigned answer_url GET, and one whose token hashes other query parameters (it is verified first)', async () => {
    const world = twoEndpointWorld({ adapter, secrets: SECRETS, sign: () => ({ headers: {} }) });
    const url = { scheme: 'https', host: 'hooks.example.com', rawPath: '/webhooks/vonage/a', rawQuery: new URLSearchParams(answerQuery).toString() };
    const unsigned = { vendor: 'vonage', endpoint: 'a', method: 'GET', url, headers: new Headers(), query: answerQuery, body: Buffer.alloc(0), receivedAt: now };
    const otherQuery = vonageToken(claimsFor(Buffer.from(JSON.stringify({ ...answerQuery, to: '14155550000' })), now), SECRETS[0]);
    const tampered = { ...unsigned, headers: new Headers([['authorization', `Bearer ${otherQuery}`]]) };
    expect((await handleDelivery(unsigned, world.deps)).statusCode).toBe(401);
    expect((await handleDelivery(tampered, world.deps)).statusCode).toBe(401);
    expect(world.store.records.size).toBe(0);
  });
});

describe('vonage: normalization', () => {
  const parse = (body: unknown, claims?: Record<string, unknown>) =>
    parseVonage(deliveryOf('vonage', 'default', { headers: {} }, Buffer.from(JSON.stringify(body)), new Date()), claims ? { ok: true, credential: 0, vouches: { body: true, headers: [], url: false }, claims } : undefined);

  it('names the account and the application from the verified token, not from the body', () => {
    const completed = fixtures.find((f) => f.name === 'completed')!.body;
    expect(parse(completed, { api_key: 'abcd1234', application_id: 'app-1' }).fields).toMatchObject({ account: { id: 'abcd1234', kind: 'account' }, agent: { id: 'app-1' } });
    expect(parse({ ...(completed as object), api_key: 'forged' }).fields).not.toHaveProperty('account');
  });

  it('through the pipeline, takes the account and the application from the token the scheme verified', async () => {
    const world = twoEndpointWorld({ adapter, secrets: SECRETS, sign: () => ({ headers: {} }) });
    const f = fixtures.find((x) => x.name === 'completed')!;
    const raw = fixtureBody(f);
    const now = new Date();
    const token = vonageToken({ ...claimsFor(raw, now), api_key: 'key-from-token', application_id: 'app-from-token' }, SECRETS[0]);
    const reply = await handleDelivery(deliveryOf('vonage', 'a', { headers: { authorization: `Bearer ${token}` } }, raw, now, f), world.deps);
    expect(reply.statusCode).toBe(200);
    expect(world.publisher.published[0].detail).toMatchObject({ account: { id: 'key-from-token', kind: 'account' }, agent: { id: 'app-from-token' } });
  });

  it('keys a leg by uuid + status: each status of a call is its own event, a retry of one is a duplicate', () => {
    expect(parse({ uuid: 'u1', status: 'ringing' }).dedupKey).not.toBe(parse({ uuid: 'u1', status: 'answered' }).dedupKey);
    expect(parse({ uuid: 'u1', status: 'ringing', timestamp: 'a' }).dedupKey).toBe(parse({ uuid: 'u1', status: 'ringing', timestamp: 'b' }).dedupKey);
  });

  it('reads duration and price from Vonage\'s decimal strings, and leaves out a negative or malformed duration', () => {
    expect(parse({ uuid: 'u1', status: 'completed', duration: '92', price: '0.01947333' }).fields).toMatchObject({ call: { durationSeconds: 92, cost: 0.01947333 } });
    for (const duration of [-5e-324, '-3', '1e3', 'ninety']) expect(parse({ uuid: 'u1', status: 'completed', duration }).fields.call?.durationSeconds).toBeUndefined();
  });

  it('publishes a status Vonage adds later as vendor.other', () => {
    expect(parse({ uuid: 'u1', status: 'machine', conversation_uuid: 'CON-1' }).fields).toMatchObject({ type: 'vendor.other', vendorEventType: 'machine', callId: 'u1' });
  });
});
