import { Webhook } from 'standardwebhooks';
import { standardWebhooksScheme } from '../../lambda/schemes/standard-webhooks';
import { signWith } from '../../lambda/schemes/run';
import { outcome, T0, vector } from './helpers';

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
