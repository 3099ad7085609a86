/**
 * The platform vendors' options and their answers through the pipeline: Twilio's `publicUrl` (per endpoint) and its
 * SharedKey SHA-256 signatures; Vapi's `auth` modes; synchronous messages answered 422 with nothing stored (and
 * never before authentication); the options' validation messages.
 */
import { createHmac } from 'node:crypto';
import twilioSdk from 'twilio';
import { resolveConfig, type CallhooksConfig } from '../../lambda/config/config';
import { Headers, type Delivery } from '../../lambda/core/http';
import { outcomeOf } from '../../lambda/core/outcome';
import { handleDelivery } from '../../lambda/core/pipeline';
import { createVendorAdapters } from '../../lambda/vendors';
import { fixtureBody, loadFixtures } from '../helpers/fixtures';
import { memoryWorld } from '../helpers/memory';

const API = { scheme: 'https', host: 'abc123.execute-api.eu-west-1.amazonaws.com' };

function worldOf(config: CallhooksConfig, secrets: Record<string, string>) {
  const { adapters, endpoints } = createVendorAdapters(resolveConfig(config).vendors);
  const w = memoryWorld([...adapters.values()], secrets);
  return { ...w, deps: { ...w.deps, endpoints } };
}

function delivery(vendor: string, endpoint: string, body: Buffer, headers: Record<string, string>, contentType: string): Delivery {
  const rawPath = endpoint === 'default' ? `/webhooks/${vendor}` : `/webhooks/${vendor}/${endpoint}`;
  return {
    vendor, endpoint, method: 'POST', url: { ...API, rawPath, rawQuery: '' },
    headers: new Headers([...Object.entries(headers), ['content-type', contentType]]), query: {}, body, receivedAt: new Date(),
  };
}

describe('Twilio', () => {
  const TOKEN = 'twilio_auth_token_1';
  const form = fixtureBody(loadFixtures('twilio').find((f) => f.name === 'call-status-completed')!);
  const params = Object.fromEntries(new URLSearchParams(form.toString('utf8')));
  const FORM = 'application/x-www-form-urlencoded';

  it('behind a custom domain, verifies against publicUrl (per endpoint), not the URL the request arrived at', async () => {
    // Prepare
    const config: CallhooksConfig = { vendors: { twilio: { endpoints: { default: { publicUrl: 'https://hooks.example.com/twilio' }, acme: { publicUrl: 'https://hooks.example.com/twilio/acme' } } } } };
    const w = worldOf(config, { twilio: TOKEN, 'twilio/acme': TOKEN });
    const without = worldOf({ vendors: { twilio: true } }, { twilio: TOKEN });
    const sig = (url: string) => ({ 'X-Twilio-Signature': twilioSdk.getExpectedTwilioSignature(TOKEN, url, params) });

    // Act
    const atDefault = await handleDelivery(delivery('twilio', 'default', form, sig('https://hooks.example.com/twilio'), FORM), w.deps);
    const atAcme = await handleDelivery(delivery('twilio', 'acme', form, sig('https://hooks.example.com/twilio/acme'), FORM), w.deps);
    const acmeWithDefaultsUrl = await handleDelivery(delivery('twilio', 'acme', form, sig('https://hooks.example.com/twilio'), FORM), w.deps);
    const noPublicUrl = await handleDelivery(delivery('twilio', 'default', form, sig('https://hooks.example.com/twilio'), FORM), without.deps);

    // Assert
    expect(atDefault.statusCode).toBe(200);
    expect(atAcme.statusCode).toBe(200);
    expect(acmeWithDefaultsUrl.statusCode).toBe(401);
    expect(noPublicUrl.statusCode).toBe(401);
  });

  it('accepts a Webhook Rule\'s SharedKey signature (HMAC-SHA256, as the settings header says)', async () => {
    const w = worldOf({ vendors: { twilio: true } }, { twilio: 'sharedkeysecret' });
    const url = `https://${API.host}/webhooks/twilio`;
    const headers = {
      'X-Twilio-Signature': twilioSdk.getExpectedTwilioSignature('sharedkeysecret', url, params, 'HMAC_SHA256'),
      'X-Twilio-Webhooks-Signature-Settings': 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256',
    };
    expect((await handleDelivery(delivery('twilio', 'default', form, headers, FORM), w.deps)).statusCode).toBe(200);
    const { 'X-Twilio-Webhooks-Signature-Settings': _settings, ...sha1Claimed } = headers;
    expect((await handleDelivery(delivery('twilio', 'default', form, sha1Claimed, FORM), w.deps)).statusCode).toBe(401);
  });

  it('with signatureAlgorithm pinned (per endpoint), accepts only that HMAC, as validateRequest(…, algorithm) does', async () => {
    const config: CallhooksConfig = { vendors: { twilio: { signatureAlgorithm: 'sha256', endpoints: { default: {}, legacy: { signatureAlgorithm: 'sha1' } } } } };
    const w = worldOf(config, { twilio: 'sharedkeysecret', 'twilio/legacy': 'sharedkeysecret' });
    const urlOf = (endpoint: string) => `https://${API.host}/webhooks/twilio${endpoint === 'default' ? '' : `/${endpoint}`}`;
    const sha256 = (endpoint: string) => ({ 'X-Twilio-Signature': twilioSdk.getExpectedTwilioSignature('sharedkeysecret', urlOf(endpoint), params, 'HMAC_SHA256') });
    const sha1 = (endpoint: string) => ({ 'X-Twilio-Signature': twilioSdk.getExpectedTwilioSignature('sharedkeysecret', urlOf(endpoint), params) });
    const announcing256 = { 'X-Twilio-Webhooks-Signature-Settings': 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256' };
    const status = async (endpoint: string, headers: Record<string, string>) =>
      (await handleDelivery(delivery('twilio', endpoint, form, headers, FORM), w.deps)).statusCode;

    // Refused first, so that nothing they did could hide behind a duplicate: pinned SHA-256 never takes SHA-1, and
    // pinned SHA-1 (one endpoint) refuses a delivery announcing SHA-256 even when its signature is right.
    expect(await status('default', sha1('default'))).toBe(401);
    expect(await status('legacy', { ...sha256('legacy'), ...announcing256 })).toBe(401);
    expect(w.publisher.published).toHaveLength(0);
    // Pinned SHA-256: the SharedKey's signature with or without its settings header; SHA-1 where pinned so.
    expect(await status('default', { ...sha256('default'), ...announcing256 })).toBe(200);
    expect(await status('default', sha256('default'))).toBe(200);
    expect(await status('legacy', sha1('legacy'))).toBe(200);
    expect(w.publisher.published.length).toBeGreaterThan(0);
  });

  it('keys a form without a known Sid by what Twilio signs: a copy re-encoded or re-ordered, with the same signature, is a duplicate', async () => {
    const w = worldOf({ vendors: { twilio: true } }, { twilio: TOKEN });
    const url = `https://${API.host}/webhooks/twilio`;
    const original = Buffer.from('Foo=a%2Bb&Bar=1');
    const copy = Buffer.from('Bar=1&Foo=a%2bb');
    const headers = { 'X-Twilio-Signature': twilioSdk.getExpectedTwilioSignature(TOKEN, url, { Foo: 'a+b', Bar: '1' }) };
    const first = await handleDelivery(delivery('twilio', 'default', original, headers, FORM), w.deps);
    const second = await handleDelivery(delivery('twilio', 'default', copy, headers, FORM), w.deps);
    expect(first.body).toMatchObject({ status: 'published' });
    expect(second.body).toEqual({ status: 'duplicate', duplicate: true, eventId: (first.body as { eventId: string }).eventId });
    expect(w.publisher.published).toHaveLength(1);
  });

  it('answers a Voice URL request 422 naming it, with nothing stored; unsigned, 401', async () => {
    const w = worldOf({ vendors: { twilio: true } }, { twilio: TOKEN });
    const incoming = Buffer.from(new URLSearchParams({ AccountSid: 'AC1', CallSid: 'CA1', CallStatus: 'ringing', Direction: 'inbound', From: '+1', To: '+2' }).toString());
    const url = `https://${API.host}/webhooks/twilio`;
    const signed = { 'X-Twilio-Signature': twilioSdk.getExpectedTwilioSignature(TOKEN, url, Object.fromEntries(new URLSearchParams(incoming.toString()))) };
    const reply = await handleDelivery(delivery('twilio', 'default', incoming, signed, FORM), w.deps);
    expect(reply.statusCode).toBe(422);
    expect(reply.body).toMatchObject({ error: 'synchronous_message' });
    expect(String(reply.body.message)).toMatch(/Voice URL/);
    expect(outcomeOf(reply)).toBe('synchronous');
    expect(w.publisher.published).toEqual([]);
    expect(w.store.records.size).toBe(0);
    expect(w.blobs.blobs.size).toBe(0);
    expect((await handleDelivery(delivery('twilio', 'default', incoming, { 'X-Twilio-Signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }, FORM), w.deps)).statusCode).toBe(401);
  });
});

describe('Vapi auth', () => {
  const body = fixtureBody(loadFixtures('vapi').find((f) => f.name === 'end-of-call-report')!);
  const JSON_TYPE = 'application/json';
  const hmac = (alg: string, key: Buffer | string, text: string, enc: 'hex' | 'base64') => createHmac(alg, key).update(text).digest(enc);

  it.each<[string, CallhooksConfig['vendors'], Record<string, string>, Record<string, string>]>([
    ['secret-header (default): X-Vapi-Secret', { vapi: true }, { 'X-Vapi-Secret': 's3cret' }, { 'X-Vapi-Secret': 'other' }],
    ['bearer: Authorization: Bearer', { vapi: { auth: 'bearer' } }, { Authorization: 'Bearer s3cret' }, { Authorization: 's3cret' }],
    ['bearer in another header, without the prefix', { vapi: { auth: 'bearer', bearerHeader: 'x-api-key', bearerPrefix: false } }, { 'x-api-key': 's3cret' }, { 'x-api-key': 'Bearer s3cret' }],
  ])('%s', async (_name, vendors, good, bad) => {
    const w = worldOf({ vendors }, { vapi: 's3cret' });
    expect((await handleDelivery(delivery('vapi', 'default', body, bad, JSON_TYPE), w.deps)).statusCode).toBe(401);
    expect(w.store.records.size).toBe(0);
    expect((await handleDelivery(delivery('vapi', 'default', body, good, JSON_TYPE), w.deps)).statusCode).toBe(200);
  });

  it('hmac: the credential\'s plan (SHA-512, base64, a prefix, a base64 key, seconds), refused when stale', async () => {
    const key = Buffer.from('vapi-hmac-key-bytes');
    const vendors: CallhooksConfig['vendors'] = {
      vapi: { auth: 'hmac', hmac: { algorithm: 'sha512', signatureEncoding: 'base64', signaturePrefix: 'sha512=', secretIsBase64: true, signatureHeader: 'x-vapi-signature', timestampHeader: 'x-vapi-timestamp' } },
    };
    const w = worldOf({ vendors }, { vapi: key.toString('base64') });
    const signed = (t: number) => ({ 'x-vapi-timestamp': String(t), 'x-vapi-signature': `sha512=${hmac('sha512', key, `${t}.${body.toString('utf8')}`, 'base64')}` });
    const now = Math.floor(Date.now() / 1000);
    expect((await handleDelivery(delivery('vapi', 'default', body, signed(now - 3600), JSON_TYPE), w.deps)).statusCode).toBe(401);
    expect((await handleDelivery(delivery('vapi', 'default', body, signed(now), JSON_TYPE), w.deps)).statusCode).toBe(200);
  });

  it('hmac without a timestamp signs the body alone', async () => {
    const w = worldOf({ vendors: { vapi: { auth: 'hmac', hmac: { includeTimestamp: false } } } }, { vapi: 'k' });
    const headers = { 'x-signature': hmac('sha256', 'k', body.toString('utf8'), 'hex') };
    expect((await handleDelivery(delivery('vapi', 'default', body, headers, JSON_TYPE), w.deps)).statusCode).toBe(200);
  });

  it('answers an authenticated assistant-request 422 naming what its answer is for, with nothing stored', async () => {
    const w = worldOf({ vendors: { vapi: true } }, { vapi: 's3cret' });
    const request = Buffer.from(JSON.stringify({ message: { type: 'assistant-request', timestamp: Date.now(), call: { id: 'c1' } } }));
    const reply = await handleDelivery(delivery('vapi', 'default', request, { 'X-Vapi-Secret': 's3cret' }, JSON_TYPE), w.deps);
    expect(reply).toMatchObject({ statusCode: 422, body: { error: 'synchronous_message' } });
    expect(String(reply.body.message)).toMatch(/assistant-request expects the assistant to use for an inbound call/);
    expect(w.publisher.published).toEqual([]);
    expect(w.store.records.size).toBe(0);
    expect(w.blobs.blobs.size).toBe(0);
  });
});

describe('options validation', () => {
  it.each<[string, unknown, RegExp]>([
    ['a publicUrl with a query', { twilio: { publicUrl: 'https://hooks.example.com/twilio?x=1' } }, /vendors\.twilio\.publicUrl must be an absolute http\(s\) URL without a query/],
    ['a relative publicUrl', { twilio: { endpoints: { a: { publicUrl: '/twilio' } } } }, /vendors\.twilio\.endpoints\.a\.publicUrl must be an absolute http\(s\) URL/],
    ['an unknown auth', { vapi: { auth: 'oauth2' } }, /vendors\.vapi\.auth must be "secret-header", "bearer" or "hmac", got "oauth2"/],
    ['a payloadFormat with an unknown placeholder', { vapi: { auth: 'hmac', hmac: { payloadFormat: '{svix-id}.{body}' } } }, /vendors\.vapi\.hmac\.payloadFormat must be a template of \{body\}/],
    ['a payloadFormat without the body', { vapi: { auth: 'hmac', hmac: { payloadFormat: '{timestamp}' } } }, /vendors\.vapi\.hmac\.payloadFormat must be a template of \{body\}/],
    ['an unknown hmac field', { vapi: { hmac: { secret: 'x' } } }, /vendors\.vapi\.hmac\.secret is not a field of Vapi's HMAC credential/],
  ])('refuses %s, naming the field', (_name, vendors, message) => {
    expect(() => resolveConfig({ vendors })).toThrow(message);
  });

  it('takes each platform by name, and none without a vendors key', () => {
    const names = (config: unknown) => resolveConfig(config).vendors.map((v) => v.name);
    expect(names({ vendors: { twilio: true, vapi: true, retell: true, elevenlabs: true, telnyx: true } })).toEqual(['twilio', 'vapi', 'retell', 'elevenlabs', 'telnyx']);
    expect(names({})).not.toEqual(expect.arrayContaining(['twilio']));
  });
});
