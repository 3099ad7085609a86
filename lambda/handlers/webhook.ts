/**
 * Lambda entry for one vendor's webhook route. Thin: decode the API Gateway event, run the core
 * pipeline, map its answer. Clients and configuration are set up once per container; module init loads only
 * what every delivery needs (the S3 client, for the rare offload and kept bodies, is loaded on first use).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2, APIGatewayProxyResult, Context } from 'aws-lambda';
import { capturePerMinuteOf, ENV, intEnv, requireEnv, secretArnsFromEnv } from '../contracts/env';
import { DEFAULTS } from '../contracts/defaults';
import type { VendorRuntimeConfig } from '../config/config';
import { fromApiGateway, toProxyResult } from '../core/http';
import { handle, PipelineDeps } from '../core/pipeline';
import { countingOffloads, endpointOf, MetricsRecorder } from '../core/metrics';
import { SecretCache } from '../core/secrets';
import { RefusedCapture } from '../core/capture';
import { Budget, DEFAULT_ANSWER_DEADLINE_MS } from '../core/deadline';
import { asLog, createLogger } from '../core/logger';
import { createVendorAdapters, endpointsOf } from '../vendors';
import { fastClientConfig } from '../adapters/aws/clients';
import { DynamoDedupStore } from '../adapters/aws/dynamo-store';
import { EventBridgePublisher } from '../adapters/aws/eventbridge';
import { lazyS3Client, S3BlobStore } from '../adapters/aws/s3-blobs';
import { SecretsManagerSource } from '../adapters/aws/secrets-manager';
import { EmfMetrics } from '../adapters/aws/emf-metrics';

const logger = createLogger();

/** Builds the pipeline's dependencies from the function's environment. Exported for tests. */
export function depsFromEnv(env: NodeJS.ProcessEnv = process.env, onStaleSecret?: () => void): PipelineDeps {
  const vendor = JSON.parse(requireEnv(ENV.vendorConfig, env)) as VendorRuntimeConfig;
  const { adapters, endpoints } = createVendorAdapters([vendor]);
  // One function serves all of the vendor's endpoints, each verified with its own secret only.
  const secretArns = secretArnsFromEnv(vendor.name, endpointsOf(vendor), env);
  const secretIdOf = (key: string): string => {
    const arn = secretArns.get(key);
    if (arn === undefined) throw new Error(`no secret for ${key}`);
    return arn;
  };
  // The S3 client is made (and @aws-sdk/client-s3 evaluated) on the first put: most deliveries never need it.
  const blobs = new S3BlobStore(lazyS3Client(fastClientConfig(5000)), requireEnv(ENV.payloadBucket, env));
  // Off unless set: 0 or unset captures nothing.
  const capturePerMinute = capturePerMinuteOf(env);
  return {
    captureRefused: capturePerMinute > 0 ? new RefusedCapture(capturePerMinute) : undefined,
    adapters,
    endpoints,
    // Stale-if-error: while Secrets Manager fails, a value read in the last 24 h still verifies (logged, counted).
    secrets: new SecretCache(new SecretsManagerSource(new SecretsManagerClient(fastClientConfig()), secretIdOf), {
      onStale: (key, ageMs) => {
        logger.warn('Secrets Manager unavailable; using the secret read before', { secret: key, ageSeconds: Math.round(ageMs / 1000) });
        onStaleSecret?.();
      },
    }),
    store: new DynamoDedupStore(new DynamoDBClient(fastClientConfig()), requireEnv(ENV.tableName, env), { blobs }),
    publisher: new EventBridgePublisher(new EventBridgeClient(fastClientConfig()), requireEnv(ENV.eventBusName, env)),
    blobs,
    log: asLog(logger),
    limits: {
      maxBodyBytes: intEnv(ENV.maxBodyBytes, DEFAULTS.maxBodyBytes, env),
      maxEventBytes: intEnv(ENV.maxEventBytes, DEFAULTS.maxEventBytes, env),
      retentionDays: intEnv(ENV.retentionDays, DEFAULTS.retentionDays, env),
      answerDeadlineMs: intEnv(ENV.answerDeadlineMs, DEFAULT_ANSWER_DEADLINE_MS, env),
    },
  };
}

/** The pipeline's dependencies with the offload counter, and the metrics; built on the first invocation. */
interface Setup {
  readonly deps: PipelineDeps;
  readonly vendor: string;
  readonly offloads: () => number;
  readonly spooled: () => number;
  readonly staleSecrets: () => number;
  readonly metrics: MetricsRecorder;
}

let setup: Setup | undefined;

function setupFromEnv(): Setup {
  let stale = 0;
  const base = depsFromEnv(process.env, () => stale++);
  const counted = countingOffloads(base.blobs);
  return {
    deps: { ...base, blobs: counted.blobs },
    vendor: [...base.adapters.keys()][0],
    offloads: counted.count,
    spooled: counted.spooled,
    staleSecrets: () => stale,
    metrics: new EmfMetrics(),
  };
}

/**
 * The route's vendor is fixed per function: a request for another vendor's path is answered 404. Each answer
 * is counted by outcome, under the function's own vendor (never the path's) and the delivery's endpoint.
 */
export async function webhook(event: APIGatewayProxyEventV2, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<APIGatewayProxyResult> {
  const started = performance.now();
  const startedAt = Date.now();
  setup ??= setupFromEnv();
  const before = { offloads: setup.offloads(), spooled: setup.spooled(), stale: setup.staleSecrets() };
  const delivery = fromApiGateway(event);
  // The answer deadline, never past what the function has left (less a margin for Lambda itself).
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
  const budget = new Budget(setup.deps.limits.answerDeadlineMs ?? DEFAULT_ANSWER_DEADLINE_MS, startedAt, remaining);
  const { reply, outcome, refusal } = await handle(delivery, setup.deps, { budget });
  setup.metrics.delivery({
    vendor: setup.vendor,
    endpoint: endpointOf(delivery),
    outcome,
    refusal,
    latencyMs: performance.now() - started,
    offloads: setup.offloads() - before.offloads,
    spooled: setup.spooled() - before.spooled,
    staleSecrets: setup.staleSecrets() - before.stale,
  });
  return toProxyResult(reply);
}

export const handler = middy(webhook).use(injectLambdaContext(logger));
