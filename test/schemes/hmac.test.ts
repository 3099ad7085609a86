import { createHmac } from 'node:crypto';
import Retell from 'retell-sdk';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { hmacScheme } from '../../lambda/schemes/hmac';
import { signWith } from '../../lambda/schemes/run';
import { creds, outcome, request, T0, vector, verify } from './helpers';

const retell = () => hmacScheme({ header: 'x-retell-signature', signatures: 'pairs', timestampKey: 'v', signatureKey: 'd', timestampUnit: 'ms', template: '{body}{timestamp}' });
const elevenlabs = () => hmacScheme({ header: 'ElevenLabs-Signature', signatures: 'pairs', timestampKey: 't', signatureKey: 'v0', template: '{timestamp}.{body}', toleranceSeconds: 1800 });
const zoom = () => hmacScheme({ header: 'x-zm-signature', prefix: 'v0=', timestampHeader: 'x-zm-request-timestamp', template: 'v0:{timestamp}:{body}', handshake: 'zoom-url-validation' });
const ultravox = () => hmacScheme({ header: 'X-Ultravox-Webhook-Signature', signatures: 'comma-list', timestampHeader: 'X-Ultravox-Webhook-Timestamp', timestampUnit: 'iso', template: '{body}{timestamp}', toleranceSeconds: 60 });

describe('hmac scheme: the vendors\' vectors', () => {
  it('Retell: accepts the published vector (body + timestamp in ms, v=…,d=…)', async () => {
    const v = vector('retell');
    expect(await outcome(retell(), { headers: { 'x-retell-signature': v.header }, body: v.body }, v.key)).toBe('ok');
  });

  it('ElevenLabs: accepts the published vector (t.body, t=…,v0=…)', async () => {
    const v = vector('elevenlabs');
    expect(await outcome(elevenlabs(), { headers: { 'ElevenLabs-Signature': v.header }, body: v.body }, v.secret)).toBe('ok');
  });

  it('Zoom: accepts the published vector (v0:timestamp:body)', async () => {
    const v = vector('zoom');
    const body = '{"event":"phone.callee_ended","event_ts":1767225600000,"payload":{"account_id":"A1","object":{"call_id":"123"}}}';
    expect(await outcome(zoom(), { headers: { 'x-zm-signature': v.header, 'x-zm-request-timestamp': '1767225600' }, body }, 'zoom_secret_token')).toBe('ok');
  });

  it('Zoom: answers a signed endpoint.url_validation with the published encryptedToken, and not an unsigned one', async () => {
    const scheme = zoom();
    const body = Buffer.from('{"event":"endpoint.url_validation","payload":{"plainToken":"abc"},"event_ts":1767225600000}');
    const signed = signWith(scheme, { body }, 'zoom_secret_token', T0);
    const reply = await scheme.handshake!(request({ headers: signed.headers, body }), creds('zoom_secret_token'), T0);
    expect(reply).toEqual({ statusCode: 200, json: { plainToken: 'abc', encryptedToken: vector('zoom').urlValidation_encryptedToken_for_plainToken_abc } });
    expect(await scheme.handshake!(request({ body }), creds('zoom_secret_token'), T0)).toBeUndefined();
    expect(await scheme.handshake!(request({ headers: signed.headers, body }), creds('another'), T0)).toBeUndefined();
  });
});

describe('hmac scheme: the vendors\' SDKs as oracles', () => {
  const body = '{"event":"call_ended","call":{"call_id":"c_1"}}';

  it('Retell: verifies what retell-sdk signs, and retell-sdk verifies what it signs', async () => {
    const header = await Retell.sign(body, 'key_abc');
    expect(await outcome(retell(), { headers: { 'x-retell-signature': header }, body }, 'key_abc', new Date())).toBe('ok');
    const ours = signWith(retell(), { body: Buffer.from(body) }, 'key_abc', new Date());
    expect(await Retell.verify(body, 'key_abc', ours.headers['x-retell-signature'])).toBe(true);
  });

  it('ElevenLabs: the SDK\'s constructEvent accepts what it signs', async () => {
    const ours = signWith(elevenlabs(), { body: Buffer.from(body) }, 'wsec_x', new Date());
    const client = new ElevenLabsClient({ apiKey: 'unused' });
    await expect(client.webhooks.constructEvent(body, ours.headers['ElevenLabs-Signature'], 'wsec_x')).resolves.toEqual(JSON.parse(body));
  });
});

describe('hmac scheme: forms', () => {
  const body = '{"event":"call.ended","call":{"callId":"c1"}}';

  it('Ultravox: a comma list of signatures over body + ISO timestamp (as sent, no offset = UTC); any may match', async () => {
    const ts = '2026-01-01T00:00:00.000000';
    const mac = (k: string) => createHmac('sha256', k).update(body + ts).digest('hex');
    const headers = { 'X-Ultravox-Webhook-Signature': `${mac('old')}, ${mac('new')}`, 'X-Ultravox-Webhook-Timestamp': ts };
    expect(await outcome(ultravox(), { headers, body }, 'new')).toBe('ok');
    expect(await outcome(ultravox(), { headers, body }, 'other')).toBe('no-key-matched');
    expect(await outcome(ultravox(), { headers, body }, 'new', new Date(T0.getTime() + 61_000))).toBe('stale-timestamp');
    expect(await outcome(ultravox(), { headers: { ...headers, 'X-Ultravox-Webhook-Timestamp': '2026-01-01T01:00:00+01:00' }, body }, 'new')).toBe('no-key-matched');
  });

  it.each([
    ['sha1', 'base64'],
    ['sha256', 'hex'],
    ['sha512', 'base64'],
    ['sha512', 'hex'],
  ] as const)('%s in %s, behind a prefix (accepted with or without)', async (algorithm, encoding) => {
    const scheme = hmacScheme({ header: 'x-sig', algorithm, encoding, prefix: 'sha=' });
    const digest = createHmac(algorithm, 'k').update(body).digest(encoding);
    expect(await outcome(scheme, { headers: { 'x-sig': `sha=${digest}` }, body }, 'k')).toBe('ok');
    expect(await outcome(scheme, { headers: { 'x-sig': digest }, body }, 'k')).toBe('ok');
    expect(await outcome(scheme, { headers: { 'x-sig': digest }, body: `${body} ` }, 'k')).toBe('no-key-matched');
    expect(signWith(scheme, { body: Buffer.from(body) }, 'k', T0).headers['x-sig']).toBe(`sha=${digest}`);
  });

  it('a space-separated list, a whsec_ key, an id header and a header part in the template', async () => {
    const scheme = hmacScheme({
      header: 'x-sig', signatures: 'space-list', prefix: 'v1,', encoding: 'base64', secretEncoding: 'whsec',
      template: '{id}.{timestamp}.{header:x-account}.{body}', idHeader: 'x-id', timestampHeader: 'x-ts',
    });
    const secret = `whsec_${Buffer.from('0123456789abcdef').toString('base64')}`;
    const signed = signWith(scheme, { body: Buffer.from(body), id: 'id_1', headers: { 'x-account': 'acme' } }, secret, T0);
    expect(signed.headers).toMatchObject({ 'x-id': 'id_1', 'x-ts': '1767225600', 'x-account': 'acme' });
    const mac = createHmac('sha256', Buffer.from('0123456789abcdef')).update(`id_1.1767225600.acme.${body}`).digest('base64');
    expect(signed.headers['x-sig']).toBe(`v1,${mac}`);
    const headers = { ...signed.headers, 'x-sig': `v1,AAAA v1,${mac}` };
    expect(await outcome(scheme, { headers, body }, secret)).toBe('ok');
    expect(await outcome(scheme, { headers: { ...headers, 'x-account': 'other' }, body }, secret)).toBe('no-key-matched');
    expect(await outcome(scheme, { headers: { ...headers, 'x-id': 'id_2' }, body }, secret)).toBe('no-key-matched');
    expect(scheme.vouches).toEqual({ body: true, headers: ['x-ts', 'x-id', 'x-account'], url: false });
  });

  it('signs {method} and {url} (the URL as called, query included)', async () => {
    const scheme = hmacScheme({ header: 'x-sig', template: '{method} {url} {body}' });
    const url = 'https://hooks.example.com/webhooks/v?b=2&a=1';
    const signed = signWith(scheme, { body: Buffer.from(body), url }, 'k', T0);
    expect(await outcome(scheme, { url, headers: signed.headers, body }, 'k')).toBe('ok');
    expect(await outcome(scheme, { url: 'https://hooks.example.com/webhooks/v?a=1&b=2', headers: signed.headers, body }, 'k')).toBe('no-key-matched');
    expect(await outcome(scheme, { method: 'PUT', url, headers: signed.headers, body }, 'k')).toBe('no-key-matched');
    expect(scheme.vouches.url).toBe(true);
  });

  it('refuses an unknown placeholder, a timestamp without a source, {id} without idHeader', () => {
    expect(() => hmacScheme({ header: 'x', template: '{nonce}.{body}' })).toThrow('unknown placeholder {nonce}');
    expect(() => hmacScheme({ header: 'x', template: '{timestamp}.{body}' })).toThrow('timestampHeader');
    expect(() => hmacScheme({ header: 'x', template: '{id}.{body}' })).toThrow('idHeader');
  });
});

describe('hmac scheme: refusals and their reasons', () => {
  const body = '{"type":"x"}';
  const scheme = elevenlabs();
  const signed = (at: Date, key = 'k') => signWith(scheme, { body: Buffer.from(body) }, key, at).headers;

  it.each([
    ['no signature header', {}, 'missing-header'],
    ['no timestamp pair', { 'ElevenLabs-Signature': 'v0=' + 'a'.repeat(64) }, 'missing-header'],
    ['a timestamp that is not one', { 'ElevenLabs-Signature': 't=soon,v0=' + 'a'.repeat(64) }, 'malformed-signature'],
    ['a digest of the wrong length', { 'ElevenLabs-Signature': 't=1767225600,v0=abcd' }, 'malformed-signature'],
    ['a digest that is not hex', { 'ElevenLabs-Signature': 't=1767225600,v0=' + 'z'.repeat(64) }, 'malformed-signature'],
    ['a well-formed digest of another key', { 'ElevenLabs-Signature': 't=1767225600,v0=' + 'a'.repeat(64) }, 'no-key-matched'],
  ])('%s', async (_what, headers, reason) => {
    expect(await outcome(scheme, { headers, body }, 'k')).toBe(reason);
  });

  it('stale and future timestamps', async () => {
    expect(await outcome(scheme, { headers: signed(new Date(T0.getTime() - 1801_000)), body }, 'k')).toBe('stale-timestamp');
    expect(await outcome(scheme, { headers: signed(new Date(T0.getTime() + 1801_000)), body }, 'k')).toBe('future-timestamp');
    expect(await outcome(scheme, { headers: signed(new Date(T0.getTime() - 1799_000)), body }, 'k')).toBe('ok');
  });

  it('rotation: either credential verifies, and the verdict says which', async () => {
    const rotation = JSON.stringify({ current: 'new', previous: 'old' });
    const byOld = await verify(scheme, { headers: signed(T0, 'old'), body }, rotation);
    const byNew = await verify(scheme, { headers: signed(T0, 'new'), body }, rotation);
    expect(byOld).toMatchObject({ ok: true, credential: 1, signedAt: T0 });
    expect(byNew).toMatchObject({ ok: true, credential: 0 });
  });

  it('a credential of another kind: wrong-key-kind', async () => {
    const v = await scheme.verify(request({ headers: signed(T0), body }), [{ kind: 'fields', fields: { key: 'k' } }], T0);
    expect(v).toEqual({ ok: false, reason: 'wrong-key-kind' });
  });
});
