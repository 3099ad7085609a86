import twilio from 'twilio';
import { urlSigningScheme } from '../../lambda/schemes/url-signing';
import { signWith } from '../../lambda/schemes/run';
import { outcome, request, vector } from './helpers';

const scheme = urlSigningScheme({ form: 'twilio' });
const FORM = 'application/x-www-form-urlencoded';
const PARAMS = { CallSid: 'CA1234567890ABCDE', CallStatus: 'completed', From: '+14155550100', To: '+14155550199', CallDuration: '42' };
const formBody = (params: Record<string, string>) => new URLSearchParams(params).toString();

describe('url-signing scheme: Twilio', () => {
  const url = 'https://example.com/twilio/voice/status?tenant=acme';
  const headers = (signature: string, extra: Record<string, string> = {}) => ({ 'content-type': FORM, 'x-twilio-signature': signature, ...extra });

  it('accepts the published SHA-1 vector: the URL with its query + the sorted form fields', async () => {
    expect(await outcome(scheme, { url, headers: headers(vector('twilio-sha1').signature), body: formBody(PARAMS) }, '12345')).toBe('ok');
  });

  it('accepts the SharedKey vector (HMAC-SHA256, named by X-Twilio-Webhooks-Signature-Settings)', async () => {
    const h = headers(vector('twilio-sha256-sharedkey').signature, { 'x-twilio-webhooks-signature-settings': 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256' });
    expect(await outcome(scheme, { url, headers: h, body: formBody(PARAMS) }, 'sharedkeysecret')).toBe('ok');
    expect(await outcome(scheme, { url, headers: { ...h, 'x-twilio-webhooks-signature-settings': 'algorithm=HMAC_MD5' }, body: formBody(PARAMS) }, 'sharedkeysecret')).toBe('malformed-signature');
  });

  it('accepts the JSON vector: the body through bodySHA256, and refuses another body', async () => {
    const v = vector('twilio-json-bodySHA256');
    const body = '{"CallSid":"CA1","CallStatus":"completed"}';
    const h = { 'content-type': 'application/json', 'x-twilio-signature': v.signature };
    expect(await outcome(scheme, { url: v.url, headers: h, body }, '12345')).toBe('ok');
    expect(await outcome(scheme, { url: v.url, headers: h, body: body.replace('CA1', 'CA2') }, '12345')).toBe('body-mismatch');
  });

  it('behind a publicUrl (custom domain): verifies the URL Twilio called, with the query the request carries', async () => {
    const signature = twilio.getExpectedTwilioSignature('tok', 'https://hooks.acme.com/twilio/status?tenant=acme', PARAMS);
    const arrived = 'https://abc123.execute-api.eu-west-1.amazonaws.com/webhooks/twilio?tenant=acme';
    expect(await outcome(scheme, { url: arrived, headers: headers(signature), body: formBody(PARAMS) }, 'tok')).toBe('no-key-matched');
    expect(await outcome(scheme, { url: arrived, publicUrl: 'https://hooks.acme.com/twilio/status', headers: headers(signature), body: formBody(PARAMS) }, 'tok')).toBe('ok');
  });

  it('tries the port variants twilio-node tries (signed with :443, received without, and the reverse)', async () => {
    const withPort = twilio.getExpectedTwilioSignature('tok', 'https://example.com:443/twilio/voice/status?tenant=acme', PARAMS);
    expect(await outcome(scheme, { url, headers: headers(withPort), body: formBody(PARAMS) }, 'tok')).toBe('ok');
    const without = twilio.getExpectedTwilioSignature('tok', url, PARAMS);
    expect(await outcome(scheme, { url: 'https://example.com:443/twilio/voice/status?tenant=acme', headers: headers(without), body: formBody(PARAMS) }, 'tok')).toBe('ok');
  });

  it('repeated fields: each distinct value sorted, as twilio-node signs them', async () => {
    const body = 'To=%2B1&Tag=b&Tag=a&Tag=b';
    const signature = twilio.getExpectedTwilioSignature('tok', url, { To: '+1', Tag: ['b', 'a', 'b'] });
    expect(await outcome(scheme, { url, headers: headers(signature), body }, 'tok')).toBe('ok');
  });

  it('signs what twilio-node validates: a form, and a JSON body with bodySHA256 added to the URL', () => {
    const form = signWith(scheme, { url, body: Buffer.from(formBody(PARAMS)), contentType: FORM }, 'tok', new Date());
    expect(twilio.validateRequest('tok', form.headers['X-Twilio-Signature'], form.url, PARAMS)).toBe(true);
    const body = '{"CallSid":"CA9"}';
    const json = signWith(scheme, { url, body: Buffer.from(body) }, 'tok', new Date());
    expect(json.url).toMatch(/[?&]bodySHA256=[0-9a-f]{64}$/);
    expect(twilio.validateRequestWithBody('tok', json.headers['X-Twilio-Signature'], json.url, body)).toBe(true);
  });

  it('refuses a non-form body that bodySHA256 does not cover, a missing header and a wrong token', async () => {
    const signature = twilio.getExpectedTwilioSignature('tok', url, {});
    expect(await outcome(scheme, { url, headers: { 'content-type': 'application/json', 'x-twilio-signature': signature }, body: '{"a":1}' }, 'tok')).toBe('body-mismatch');
    expect(await outcome(scheme, { url, headers: { 'content-type': FORM }, body: formBody(PARAMS) }, 'tok')).toBe('missing-header');
    expect(await outcome(scheme, { url, headers: headers(vector('twilio-sha1').signature), body: formBody(PARAMS) }, 'another')).toBe('no-key-matched');
  });
});

describe('url-signing scheme: Plivo V3', () => {
  const plivo = urlSigningScheme({ form: 'plivo-v3' });
  const params = { CallUUID: 'abc-123', CallStatus: 'completed', Duration: '12', From: '14155550100', To: '14155550199' };
  const nonce = '05429567804466091622';

  it('accepts the published POST vectors, without and with a query', async () => {
    const h = (sig: string) => ({ 'content-type': FORM, 'x-plivo-signature-v3': sig, 'x-plivo-signature-v3-nonce': nonce });
    expect(await outcome(plivo, { url: 'https://example.com/plivo/hangup', headers: h(vector('plivo-v3-post').signature), body: formBody(params) }, 'plivo-auth-token')).toBe('ok');
    expect(await outcome(plivo, { url: 'https://example.com/plivo/hangup?b=2&a=1', headers: h(vector('plivo-v3-post-with-query').signature), body: formBody(params) }, 'plivo-auth-token')).toBe('ok');
    expect(await outcome(plivo, { url: 'https://example.com/plivo/hangup', headers: h(`AAAA,${vector('plivo-v3-post').signature}`), body: formBody(params) }, 'plivo-auth-token')).toBe('ok');
    expect(await outcome(plivo, { url: 'https://example.com/plivo/hangup', headers: { ...h(vector('plivo-v3-post').signature), 'x-plivo-signature-v3-nonce': '1' }, body: formBody(params) }, 'plivo-auth-token')).toBe('no-key-matched');
  });

  it('verifies what it signs, GET included', async () => {
    for (const method of ['POST', 'GET']) {
      const url = method === 'GET' ? `https://example.com/plivo/hangup?${formBody(params)}` : 'https://example.com/plivo/hangup';
      const body = method === 'GET' ? '' : formBody(params);
      const signed = signWith(plivo, { method, url, body: Buffer.from(body), contentType: FORM }, 'tok', new Date());
      expect(await outcome(plivo, { method, url, headers: signed.headers, body }, 'tok')).toBe('ok');
    }
  });
});

describe('url-signing scheme: credentials', () => {
  it.each([
    ['Twilio', urlSigningScheme({ form: 'twilio' })],
    ['Plivo', urlSigningScheme({ form: 'plivo-v3' })],
  ])('%s: a signed request verified with a credential that is not a shared secret is refused with wrong-key-kind; an empty secret never matches', async (_vendor, s) => {
    const signed = signWith(s, { body: Buffer.from(formBody(PARAMS)), contentType: FORM, url: 'https://example.com/hook' }, 'tok', new Date());
    const req = request({ url: signed.url, headers: signed.headers, body: signed.body });
    expect(await s.verify(req, [{ kind: 'secret', secret: 'tok' }], new Date())).toMatchObject({ ok: true, credential: 0 });
    expect(await s.verify(req, [{ kind: 'secret', secret: 'tok' }, { kind: 'fields', fields: { key: 'k' } }], new Date())).toEqual({ ok: false, reason: 'wrong-key-kind' });
    expect(await s.verify(req, [{ kind: 'secret', secret: '' }], new Date())).toEqual({ ok: false, reason: 'no-key-matched' });
  });
});
