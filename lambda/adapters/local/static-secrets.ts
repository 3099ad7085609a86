import type { SecretSource } from '../../core/ports';

/** Secrets resolved at start (from CALLHOOKS_SECRET_<VENDOR> or the generated development secrets). */
export class StaticSecretSource implements SecretSource {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  async fetch(vendor: string): Promise<string> {
    const v = this.values.get(vendor);
    if (v === undefined) throw new Error(`no secret configured for ${vendor}`);
    return v;
  }
}
