/**
 * Standard Webhooks verification (https://www.standardwebhooks.com), byte-compatible with the
 * `standardwebhooks` reference package (tested against it), using node:crypto's native HMAC.
 */
import { randomBytes } from 'node:crypto';
import { hmacSha256, safeEqual } from './crypto';
import type { Headers } from './http';

const TIMESTAMP_RE = /^[0-9]{1,15}$/;

/** The HMAC key of a `whsec_…` secret (or a bare base64 secret, as the reference package accepts). */
export function standardWebhooksKey(secret: string): Buffer {
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  return Buffer.from(b64, 'base64');
}

export function verifyStandardWebhook(
  headers: Headers,
  body: Buffer,
  secret: string,
  now: Date,
  toleranceSeconds: number,
): boolean {
  const id = headers.get('webhook-id');
  const timestamp = headers.get('webhook-timestamp');
  const signatures = headers.get('webhook-signature');
  if (!id || !timestamp || !signatures || !TIMESTAMP_RE.test(timestamp)) return false;
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp));
  if (!(skew <= toleranceSeconds)) return false; // NaN (an invalid clock) refuses
  const key = standardWebhooksKey(secret);
  if (key.length === 0) return false;
  const expected = hmacSha256(key, `${id}.${timestamp}.`, body).toString('base64');
  // The header is a space-separated list of `<version>,<signature>`: the signature itself never
  // contains a space, and the comma after the version is part of each entry (never split on commas).
  let ok = false;
  for (const entry of signatures.split(' ')) {
    if (!entry.startsWith('v1,')) continue;
    // Compare every entry (no early exit), so timing does not depend on which entry matched.
    if (safeEqual(entry.slice(3), expected)) ok = true;
  }
  return ok;
}

/** The three Standard Webhooks headers for `body` (used by the sample sender and tests). */
export function signStandardWebhook(body: Buffer, secret: string, now: Date, id: string): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signature = hmacSha256(standardWebhooksKey(secret), `${id}.${timestamp}.`, body).toString('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

export function generateStandardWebhooksSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}
