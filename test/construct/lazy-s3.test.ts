/**
 * The webhook function's cold start loads only what every delivery needs: the S3 client (offload, bodies kept
 * for inspection) is evaluated on the first put, not when the bundle loads. Checked on the real shipped bundle
 * in a child process: esbuild's `keepNames` names every class through `Object.defineProperty(cls, 'name', …)`
 * as the class is evaluated, so watching those calls tells which SDK classes exist after `require(bundle)`,
 * after the dependencies are built, and after the first put.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BUNDLE_FILE, BUNDLES_DIR, packageRoot, webhookBundleName } from '../../lib/private/bundles';
import { lazyS3Client, S3BlobStore } from '../../lambda/adapters/aws/s3-blobs';
import { ENV } from '../../lambda/contracts/env';
import { closedPort } from '../helpers/ports';


const WATCH = `
const define = Object.defineProperty;
const seen = new Set();
const watched = new Set(['S3Client', 'PutObjectCommand', 'DynamoDBClient', 'EventBridgeClient', 'SecretsManagerClient']);
Object.defineProperty = function (target, key, descriptor) {
  if (key === 'name' && descriptor && watched.has(descriptor.value)) seen.add(descriptor.value);
  return define.apply(this, arguments);
};
const bundle = require(process.argv[1]);
const atInit = [...seen].sort();
const deps = bundle.depsFromEnv(process.env);
const afterSetup = [...seen].sort();
deps.blobs.put('offload/quarterzip/lazy.json', '{}', 'application/json').then(() => 'stored', (e) => 'failed').then((outcome) => {
  process.stdout.write('RESULT ' + JSON.stringify({ atInit, afterSetup, afterPut: [...seen].sort(), outcome }) + '\\n');
});
`;

describe('the webhook bundle defers the S3 client to its first use', () => {
  it('evaluates the DynamoDB, EventBridge and Secrets Manager clients at init, S3 only on the first put', async () => {
    // Arrange: the shipped Quarterzip bundle, every AWS endpoint on a closed port
    const bundle = path.join(packageRoot(), BUNDLES_DIR, webhookBundleName({ kind: 'builtin', name: 'quarterzip' }), BUNDLE_FILE);
    const env = {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${await closedPort()}`,
      AWS_MAX_ATTEMPTS: '1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      [ENV.vendorConfig]: JSON.stringify({ kind: 'builtin', name: 'quarterzip', options: {} }),
      [ENV.secretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:quarterzip',
      [ENV.tableName]: 'dedup',
      [ENV.eventBusName]: 'callhooks-bus',
      [ENV.payloadBucket]: 'payloads',
    };

    // Act
    const run = spawnSync(process.execPath, ['-e', WATCH, bundle], { env, encoding: 'utf8', timeout: 30_000 });

    // Assert
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect({ status: run.status, line: line !== undefined, stderr: line ? '' : run.stderr }).toEqual({ status: 0, line: true, stderr: '' });
    const result = JSON.parse(line!.slice('RESULT '.length));
    expect(result.atInit).toEqual(['DynamoDBClient', 'EventBridgeClient', 'SecretsManagerClient']);
    expect(result.afterSetup).toEqual(['DynamoDBClient', 'EventBridgeClient', 'SecretsManagerClient']);
    expect(result.afterPut).toEqual(['DynamoDBClient', 'EventBridgeClient', 'PutObjectCommand', 'S3Client', 'SecretsManagerClient']);
    // The put really went out (to the closed port, hence failed): the lazily made client works.
    expect(result.outcome).toBe('failed');
  });
});

describe('S3BlobStore with a client made on first use', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());

  it('makes the client once, on the first put, and stores through it', async () => {
    // Arrange
    let made = 0;
    const lazy = lazyS3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const store = new S3BlobStore(() => (made++, lazy()), 'payloads');
    s3.on(PutObjectCommand).resolves({});

    // Act
    const before = made;
    const first = await store.put('offload/quarterzip/a.json', '{"a":1}', 'application/json');
    await store.put('offload/quarterzip/b.json', '{"b":2}', 'application/json');

    // Assert
    expect(before).toBe(0);
    expect(made).toBe(1);
    expect(first).toEqual({ url: 's3://payloads/offload/quarterzip/a.json', bucket: 'payloads', key: 'offload/quarterzip/a.json' });
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'payloads', Key: 'offload/quarterzip/a.json', Body: '{"a":1}', ContentType: 'application/json' },
      { Bucket: 'payloads', Key: 'offload/quarterzip/b.json', Body: '{"b":2}', ContentType: 'application/json' },
    ]);
  });
});
