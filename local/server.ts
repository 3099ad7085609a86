/**
 * `npm start`: callhooks without an AWS account. The same core pipeline and vendor adapters as the
 * Lambda functions behind an HTTP server on 127.0.0.1, with dynalite (on disk) as DynamoDB, a JSON-lines
 * file as the bus, a folder as the payload bucket, and secrets from CALLHOOKS_SECRET_<VENDOR>.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { Delivery, fromApiGateway, toProxyResult } from '../lambda/core/http';
import { handle, PipelineDeps } from '../lambda/core/pipeline';
import { redrive, RedriveReport, republishDead } from '../lambda/core/redrive';
import { countingOffloads, endpointOf, observingPending, redriveObservation } from '../lambda/core/metrics';
import { SecretCache } from '../lambda/core/secrets';
import { RefusedCapture } from '../lambda/core/capture';
import { capturePerMinuteOf } from '../lambda/contracts/env';
import { asLog, createLogger } from '../lambda/core/logger';
import type { Log } from '../lambda/core/ports';
import { DynamoDedupStore } from '../lambda/adapters/aws/dynamo-store';
import { startLocalDynamo, LOCAL_TABLE } from '../lambda/adapters/local/dynalite-store';
import { connectExternalDynamo, DYNAMODB_ENDPOINT_ENV } from '../lambda/adapters/local/external-dynamo';
import { DeliveredEvent, FileEventPublisher } from '../lambda/adapters/local/file-publisher';
import { FsBlobStore } from '../lambda/adapters/local/fs-blobs';
import { FileDeadLetterQueue } from '../lambda/adapters/local/file-dead-letters';
import { MemoryDedupStore } from '../lambda/adapters/local/memory-store';
import { StaticSecretSource } from '../lambda/adapters/local/static-secrets';
import { repairPrivateTree } from '../lambda/adapters/local/private-files';
import { toGatewayEvent } from './gateway';
import { loadConfig, localPaths, resolveSecrets, secretEnvName } from './runtime';
import { createVendorAdapters } from '../lambda/vendors';
import { DEFAULT_ENDPOINT, routePathOf } from '../lambda/contracts/endpoints';
import { LocalMetrics } from './metrics';

/** API Gateway's own payload limit: larger requests never reach a function. */
const GATEWAY_MAX_BYTES = 10 * 1024 * 1024;

export interface LocalOptions {
  readonly port?: number;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Keep the store in memory instead of the data folder (tests); no effect when `CALLHOOKS_DYNAMODB_ENDPOINT`
   * names an external DynamoDB. @default false
   */
  readonly inMemory?: boolean;
  /**
   * `dynalite`: the DynamoDB emulator through the real SDK and the cloud's DynamoDedupStore; `memory`: the
   * same conditional semantics in a Map (implies inMemory; the load script uses it to measure callhooks
   * rather than the emulator; it wins over `CALLHOOKS_DYNAMODB_ENDPOINT`). @default "dynalite", or the DynamoDB at
   * `CALLHOOKS_DYNAMODB_ENDPOINT` when that is set
   */
  readonly store?: 'dynalite' | 'memory';
  /** How often the built-in redrive runs, in ms; 0 turns it off. @default 30000 */
  readonly redriveEveryMs?: number;
  readonly log?: Log;
  /** Called with each published event. @default - a one-line summary on stdout */
  readonly onEvent?: (event: DeliveredEvent) => void;
  /**
   * How often a summary line of the metrics is printed while deliveries arrive, in ms; 0 prints none (the
   * full summary is printed on shutdown by `npm start` either way). @default 60000
   */
  readonly metricsEveryMs?: number;
  /** Replaces ports of the pipeline (fault-injection tests). */
  readonly override?: (deps: PipelineDeps) => PipelineDeps;
}

export interface LocalServer {
  readonly url: string;
  readonly port: number;
  readonly deps: PipelineDeps;
  /** Each endpoint's secret, by its key: the vendor name for `default`, `<vendor>/<endpoint>` for another. */
  readonly secrets: ReadonlyMap<string, string>;
  /** The metrics of this run (also at `GET /_callhooks/metrics`). */
  readonly metrics: LocalMetrics;
  /** Where the records are kept, for the console: the dynalite folder, memory, or the external endpoint and table. */
  readonly storeDescription: string;
  redrive(): Promise<RedriveReport>;
  /** Publishes the dead-lettered events again (the data folder's dead-letters.jsonl), as `callhooks redrive --dead`. */
  republishDead(): Promise<RedriveReport>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string | number | boolean>, body: string) {
  res.writeHead(status, Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])));
  res.end(body);
}

/** The routes served, as API Gateway has them: `/webhooks/<vendor>` for `default`, `/webhooks/<vendor>/<endpoint>` for the others. */
export function routesOf(deps: Pick<PipelineDeps, 'adapters' | 'endpoints'>): string[] {
  return [...deps.adapters.keys()].flatMap((vendor) => [...(deps.endpoints?.get(vendor)?.keys() ?? ['default'])].map((e) => routePathOf(vendor, e)));
}

/**
 * `/webhooks/<vendor>` and `/webhooks/<vendor>/<endpoint>` reach the pipeline, which answers a vendor or endpoint
 * that is not configured 404 (the cloud's API has no route for them: 404 too); any other path is a 404 here, as
 * is `/webhooks/<vendor>/default` (the default endpoint's route is the plain one).
 */
const WEBHOOK_PATH = /^\/webhooks\/[^/]+(\/(?!default\/?$)[^/]+)?\/?$/;

function metricRoute(delivery: Delivery, endpoints: ReadonlyMap<string, ReadonlyMap<string, unknown>>): { vendor: string; endpoint: string } {
  const served = endpoints.get(delivery.vendor);
  if (!served) return { vendor: 'unknown', endpoint: DEFAULT_ENDPOINT };
  const endpoint = endpointOf(delivery);
  return { vendor: delivery.vendor, endpoint: served.has(endpoint) ? endpoint : 'unknown' };
}

export async function startLocal(options: LocalOptions = {}): Promise<LocalServer> {
  const env = options.env ?? process.env;
  const paths = localPaths(env);
  const config = loadConfig(env.CALLHOOKS_CONFIG || undefined);
  const { adapters, endpoints } = createVendorAdapters(config.vendors);
  const log = options.log ?? asLog(createLogger());
  // An older version left the data folder, dev-secrets.json, local.json and the kept payloads readable by others.
  repairPrivateTree(paths.dataDir);
  const secrets = resolveSecrets(endpoints, paths, env);
  const memoryStore = options.store === 'memory';
  const inMemory = options.inMemory || memoryStore;
  const dynamo = memoryStore ? undefined : await openDynamo(env, inMemory ? undefined : paths.dbDir);
  const onEvent =
    options.onEvent ??
    ((e: DeliveredEvent) => process.stdout.write(`event ${e['detail-type']} ${e.source} eventId=${e.detail.eventId} callId=${e.detail.callId ?? '-'}\n`));
  const publisher = new FileEventPublisher(paths.eventsFile, onEvent);
  const blobs = new FsBlobStore(paths.blobsDir);
  // As in the functions: off unless CALLHOOKS_CAPTURE_REFUSED_PER_MINUTE is set; captures land in the data
  // folder's blobs/refused/<vendor>/<day>/, for `callhooks verify --captured`.
  const capturePerMinute = capturePerMinuteOf(env);
  const baseDeps: PipelineDeps = {
    captureRefused: capturePerMinute > 0 ? new RefusedCapture(capturePerMinute) : undefined,
    adapters,
    endpoints,
    secrets: new SecretCache(new StaticSecretSource(secrets.values)),
    store: dynamo ? new DynamoDedupStore(dynamo.client, dynamo.tableName, { blobs, pendingFrom: dynamo.pendingFrom }) : new MemoryDedupStore(),
    publisher,
    blobs,
    log,
    limits: { maxBodyBytes: config.maxBodyBytes, maxEventBytes: config.maxEventBytes, retentionDays: config.retentionDays },
  };
  const overridden = options.override ? options.override(baseDeps) : baseDeps;
  const offloads = countingOffloads(overridden.blobs);
  const deps: PipelineDeps = { ...overridden, blobs: offloads.blobs };
  const metrics = new LocalMetrics();
  const runRedrive = async () => {
    const observed = observingPending(deps.store);
    const now = new Date();
    const report = await redrive({ store: observed.store, publisher: deps.publisher, deadLetters: new FileDeadLetterQueue(paths.deadLettersFile), log, blobs, maxEventBytes: config.maxEventBytes }, now);
    metrics.redrive(redriveObservation(report, observed.found(), now));
    return report;
  };
  const runRepublish = () => republishDead({ store: deps.store, publisher: deps.publisher, deadLetters: new FileDeadLetterQueue(paths.deadLettersFile), log });

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/_callhooks/metrics' && req.method === 'GET') {
        send(res, 200, { 'content-type': 'application/json' }, JSON.stringify(metrics.snapshot()));
        return;
      }
      if (url.pathname === '/_callhooks/redrive' && req.method === 'POST') {
        const report = url.searchParams.get('dead') === '1' ? await runRepublish() : await runRedrive();
        send(res, 200, { 'content-type': 'application/json' }, JSON.stringify(report));
        return;
      }
      const body = await readBody(req, GATEWAY_MAX_BYTES);
      if (body === undefined) {
        send(res, 413, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Request Entity Too Large' }));
        return;
      }
      if (!WEBHOOK_PATH.test(url.pathname)) {
        // What API Gateway answers for a path with no route.
        send(res, 404, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Not Found' }));
        return;
      }
      const started = performance.now();
      const offloadsBefore = offloads.count();
      const delivery = fromApiGateway(toGatewayEvent(req, body));
      const { reply, outcome, refusal } = await handle(delivery, deps);
      metrics.delivery({
        // Bounded like the cloud's: a path that names no enabled vendor counts as "unknown" (endpoint "default"),
        // one that names no endpoint of an enabled vendor as that vendor's "unknown" endpoint.
        ...metricRoute(delivery, endpoints),
        outcome,
        refusal,
        latencyMs: performance.now() - started,
        // Concurrent deliveries share the counter: the local figure is approximate under load.
        offloads: offloads.count() - offloadsBefore,
      });
      const result = toProxyResult(reply);
      send(res, result.statusCode, result.headers ?? {}, result.body);
    } catch (err) {
      log.error('local server error', { error: err instanceof Error ? err.name : typeof err });
      if (!res.headersSent) send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Internal Server Error' }));
    }
  });
  const port = options.port ?? Number(env.PORT || 3000);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${actualPort}`;
  if (!inMemory) {
    mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(paths.stateFile, JSON.stringify({ url, pid: process.pid }) + '\n', { mode: 0o600 });
  }
  const every = options.redriveEveryMs ?? 30_000;
  const timer = every > 0 ? setInterval(() => void runRedrive().catch(() => undefined), every) : undefined;
  timer?.unref();
  const metricsEvery = options.metricsEveryMs ?? 60_000;
  const metricsTimer = metricsEvery > 0 ? setInterval(() => {
    const line = metrics.summaryLine({ onlyIfChanged: true });
    if (line) process.stdout.write(`${line}\n`);
  }, metricsEvery) : undefined;
  metricsTimer?.unref();

  // The value is never printed (a console is often shared or recorded): `callhooks send` reads it from that file.
  for (const key of secrets.generated) {
    const [vendor, endpoint] = key.split('/');
    process.stdout.write(`generated a development secret for ${key} into ${paths.devSecretsFile} (set ${secretEnvName(vendor, endpoint)} to use your own)\n`);
  }
  return {
    url,
    port: actualPort,
    deps,
    secrets: secrets.values,
    metrics,
    storeDescription: dynamo?.description ?? 'in memory',
    redrive: runRedrive,
    republishDead: runRepublish,
    close: async () => {
      if (timer) clearInterval(timer);
      if (metricsTimer) clearInterval(metricsTimer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await dynamo?.close();
      await publisher.close();
      if (!inMemory) rmSync(paths.stateFile, { force: true });
    },
  };
}

/**
 * The DynamoDB of the local mode: the one at `CALLHOOKS_DYNAMODB_ENDPOINT` (table `CALLHOOKS_TABLE_NAME`,
 * created when missing) when set, else dynalite in-process (on disk under `dbDir`, or in memory).
 */
async function openDynamo(env: NodeJS.ProcessEnv, dbDir: string | undefined) {
  const endpoint = env[DYNAMODB_ENDPOINT_ENV];
  if (endpoint) {
    const external = await connectExternalDynamo(endpoint, env);
    // A real DynamoDB keeps its index consistent with its items: the redrive queries the pending index.
    return { ...external, pendingFrom: undefined, description: `DynamoDB at ${endpoint}, table ${external.tableName}${external.created ? ' (created now)' : ''}` };
  }
  const local = await startLocalDynamo(dbDir);
  return { ...local, tableName: LOCAL_TABLE, description: dbDir ? `dynalite in ${dbDir}` : 'dynalite in memory' };
}

async function main() {
  // Everything the local mode writes holds personal data or secrets: files 0600, folders 0700, including
  // those the DynamoDB emulator's LevelDB creates on its own.
  process.umask(0o077);
  const local = await startLocal();
  const paths = localPaths();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping\n${local.metrics.summaryLine()}\n`);
    local.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Before saying "ready": whoever starts it may stop it the moment it reads that line.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.stdout.write(
    [
      `callhooks local mode ready on ${local.url}`,
      `  routes:  ${routesOf(local.deps).map((r) => `${local.url}${r}`).join('\n           ')}`,
      `  events:  ${paths.eventsFile}`,
      `  data:    ${paths.dataDir}`,
      `  store:   ${local.storeDescription}`,
      `  try:     npx callhooks send ${local.deps.adapters.has('quarterzip') ? 'quarterzip' : [...local.deps.adapters.keys()][0]}   (Ctrl-C to stop)`,
      '',
    ].join('\n'),
  );
}

/** Why `npm start` could not start, for the console: a port in use names the variable that chooses another. */
export function startFailure(err: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') {
    const port = Number(env.PORT || 3000);
    return `callhooks local mode failed to start: port ${port} on 127.0.0.1 is in use (another local mode?): set PORT to a free one, e.g. PORT=${port + 1} npm start`;
  }
  return `callhooks local mode failed to start: ${err instanceof Error ? err.message : String(err)}`;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${startFailure(err)}\n`);
    process.exit(1);
  });
}
