/**
 * HMAC-SHA256 signatures in a header: a bare digest (KoeIQ, Atoms), a digest behind a prefix
 * (`sha256=`), or `key=value` pairs carrying a timestamp and one or more digests (Converc, Stripe-like).
 */
import { randomBytes } from 'node:crypto';
import { decodeDigest, hmacSha256, safeEqual } from './crypto';
import type { Headers } from './http';
import type { VendorAdapter } from './vendor';

export interface HmacScheme {
  /** Header holding the signature. */
  readonly header: string;
  readonly encoding: 'hex' | 'base64';
  /** Optional text before the digest, e.g. `sha256=`; accepted with or without. */
  readonly prefix?: string;
  /** For `k=v,k=v` headers: the key whose values are digests. */
  readonly signatureKey?: string;
  /** What was signed. */
  readonly signedPayload: 'body' | 'timestamp.body';
  readonly timestampHeader?: string;
  /** For `k=v,k=v` headers: the key holding the timestamp. */
  readonly timestampKey?: string;
  readonly toleranceSeconds: number;
}

function parsePairs(header: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    pairs.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return pairs;
}

/**
 * Reads a signed timestamp: Unix seconds, or milliseconds when it has 13 digits or more (seconds that
 * large would lie past the year 5000, so the two cannot be confused). Undefined when not digits.
 */
export function parseTimestampSeconds(text: string | undefined): number | undefined {
  if (!text || !/^[0-9]{1,16}$/.test(text)) return undefined;
  const n = Number(text);
  return text.length >= 13 ? Math.floor(n / 1000) : n;
}

export function verifyHmac(headers: Headers, body: Buffer, secret: string, now: Date, scheme: HmacScheme): boolean {
  const header = headers.get(scheme.header);
  if (!header || secret === '') return false;
  let candidates: string[];
  let timestamp: string | undefined;
  if (scheme.signatureKey) {
    const pairs = parsePairs(header);
    candidates = pairs.filter(([k]) => k === scheme.signatureKey).map(([, v]) => v);
    if (scheme.timestampKey) timestamp = pairs.find(([k]) => k === scheme.timestampKey)?.[1];
  } else {
    candidates = [header.trim()];
  }
  if (scheme.timestampHeader) timestamp = headers.get(scheme.timestampHeader)?.trim();
  let signed: Array<string | Buffer> = [body];
  if (scheme.signedPayload === 'timestamp.body') {
    const seconds = parseTimestampSeconds(timestamp);
    if (seconds === undefined) return false;
    // Written as "not within" so that an invalid clock (NaN) refuses rather than accepts.
    if (!(Math.abs(Math.floor(now.getTime() / 1000) - seconds) <= scheme.toleranceSeconds)) return false;
    signed = [`${timestamp}.`, body];
  }
  const expected = hmacSha256(secret, ...signed);
  let ok = false;
  for (let candidate of candidates) {
    if (scheme.prefix && candidate.startsWith(scheme.prefix)) candidate = candidate.slice(scheme.prefix.length);
    const digest = decodeDigest(candidate, scheme.encoding);
    if (digest && safeEqual(digest, expected)) ok = true;
  }
  return ok;
}

/** A static token in a header (`<prefix><token>`), compared in constant time. */
export function verifyStaticToken(headers: Headers, secret: string, header: string, prefix: string): boolean {
  const value = headers.get(header);
  if (value === undefined || secret === '') return false;
  return safeEqual(value.trim(), `${prefix}${secret}`.trim());
}

/** The signature header for `body` under `scheme` (used by the sample sender and tests). */
export function signHmac(body: Buffer, secret: string, now: Date, scheme: HmacScheme): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signed = scheme.signedPayload === 'timestamp.body' ? [`${timestamp}.`, body] : [body];
  const digest = hmacSha256(secret, ...signed).toString(scheme.encoding);
  const headers: Record<string, string> = {};
  if (scheme.signatureKey) {
    const pairs = scheme.timestampKey ? [`${scheme.timestampKey}=${timestamp}`] : [];
    pairs.push(`${scheme.signatureKey}=${scheme.prefix ?? ''}${digest}`);
    headers[scheme.header] = pairs.join(',');
  } else {
    headers[scheme.header] = `${scheme.prefix ?? ''}${digest}`;
  }
  if (scheme.timestampHeader) headers[scheme.timestampHeader] = timestamp;
  return headers;
}

export function generateHexSecret(bytes = 32): string {
  return randomBytes(bytes).toString('hex');
}

/** The authentication part of an adapter whose vendor signs with an HMAC scheme. */
export function hmacAuthentication(scheme: HmacScheme): Pick<VendorAdapter, 'verify' | 'sign' | 'generateSecret'> {
  return {
    verify: (d, secret, now) => verifyHmac(d.headers, d.body, secret, now, scheme),
    sign: (body, secret, now) => signHmac(body, secret, now, scheme),
    generateSecret: () => generateHexSecret(),
  };
}
