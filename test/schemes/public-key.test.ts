import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import { publicKeyScheme } from '../../lambda/schemes/public-key';
import { signWith } from '../../lambda/schemes/run';
import { creds, outcome, request, T0, vector } from './helpers';

const telnyx = () => publicKeyScheme({ signatureHeader: 'telnyx-signature-ed25519', timestampHeader: 'telnyx-timestamp' });

describe('public-key scheme (Ed25519)', () => {
  it('Telnyx: accepts the published vector with the public key alone; refuses another body', async () => {
    const v = vector('telnyx');
    const headers = { 'telnyx-signature-ed25519': v.signature, 'telnyx-timestamp': String(v.timestamp) };
    expect(await outcome(telnyx(), { headers, body: v.body }, v.publicKeyB64)).toBe('ok');
    expect(await outcome(telnyx(), { headers, body: v.body.replace('"attempt":1', '"attempt":2') }, v.publicKeyB64)).toBe('no-key-matched');
  });

  it('signs with the vector\'s seed exactly the published signature', () => {
    const v = vector('telnyx');
    const signed = signWith(telnyx(), { body: Buffer.from(v.body) }, Buffer.from(v.seedHex, 'hex').toString('base64'), T0);
    expect(signed.headers['telnyx-signature-ed25519']).toBe(v.signature);
  });

  it('telnyx\'s SDK verifies what a generated key pair signs (the SDK first, then the scheme, with the public half only)', async () => {
    const scheme = telnyx();
    const { secret, signingKey } = scheme.generateCredential();
    expect(signingKey).toContain('PRIVATE KEY');
    expect(secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const body = '{"data":{"event_type":"call.answered","id":"e1"}}';
    const now = new Date();
    const signed = signWith(scheme, { body: Buffer.from(body) }, signingKey, now);
    await expect(new TelnyxWebhook(secret).verify(body, signed.headers)).resolves.toBeUndefined();
    expect(await outcome(scheme, { headers: signed.headers, body }, secret, now)).toBe('ok');
  });

  it('refuses a shared secret where a public key belongs (wrong-key-kind), and stale or malformed signatures', async () => {
    const v = vector('telnyx');
    const headers = { 'telnyx-signature-ed25519': v.signature, 'telnyx-timestamp': String(v.timestamp) };
    expect(await telnyx().verify(request({ headers, body: v.body }), creds('a shared secret'), T0)).toEqual({ ok: false, reason: 'wrong-key-kind' });
    expect(await outcome(telnyx(), { headers, body: v.body }, v.publicKeyB64, new Date(T0.getTime() + 301_000))).toBe('stale-timestamp');
    expect(await outcome(telnyx(), { headers: { ...headers, 'telnyx-signature-ed25519': 'AAAA' }, body: v.body }, v.publicKeyB64)).toBe('malformed-signature');
    expect(await outcome(telnyx(), { headers: { 'telnyx-timestamp': '1767225600' }, body: v.body }, v.publicKeyB64)).toBe('missing-header');
  });

  it('rotation: {"current","previous"} of public keys', async () => {
    const v = vector('telnyx');
    const headers = { 'telnyx-signature-ed25519': v.signature, 'telnyx-timestamp': String(v.timestamp) };
    const other = telnyx().generateCredential().secret;
    const verdict = await telnyx().verify(request({ headers, body: v.body }), creds(JSON.stringify({ current: other, previous: v.publicKeyB64 }), telnyx().credential), T0);
    expect(verdict).toMatchObject({ ok: true, credential: 1 });
  });
});
