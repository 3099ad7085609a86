/**
 * SecretsManagerSource + SecretCache on moto's Secrets Manager: a secret read by ARN, a rotation to the
 * `{"current","previous"}` format picked up after a failed signature, and a missing secret.
 */
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSource } from '../../lambda/adapters/aws/secrets-manager';
import { DependencyError } from '../../lambda/core/errors';
import { SecretCache } from '../../lambda/core/secrets';
import { MotoClients, motoClients, MotoServer, startMoto } from './moto-server';


let moto: MotoServer;
let clients: MotoClients;

/** A new secret holding `value`; resolves with its ARN (the construct passes ARNs to the functions). */
async function createSecret(name: string, value: string): Promise<string> {
  const out = await clients.secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return out.ARN!;
}

function cacheFor(arn: string): SecretCache {
  return new SecretCache(new SecretsManagerSource(clients.secrets, () => arn), { minRefreshIntervalMs: 0 });
}

beforeAll(async () => {
  moto = await startMoto();
  clients = motoClients(moto);
});

afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

describe('SecretCache over SecretsManagerSource on moto', () => {
  it('reads a plain secret by ARN', async () => {
    // Prepare
    const arn = await createSecret('callhooks/plain', 'whsec_plain-value');
    const cache = cacheFor(arn);

    // Act
    const values = await cache.get('quarterzip');

    // Assert
    expect(values).toEqual(['whsec_plain-value']);
  });

  it('after a rotation to {"current","previous"}, refreshAfterFailure returns both values, current first', async () => {
    // Prepare
    const arn = await createSecret('callhooks/rotating', 'old');
    const cache = cacheFor(arn);
    expect(await cache.get('quarterzip')).toEqual(['old']);
    await clients.secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ current: 'new', previous: 'old' }) }));

    // Act
    const fresh = await cache.refreshAfterFailure('quarterzip');

    // Assert
    expect(fresh).toEqual(['new', 'old']);
    expect(await cache.get('quarterzip')).toEqual(['new', 'old']);
  });

  it('refreshAfterFailure answers undefined when the secret did not change', async () => {
    // Prepare
    const arn = await createSecret('callhooks/unchanged', 'same');
    const cache = cacheFor(arn);
    await cache.get('quarterzip');

    // Act
    const fresh = await cache.refreshAfterFailure('quarterzip');

    // Assert
    expect(fresh).toBeUndefined();
  });

  it('a missing secret is a DependencyError whose cause is ResourceNotFoundException', async () => {
    // Prepare
    const cache = cacheFor('arn:aws:secretsmanager:us-east-1:123456789012:secret:callhooks/missing-AbCdEf');

    // Act
    const error = await cache.get('quarterzip').catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).cause).toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
