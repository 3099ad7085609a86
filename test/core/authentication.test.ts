import type { VendorAdapter } from '../../lambda/core/vendor';
import { Headers } from '../../lambda/core/http';
import type { Delivery } from '../../lambda/core/http';
import { handle } from '../../lambda/core/pipeline';
import type { Scheme } from '../../lambda/contracts/scheme';
import { hmacScheme } from '../../lambda/schemes/hmac';
import { jwtScheme } from '../../lambda/schemes/jwt';
import { publicKeyScheme } from '../../lambda/schemes/public-key';
import { staticTokenScheme } from '../../lambda/schemes/static-token';
import { signWith } from '../../lambda/schemes/run';
import { schemeAuthentication } from '../../lambda/vendors/scheme';
import { ParseError } from '../../lambda/core/errors';
import { memoryWorld } from '../helpers/memory';

const NOW = new Date('2026-01-01T00:00:00Z');

/** A vendor "v" on a scheme, mapping `{"id","type"}` bodies (or the proof's payload, when there is one). */
function vendor(scheme: Scheme, extra: Partial<VendorAdapter> = {}): VendorAdapter {
  return {
    name: 'v',
    methods: ['POST'],
    ...schemeAuthentication(scheme),
    parse(d, proof) {
      const body = JSON.parse((proof?.payload ?? d.body).toString()) as { id?: string; type?: string };
      if (!body.id || !body.type) throw new ParseError('id and type are required');
      return { dedupKey: body.id, fields: { type: 'vendor.other', vendorEventType: body.type, callId: null, test: false } };
    },
    ...extra,
  };
}

function delivery(body: Buffer | string, headers: Record<string, string>): Delivery {
  return { vendor: 'v', method: 'POST', headers: new Headers(Object.entries(headers)), query: {}, body: Buffer.from(body), receivedAt: NOW };
}

describe('the pipeline\'s authentication step', () => {
  const zoom = hmacScheme({ header: 'x-zm-signature', prefix: 'v0=', timestampHeader: 'x-zm-request-timestamp', template: 'v0:{timestamp}:{body}', handshake: 'zoom-url-validation' });

  it('answers a handshake with what the vendor expects, as outcome "handshake": nothing stored or published', async () => {
    const w = memoryWorld([vendor(zoom)], { v: 'zoom_secret_token' });
    const body = '{"event":"endpoint.url_validation","payload":{"plainToken":"abc"},"event_ts":1}';
    const signed = signWith(zoom, { body: Buffer.from(body) }, 'zoom_secret_token', NOW);
    const handled = await handle(delivery(body, signed.headers), w.deps);
    expect(handled.outcome).toBe('handshake');
    expect(handled.reply).toMatchObject({ statusCode: 200, body: { plainToken: 'abc', encryptedToken: '5814d29f68ecb19a0cbe0e4d2b7287fce293fed61159e7d148ff6da1afbd7099' } });
    expect(w.store.records.size).toBe(0);
    expect(w.publisher.published).toHaveLength(0);
  });

  it('a Basic-auth challenge: 401 with WWW-Authenticate, counted as a handshake', async () => {
    const w = memoryWorld([vendor(staticTokenScheme({ in: 'basic' }))], { v: 'u:p' });
    const handled = await handle(delivery('{"id":"1","type":"t"}', {}), w.deps);
    expect(handled).toMatchObject({ outcome: 'handshake', reply: { statusCode: 401, headers: { 'www-authenticate': expect.stringMatching(/^Basic realm=/) } } });
  });

  it('refuses with the reason for the metrics, the same 401 for the vendor', async () => {
    const w = memoryWorld([vendor(zoom)], { v: 'zoom_secret_token' });
    const body = '{"id":"1","type":"t"}';
    const stale = signWith(zoom, { body: Buffer.from(body) }, 'zoom_secret_token', new Date(NOW.getTime() - 301_000));
    const wrong = signWith(zoom, { body: Buffer.from(body) }, 'another', NOW);
    const a = await handle(delivery(body, stale.headers), w.deps);
    const b = await handle(delivery(body, wrong.headers), w.deps);
    expect([a.outcome, a.refusal, b.outcome, b.refusal]).toEqual(['unauthorized', 'stale-timestamp', 'unauthorized', 'no-key-matched']);
    expect(a.reply).toEqual(b.reply);
  });

  it('a scheme that throws: 401 and a logged adapter bug, never a 503', async () => {
    const throwing: Scheme = { ...zoom, handshake: undefined, verify: () => { throw new TypeError('bug'); } };
    const w = memoryWorld([vendor(throwing)], { v: 's' });
    const handled = await handle(delivery('{}', {}), w.deps);
    expect(handled).toMatchObject({ outcome: 'unauthorized', refusal: 'scheme-error', reply: { statusCode: 401 } });
    expect(w.log.lines).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('adapter bug'), extra: expect.objectContaining({ error: 'TypeError' }) }));
  });

  it('a secret that cannot be used: refused, and logged once with what is wrong (never the value)', async () => {
    const secret = '{"apiKey":"k","webhookSecret":"w"}';
    const w = memoryWorld([vendor(zoom)], { v: secret });
    const body = '{"id":"1","type":"t"}';
    const signed = signWith(zoom, { body: Buffer.from(body) }, 'w', NOW);
    for (let i = 0; i < 3; i++) expect((await handle(delivery(body, signed.headers), w.deps)).refusal).toBe('unusable-credential');
    const logged = w.log.lines.filter((l) => l.level === 'error');
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged)).not.toContain('webhookSecret":"w');
    expect(logged[0].extra?.problem).toContain('without "current"/"previous"');
  });

  it('secretField: the vendor reads its credential from a named field of a JSON secret', async () => {
    const adapter = vendor(zoom, { secretField: 'webhookSecret' });
    const w = memoryWorld([adapter], { v: '{"apiKey":"k","webhookSecret":"w"}' });
    const body = '{"id":"1","type":"t"}';
    const signed = signWith(zoom, { body: Buffer.from(body) }, 'w', NOW);
    expect((await handle(delivery(body, signed.headers), w.deps)).outcome).toBe('published');
  });

  it('a public key in the secret, the private half with the signer: published', async () => {
    const scheme = publicKeyScheme({ signatureHeader: 'x-sig', timestampHeader: 'x-ts' });
    const { secret, signingKey } = scheme.generateCredential();
    const w = memoryWorld([vendor(scheme)], { v: secret });
    const body = '{"id":"1","type":"t"}';
    const signed = signWith(scheme, { body: Buffer.from(body) }, signingKey, NOW);
    expect((await handle(delivery(body, signed.headers), w.deps)).outcome).toBe('published');
    const rotated = memoryWorld([vendor(scheme)], { v: 'not-a-key' });
    expect((await handle(delivery(body, signed.headers), rotated.deps)).refusal).toBe('unusable-credential');
  });

  it('passes the proof to parse: a body that is a JWT maps its verified payload', async () => {
    const scheme = jwtScheme({ bodyIsJwt: true });
    const w = memoryWorld([vendor(scheme)], { v: 'dp' });
    const signed = signWith(scheme, { body: Buffer.from('{"id":"e1","type":"hangup"}') }, 'dp', NOW);
    const handled = await handle(delivery(signed.body, signed.headers), w.deps);
    expect(handled.outcome).toBe('published');
    expect(w.publisher.published[0].detail).toMatchObject({ vendorEventType: 'hangup' });
  });

  it('a rotation just made: re-reads the secret once and accepts the new key', async () => {
    const w = memoryWorld([vendor(zoom)], { v: 'old' });
    const body = '{"id":"1","type":"t"}';
    expect((await handle(delivery(body, signWith(zoom, { body: Buffer.from(body) }, 'old', NOW).headers), w.deps)).outcome).toBe('published');
    w.secrets.values.v = JSON.stringify({ current: 'new', previous: 'old' });
    const body2 = '{"id":"2","type":"t"}';
    expect((await handle(delivery(body2, signWith(zoom, { body: Buffer.from(body2) }, 'new', NOW).headers), w.deps)).outcome).toBe('published');
  });
});
