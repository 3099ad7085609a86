import type { Scheme } from '../../lambda/contracts/scheme';
import { decodeCredentials } from '../../lambda/schemes/credentials';
import { hmacScheme } from '../../lambda/schemes/hmac';
import { verifyWith } from '../../lambda/schemes/run';
import { request, T0, vector } from './helpers';

const SECRET = { kind: 'secret' } as const;
const PUBLIC_KEY = { kind: 'public-key', algorithm: 'ed25519' } as const;
const FIELDS = { kind: 'fields', required: ['key', 'secret'] } as const;

describe('decodeCredentials', () => {
  it('a shared secret: the text, trimmed; a rotation: current first, previous optional', () => {
    expect(decodeCredentials('  s3cret \n', SECRET)).toEqual({ ok: true, credentials: [{ kind: 'secret', secret: 's3cret' }] });
    expect(decodeCredentials('{"current":"a","previous":"b"}', SECRET)).toEqual({ ok: true, credentials: [{ kind: 'secret', secret: 'a' }, { kind: 'secret', secret: 'b' }] });
    expect(decodeCredentials('{"current":"a"}', SECRET)).toEqual({ ok: true, credentials: [{ kind: 'secret', secret: 'a' }] });
  });

  it('a named field of a JSON secret that other tools read too, itself possibly a rotation', () => {
    expect(decodeCredentials('{"apiKey":"k","webhookSecret":"w"}', SECRET, 'webhookSecret')).toEqual({ ok: true, credentials: [{ kind: 'secret', secret: 'w' }] });
    expect(decodeCredentials('{"webhookSecret":{"current":"a","previous":"b"}}', SECRET, 'webhookSecret')).toMatchObject({ ok: true, credentials: [{ secret: 'a' }, { secret: 'b' }] });
  });

  it.each([
    ['an empty value', '', SECRET, undefined, 'the secret is empty'],
    ['a JSON object without current/previous', '{"apiKey":"k","webhookSecret":"w"}', SECRET, undefined, 'name the field'],
    ['a missing named field', '{"apiKey":"k"}', SECRET, 'webhookSecret', 'has no field "webhookSecret"'],
    ['a named field of a text secret', 'plain', SECRET, 'webhookSecret', 'not a JSON object'],
    ['a current that is not text', '{"current":5}', SECRET, undefined, '"current" is not a non-empty text value'],
    ['fields without their required names', '{"key":"k"}', FIELDS, undefined, 'no non-empty text field "secret"'],
    ['fields given as text', 'k:s', FIELDS, undefined, 'not a JSON object'],
  ] as const)('refuses %s, saying why without quoting it', (_what, raw, spec, field, problem) => {
    const decoded = decodeCredentials(raw, spec, field);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.problem).toContain(problem);
    if (raw.length > 2 && !decoded.ok) expect(decoded.problem).not.toContain(raw);
  });

  it('a public key: base64 of 32 bytes or a PEM; never a private key or a shared secret', () => {
    const pub = vector('telnyx').publicKeyB64 as string;
    expect(decodeCredentials(pub, PUBLIC_KEY)).toMatchObject({ ok: true, credentials: [{ kind: 'public-key' }] });
    const { createPublicKey, generateKeyPairSync } = require('node:crypto') as typeof import('node:crypto');
    const pem = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pub, 'base64').toString('base64url') }, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString();
    expect(decodeCredentials(pem, PUBLIC_KEY)).toMatchObject({ ok: true });
    const priv = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(decodeCredentials(priv, PUBLIC_KEY)).toMatchObject({ ok: false, wrongKind: true });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(decodeCredentials(rsa, PUBLIC_KEY)).toMatchObject({ ok: false, wrongKind: true });
    expect(decodeCredentials('a-shared-secret', PUBLIC_KEY)).toMatchObject({ ok: false });
  });

  it('fields: the named text values, a rotation of two objects', () => {
    expect(decodeCredentials('{"key":"k","secret":"s","extra":1}', FIELDS)).toEqual({ ok: true, credentials: [{ kind: 'fields', fields: { key: 'k', secret: 's' } }] });
    expect(decodeCredentials('{"current":{"key":"k2","secret":"s2"},"previous":{"key":"k","secret":"s"}}', FIELDS)).toMatchObject({ ok: true, credentials: [{ fields: { key: 'k2' } }, { fields: { key: 'k' } }] });
  });
});

describe('verifyWith', () => {
  it('turns a scheme that throws or rejects into a scheme-error refusal, never an exception', async () => {
    const base = hmacScheme({ header: 'x-sig' });
    const throwing: Scheme = { ...base, verify: () => { throw new Error('bug'); } };
    const rejecting: Scheme = { ...base, verify: () => Promise.reject(new Error('bug')) };
    await expect(verifyWith(throwing, request(), [], T0)).resolves.toEqual({ ok: false, reason: 'scheme-error' });
    await expect(verifyWith(rejecting, request(), [], T0)).resolves.toEqual({ ok: false, reason: 'scheme-error' });
  });
});
