import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretSource } from '../../core/ports';

/** Reads a vendor's secret from Secrets Manager by ARN (one secret per function). */
export class SecretsManagerSource implements SecretSource {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretIdFor: (vendor: string) => string,
  ) {}

  async fetch(vendor: string): Promise<string> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretIdFor(vendor) }));
    if (out.SecretString !== undefined) return out.SecretString;
    if (out.SecretBinary !== undefined) return Buffer.from(out.SecretBinary).toString('utf8');
    return '';
  }
}
