import { Headers, type Delivery } from '../../lambda/core/http';
import type { Credential, CredentialSpec, Scheme, SchemeRequest, Verdict } from '../../lambda/contracts/scheme';
import { decodeCredentials } from '../../lambda/schemes/credentials';
import { schemeRequestOf, splitUrl } from '../../lambda/schemes/request';
import { verifyWith } from '../../lambda/schemes/run';

/** The published vectors of the vendors' schemes (vendor-docs/real-platform-vectors.json), each accepted by the vendor's SDK. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VECTORS = require('./real-platform-vectors.json') as Array<Record<string, unknown> & { name: string }>;
export const vector = (name: string): Record<string, any> => {
  const v = VECTORS.find((x) => x.name === name);
  if (!v) throw new Error(`no vector ${name}`);
  return v;
};

/** 2026-01-01T00:00:00Z, the vectors' time. */
export const T0 = new Date(1767225600 * 1000);

export interface RequestParts {
  readonly method?: string;
  /** The URL the request arrived at. @default https://hooks.example.com/webhooks/v */
  readonly url?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly publicUrl?: string;
}

/** A delivery as the HTTP edge builds it. */
export function delivery(parts: RequestParts = {}): Delivery {
  const url = splitUrl(parts.url ?? 'https://hooks.example.com/webhooks/v')!;
  return {
    vendor: 'v',
    method: parts.method ?? 'POST',
    url,
    headers: new Headers(Object.entries(parts.headers ?? {})),
    query: Object.fromEntries(new URLSearchParams(url.rawQuery)),
    body: typeof parts.body === 'string' ? Buffer.from(parts.body) : parts.body ?? Buffer.alloc(0),
    receivedAt: new Date(),
  };
}

export function request(parts: RequestParts = {}): SchemeRequest {
  return schemeRequestOf(delivery(parts), parts.publicUrl);
}

/** The credentials of a secret value, decoded for the scheme's kind (fails the test when they do not decode). */
export function creds(raw: string, spec: CredentialSpec = { kind: 'secret' }): Credential[] {
  const decoded = decodeCredentials(raw, spec);
  if (!decoded.ok) throw new Error(decoded.problem);
  return decoded.credentials;
}

/** Verifies with the scheme, decoding `secret` for its credential kind. */
export function verify(scheme: Scheme, parts: RequestParts, secret: string, now: Date = T0): Promise<Verdict> {
  return verifyWith(scheme, request(parts), creds(secret, scheme.credential), now);
}

/** The refusal reason, or "ok". */
export async function outcome(scheme: Scheme, parts: RequestParts, secret: string, now: Date = T0): Promise<string> {
  const v = await verify(scheme, parts, secret, now);
  return v.ok ? 'ok' : v.reason;
}

/**
 * The refusal reason, or "ok", from the scheme's own `verify` called directly (not through `verifyWith`, so a throw
 * fails the test), with `secret` as one shared secret exactly as given (an empty one too).
 */
export function directOutcome(scheme: Scheme, parts: RequestParts, secret: string, now: Date = T0): string {
  const v = scheme.verify(request(parts), [{ kind: 'secret', secret }], now);
  if (v instanceof Promise) throw new Error(`the ${scheme.family} scheme answers synchronously`);
  return v.ok ? 'ok' : v.reason;
}
