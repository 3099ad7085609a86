/**
 * Starts a moto server (`moto_server -H 127.0.0.1 -p <free port>`) as a child process for one test file,
 * waits until it answers, and stops it. Each test file gets its own server (beforeAll/afterAll), so files
 * never share state and can run in parallel.
 *
 * moto is not an npm package: where the binary is missing, `startMoto` throws a clear error rather than
 * skipping, so a green run always means the tests ran. Also here: real SDK clients pointed at the server
 * and the few resource steps (queues, rules, reading a queue) that several test files share.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDedupStore } from '../../lambda/adapters/aws/dynamo-store';
import { EventBridgePublisher } from '../../lambda/adapters/aws/eventbridge';
import { S3BlobStore } from '../../lambda/adapters/aws/s3-blobs';
import { SecretsManagerSource } from '../../lambda/adapters/aws/secrets-manager';
import type { CallEventDetail } from '../../lambda/core/event';
import type { Limits, PipelineDeps } from '../../lambda/core/pipeline';
import type { EventPublisher } from '../../lambda/core/ports';
import { SecretCache } from '../../lambda/core/secrets';
import type { VendorAdapter } from '../../lambda/core/vendor';
import { MemoryLog } from '../helpers/memory';

export const MOTO_NOT_INSTALLED = "moto_server is not installed: pip install 'moto[server]'";

/** Region and credentials every client uses against moto. */
export const MOTO_REGION = 'us-east-1';
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export interface MotoServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Settings for any AWS SDK v3 client (S3 also needs `forcePathStyle: true`, see `s3Config`). */
  readonly clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  readonly s3Config: MotoServer['clientConfig'] & { forcePathStyle: true };
  /** Drops every resource of every service (moto's `/moto-api/reset`). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function httpCall(method: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: NodeJS.ErrnoException;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Binary name or path; `MOTO_SERVER_BIN` overrides it (e.g. a virtualenv's bin/moto_server). */
function motoBinary(): string {
  return process.env.MOTO_SERVER_BIN || 'moto_server';
}

/**
 * `$@` is the moto command. The reader subshell gets the watchdog's stdin as fd 3 (an asynchronous list's
 * own stdin is /dev/null) and stops moto once that pipe reaches end of file; `wait` makes the watchdog
 * exit with moto's status, so a missing binary still shows as status 127.
 */
const WATCHDOG = 'exec 3<&0; "$@" </dev/null & pid=$!; (read _ <&3; kill "$pid" 2>/dev/null) & wait "$pid"';

async function launch(port: number, timeoutMs: number): Promise<{ child: ChildProcess } | { exit: Exit; output: string }> {
  // moto runs under a small sh watchdog that stops it when our end of its stdin closes: on stop(), and
  // also when the test process dies without running afterAll, so no moto server outlives its test file.
  const child = spawn('sh', ['-c', WATCHDOG, 'moto-watchdog', motoBinary(), '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exit: Exit | undefined;
  child.on('error', (err: NodeJS.ErrnoException) => (exit = { code: null, signal: null, spawnError: err }));
  child.on('exit', (code, signal) => (exit ??= { code, signal }));

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit) {
      child.stdin?.end(); // lets the watchdog's reader go too
      return { exit, output };
    }
    try {
      await httpCall('GET', `http://127.0.0.1:${port}/moto-api/data.json`);
      // Past the readiness check the server's output is not needed; keep draining it so its pipes never fill.
      return { child };
    } catch {
      await sleep(50);
    }
  }
  killGroup(child, 'SIGKILL');
  throw new Error(`moto_server did not answer on 127.0.0.1:${port} within ${timeoutMs} ms. Its output:\n${output}`);
}

function notInstalled(exit: Exit, output: string): boolean {
  if (exit.spawnError?.code === 'ENOENT') return true;
  // A pyenv shim or a broken virtualenv exits 127 ("command not found") when the package is absent.
  return exit.code === 127 || /command not found|: not found|No module named ['"]?moto/i.test(output);
}

/** Starts a moto server on a free loopback port; resolves once it answers HTTP. */
export async function startMoto(timeoutMs = 15_000): Promise<MotoServer> {
  let lastOutput = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const launched = await launch(port, timeoutMs);
    if ('exit' in launched) {
      if (notInstalled(launched.exit, launched.output)) throw new Error(MOTO_NOT_INSTALLED);
      lastOutput = launched.output;
      // Another process took the port between the probe and the start: try another one.
      if (/address already in use/i.test(launched.output)) continue;
      throw new Error(`moto_server exited (code ${launched.exit.code}, signal ${launched.exit.signal}) before answering. Its output:\n${launched.output}`);
    }
    const { child } = launched;
    const endpoint = `http://127.0.0.1:${port}`;
    const clientConfig = { endpoint, region: MOTO_REGION, credentials: { ...MOTO_CREDENTIALS } };
    return {
      port,
      endpoint,
      clientConfig,
      s3Config: { ...clientConfig, forcePathStyle: true },
      reset: async () => {
        const status = await httpCall('POST', `${endpoint}/moto-api/reset`);
        if (status !== 200) throw new Error(`moto reset answered ${status}`);
      },
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          // The watchdog leads its own process group (detached): if moto ignores SIGTERM, end the group.
          const force = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.stdin?.end();
        }),
    };
  }
  throw new Error(`moto_server could not find a free port after 3 attempts. Its output:\n${lastOutput}`);
}

// ---------------------------------------------------------------------------------------------------------
// Real SDK clients pointed at a moto server, and the few resource steps several test files share.

export interface MotoClients {
  readonly dynamo: DynamoDBClient;
  readonly eventBridge: EventBridgeClient;
  readonly s3: S3Client;
  readonly secrets: SecretsManagerClient;
  readonly sqs: SQSClient;
  destroy(): void;
}

export function motoClients(moto: MotoServer): MotoClients {
  const clients = {
    dynamo: new DynamoDBClient(moto.clientConfig),
    eventBridge: new EventBridgeClient(moto.clientConfig),
    s3: new S3Client(moto.s3Config),
    secrets: new SecretsManagerClient(moto.clientConfig),
    sqs: new SQSClient(moto.clientConfig),
  };
  return { ...clients, destroy: () => Object.values(clients).forEach((c) => c.destroy()) };
}

export async function createQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** A rule on `bus` with `pattern`, targeting a new queue named after the rule; resolves with the queue URL. */
export async function ruleToQueue(clients: MotoClients, bus: string, ruleName: string, pattern: unknown): Promise<string> {
  const queue = await createQueue(clients.sqs, `${ruleName}-queue`);
  await clients.eventBridge.send(new PutRuleCommand({ Name: ruleName, EventBusName: bus, EventPattern: JSON.stringify(pattern), State: 'ENABLED' }));
  await clients.eventBridge.send(new PutTargetsCommand({ Rule: ruleName, EventBusName: bus, Targets: [{ Id: 'queue', Arn: queue.arn }] }));
  return queue.url;
}

/** Every message now in the queue, bodies parsed as JSON (received once: they stay invisible afterwards). */
export async function drainQueue<T = Record<string, unknown>>(sqs: SQSClient, url: string): Promise<T[]> {
  const bodies: T[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) return bodies;
    for (const m of messages) bodies.push(JSON.parse(m.Body ?? 'null') as T);
  }
}

/** An event as an SQS target of an EventBridge rule receives it. */
export interface BusEvent {
  readonly id: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly time: string;
  readonly detail: CallEventDetail;
}

/** A vendor secret created in moto; resolves with its ARN (the construct hands ARNs to the functions). */
export async function createVendorSecret(clients: MotoClients, vendor: string, value: string): Promise<string> {
  const out = await clients.secrets.send(new CreateSecretCommand({ Name: `callhooks/${vendor}-${randomUUID().slice(0, 8)}`, SecretString: value }));
  return out.ARN!;
}

export async function createBucket(clients: MotoClients, bucket: string): Promise<void> {
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

export async function createBus(clients: MotoClients, bus: string): Promise<void> {
  await clients.eventBridge.send(new CreateEventBusCommand({ Name: bus }));
}

export interface MotoPipelineOptions {
  readonly adapters: ReadonlyMap<string, VendorAdapter>;
  /** Vendor → ARN of its secret in moto. */
  readonly secretArns: ReadonlyMap<string, string>;
  readonly table: string;
  readonly bus: string;
  readonly bucket: string;
  readonly limits?: Partial<Limits>;
  /** Wraps the real publisher (e.g. to record what was put on the bus). */
  readonly publisher?: (real: EventBridgePublisher) => EventPublisher;
}

/** The pipeline's dependencies with every port a real AWS adapter on moto, as in the Lambda function. */
export function motoPipelineDeps(clients: MotoClients, o: MotoPipelineOptions): PipelineDeps & { store: DynamoDedupStore; log: MemoryLog } {
  const real = new EventBridgePublisher(clients.eventBridge, o.bus);
  const blobs = new S3BlobStore(clients.s3, o.bucket);
  return {
    adapters: o.adapters,
    secrets: new SecretCache(
      new SecretsManagerSource(clients.secrets, (vendor) => {
        const arn = o.secretArns.get(vendor);
        if (!arn) throw new Error(`no secret created for ${vendor}`);
        return arn;
      }),
    ),
    store: new DynamoDedupStore(clients.dynamo, o.table, { blobs }),
    publisher: o.publisher ? o.publisher(real) : real,
    blobs,
    log: new MemoryLog(),
    limits: { maxBodyBytes: 2 * 1024 * 1024, maxEventBytes: 256 * 1024, retentionDays: 30, ...o.limits },
  };
}
