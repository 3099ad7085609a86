import { Webhook } from 'standardwebhooks';
import { Headers } from '../../lambda/core/http';
import { signStandardWebhook, verifyStandardWebhook } from '../../lambda/core/standard-webhooks';

// The reference test vector that every Standard Webhooks library tests against (VENDOR-FACTS.md).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const SECRET = 'whsec_' + Buffer.from('a 24 byte test secret...').toString('base64');
const TOLERANCE = 300;

function headers(h: Record<string, string>) {
  return new Headers(Object.entries(h));
}

function oracleSign(body: string, at: Date, id = 'msg_1', secret = SECRET) {
  const signature = new Webhook(secret).sign(id, at, body);
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
}

describe('verifyStandardWebhook', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  const body = '{"type":"call.completed","data":{"call_id":"abc123"}}';

  it('accepts the reference test vector', () => {
    const at = new Date(VECTOR.timestamp * 1000);
    const h = headers({ 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature });
    expect(verifyStandardWebhook(h, Buffer.from(VECTOR.body), VECTOR.secret, at, TOLERANCE)).toBe(true);
  });

  it('accepts what the reference package signs', () => {
    expect(verifyStandardWebhook(headers(oracleSign(body, now)), Buffer.from(body), SECRET, now, TOLERANCE)).toBe(true);
  });

  it('signs what the reference package verifies', () => {
    const signed = signStandardWebhook(Buffer.from(body), SECRET, now, 'msg_2');
    jest.useFakeTimers({ now });
    try {
      expect(new Webhook(SECRET).verify(body, signed)).toEqual(JSON.parse(body));
    } finally {
      jest.useRealTimers();
    }
  });

  it('reads headers in any case', () => {
    const h = Object.fromEntries(Object.entries(oracleSign(body, now)).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyStandardWebhook(headers(h), Buffer.from(body), SECRET, now, TOLERANCE)).toBe(true);
  });

  it('refuses a tampered body', () => {
    expect(verifyStandardWebhook(headers(oracleSign(body, now)), Buffer.from(body.replace('abc123', 'abc124')), SECRET, now, TOLERANCE)).toBe(false);
  });

  it('refuses a signature made with another secret', () => {
    const other = 'whsec_' + Buffer.from('another secret of 24 b..').toString('base64');
    expect(verifyStandardWebhook(headers(oracleSign(body, now, 'msg_1', other)), Buffer.from(body), SECRET, now, TOLERANCE)).toBe(false);
  });

  it('refuses a changed webhook-id (it is signed)', () => {
    const h = { ...oracleSign(body, now), 'webhook-id': 'msg_other' };
    expect(verifyStandardWebhook(headers(h), Buffer.from(body), SECRET, now, TOLERANCE)).toBe(false);
  });

  it.each([
    ['stale by 301 s', -301_000, false],
    ['future by 301 s', 301_000, false],
    ['299 s old', -299_000, true],
    ['299 s ahead', 299_000, true],
  ])('timestamp %s', (_label, offsetMs, ok) => {
    const at = new Date(now.getTime() + offsetMs);
    expect(verifyStandardWebhook(headers(oracleSign(body, at)), Buffer.from(body), SECRET, now, TOLERANCE)).toBe(ok);
  });

  it('accepts when any v1 entry of a space-separated list matches (rotation)', () => {
    const good = oracleSign(body, now);
    const h = { ...good, 'webhook-signature': `v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,whatever ${good['webhook-signature']}` };
    expect(verifyStandardWebhook(headers(h), Buffer.from(body), SECRET, now, TOLERANCE)).toBe(true);
  });

  it('skips entries of an unknown version even when their signature is right', () => {
    const good = oracleSign(body, now);
    const h = { ...good, 'webhook-signature': good['webhook-signature'].replace(/^v1,/, 'v2,') };
    expect(verifyStandardWebhook(headers(h), Buffer.from(body), SECRET, now, TOLERANCE)).toBe(false);
  });

  it.each([
    ['no headers', {}],
    ['empty signature', { 'webhook-signature': '' }],
    ['signature without version', { 'webhook-signature': 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }],
    ['truncated signature', { 'webhook-signature': 'v1,g0hM9SsE' }],
    ['very long signature', { 'webhook-signature': 'v1,' + 'A'.repeat(100_000) }],
    ['non-numeric timestamp', { 'webhook-timestamp': '16142653a0' }],
    ['negative timestamp', { 'webhook-timestamp': '-1614265330' }],
    ['huge timestamp', { 'webhook-timestamp': '9'.repeat(400) }],
    ['empty id', { 'webhook-id': '' }],
    ['comma-joined repeated header', { 'webhook-signature': 'v1,abc, v1,def' }],
  ])('refuses malformed headers without throwing: %s', (_label, override) => {
    const h = { ...oracleSign(body, now), ...override } as Record<string, string>;
    const input = _label === 'no headers' ? {} : h;
    expect(() => verifyStandardWebhook(headers(input), Buffer.from(body), SECRET, now, TOLERANCE)).not.toThrow();
    expect(verifyStandardWebhook(headers(input), Buffer.from(body), SECRET, now, TOLERANCE)).toBe(false);
  });

  it('refuses with a secret that is not valid base64, without throwing', () => {
    expect(verifyStandardWebhook(headers(oracleSign(body, now)), Buffer.from(body), 'whsec_!!!', now, TOLERANCE)).toBe(false);
  });
});
