import { Webhook } from 'standardwebhooks';
import { standardWebhooksScheme } from '../../lambda/schemes/standard-webhooks';
import { signWith } from '../../lambda/schemes/run';
import { directOutcome, outcome, T0, vector } from './helpers';

const scheme = standardWebhooksScheme();

describe('standard-webhooks scheme', () => {
  it('OpenAI: accepts the published vector, alone and inside a rotation list', async () => {
    const v = vector('openai-standardwebhooks');
    const headers = { 'webhook-id': v.webhookId, 'webhook-timestamp': String(v.timestamp), 'webhook-signature': v.signature };
    expect(await outcome(scheme, { headers, body: v.body }, v.secret)).toBe('ok');
    expect(await outcome(scheme, { headers: { ...headers, 'webhook-signature': `v1,AAAA ${v.signature}` }, body: v.body }, v.secret)).toBe('ok');
  });

  it('verifies what the standardwebhooks package signs, and the package verifies what it signs', async () => {
    const secret = scheme.generateCredential().secret;
    const body = '{"type":"call.completed"}';
    const now = new Date();
    const signature = new Webhook(secret).sign('msg_1', now, body);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature };
    expect(await outcome(scheme, { headers, body }, secret, now)).toBe('ok');
    const ours = signWith(scheme, { body: Buffer.from(body), id: 'msg_2' }, secret, now);
    expect(new Webhook(secret).verify(body, ours.headers)).toEqual(JSON.parse(body));
  });

  it('vouches for the body, webhook-id and webhook-timestamp; svix- headers with headerPrefix "svix"', async () => {
    expect(scheme.vouches).toEqual({ body: true, headers: ['webhook-id', 'webhook-timestamp'], url: false });
    const svix = standardWebhooksScheme({ headerPrefix: 'svix' });
    const secret = svix.generateCredential().secret;
    const signed = signWith(svix, { body: Buffer.from('{}'), id: 'msg_3' }, secret, T0);
    expect(Object.keys(signed.headers)).toEqual(expect.arrayContaining(['svix-id', 'svix-timestamp', 'svix-signature']));
    expect(await outcome(svix, { headers: signed.headers, body: '{}' }, secret)).toBe('ok');
  });

  it.each([
    ['no webhook-id', { 'webhook-timestamp': '1767225600', 'webhook-signature': 'v1,AAAA' }, 'missing-header'],
    ['a timestamp that is not digits', { 'webhook-id': 'a', 'webhook-timestamp': '1767225600.5', 'webhook-signature': 'v1,AAAA' }, 'malformed-signature'],
    ['a stale timestamp', { 'webhook-id': 'a', 'webhook-timestamp': '1767225299', 'webhook-signature': 'v1,AAAA' }, 'stale-timestamp'],
    ['a future timestamp', { 'webhook-id': 'a', 'webhook-timestamp': '1767225901', 'webhook-signature': 'v1,AAAA' }, 'future-timestamp'],
    ['no v1 entry', { 'webhook-id': 'a', 'webhook-timestamp': '1767225600', 'webhook-signature': 'v2,AAAA' }, 'malformed-signature'],
    ['another key', { 'webhook-id': 'a', 'webhook-timestamp': '1767225600', 'webhook-signature': 'v1,AAAA' }, 'no-key-matched'],
  ])('%s', async (_what, headers, reason) => {
    expect(await outcome(scheme, { headers, body: '{}' }, 'whsec_AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB')).toBe(reason);
  });
});

describe('standard-webhooks scheme: the reference vector and the edges', () => {
  // The reference test vector that every Standard Webhooks library tests against.
  const VECTOR = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const SECRET = 'whsec_' + Buffer.from('a 24 byte test secret...').toString('base64');
  const now = new Date('2026-11-22T12:00:00Z');
  const body = '{"type":"call.completed","data":{"call_id":"abc123"}}';

  /** Headers signed by the standardwebhooks package (the oracle). */
  function oracleSign(at: Date, id = 'msg_1', secret = SECRET): Record<string, string> {
    const signature = new Webhook(secret).sign(id, at, body);
    return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
  }

  const check = (headers: Record<string, string>, b: string = body, secret = SECRET, at = now) => directOutcome(scheme, { headers, body: b }, secret, at);

  it('accepts the reference test vector', () => {
    const headers = { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature };
    expect(check(headers, VECTOR.body, VECTOR.secret, new Date(VECTOR.timestamp * 1000))).toBe('ok');
  });

  it('reads the headers in any case', () => {
    const upper = Object.fromEntries(Object.entries(oracleSign(now)).map(([k, v]) => [k.toUpperCase(), v]));
    expect(check(upper)).toBe('ok');
  });

  it('refuses a tampered body, another secret, and a changed webhook-id (it is signed)', () => {
    expect(check(oracleSign(now), body.replace('abc123', 'abc124'))).toBe('no-key-matched');
    const other = 'whsec_' + Buffer.from('another secret of 24 b..').toString('base64');
    expect(check(oracleSign(now, 'msg_1', other))).toBe('no-key-matched');
    expect(check({ ...oracleSign(now), 'webhook-id': 'msg_other' })).toBe('no-key-matched');
  });

  it.each([
    ['stale by 301 s', -301_000, 'stale-timestamp'],
    ['future by 301 s', 301_000, 'future-timestamp'],
    ['299 s old', -299_000, 'ok'],
    ['299 s ahead', 299_000, 'ok'],
  ])('a timestamp %s → %s', (_label, offsetMs, reason) => {
    expect(check(oracleSign(new Date(now.getTime() + offsetMs)))).toBe(reason);
  });

  it('accepts when any v1 entry of a space-separated list matches, past entries of other versions', () => {
    const good = oracleSign(now);
    expect(check({ ...good, 'webhook-signature': `v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,whatever ${good['webhook-signature']}` })).toBe('ok');
  });

  it('skips entries of an unknown version even when their signature is right', () => {
    const good = oracleSign(now);
    expect(check({ ...good, 'webhook-signature': good['webhook-signature'].replace(/^v1,/, 'v2,') })).toBe('malformed-signature');
  });

  it.each([
    ['no headers', () => ({})],
    ['empty signature', () => ({ ...oracleSign(now), 'webhook-signature': '' })],
    ['signature without version', () => ({ ...oracleSign(now), 'webhook-signature': 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' })],
    ['truncated signature', () => ({ ...oracleSign(now), 'webhook-signature': 'v1,g0hM9SsE' })],
    ['very long signature', () => ({ ...oracleSign(now), 'webhook-signature': 'v1,' + 'A'.repeat(100_000) })],
    ['non-numeric timestamp', () => ({ ...oracleSign(now), 'webhook-timestamp': '16142653a0' })],
    ['negative timestamp', () => ({ ...oracleSign(now), 'webhook-timestamp': '-1614265330' })],
    ['huge timestamp', () => ({ ...oracleSign(now), 'webhook-timestamp': '9'.repeat(400) })],
    ['empty id', () => ({ ...oracleSign(now), 'webhook-id': '' })],
    ['comma-joined repeated header', () => ({ ...oracleSign(now), 'webhook-signature': 'v1,abc, v1,def' })],
  ])('refuses malformed headers without throwing: %s', (_label, make) => {
    expect(check(make())).not.toBe('ok');
  });

  it('refuses, without throwing, a secret that is not base64 and one that is empty', () => {
    expect(check(oracleSign(now), body, 'whsec_!!!')).toBe('no-key-matched');
    expect(check(oracleSign(now), body, '')).toBe('no-key-matched');
  });

  it('generates whsec_ secrets of 24 random bytes, the signing key being the secret', () => {
    const a = scheme.generateCredential();
    expect(a.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(a.secret.slice('whsec_'.length), 'base64')).toHaveLength(24);
    expect(a.signingKey).toBe(a.secret);
    expect(scheme.generateCredential().secret).not.toBe(a.secret);
  });
});
