/**
 * Public-key signatures (Telnyx): Ed25519 over a template of the signed timestamp and the body
 * (`{timestamp}|{body}`), verified with the vendor's public key through node:crypto (no library). The endpoint's
 * secret holds only the public key; a signer (tests, the local mode) holds the private half.
 */
import { createPrivateKey, generateKeyPairSync, KeyObject, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { Credential, Scheme, SchemeRequest, SignInput, Verdict, Vouches } from '../contracts/scheme';
export { ed25519PublicKey } from '../core/credentials';
import { accept, checkFreshness, firstMatching, decodeDigest, formatTimestamp, parseTimestamp, refuse, TimestampUnit } from './common';

export interface PublicKeyOptions {
  /** The header holding the base64 signature. */
  readonly signatureHeader: string;
  /** The header holding the signed timestamp. */
  readonly timestampHeader: string;
  /** @default "s" */
  readonly timestampUnit?: TimestampUnit;
  /** What is signed: `{timestamp}`, `{body}` and literal text. @default "{timestamp}|{body}" */
  readonly template?: string;
  /** Accepted clock skew of the signed timestamp, in seconds. @default 300 */
  readonly toleranceSeconds?: number;
}

/** A signing key: PKCS8 PEM, or base64 (or hex) of a 32-byte seed. */
export function ed25519PrivateKey(text: string): KeyObject {
  const t = text.trim();
  if (t.startsWith('-----BEGIN')) return createPrivateKey(t);
  const seed = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (seed.length !== 32) throw new Error('an Ed25519 signing key is a PKCS8 PEM, or 32 bytes in base64 or hex');
  // PKCS8 of an Ed25519 seed: a fixed 16-byte prefix, then the 32 bytes.
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

export function publicKeyScheme(options: PublicKeyOptions): Scheme {
  const unit = options.timestampUnit ?? 's';
  const tolerance = options.toleranceSeconds ?? 300;
  const template = options.template ?? '{timestamp}|{body}';
  const bodyAt = template.indexOf('{body}');
  if (bodyAt < 0 || !template.includes('{timestamp}')) throw new Error('the template must sign {timestamp} and {body}');
  const [before, after] = [template.slice(0, bodyAt), template.slice(bodyAt + '{body}'.length)];
  const message = (timestamp: string, body: Buffer) =>
    Buffer.concat([Buffer.from(before.replaceAll('{timestamp}', timestamp)), body, Buffer.from(after.replaceAll('{timestamp}', timestamp))]);
  const vouches: Vouches = { body: true, headers: [options.timestampHeader.toLowerCase()], url: false };
  return {
    family: 'public-key',
    credential: { kind: 'public-key', algorithm: 'ed25519' },
    vouches,
    verify(request: SchemeRequest, credentials: readonly Credential[], now: Date): Verdict {
      const signature = request.headers.get(options.signatureHeader)?.trim();
      const timestamp = request.headers.get(options.timestampHeader)?.trim();
      if (!signature || !timestamp) return refuse('missing-header');
      const ms = parseTimestamp(timestamp, unit);
      if (ms === undefined) return refuse('malformed-signature');
      const stale = checkFreshness(ms, now, tolerance);
      if (stale) return refuse(stale);
      const given = decodeDigest(signature, 'base64', 64);
      if (!given) return refuse('malformed-signature');
      if (credentials.some((c) => c.kind !== 'public-key')) return refuse('wrong-key-kind');
      const signed = message(timestamp, request.body);
      const matched = firstMatching(credentials, (c) => {
        try {
          return c.kind === 'public-key' && cryptoVerify(null, signed, c.key, given);
        } catch {
          return false; // a key of another type (an RSA key stored by mistake) verifies nothing
        }
      });
      return matched < 0 ? refuse('no-key-matched') : accept(matched, vouches, { signedAt: new Date(ms) });
    },
    sign(input: SignInput, signingKey: string, now: Date) {
      const timestamp = formatTimestamp(now, unit === 'auto' ? 's' : unit);
      const signature = cryptoSign(null, message(timestamp, input.body), ed25519PrivateKey(signingKey)).toString('base64');
      return { headers: { [options.signatureHeader]: signature, [options.timestampHeader]: timestamp } };
    },
    generateCredential() {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const x = publicKey.export({ format: 'jwk' }).x!;
      return { secret: Buffer.from(x, 'base64url').toString('base64'), signingKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
    },
  };
}
