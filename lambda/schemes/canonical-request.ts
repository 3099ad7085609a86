/**
 * A canonical request signed with HMAC-SHA256 (Sinch): `authorization: application <key>:<signature>` where the
 * signature is the base64 HMAC, keyed with the base64-decoded application secret, of
 * `METHOD\nContent-MD5\nContent-Type\nx-timestamp:<x-timestamp>\n<path>` — Content-MD5 the base64 MD5 of the
 * body (empty without one), Content-Type exactly as received, the path without host or query.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Credential, Scheme, SchemeRequest, SignInput, Verdict, Vouches } from '../contracts/scheme';
import { safeEqual } from '../core/crypto';
import { accept, checkFreshness, firstMatching, DEFAULT_SIGN_URL, decodeDigest, parseTimestamp, refuse } from './common';
import { splitUrl } from './request';

export interface CanonicalRequestOptions {
  /** The word before `<key>:<signature>`, compared in any case: `application` (Sinch) or `service` (Voice 2.0). @default "application" */
  readonly authScheme?: string;
  /** Accepted clock skew of `x-timestamp` (ISO 8601), in seconds. @default 300 */
  readonly toleranceSeconds?: number;
}

const VOUCHES: Vouches = { body: true, headers: ['content-type', 'x-timestamp'], url: false };

export function canonicalString(method: string, body: Buffer, contentType: string, timestamp: string, path: string): string {
  const md5 = body.length === 0 ? '' : createHash('md5').update(body).digest('base64');
  return `${method.toUpperCase()}\n${md5}\n${contentType}\nx-timestamp:${timestamp}\n${path}`;
}

export function canonicalRequestScheme(options: CanonicalRequestOptions = {}): Scheme {
  const authScheme = (options.authScheme ?? 'application').toLowerCase();
  const tolerance = options.toleranceSeconds ?? 300;
  return {
    family: 'canonical-request',
    credential: { kind: 'fields', required: ['key', 'secret'] },
    vouches: VOUCHES,
    verify(request: SchemeRequest, credentials: readonly Credential[], now: Date): Verdict {
      const auth = request.headers.get('authorization')?.trim();
      const timestamp = request.headers.get('x-timestamp')?.trim();
      if (!auth || !timestamp) return refuse('missing-header');
      const m = /^(\S+)\s+([^:\s]+):(\S+)$/.exec(auth);
      if (!m || m[1].toLowerCase() !== authScheme) return refuse('malformed-signature');
      const given = decodeDigest(m[3], 'base64', 32);
      if (!given) return refuse('malformed-signature');
      const ms = parseTimestamp(timestamp, 'iso');
      if (ms === undefined) return refuse('malformed-signature');
      const stale = checkFreshness(ms, now, tolerance);
      if (stale) return refuse(stale);
      if (credentials.some((c) => c.kind !== 'fields' || c.fields.key === undefined || c.fields.secret === undefined)) return refuse('wrong-key-kind');
      const signed = canonicalString(request.method, request.body, request.headers.get('content-type') ?? '', timestamp, request.url.rawPath);
      const matched = firstMatching(credentials, (c) => {
        if (c.kind !== 'fields') return false;
        const key = Buffer.from(c.fields.secret, 'base64');
        // The key named in the header must be this credential's (compared in constant time as well).
        const sameKey = safeEqual(m[2], c.fields.key);
        return key.length > 0 && safeEqual(createHmac('sha256', key).update(signed, 'utf8').digest(), given) && sameKey;
      });
      return matched < 0 ? refuse('no-key-matched') : accept(matched, VOUCHES, { signedAt: new Date(ms) });
    },
    sign(input: SignInput, signingKey: string, now: Date) {
      const { key, secret } = JSON.parse(signingKey) as { key: string; secret: string };
      const timestamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
      const contentType = input.contentType ?? 'application/json';
      const path = splitUrl(input.url ?? DEFAULT_SIGN_URL)?.rawPath ?? '/';
      const signature = createHmac('sha256', Buffer.from(secret, 'base64')).update(canonicalString(input.method ?? 'POST', input.body, contentType, timestamp, path), 'utf8').digest('base64');
      return { headers: { authorization: `${options.authScheme ?? 'application'} ${key}:${signature}`, 'x-timestamp': timestamp, 'content-type': contentType } };
    },
    generateCredential() {
      const json = JSON.stringify({ key: randomUUID().toUpperCase(), secret: randomBytes(16).toString('base64') });
      return { secret: json, signingKey: json };
    },
  };
}
