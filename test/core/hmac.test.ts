import { createHmac } from 'node:crypto';
import { Headers } from '../../lambda/core/http';
import { generateHexSecret, HmacScheme, parseTimestampSeconds, signHmac, verifyHmac, verifyStaticToken } from '../../lambda/core/hmac';

// The oracle: node:crypto directly, independent of lambda/core/crypto.ts.
function mac(secret: string, payload: string, encoding: 'hex' | 'base64' = 'hex'): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest(encoding);
}

function headers(h: Record<string, string>): Headers {
  return new Headers(Object.entries(h));
}

const SECRET = 'whsec-not-used-here-9f3a1c0b7e';
const OTHER_SECRET = 'a-different-secret-4d2e';
const BODY = '{"event":"transcription.completed","data":{"voicelog_id":"vl_1"}}';
const NOW = new Date('2026-11-22T12:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);

const bare: HmacScheme = { header: 'X-Sig', encoding: 'hex', signedPayload: 'body', toleranceSeconds: 300 };
const prefixed: HmacScheme = { ...bare, prefix: 'sha256=' };
const b64: HmacScheme = { ...bare, encoding: 'base64' };
const pairs: HmacScheme = {
  header: 'X-Sig',
  encoding: 'hex',
  signatureKey: 'v1',
  timestampKey: 't',
  signedPayload: 'timestamp.body',
  toleranceSeconds: 300,
};
const tsHeader: HmacScheme = { ...bare, signedPayload: 'timestamp.body', timestampHeader: 'X-Timestamp' };

function verify(scheme: HmacScheme, h: Record<string, string>, body = BODY, secret = SECRET, now = NOW): boolean {
  return verifyHmac(headers(h), Buffer.from(body, 'utf8'), secret, now, scheme);
}

describe('parseTimestampSeconds', () => {
  it.each([
    ['10-digit seconds', '1763812800', 1763812800],
    ['12 digits are still seconds', '176381280000', 176381280000],
    ['13-digit milliseconds', '1763812800123', 1763812800],
    ['16-digit value read as milliseconds', '1763812800123456', 1763812800123],
    ['zero', '0', 0],
    ['leading zeros', '0001763812800', 1763812],
  ])('reads %s', (_label, text, seconds) => {
    expect(parseTimestampSeconds(text)).toBe(seconds);
  });

  it.each([
    ['undefined', undefined],
    ['empty', ''],
    ['negative', '-1763812800'],
    ['decimal', '1763812800.5'],
    ['exponent', '1e9'],
    ['hex', '0x1A'],
    ['padded with spaces', ' 1763812800'],
    ['letters', '17638128a0'],
    ['17 digits', '1'.repeat(17)],
    ['400 digits', '9'.repeat(400)],
  ])('refuses %s', (_label, text) => {
    expect(parseTimestampSeconds(text)).toBeUndefined();
  });
});

describe('verifyHmac: body signatures', () => {
  it('accepts a bare hex digest of the body', () => {
    expect(verify(bare, { 'X-Sig': mac(SECRET, BODY) })).toBe(true);
  });

  it('accepts a base64 digest of the body', () => {
    expect(verify(b64, { 'X-Sig': mac(SECRET, BODY, 'base64') })).toBe(true);
  });

  it('refuses a hex digest where base64 is expected, and the reverse', () => {
    expect(verify(b64, { 'X-Sig': mac(SECRET, BODY) })).toBe(false);
    expect(verify(bare, { 'X-Sig': mac(SECRET, BODY, 'base64') })).toBe(false);
  });

  it('accepts upper-case hex', () => {
    expect(verify(bare, { 'X-Sig': mac(SECRET, BODY).toUpperCase() })).toBe(true);
  });

  it('reads the header in any case', () => {
    expect(verify(bare, { 'x-sig': mac(SECRET, BODY) })).toBe(true);
    expect(verify(bare, { 'X-SIG': mac(SECRET, BODY) })).toBe(true);
  });

  it('ignores surrounding whitespace in the header', () => {
    expect(verify(bare, { 'X-Sig': `  ${mac(SECRET, BODY)} ` })).toBe(true);
  });

  it.each([
    ['with the prefix', `sha256=${mac(SECRET, BODY)}`, true],
    ['without the prefix', mac(SECRET, BODY), true],
    ['with the prefix twice', `sha256=sha256=${mac(SECRET, BODY)}`, false],
    ['with another prefix', `sha1=${mac(SECRET, BODY)}`, false],
    ['with the prefix in upper case', `SHA256=${mac(SECRET, BODY)}`, false],
  ])('prefix scheme: digest %s → %s', (_label, value, ok) => {
    expect(verify(prefixed, { 'X-Sig': value })).toBe(ok);
  });

  it('refuses a prefixed digest when the scheme has no prefix', () => {
    expect(verify(bare, { 'X-Sig': `sha256=${mac(SECRET, BODY)}` })).toBe(false);
  });

  it('refuses a tampered body', () => {
    expect(verify(bare, { 'X-Sig': mac(SECRET, BODY) }, BODY.replace('vl_1', 'vl_2'))).toBe(false);
  });

  it('refuses a digest made with another secret', () => {
    expect(verify(bare, { 'X-Sig': mac(OTHER_SECRET, BODY) })).toBe(false);
  });

  it('refuses when the secret is empty, even with a digest made with the empty key', () => {
    expect(verify(bare, { 'X-Sig': mac('', BODY) }, BODY, '')).toBe(false);
  });

  it('verifies the raw bytes: a body that is not UTF-8 still verifies', () => {
    const raw = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]);
    const digest = createHmac('sha256', SECRET).update(raw).digest('hex');
    expect(verifyHmac(headers({ 'X-Sig': digest }), raw, SECRET, NOW, bare)).toBe(true);
  });

  it('accepts an empty body signed as such', () => {
    expect(verify(bare, { 'X-Sig': mac(SECRET, '') }, '')).toBe(true);
  });

  it('does not look at any timestamp when only the body is signed', () => {
    const longAgo = new Date('2001-01-01T00:00:00Z');
    expect(verify(bare, { 'X-Sig': mac(SECRET, BODY) }, BODY, SECRET, longAgo)).toBe(true);
  });
});

describe('verifyHmac: key=value headers with timestamp.body', () => {
  const header = (t: string | number, ...sigs: string[]) => ({ 'X-Sig': [`t=${t}`, ...sigs.map((s) => `v1=${s}`)].join(',') });
  const good = (t: string | number = NOW_S) => mac(SECRET, `${t}.${BODY}`);

  it('accepts t=<seconds>,v1=<hex> over `${t}.${body}`', () => {
    expect(verify(pairs, header(NOW_S, good()))).toBe(true);
  });

  it('refuses a digest of the body alone', () => {
    expect(verify(pairs, header(NOW_S, mac(SECRET, BODY)))).toBe(false);
  });

  it('refuses when t was changed after signing', () => {
    expect(verify(pairs, header(NOW_S - 1, good(NOW_S)))).toBe(false);
  });

  it('accepts pairs in any order and with spaces around them', () => {
    expect(verify(pairs, { 'X-Sig': ` v1=${good()} , t=${NOW_S} ` })).toBe(true);
  });

  it.each([
    ['first of two', () => [good(), '0'.repeat(64)]],
    ['second of two', () => ['0'.repeat(64), good()]],
    ['last of three, after a malformed one', () => ['zz', mac(OTHER_SECRET, `${NOW_S}.${BODY}`), good()]],
  ])('accepts when any v1 entry matches (%s)', (_label, sigs) => {
    expect(verify(pairs, header(NOW_S, ...sigs()))).toBe(true);
  });

  it('refuses when no v1 entry matches', () => {
    expect(verify(pairs, header(NOW_S, '0'.repeat(64), mac(OTHER_SECRET, `${NOW_S}.${BODY}`)))).toBe(false);
  });

  it('skips entries of other keys even when they hold the right digest', () => {
    expect(verify(pairs, { 'X-Sig': `t=${NOW_S},v0=${good()},v2=${good()}` })).toBe(false);
  });

  it('accepts a comma-joined repeated header (as HTTP APIs deliver it) when one entry matches', () => {
    expect(verify(pairs, { 'X-Sig': `t=${NOW_S},v1=${'0'.repeat(64)}, t=${NOW_S},v1=${good()}` })).toBe(true);
  });

  it.each([
    ['exactly at the tolerance in the past', -300, true],
    ['exactly at the tolerance in the future', 300, true],
    ['1 s past the tolerance (stale)', -301, false],
    ['1 s past the tolerance (future)', 301, false],
    ['an hour old', -3600, false],
    ['an hour ahead', 3600, false],
    ['a day old', -86_400, false],
  ])('timestamp %s → %s', (_label, offset, ok) => {
    const t = NOW_S + offset;
    expect(verify(pairs, header(t, good(t)))).toBe(ok);
  });

  it('honours the scheme tolerance', () => {
    const t = NOW_S - 100;
    expect(verifyHmac(headers(header(t, good(t))), Buffer.from(BODY), SECRET, NOW, { ...pairs, toleranceSeconds: 60 })).toBe(false);
    expect(verifyHmac(headers(header(t, good(t))), Buffer.from(BODY), SECRET, NOW, { ...pairs, toleranceSeconds: 120 })).toBe(true);
  });

  it('accepts a timestamp in milliseconds, signing the digits as they were sent', () => {
    const ms = String(NOW.getTime() - 1234);
    expect(verify(pairs, header(ms, good(ms)))).toBe(true);
    // Signed with the seconds instead of the milliseconds that were sent: refused.
    expect(verify(pairs, header(ms, good(Math.floor(Number(ms) / 1000))))).toBe(false);
  });

  it.each([
    ['stale', -301_000, false],
    ['future', 301_000, false],
    ['299 s old', -299_000, true],
    ['299 s ahead', 299_000, true],
  ])('millisecond timestamp %s → %s', (_label, offsetMs, ok) => {
    const ms = String(NOW.getTime() + offsetMs);
    expect(verify(pairs, header(ms, good(ms)))).toBe(ok);
  });

  it('reads the timestamp from its own header when the scheme says so', () => {
    const t = String(NOW_S);
    expect(verify(tsHeader, { 'X-Sig': good(t), 'X-Timestamp': t })).toBe(true);
    expect(verify(tsHeader, { 'X-Sig': good(t), 'X-Timestamp': String(NOW_S - 301) })).toBe(false);
    expect(verify(tsHeader, { 'X-Sig': good(t) })).toBe(false);
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
    const h = make(good());
    expect(() => verify(pairs, h)).not.toThrow();
    expect(verify(pairs, h)).toBe(false);
  });
});

describe('verifyHmac never throws on what a sender controls', () => {
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

  it.each(cases)('bare scheme: %s → false', (_label, h) => {
    expect(() => verify(prefixed, h)).not.toThrow();
    expect(verify(prefixed, h)).toBe(false);
  });

  it.each(cases)('pairs scheme: %s → false', (_label, h) => {
    expect(() => verify(pairs, h)).not.toThrow();
    expect(verify(pairs, h)).toBe(false);
  });

  it.each([
    ['a 1 MB header', 'A'.repeat(1024 * 1024)],
    ['base64 of the wrong length', mac(SECRET, BODY, 'base64').slice(4)],
    ['base64 without padding', mac(SECRET, BODY, 'base64').replace(/=$/, '')],
    ['a character outside the base64 alphabet', `-${mac(SECRET, BODY, 'base64').slice(1)}`],
  ])('base64 scheme: %s → false without throwing', (_label, value) => {
    expect(() => verify(b64, { 'X-Sig': value })).not.toThrow();
    expect(verify(b64, { 'X-Sig': value })).toBe(false);
  });
});

describe('signHmac', () => {
  it('signs a bare digest of the body', () => {
    expect(signHmac(Buffer.from(BODY), SECRET, NOW, bare)).toEqual({ 'X-Sig': mac(SECRET, BODY) });
  });

  it('writes the prefix when the scheme has one', () => {
    expect(signHmac(Buffer.from(BODY), SECRET, NOW, prefixed)).toEqual({ 'X-Sig': `sha256=${mac(SECRET, BODY)}` });
  });

  it('signs base64', () => {
    expect(signHmac(Buffer.from(BODY), SECRET, NOW, b64)).toEqual({ 'X-Sig': mac(SECRET, BODY, 'base64') });
  });

  it('writes t=<seconds>,v1=<hex> over `${t}.${body}`', () => {
    expect(signHmac(Buffer.from(BODY), SECRET, NOW, pairs)).toEqual({ 'X-Sig': `t=${NOW_S},v1=${mac(SECRET, `${NOW_S}.${BODY}`)}` });
  });

  it('writes the timestamp header when the scheme has one', () => {
    expect(signHmac(Buffer.from(BODY), SECRET, NOW, tsHeader)).toEqual({ 'X-Sig': mac(SECRET, `${NOW_S}.${BODY}`), 'X-Timestamp': String(NOW_S) });
  });

  it.each([
    ['bare', bare],
    ['prefixed', prefixed],
    ['base64', b64],
    ['pairs', pairs],
    ['timestamp header', tsHeader],
  ])('round-trips through verifyHmac: %s', (_label, scheme) => {
    const h = signHmac(Buffer.from(BODY), SECRET, NOW, scheme);
    expect(verifyHmac(headers(h), Buffer.from(BODY), SECRET, NOW, scheme)).toBe(true);
    expect(verifyHmac(headers(h), Buffer.from(BODY), OTHER_SECRET, NOW, scheme)).toBe(false);
  });
});

describe('verifyStaticToken', () => {
  it.each([
    ['the exact token', { authorization: `Bearer ${SECRET}` }, true],
    ['another token', { authorization: `Bearer ${OTHER_SECRET}` }, false],
    ['the token without its prefix', { authorization: SECRET }, false],
    ['no header', {}, false],
    ['an empty header', { authorization: '' }, false],
    ['a 1 MB header', { authorization: 'x'.repeat(1024 * 1024) }, false],
  ])('%s', (_label, h, ok) => {
    expect(verifyStaticToken(headers(h as Record<string, string>), SECRET, 'Authorization', 'Bearer ')).toBe(ok);
  });

  it('refuses everything when the secret is empty', () => {
    expect(verifyStaticToken(headers({ authorization: 'Bearer ' }), '', 'authorization', 'Bearer ')).toBe(false);
  });
});

describe('generateHexSecret', () => {
  it('returns 32 random bytes as hex by default', () => {
    const a = generateHexSecret();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(generateHexSecret()).not.toBe(a);
  });

  it('takes a length in bytes', () => {
    expect(generateHexSecret(16)).toMatch(/^[0-9a-f]{32}$/);
  });
});
