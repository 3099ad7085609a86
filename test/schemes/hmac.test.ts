import { createHmac } from 'node:crypto';
import Retell from 'retell-sdk';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import type { Scheme } from '../../lambda/contracts/scheme';
import { hmacScheme } from '../../lambda/schemes/hmac';
import { signWith } from '../../lambda/schemes/run';
import { creds, directOutcome, outcome, request, T0, vector, verify } from './helpers';

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

/**
 * The forms KoeIQ, Atoms and Converc use (a bare, prefixed or base64 digest of the body; `t=…,v1=…` pairs over
 * `{timestamp}.{body}` with a timestamp in seconds or milliseconds), at their edges. Each verify is called
 * directly, so a throw fails the test.
 */
describe('hmac scheme: edges of the body and pairs forms', () => {
  const SECRET = 'whsec-not-used-here-9f3a1c0b7e';
  const OTHER_SECRET = 'a-different-secret-4d2e';
  const BODY = '{"event":"transcription.completed","data":{"voicelog_id":"vl_1"}}';
  const NOW = new Date('2026-11-22T12:00:00Z');
  const NOW_S = Math.floor(NOW.getTime() / 1000);
  // The oracle: node:crypto directly.
  const mac = (secret: string, payload: string, encoding: 'hex' | 'base64' = 'hex') => createHmac('sha256', secret).update(payload, 'utf8').digest(encoding);

  const bare = hmacScheme({ header: 'X-Sig' });
  const prefixed = hmacScheme({ header: 'X-Sig', prefix: 'sha256=' });
  const b64 = hmacScheme({ header: 'X-Sig', encoding: 'base64' });
  const pairs = hmacScheme({ header: 'X-Sig', signatures: 'pairs', signatureKey: 'v1', timestampKey: 't', timestampUnit: 'auto', template: '{timestamp}.{body}' });
  const tsHeader = hmacScheme({ header: 'X-Sig', timestampHeader: 'X-Timestamp', timestampUnit: 'auto', template: '{timestamp}.{body}' });

  const check = (scheme: Scheme, headers: Record<string, string>, body: string | Buffer = BODY, secret = SECRET, now = NOW) =>
    directOutcome(scheme, { headers, body }, secret, now);

  describe('the body signed alone', () => {
    it('accepts a hex digest (upper case too) and a base64 digest; refuses one encoding where the other is expected', () => {
      expect(check(bare, { 'X-Sig': mac(SECRET, BODY) })).toBe('ok');
      expect(check(bare, { 'X-Sig': mac(SECRET, BODY).toUpperCase() })).toBe('ok');
      expect(check(b64, { 'X-Sig': mac(SECRET, BODY, 'base64') })).toBe('ok');
      expect(check(b64, { 'X-Sig': mac(SECRET, BODY) })).toBe('malformed-signature');
      expect(check(bare, { 'X-Sig': mac(SECRET, BODY, 'base64') })).toBe('malformed-signature');
    });

    it('reads the header in any case, and ignores whitespace around its value', () => {
      expect(check(bare, { 'x-sig': mac(SECRET, BODY) })).toBe('ok');
      expect(check(bare, { 'X-SIG': mac(SECRET, BODY) })).toBe('ok');
      expect(check(bare, { 'X-Sig': `  ${mac(SECRET, BODY)} ` })).toBe('ok');
    });

    it.each([
      ['with the prefix', `sha256=${mac(SECRET, BODY)}`, 'ok'],
      ['without the prefix', mac(SECRET, BODY), 'ok'],
      ['with the prefix twice', `sha256=sha256=${mac(SECRET, BODY)}`, 'malformed-signature'],
      ['with another prefix', `sha1=${mac(SECRET, BODY)}`, 'malformed-signature'],
      ['with the prefix in upper case', `SHA256=${mac(SECRET, BODY)}`, 'malformed-signature'],
    ])('prefix "sha256=": a digest %s → %s', (_label, value, reason) => {
      expect(check(prefixed, { 'X-Sig': value })).toBe(reason);
    });

    it('refuses a prefixed digest when the scheme has no prefix', () => {
      expect(check(bare, { 'X-Sig': `sha256=${mac(SECRET, BODY)}` })).toBe('malformed-signature');
    });

    it('refuses a tampered body, another secret, and an empty secret (even with a digest made with the empty key)', () => {
      expect(check(bare, { 'X-Sig': mac(SECRET, BODY) }, BODY.replace('vl_1', 'vl_2'))).toBe('no-key-matched');
      expect(check(bare, { 'X-Sig': mac(OTHER_SECRET, BODY) })).toBe('no-key-matched');
      expect(check(bare, { 'X-Sig': mac('', BODY) }, BODY, '')).toBe('no-key-matched');
    });

    it('verifies the raw bytes: a body that is not UTF-8, and an empty body', () => {
      const raw = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]);
      expect(check(bare, { 'X-Sig': createHmac('sha256', SECRET).update(raw).digest('hex') }, raw)).toBe('ok');
      expect(check(bare, { 'X-Sig': mac(SECRET, '') }, '')).toBe('ok');
    });

    it('does not look at any clock when no timestamp is signed', () => {
      expect(check(bare, { 'X-Sig': mac(SECRET, BODY) }, BODY, SECRET, new Date('2001-01-01T00:00:00Z'))).toBe('ok');
      expect(check(bare, { 'X-Sig': mac(SECRET, BODY) }, BODY, SECRET, new Date(NaN))).toBe('ok');
    });
  });

  describe('t=…,v1=… pairs over {timestamp}.{body}', () => {
    const header = (t: string | number, ...sigs: string[]) => ({ 'X-Sig': [`t=${t}`, ...sigs.map((s) => `v1=${s}`)].join(',') });
    const good = (t: string | number = NOW_S) => mac(SECRET, `${t}.${BODY}`);

    it('accepts t=<seconds>,v1=<hex>; refuses a digest of the body alone, and a t changed after signing', () => {
      expect(check(pairs, header(NOW_S, good()))).toBe('ok');
      expect(check(pairs, header(NOW_S, mac(SECRET, BODY)))).toBe('no-key-matched');
      expect(check(pairs, header(NOW_S - 1, good(NOW_S)))).toBe('no-key-matched');
    });

    it('accepts pairs in any order and with spaces around them', () => {
      expect(check(pairs, { 'X-Sig': ` v1=${good()} , t=${NOW_S} ` })).toBe('ok');
    });

    it.each([
      ['first of two', () => [good(), '0'.repeat(64)]],
      ['second of two', () => ['0'.repeat(64), good()]],
      ['last of three, after a malformed one', () => ['zz', mac(OTHER_SECRET, `${NOW_S}.${BODY}`), good()]],
    ])('accepts when any v1 entry matches (%s)', (_label, sigs) => {
      expect(check(pairs, header(NOW_S, ...sigs()))).toBe('ok');
    });

    it('refuses when no v1 entry matches, and skips entries of other keys even when they hold the right digest', () => {
      expect(check(pairs, header(NOW_S, '0'.repeat(64), mac(OTHER_SECRET, `${NOW_S}.${BODY}`)))).toBe('no-key-matched');
      expect(check(pairs, { 'X-Sig': `t=${NOW_S},v0=${good()},v2=${good()}` })).toBe('malformed-signature');
    });

    it('accepts a comma-joined repeated header (as HTTP APIs deliver it) when one entry matches', () => {
      expect(check(pairs, { 'X-Sig': `t=${NOW_S},v1=${'0'.repeat(64)}, t=${NOW_S},v1=${good()}` })).toBe('ok');
    });

    it.each([
      ['exactly at the tolerance in the past', -300, 'ok'],
      ['exactly at the tolerance in the future', 300, 'ok'],
      ['1 s past the tolerance (stale)', -301, 'stale-timestamp'],
      ['1 s past the tolerance (future)', 301, 'future-timestamp'],
      ['an hour old', -3600, 'stale-timestamp'],
      ['an hour ahead', 3600, 'future-timestamp'],
      ['a day old', -86_400, 'stale-timestamp'],
    ])('a timestamp %s → %s', (_label, offset, reason) => {
      const t = NOW_S + offset;
      expect(check(pairs, header(t, good(t)))).toBe(reason);
    });

    it('honours the tolerance option, and refuses on an invalid clock', () => {
      const t = NOW_S - 100;
      const withTolerance = (toleranceSeconds: number) =>
        hmacScheme({ header: 'X-Sig', signatures: 'pairs', signatureKey: 'v1', timestampKey: 't', timestampUnit: 'auto', template: '{timestamp}.{body}', toleranceSeconds });
      expect(check(withTolerance(60), header(t, good(t)))).toBe('stale-timestamp');
      expect(check(withTolerance(120), header(t, good(t)))).toBe('ok');
      expect(check(pairs, header(NOW_S, good()), BODY, SECRET, new Date(NaN))).not.toBe('ok');
    });

    it('accepts a timestamp in milliseconds, signed as the digits were sent', () => {
      const ms = String(NOW.getTime() - 1234);
      expect(check(pairs, header(ms, good(ms)))).toBe('ok');
      // Signed with the seconds instead of the milliseconds that were sent: refused.
      expect(check(pairs, header(ms, good(Math.floor(Number(ms) / 1000))))).toBe('no-key-matched');
    });

    it.each([
      ['stale', -301_000, 'stale-timestamp'],
      ['future', 301_000, 'future-timestamp'],
      ['299 s old', -299_000, 'ok'],
      ['299 s ahead', 299_000, 'ok'],
    ])('a millisecond timestamp %s → %s', (_label, offsetMs, reason) => {
      const ms = String(NOW.getTime() + offsetMs);
      expect(check(pairs, header(ms, good(ms)))).toBe(reason);
    });

    it('reads the timestamp from its own header when the scheme says so', () => {
      const t = String(NOW_S);
      expect(check(tsHeader, { 'X-Sig': good(t), 'X-Timestamp': t })).toBe('ok');
      expect(check(tsHeader, { 'X-Sig': good(t), 'X-Timestamp': String(NOW_S - 301) })).toBe('stale-timestamp');
      expect(check(tsHeader, { 'X-Sig': good(t) })).toBe('missing-header');
    });

    it.each([
      ['no t', (s: string) => ({ 'X-Sig': `v1=${s}` })],
      ['empty t', (s: string) => ({ 'X-Sig': `t=,v1=${s}` })],
      ['non-numeric t', (s: string) => ({ 'X-Sig': `t=abc,v1=${s}` })],
      ['negative t', (s: string) => ({ 'X-Sig': `t=-${NOW_S},v1=${s}` })],
      ['decimal t', (s: string) => ({ 'X-Sig': `t=${NOW_S}.5,v1=${s}` })],
      ['t with letters', (s: string) => ({ 'X-Sig': `t=${NOW_S}x,v1=${s}` })],
      ['huge t', (s: string) => ({ 'X-Sig': `t=${'9'.repeat(400)},v1=${s}` })],
      ['t of 16 digits (microseconds)', (s: string) => ({ 'X-Sig': `t=${NOW.getTime()}000,v1=${s}` })],
      ['no v1', () => ({ 'X-Sig': `t=${NOW_S}` })],
      ['empty v1', () => ({ 'X-Sig': `t=${NOW_S},v1=` })],
      ['only commas', () => ({ 'X-Sig': ',,,,' })],
      ['only equals signs', () => ({ 'X-Sig': '===' })],
      ['pairs without keys', (s: string) => ({ 'X-Sig': `=${NOW_S},=${s}` })],
    ])('refuses malformed pairs without throwing: %s', (_label, make) => {
      expect(check(pairs, make(good()))).not.toBe('ok');
    });
  });

  describe('never throws on what a sender controls', () => {
    const digest = mac(SECRET, BODY);
    const cases: Array<[string, Record<string, string>]> = [
      ['no header', {}],
      ['empty header', { 'X-Sig': '' }],
      ['whitespace only', { 'X-Sig': '   ' }],
      ['one hex character short', { 'X-Sig': digest.slice(1) }],
      ['one hex character long', { 'X-Sig': `${digest}0` }],
      ['half a digest', { 'X-Sig': digest.slice(0, 32) }],
      ['a SHA-512-sized digest', { 'X-Sig': digest + digest }],
      ['odd-length hex', { 'X-Sig': digest.slice(0, 63) }],
      ['non-hex characters of the right length', { 'X-Sig': 'g'.repeat(64) }],
      ['the right digest with one character made non-hex', { 'X-Sig': `${digest.slice(0, 63)}z` }],
      ['non-ASCII', { 'X-Sig': 'é'.repeat(64) }],
      ['a NUL byte', { 'X-Sig': `${digest.slice(0, 63)}\u0000` }],
      ['a 1 MB header', { 'X-Sig': 'a'.repeat(1024 * 1024) }],
      ['a 1 MB header of pairs', { 'X-Sig': 'v1=,'.repeat(256 * 1024) }],
      ['the prefix alone', { 'X-Sig': 'sha256=' }],
      ['a base64 digest where hex is expected', { 'X-Sig': mac(SECRET, BODY, 'base64') }],
      ['two digests joined by a comma', { 'X-Sig': `${digest}, ${digest}` }],
    ];

    it.each(cases)('a prefixed digest: %s → refused', (_label, h) => {
      expect(check(prefixed, h)).not.toBe('ok');
    });

    it.each(cases)('pairs: %s → refused', (_label, h) => {
      expect(check(pairs, h)).not.toBe('ok');
    });

    it.each([
      ['a 1 MB header', 'A'.repeat(1024 * 1024)],
      ['base64 of the wrong length', mac(SECRET, BODY, 'base64').slice(4)],
      ['a character outside the base64 alphabet', `-${mac(SECRET, BODY, 'base64').slice(1)}`],
    ])('base64: %s → malformed-signature', (_label, value) => {
      expect(check(b64, { 'X-Sig': value })).toBe('malformed-signature');
    });

    it('base64: the right digest without its padding is the same digest, and verifies', () => {
      expect(check(b64, { 'X-Sig': mac(SECRET, BODY, 'base64').replace(/=+$/, '') })).toBe('ok');
    });
  });

  describe('sign', () => {
    const signed = (scheme: Scheme) => scheme.sign({ body: Buffer.from(BODY) }, SECRET, NOW).headers;

    it('writes each form as the vendors send it', () => {
      expect(signed(bare)).toEqual({ 'X-Sig': mac(SECRET, BODY) });
      expect(signed(prefixed)).toEqual({ 'X-Sig': `sha256=${mac(SECRET, BODY)}` });
      expect(signed(b64)).toEqual({ 'X-Sig': mac(SECRET, BODY, 'base64') });
      // `auto` timestamps are signed in seconds.
      expect(signed(pairs)).toEqual({ 'X-Sig': `t=${NOW_S},v1=${mac(SECRET, `${NOW_S}.${BODY}`)}` });
      expect(signed(tsHeader)).toEqual({ 'X-Sig': mac(SECRET, `${NOW_S}.${BODY}`), 'X-Timestamp': String(NOW_S) });
    });

    it.each([
      ['bare', bare],
      ['prefixed', prefixed],
      ['base64', b64],
      ['pairs', pairs],
      ['timestamp header', tsHeader],
    ])('round-trips through verify: %s', (_label, scheme) => {
      expect(check(scheme, signed(scheme))).toBe('ok');
      expect(check(scheme, signed(scheme), BODY, OTHER_SECRET)).toBe('no-key-matched');
    });
  });

  it('generates a fresh secret: 32 random bytes as hex for a UTF-8 key, base64 and whsec_ forms otherwise; the signing key is the secret', () => {
    const a = bare.generateCredential();
    expect(a.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(a.signingKey).toBe(a.secret);
    expect(bare.generateCredential().secret).not.toBe(a.secret);
    expect(Buffer.from(hmacScheme({ header: 'x', secretEncoding: 'base64' }).generateCredential().secret, 'base64')).toHaveLength(32);
    expect(hmacScheme({ header: 'x', secretEncoding: 'whsec' }).generateCredential().secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
  });
});
