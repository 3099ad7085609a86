/**
 * Standard Webhooks (https://www.standardwebhooks.com; Quarterzip, OpenAI): base64 HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>` keyed with the base64 of a `whsec_…` secret, in a space-separated
 * list of `v1,<signature>` (rotation). Byte-compatible with the `standardwebhooks` reference package.
 */
import { randomBytes } from 'node:crypto';
import type { Credential, Scheme, SchemeRequest, SignInput, Verdict, Vouches } from '../contracts/scheme';
import { hmacSha256 } from '../core/crypto';
import { anyEqual, checkFreshness, defaultId, refuse, verdictOfSecrets } from './common';

export interface StandardWebhooksOptions {
  /** Accepted clock skew of `webhook-timestamp`, in seconds. @default 300 */
  readonly toleranceSeconds?: number;
  /** The headers' prefix: `webhook` (the standard) or `svix`. @default "webhook" */
  readonly headerPrefix?: 'webhook' | 'svix';
}

const TIMESTAMP_RE = /^[0-9]{1,15}$/;

/** The HMAC key of a `whsec_…` secret (or a bare base64 secret, as the reference package accepts). */
export function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

export function standardWebhooksScheme(options: StandardWebhooksOptions = {}): Scheme {
  const tolerance = options.toleranceSeconds ?? 300;
  const p = options.headerPrefix ?? 'webhook';
  const [idHeader, timestampHeader, signatureHeader] = [`${p}-id`, `${p}-timestamp`, `${p}-signature`];
  const vouches: Vouches = { body: true, headers: [idHeader, timestampHeader], url: false };
  return {
    family: 'standard-webhooks',
    credential: { kind: 'secret' },
    vouches,
    verify(request: SchemeRequest, credentials: readonly Credential[], now: Date): Verdict {
      const id = request.headers.get(idHeader);
      const timestamp = request.headers.get(timestampHeader);
      const signatures = request.headers.get(signatureHeader);
      if (!id || !timestamp || !signatures) return refuse('missing-header');
      if (!TIMESTAMP_RE.test(timestamp)) return refuse('malformed-signature');
      const stale = checkFreshness(Number(timestamp) * 1000, now, tolerance);
      if (stale) return refuse(stale);
      // A space-separated list of `<version>,<signature>`: the signature never holds a space, and the comma after
      // the version is part of each entry (never split on commas).
      const given = signatures.split(' ').filter((e) => e.startsWith('v1,')).map((e) => e.slice(3));
      if (given.length === 0) return refuse('malformed-signature');
      const matches = (secret: string) => {
        const key = standardWebhooksKey(secret);
        return key.length > 0 && anyEqual(given, hmacSha256(key, `${id}.${timestamp}.`, request.body).toString('base64'));
      };
      return verdictOfSecrets(credentials, matches, vouches, { signedAt: new Date(Number(timestamp) * 1000) });
    },
    sign(input: SignInput, signingKey: string, now: Date) {
      const id = input.id ?? defaultId(input.body);
      const timestamp = String(Math.floor(now.getTime() / 1000));
      const signature = hmacSha256(standardWebhooksKey(signingKey), `${id}.${timestamp}.`, input.body).toString('base64');
      return { headers: { [idHeader]: id, [timestampHeader]: timestamp, [signatureHeader]: `v1,${signature}` } };
    },
    generateCredential() {
      const secret = `whsec_${randomBytes(24).toString('base64')}`;
      return { secret, signingKey: secret };
    },
  };
}
