import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { SecretSource } from '../../core/ports';

/**
 * What the functions read for a development secret: the value itself, except that a private key (the local
 * mode's development key pair of a public-key scheme, kept to sign samples) reads as its public half, base64 of
 * the raw key — what the vendor's dashboard would show and the endpoint's secret holds in the cloud.
 */
export function verifyingHalf(value: string): string {
  if (!/-----BEGIN PRIVATE KEY-----/.test(value)) return value;
  try {
    const jwk = createPublicKey(createPrivateKey(value.trim())).export({ format: 'jwk' });
    return jwk.x === undefined ? value : Buffer.from(jwk.x, 'base64url').toString('base64');
  } catch {
    return value;
  }
}

/** Secrets resolved at start (from CALLHOOKS_SECRET_<VENDOR> or the generated development secrets). */
export class StaticSecretSource implements SecretSource {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  async fetch(vendor: string): Promise<string> {
    const v = this.values.get(vendor);
    if (v === undefined) throw new Error(`no secret configured for ${vendor}`);
    return verifyingHalf(v);
  }
}
