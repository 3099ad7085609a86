import { createHash, createHmac } from 'node:crypto';
import { join, dirname } from 'node:path';
import { AccessToken, WebhookReceiver } from 'livekit-server-sdk';
import { jwtScheme } from '../../lambda/schemes/jwt';
import { signWith } from '../../lambda/schemes/run';
import { outcome, request, creds, T0, vector } from './helpers';

// @vonage/jwt's index also loads uuid, which ships ESM only: its verifySignature module alone is CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { verifySignature } = require(join(dirname(require.resolve('@vonage/jwt')), 'verifySignature.js')) as { verifySignature: (jwt: string, secret: string) => boolean };
const sha256b64 = (s: string) => createHash('sha256').update(s).digest('base64');

const vonage = () => jwtScheme({ bodyHashClaim: 'payload_hash', bodyHashEncoding: 'hex' });
const livekit = () => jwtScheme({ bodyHashClaim: 'sha256', bodyHashEncoding: 'base64', keyed: true, requireExp: true, tokenPrefix: '' });
const b64u = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const hs256 = (claims: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }) => {
  const input = `${b64u(header)}.${b64u(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

describe('jwt scheme: Vonage (Bearer HS256, payload_hash hex)', () => {
  const body = '{"uuid":"u1","status":"completed"}';

  it('@vonage/jwt verifies the token it signs, and the scheme accepts it with the body it hashes', async () => {
    const now = new Date();
    const signed = signWith(vonage(), { body: Buffer.from(body) }, 'sig_secret', now);
    const token = signed.headers.authorization.replace(/^Bearer /, '');
    expect(verifySignature(token, 'sig_secret')).toBe(true);
    expect(verifySignature(token, 'another_secret')).toBe(false);
    expect(await outcome(vonage(), { headers: signed.headers, body }, 'sig_secret', now)).toBe('ok');
    expect(await outcome(vonage(), { headers: signed.headers, body: body.replace('u1', 'u2') }, 'sig_secret', now)).toBe('body-mismatch');
    expect(await outcome(vonage(), { headers: signed.headers, body }, 'other', now)).toBe('no-key-matched');
  });

  it('reads the published vector\'s claims: iat, payload_hash, api_key; refuses it once iat is older than the tolerance', async () => {
    const token = vector('vonage').jwt as string;
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ iat: 1767225600, iss: 'Vonage', api_key: 'abcd1234' });
    // Its secret is not published: with another one it is well-formed but matches no key.
    expect(await outcome(vonage(), { headers: { authorization: `Bearer ${token}` }, body }, 'not-its-secret')).toBe('no-key-matched');
    const fresh = hs256({ ...claims, payload_hash: createHash('sha256').update(body).digest('hex') }, 's');
    expect(await outcome(vonage(), { headers: { authorization: `Bearer ${fresh}` }, body }, 's', new Date(T0.getTime() + 301_000))).toBe('stale-timestamp');
  });

  it('only HS256: alg none, another alg, a bad signature length are malformed', async () => {
    const claims = { iat: 1767225600, payload_hash: 'x' };
    const none = `${b64u({ alg: 'none' })}.${b64u(claims)}.`;
    expect(await outcome(vonage(), { headers: { authorization: `Bearer ${none}` }, body }, 's')).toBe('malformed-signature');
    expect(await outcome(vonage(), { headers: { authorization: `Bearer ${hs256(claims, 's', { alg: 'HS512' })}` }, body }, 's')).toBe('malformed-signature');
    expect(await outcome(vonage(), { headers: { authorization: 'Bearer a.b' }, body }, 's')).toBe('malformed-signature');
    expect(await outcome(vonage(), { headers: {}, body }, 's')).toBe('missing-header');
  });
});

describe('jwt scheme: LiveKit (HS256 with a base64 sha256 claim, iss = the API key)', () => {
  const body = '{"event":"participant_joined","id":"EV_1"}';
  const credential = JSON.stringify({ key: 'APIkey', secret: 'a-livekit-api-secret-of-some-length' });

  it('verifies a token made by livekit-server-sdk\'s AccessToken, with the key and secret in one JSON secret', async () => {
    const at = new AccessToken('APIkey', 'a-livekit-api-secret-of-some-length');
    at.sha256 = sha256b64(body);
    const token = await at.toJwt();
    const now = new Date();
    expect(await outcome(livekit(), { headers: { authorization: token }, body }, credential, now)).toBe('ok');
    expect(await outcome(livekit(), { headers: { authorization: token }, body: `${body} ` }, credential, now)).toBe('body-mismatch');
    const otherKey = JSON.stringify({ key: 'APIother', secret: 'a-livekit-api-secret-of-some-length' });
    expect(await outcome(livekit(), { headers: { authorization: token }, body }, otherKey, now)).toBe('no-key-matched');
    expect(await outcome(livekit(), { headers: { authorization: token }, body }, credential, new Date(now.getTime() + 7 * 3600_000))).toBe('stale-timestamp');
  });

  it('WebhookReceiver accepts what the scheme signs', async () => {
    const signed = signWith(livekit(), { body: Buffer.from(body) }, credential, new Date());
    const receiver = new WebhookReceiver('APIkey', 'a-livekit-api-secret-of-some-length');
    await expect(receiver.receive(body, signed.headers.authorization)).resolves.toMatchObject({ event: 'participant_joined', id: 'EV_1' });
  });

  it('a plain secret where the key and secret belong is the wrong kind; a token without exp is refused', async () => {
    const signed = signWith(livekit(), { body: Buffer.from(body) }, credential, T0);
    expect(await livekit().verify(request({ headers: signed.headers, body }), creds('just-a-secret'), T0)).toEqual({ ok: false, reason: 'wrong-key-kind' });
    const noExp = hs256({ iss: 'APIkey', sha256: sha256b64(body) }, 'a-livekit-api-secret-of-some-length');
    expect(await outcome(livekit(), { headers: { authorization: noExp }, body }, credential)).toBe('malformed-signature');
  });
});

describe('jwt scheme: the body is the JWT (Dialpad)', () => {
  const scheme = jwtScheme({ bodyIsJwt: true });
  const event = '{"call_id":101,"state":"hangup"}';

  it('verifies the body and gives the signed claims as the payload', async () => {
    const signed = signWith(scheme, { body: Buffer.from(event) }, 'dp_secret', T0);
    expect(signed.headers['content-type']).toBe('application/jwt');
    const verdict = await scheme.verify(request({ headers: signed.headers, body: signed.body }), creds('dp_secret'), T0);
    expect(verdict).toMatchObject({ ok: true, claims: { call_id: 101, state: 'hangup' } });
    expect(verdict.ok && verdict.payload?.toString()).toBe(event);
    expect(await outcome(scheme, { body: signed.body }, 'other')).toBe('no-key-matched');
    expect(await outcome(scheme, { body: event }, 'dp_secret')).toBe('malformed-signature');
  });
});
