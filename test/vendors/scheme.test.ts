import { Headers } from '../../lambda/core/http';
import type { Delivery } from '../../lambda/core/http';
import { publicKeyScheme } from '../../lambda/schemes/public-key';
import { urlSigningScheme } from '../../lambda/schemes/url-signing';
import { hmacScheme } from '../../lambda/schemes/hmac';
import { schemeAuthentication } from '../../lambda/vendors/scheme';
import twilio from 'twilio';

const NOW = new Date('2026-01-01T00:00:00Z');
const delivery = (body: string, headers: Record<string, string>, url?: Delivery['url']): Delivery => ({
  vendor: 'v', method: 'POST', url, headers: new Headers(Object.entries(headers)), query: {}, body: Buffer.from(body), receivedAt: NOW,
});

describe('schemeAuthentication: a scheme as the adapter\'s verify, sign and generateSecret', () => {
  it('a shared-secret scheme: what sign makes, verify accepts with the same secret only', () => {
    const auth = schemeAuthentication(hmacScheme({ header: 'x-sig' }));
    const secret = auth.generateSecret();
    const body = '{"a":1}';
    expect(auth.verify(delivery(body, auth.sign(Buffer.from(body), secret, NOW)), secret, NOW)).toBe(true);
    expect(auth.verify(delivery(body, auth.sign(Buffer.from(body), 'other', NOW)), secret, NOW)).toBe(false);
    expect(auth.verify(delivery(body, {}), secret, NOW)).toBe(false);
  });

  it('a public-key scheme: the development secret is the private key; verify uses its public half, or a stored public key', () => {
    const scheme = publicKeyScheme({ signatureHeader: 'x-sig', timestampHeader: 'x-ts' });
    const auth = schemeAuthentication(scheme);
    const dev = auth.generateSecret();
    expect(dev).toContain('PRIVATE KEY');
    const body = '{"a":1}';
    const headers = auth.sign(Buffer.from(body), dev, NOW);
    expect(auth.verify(delivery(body, headers), dev, NOW)).toBe(true);
    const { createPrivateKey, createPublicKey } = require('node:crypto') as typeof import('node:crypto');
    const publicB64 = Buffer.from(createPublicKey(createPrivateKey(dev)).export({ format: 'jwk' }).x!, 'base64url').toString('base64');
    expect(auth.verify(delivery(body, headers), publicB64, NOW)).toBe(true);
    expect(auth.verify(delivery(`${body} `, headers), publicB64, NOW)).toBe(false);
    expect(auth.verify(delivery(body, headers), 'not a key', NOW)).toBe(false);
  });

  it('publicUrl: a URL-signing vendor verifies the URL it was configured with', () => {
    const fields = { CallSid: 'CA1', CallStatus: 'completed' };
    const signature = twilio.getExpectedTwilioSignature('tok', 'https://hooks.acme.com/twilio', fields);
    const arrived = { scheme: 'https', host: 'abc.execute-api.eu-west-1.amazonaws.com', rawPath: '/webhooks/twilio', rawQuery: '' };
    const d = delivery(new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, arrived);
    expect(schemeAuthentication(urlSigningScheme({ form: 'twilio' })).verify(d, 'tok', NOW)).toBe(false);
    expect(schemeAuthentication(urlSigningScheme({ form: 'twilio' }), { publicUrl: 'https://hooks.acme.com/twilio' }).verify(d, 'tok', NOW)).toBe(true);
  });

  it('secretField: the credential is a named field of a JSON secret', () => {
    const auth = schemeAuthentication(hmacScheme({ header: 'x-sig' }), { secretField: 'webhookSecret' });
    const body = '{}';
    const headers = auth.sign(Buffer.from(body), 'w', NOW);
    expect(auth.verify(delivery(body, headers), '{"apiKey":"k","webhookSecret":"w"}', NOW)).toBe(true);
    expect(auth.verify(delivery(body, headers), 'w', NOW)).toBe(false);
  });
});

describe('the local mode\'s development key pair', () => {
  it('the functions read the public half of a development private key; any other value as it is', async () => {
    const { StaticSecretSource } = await import('../../lambda/adapters/local/static-secrets');
    const scheme = publicKeyScheme({ signatureHeader: 'x-sig', timestampHeader: 'x-ts' });
    const { signingKey } = scheme.generateCredential();
    const source = new StaticSecretSource(new Map([['telnyxish', signingKey], ['other', 'plain']]));
    const read = await source.fetch('telnyxish');
    expect(read).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const body = Buffer.from('{}');
    const headers = scheme.sign({ body }, signingKey, NOW).headers;
    const { schemeRequestOf } = await import('../../lambda/core/scheme-request');
    const { decodeCredentials } = await import('../../lambda/core/credentials');
    const decoded = decodeCredentials(read, scheme.credential);
    expect(decoded.ok && scheme.verify(schemeRequestOf(delivery('{}', headers)), decoded.credentials, NOW)).toMatchObject({ ok: true });
    expect(await source.fetch('other')).toBe('plain');
  });
});
