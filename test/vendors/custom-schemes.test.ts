/**
 * Custom vendors described only in JSON, one per platform's scheme, each proven with the platform's own SDK:
 * the SDK signs and the configured vendor verifies (twilio, retell-sdk, livekit-server-sdk, standardwebhooks),
 * or the SDK first verifies what the test signs (telnyx, @elevenlabs/elevenlabs-js, @vonage/jwt).
 */
import { createHash, createHmac } from 'node:crypto';
import { dirname, join } from 'node:path';
import twilio from 'twilio';
import Retell from 'retell-sdk';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import { AccessToken } from 'livekit-server-sdk';
import { Webhook } from 'standardwebhooks';
import { resolveConfig } from '../../lambda/config/config';
import { Headers } from '../../lambda/core/http';
import type { Delivery } from '../../lambda/core/http';
import { handle } from '../../lambda/core/pipeline';
import { createVendorAdapters } from '../../lambda/vendors';
import { splitUrl } from '../../lambda/core/scheme-request';
import { memoryWorld } from '../helpers/memory';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { verifySignature: vonageVerify } = require(join(dirname(require.resolve('@vonage/jwt')), 'verifySignature.js')) as { verifySignature: (jwt: string, secret: string) => boolean };

/** The pipeline serving one custom vendor, described by `vendor` (JSON), with `secret` as its endpoint's secret. */
function serve(vendor: Record<string, unknown>, secret: string) {
  const config = resolveConfig({ vendors: {}, customVendors: [vendor] });
  const { adapters, endpoints } = createVendorAdapters(config.vendors);
  const world = memoryWorld([...adapters.values()], { [vendor.name as string]: secret });
  const deps = { ...world.deps, adapters, endpoints };
  return {
    world,
    post: (parts: { body: string | Buffer; headers: Record<string, string>; url?: string; now?: Date }) => {
      const url = splitUrl(parts.url ?? `https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/${vendor.name as string}`)!;
      const d: Delivery = {
        vendor: vendor.name as string, method: 'POST', url, headers: new Headers(Object.entries(parts.headers)),
        query: Object.fromEntries(new URLSearchParams(url.rawQuery)), body: Buffer.from(parts.body), receivedAt: parts.now ?? new Date(),
      };
      return handle(d, deps);
    },
  };
}

describe('custom vendors, every scheme from configuration alone', () => {
  it('Retell-style: retell-sdk signs, the JSON-described vendor publishes once', async () => {
    const v = serve({
      name: 'retellish', fields: { eventType: '/event', eventId: '/call/call_id' },
      auth: { scheme: 'hmac', header: 'x-retell-signature', signatures: 'pairs', timestampKey: 'v', signatureKey: 'd', timestampUnit: 'ms', template: '{body}{timestamp}' },
    }, 'key_1');
    const body = '{"event":"call_ended","call":{"call_id":"c1"}}';
    const headers = { 'x-retell-signature': await Retell.sign(body, 'key_1') };
    expect((await v.post({ body, headers })).outcome).toBe('published');
    expect((await v.post({ body, headers })).outcome).toBe('duplicate');
    expect((await v.post({ body: body.replace('c1', 'c2'), headers })).refusal).toBe('no-key-matched');
  });

  it('ElevenLabs-style: the SDK verifies the test\'s signature first, then the vendor accepts it', async () => {
    const v = serve({
      name: 'elevenish', fields: { eventType: '/type', eventId: '/data/conversation_id' },
      auth: { scheme: 'hmac', header: 'ElevenLabs-Signature', signatures: 'pairs', timestampKey: 't', signatureKey: 'v0', template: '{timestamp}.{body}' },
      toleranceSeconds: 1800,
    }, 'wsec_x');
    const body = '{"type":"post_call_transcription","data":{"conversation_id":"conv_1"}}';
    const t = Math.floor(Date.now() / 1000);
    const header = `t=${t},v0=${createHmac('sha256', 'wsec_x').update(`${t}.${body}`).digest('hex')}`;
    await expect(new ElevenLabsClient({ apiKey: 'unused' }).webhooks.constructEvent(body, header, 'wsec_x')).resolves.toBeDefined();
    expect((await v.post({ body, headers: { 'ElevenLabs-Signature': header } })).outcome).toBe('published');
  });

  it('Ultravox-style: a comma list of signatures over body + ISO timestamp', async () => {
    const v = serve({
      name: 'ultraish', fields: { eventType: '/event', eventId: '/call/callId' },
      auth: { scheme: 'hmac', header: 'X-Ultravox-Webhook-Signature', signatures: 'comma-list', timestampHeader: 'X-Ultravox-Webhook-Timestamp', timestampUnit: 'iso', template: '{body}{timestamp}' },
    }, 'uv_new');
    const body = '{"event":"call.ended","call":{"callId":"u1"}}';
    const ts = new Date().toISOString().replace('Z', '000');
    const mac = (k: string) => createHmac('sha256', k).update(body + ts).digest('hex');
    const headers = { 'X-Ultravox-Webhook-Signature': `${mac('uv_old')},${mac('uv_new')}`, 'X-Ultravox-Webhook-Timestamp': ts };
    expect((await v.post({ body, headers })).outcome).toBe('published');
  });

  it('Zoom-style: the endpoint.url_validation handshake is answered, events verify', async () => {
    const v = serve({
      name: 'zoomish', fields: { eventType: '/event' },
      auth: { scheme: 'hmac', header: 'x-zm-signature', prefix: 'v0=', timestampHeader: 'x-zm-request-timestamp', template: 'v0:{timestamp}:{body}', handshake: 'zoom-url-validation' },
    }, 'zoom_secret_token');
    const sign = (body: string) => {
      const ts = String(Math.floor(Date.now() / 1000));
      return { 'x-zm-request-timestamp': ts, 'x-zm-signature': `v0=${createHmac('sha256', 'zoom_secret_token').update(`v0:${ts}:${body}`).digest('hex')}` };
    };
    const challenge = '{"event":"endpoint.url_validation","payload":{"plainToken":"abc"}}';
    const answered = await v.post({ body: challenge, headers: sign(challenge) });
    expect(answered.outcome).toBe('handshake');
    expect(answered.reply.body).toEqual({ plainToken: 'abc', encryptedToken: '5814d29f68ecb19a0cbe0e4d2b7287fce293fed61159e7d148ff6da1afbd7099' });
    expect(v.world.publisher.published).toHaveLength(0);
    const event = '{"event":"phone.callee_ended","payload":{"object":{"call_id":"123"}}}';
    expect((await v.post({ body: event, headers: sign(event) })).outcome).toBe('published');
  });

  it('Telnyx-style Ed25519: the public key is the secret; telnyx\'s SDK verifies the test\'s signature first', async () => {
    const { generateKeyPairSync, sign } = require('node:crypto') as typeof import('node:crypto');
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const publicB64 = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('base64');
    const v = serve({
      name: 'telnyxish', fields: { eventType: '/data/event_type', eventId: '/data/id' },
      auth: { scheme: 'public-key', signatureHeader: 'telnyx-signature-ed25519', timestampHeader: 'telnyx-timestamp' },
    }, publicB64);
    const body = '{"data":{"event_type":"call.hangup","id":"e-1"},"meta":{"attempt":1}}';
    const ts = String(Math.floor(Date.now() / 1000));
    const headers = { 'telnyx-timestamp': ts, 'telnyx-signature-ed25519': sign(null, Buffer.from(`${ts}|${body}`), privateKey).toString('base64') };
    await expect(new TelnyxWebhook(publicB64).verify(body, headers)).resolves.toBeUndefined();
    expect((await v.post({ body, headers })).outcome).toBe('published');
  });

  it('Twilio-style URL signing, with a query string and behind a publicUrl: twilio signs', async () => {
    const v = serve({
      name: 'twilioish', fields: { eventType: '/CallStatus', eventId: '/CallSid', callId: '/CallSid' },
      auth: { scheme: 'url-signing', form: 'twilio' },
      publicUrl: 'https://hooks.acme.com/twilio/status',
    }, 'auth_token');
    const params = { CallSid: 'CA1', CallStatus: 'completed' };
    const signature = twilio.getExpectedTwilioSignature('auth_token', 'https://hooks.acme.com/twilio/status?tenant=acme', params);
    const handled = await v.post({
      url: 'https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/twilioish?tenant=acme',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    expect(handled.outcome).toBe('published');
    expect(v.world.publisher.published[0].detail).toMatchObject({ vendorEventType: 'completed', callId: 'CA1' });
    const forged = await v.post({ url: 'https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/twilioish?tenant=other', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params).toString() });
    expect(forged.refusal).toBe('no-key-matched');
  });

  it('Vonage-style JWT with payload_hash: @vonage/jwt verifies the test\'s token first', async () => {
    const v = serve({
      name: 'vonageish', fields: { eventType: '/status', eventId: '/uuid' },
      auth: { scheme: 'jwt', bodyHashClaim: 'payload_hash', bodyHashEncoding: 'hex' },
    }, 'sig_secret');
    const body = '{"uuid":"u1","status":"completed"}';
    const b64u = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u({ iat: Math.floor(Date.now() / 1000), jti: 'j1', iss: 'Vonage', payload_hash: createHash('sha256').update(body).digest('hex') })}`;
    const token = `${input}.${createHmac('sha256', 'sig_secret').update(input).digest('base64url')}`;
    expect(vonageVerify(token, 'sig_secret')).toBe(true);
    expect((await v.post({ body, headers: { authorization: `Bearer ${token}` } })).outcome).toBe('published');
    expect((await v.post({ body: body.replace('u1', 'u2'), headers: { authorization: `Bearer ${token}` } })).refusal).toBe('body-mismatch');
  });

  it('a JWT without a body hash: its verified claims decide the dedup key and the type (claim:<name>)', async () => {
    const v = serve({
      name: 'claimish', fields: { eventType: 'claim:event', eventId: 'claim:event_id', callId: '/call_id' },
      auth: { scheme: 'jwt', requireExp: true },
    }, 'claim_secret');
    const b64u = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const tokenOf = (claims: Record<string, unknown>) => {
      const iat = Math.floor(Date.now() / 1000);
      const input = `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u({ iat, exp: iat + 60, ...claims })}`;
      const token = `${input}.${createHmac('sha256', 'claim_secret').update(input).digest('base64url')}`;
      expect(vonageVerify(token, 'claim_secret')).toBe(true);
      return { authorization: `Bearer ${token}` };
    };
    const headers = tokenOf({ event: 'call.completed', event_id: 'evt_1' });
    const first = await v.post({ body: '{"call_id":"c1"}', headers });
    expect(first.outcome).toBe('published');
    const [published] = v.world.publisher.published;
    expect(published.detail).toMatchObject({ vendorEventType: 'call.completed', callId: 'c1' });
    // The body is not signed: the same token with another body is the same event, never a second one.
    expect((await v.post({ body: '{"call_id":"c2"}', headers })).outcome).toBe('duplicate');
    // Another id in the signed claims is another event.
    expect((await v.post({ body: '{"call_id":"c1"}', headers: tokenOf({ event: 'call.completed', event_id: 'evt_2' }) })).outcome).toBe('published');
    expect(new Set(v.world.publisher.published.map((e) => e.detail.eventId)).size).toBe(2);
    // Without the claim there is no signed dedup key: a 400, nothing kept (never a digest of the unsigned body).
    const missing = await v.post({ body: '{"call_id":"c3"}', headers: tokenOf({ event: 'call.completed' }) });
    expect(missing.outcome).toBe('bad_request');
    // An integer claim beyond 2^53 was rounded when the token was parsed: not an exact id, so not a key.
    expect((await v.post({ body: '{"call_id":"c4"}', headers: tokenOf({ event: 'call.completed', event_id: 2 ** 53 + 2 }) })).outcome).toBe('bad_request');
    expect((await v.post({ body: '{"call_id":"c5"}', headers: tokenOf({ event: 'call.completed', event_id: 42 }) })).outcome).toBe('published');
    expect(v.world.publisher.published).toHaveLength(3);
  });

  it('LiveKit-style JWT: AccessToken signs; the secret holds the API key and secret', async () => {
    const v = serve({
      name: 'livekitish', fields: { eventType: '/event', eventId: '/id' },
      auth: { scheme: 'jwt', bodyHashClaim: 'sha256', bodyHashEncoding: 'base64', keyed: true, requireExp: true },
    }, JSON.stringify({ key: 'APIkey', secret: 'lk-secret-of-a-decent-length' }));
    const body = '{"event":"participant_joined","id":"EV_1"}';
    const at = new AccessToken('APIkey', 'lk-secret-of-a-decent-length');
    at.sha256 = createHash('sha256').update(body).digest('base64');
    expect((await v.post({ body, headers: { authorization: await at.toJwt() } })).outcome).toBe('published');
  });

  it('Standard Webhooks with svix- headers: standardwebhooks signs', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const v = serve({ name: 'svixish', fields: { eventType: '/type' }, auth: { scheme: 'standard-webhooks', headerPrefix: 'svix' } }, secret);
    const body = '{"type":"call.completed"}';
    const now = new Date();
    const signature = new Webhook(secret).sign('msg_1', now, body);
    const headers = { 'svix-id': 'msg_1', 'svix-timestamp': String(Math.floor(now.getTime() / 1000)), 'svix-signature': signature };
    const handled = await v.post({ body, headers });
    expect(handled.outcome).toBe('published');
    expect(v.world.publisher.published[0].detail.eventId).toBeDefined();
  });

  it('only signed bytes decide: a source the scheme does not vouch for is refused at configuration', () => {
    expect(() => resolveConfig({ vendors: {}, customVendors: [{ name: 'x', fields: { eventType: '/type' }, auth: { scheme: 'jwt' } }] }))
      .toThrow('customVendors[0].fields.eventId is required: the jwt scheme does not sign the body');
    expect(() => resolveConfig({ vendors: {}, customVendors: [{ name: 'x', fields: { eventType: 'header:telnyx-signature-ed25519', eventId: '/id' }, auth: { scheme: 'public-key', signatureHeader: 'telnyx-signature-ed25519', timestampHeader: 'telnyx-timestamp' } }] }))
      .toThrow('reads a header that the public-key scheme does not sign');
    expect(() => resolveConfig({ vendors: {}, customVendors: [{ name: 'x', fields: { eventType: '/type' }, auth: { scheme: 'hmac', header: 'x-sig', template: '{nonce}{body}' } }] }))
      .toThrow('unknown placeholder {nonce}');
    // Claims exist only where a JWT was verified; without a body hash the body may not decide.
    expect(() => resolveConfig({ vendors: {}, customVendors: [{ name: 'x', fields: { eventType: '/type', eventId: 'claim:jti' }, auth: { scheme: 'hmac', header: 'x-sig', template: '{body}' } }] }))
      .toThrow('customVendors[0].fields.eventId "claim:jti" reads a JWT claim, and the hmac scheme has no claims (only jwt does)');
    expect(() => resolveConfig({ vendors: {}, customVendors: [{ name: 'x', fields: { eventType: '/type', eventId: 'claim:jti' }, auth: { scheme: 'jwt' } }] }))
      .toThrow('"/type" reads the body, which the jwt scheme does not sign: the event type must come from signed bytes (claim:<name>)');
    expect(() => resolveConfig({ vendors: {}, customVendors: [{ name: 'x', fields: { eventType: 'claims:type' }, auth: { scheme: 'jwt' } }] }))
      .toThrow('must be a JSON pointer ("/a/b"), "header:<name>" or "claim:<name>"');
  });
});
