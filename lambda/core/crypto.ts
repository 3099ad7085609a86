import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality that never throws: inputs of unequal length compare false after the same work
 * as an equal-length compare (the length itself is not secret).
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ab = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const bb = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

export function hmacSha256(key: string | Buffer, ...parts: Array<string | Buffer>): Buffer {
  const mac = createHmac('sha256', key);
  for (const p of parts) mac.update(p);
  return mac.digest();
}

const HEX_256 = /^[0-9a-fA-F]{64}$/;
const BASE64_256 = /^[A-Za-z0-9+/]{43}=$/;

/** Decodes a SHA-256 digest written as hex or base64; undefined when it is not exactly that. */
export function decodeDigest(text: string, encoding: 'hex' | 'base64'): Buffer | undefined {
  if (encoding === 'hex') return HEX_256.test(text) ? Buffer.from(text, 'hex') : undefined;
  return BASE64_256.test(text) ? Buffer.from(text, 'base64') : undefined;
}
