import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CallOptions, SecretSource } from '../../core/ports';

/** Reads an endpoint's secret from Secrets Manager by ARN (`secretIdFor` maps its key, `secretKeyOf`, to the ARN). */
export class SecretsManagerSource implements SecretSource {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretIdFor: (key: string) => string,
  ) {}

  async fetch(key: string, options: CallOptions = {}): Promise<string> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretIdFor(key) }), { abortSignal: options.signal });
    if (out.SecretString !== undefined) return out.SecretString;
    if (out.SecretBinary !== undefined) return Buffer.from(out.SecretBinary).toString('utf8');
    return '';
  }
}
