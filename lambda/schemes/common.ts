/**
 * What the scheme families share: verdicts, signed timestamps in seconds, milliseconds or ISO 8601 and their
 * tolerance, digests written as hex or base64, and the shared secrets of a credential list.
 */
import { createHash } from 'node:crypto';
import { safeEqual } from '../core/crypto';
import type { Credential, RefusalReason, Verdict, Vouches } from '../contracts/scheme';

export type Algorithm = 'sha1' | 'sha256' | 'sha512';
export type DigestEncoding = 'hex' | 'base64';

/** Bytes of each algorithm's digest. */
export const DIGEST_BYTES: Readonly<Record<Algorithm, number>> = { sha1: 20, sha256: 32, sha512: 64 };

export const refuse = (reason: RefusalReason): Verdict => ({ ok: false, reason });

export function accept(credential: number, vouches: Vouches, extra: { signedAt?: Date; claims?: Record<string, unknown>; payload?: Buffer } = {}): Verdict {
  return { ok: true, credential, vouches, ...extra };
}

/**
 * The shared secrets of a credential list, by position; undefined when one is of another kind (the scheme then
 * refuses with `wrong-key-kind`: the endpoint's secret holds, say, a public key where a shared secret belongs).
 */
export function sharedSecrets(credentials: readonly Credential[]): string[] | undefined {
  const out: string[] = [];
  for (const c of credentials) {
    if (c.kind !== 'secret') return undefined;
    out.push(c.secret);
  }
  return out;
}

/** How a signed timestamp is written: Unix seconds, milliseconds, either (told apart by their digits), ISO 8601. */
export type TimestampUnit = 's' | 'ms' | 'auto' | 'iso';

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A signed timestamp in epoch milliseconds; undefined when it is not written in `unit`. `auto`: seconds, or
 * milliseconds when it has 13 digits or more (seconds that large would lie past the year 5000). ISO 8601
 * without an offset is UTC (Ultravox writes `2026-01-01T00:00:00.000000`).
 */
export function parseTimestamp(text: string | undefined, unit: TimestampUnit): number | undefined {
  if (text === undefined) return undefined;
  if (unit === 'iso') {
    const m = ISO_RE.exec(text);
    if (!m) return undefined;
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0);
    if (zone && zone.toUpperCase() !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (!/^[0-9]{1,16}$/.test(text)) return undefined;
  const n = Number(text);
  if (unit === 'ms') return n;
  // `auto` reads milliseconds to the second, as the seconds it stands for.
  if (unit === 'auto' && text.length >= 13) return Math.floor(n / 1000) * 1000;
  return n * 1000;
}

/**
 * `stale-timestamp` or `future-timestamp` when `signedMs` is more than the tolerance away from `now`, else
 * undefined. Written as "not within", so that an invalid clock (NaN) refuses rather than accepts.
 */
export function checkFreshness(signedMs: number, now: Date, toleranceSeconds: number, futureToleranceSeconds = toleranceSeconds): RefusalReason | undefined {
  // A timestamp in whole seconds is compared with the clock's whole second (a skew of exactly the tolerance passes).
  const nowMs = signedMs % 1000 === 0 ? Math.floor(now.getTime() / 1000) * 1000 : now.getTime();
  const skewMs = nowMs - signedMs;
  if (!(skewMs <= toleranceSeconds * 1000)) return skewMs > 0 ? 'stale-timestamp' : 'future-timestamp';
  if (!(-skewMs <= futureToleranceSeconds * 1000)) return 'future-timestamp';
  return undefined;
}

/** A timestamp written in `unit` for `now` (what a signer sends). */
export function formatTimestamp(now: Date, unit: TimestampUnit): string {
  if (unit === 'iso') return now.toISOString();
  if (unit === 'ms') return String(now.getTime());
  return String(Math.floor(now.getTime() / 1000));
}

const HEX_RE = /^[0-9a-fA-F]+$/;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL_RE = /^[A-Za-z0-9_-]+={0,2}$/;

/** A digest of exactly `bytes` bytes written in `encoding` (base64 padded or not); undefined otherwise. */
export function decodeDigest(text: string, encoding: DigestEncoding, bytes: number): Buffer | undefined {
  if (encoding === 'hex') return text.length === bytes * 2 && HEX_RE.test(text) ? Buffer.from(text, 'hex') : undefined;
  if (!BASE64_RE.test(text)) return undefined;
  const buf = Buffer.from(text, 'base64');
  return buf.length === bytes && buf.toString('base64').replace(/=+$/, '') === text.replace(/=+$/, '') ? buf : undefined;
}

/** base64url without padding (JWT parts), decoded strictly; undefined when it is not that. */
export function decodeBase64Url(text: string): Buffer | undefined {
  if (!BASE64URL_RE.test(text) || text.includes('=')) return undefined;
  const buf = Buffer.from(text, 'base64url');
  return buf.toString('base64url') === text ? buf : undefined;
}

export function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/** A delivery id for signers that need one and were given none: derived from the body, so re-signing repeats it. */
export function defaultId(body: Buffer): string {
  return `msg_${sha256(body).toString('hex').slice(0, 24)}`;
}

/** `https://localhost/`, the URL a signer signs when given none. */
export const DEFAULT_SIGN_URL = 'https://localhost/';

/**
 * The index of the first credential that `matches`, or -1. Every credential is tried (no early exit), so the
 * time taken does not tell which one matched.
 */
export function firstMatching<T>(credentials: readonly T[], matches: (credential: T) => boolean): number {
  let matched = -1;
  credentials.forEach((credential, index) => {
    if (matches(credential) && matched < 0) matched = index;
  });
  return matched;
}

/**
 * The verdict of a shared-secret scheme: `wrong-key-kind` when a credential is not a shared secret, else the first
 * secret that `matches` (every one tried; an empty secret never matches), or `no-key-matched`.
 */
export function verdictOfSecrets(
  credentials: readonly Credential[],
  matches: (secret: string) => boolean,
  vouches: Vouches,
  extra?: { signedAt?: Date },
): Verdict {
  const secrets = sharedSecrets(credentials);
  if (secrets === undefined) return refuse('wrong-key-kind');
  const matched = firstMatching(secrets, (secret) => secret !== '' && matches(secret));
  return matched < 0 ? refuse('no-key-matched') : accept(matched, vouches, extra);
}

/** True when any of `given` equals `expected`; every one is compared in constant time (no early exit). */
export function anyEqual(given: ReadonlyArray<string | Buffer>, expected: string | Buffer): boolean {
  let ok = false;
  for (const g of given) if (safeEqual(g, expected)) ok = true;
  return ok;
}
