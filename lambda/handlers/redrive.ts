/**
 * Scheduled Lambda: publishes acknowledged events that are not on the bus yet (see core/redrive.ts), draining
 * until nothing is left or the run's time is nearly out. Invoked with `{"republishDead": true}` (`callhooks
 * redrive --dead --function …`), it publishes the dead-lettered events again instead.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV, intEnv, requireEnv } from '../contracts/env';
import { DEFAULT_REDRIVE_MAX_AGE_MS } from '../contracts/table';
import { asLog, createLogger } from '../core/logger';
import { redrive, RedriveDeps, RedriveReport, republishDead } from '../core/redrive';
import { MetricsRecorder, observingPending, redriveObservation } from '../core/metrics';
import { EmfMetrics } from '../adapters/aws/emf-metrics';
import { DynamoDedupStore } from '../adapters/aws/dynamo-store';
import { EventBridgePublisher } from '../adapters/aws/eventbridge';
import { lazyS3Client, S3BlobStore } from '../adapters/aws/s3-blobs';
import { SqsDeadLetterQueue } from '../adapters/aws/sqs-dead-letters';
import { redriveClientConfig } from '../adapters/aws/clients';
import { DEFAULTS } from '../contracts/defaults';
import type { DedupRecord } from '../core/ports';

const logger = createLogger();
let setup: { deps: RedriveDeps; found: () => readonly DedupRecord[]; metrics: MetricsRecorder } | undefined;

/** Time kept at the end of a run: no page is started with less left. */
export const REDRIVE_RESERVE_MS = 10_000;

export function redriveDepsFromEnv(env: NodeJS.ProcessEnv = process.env): RedriveDeps {
  // S3 serves only the spool and events too big for an item: the client is made on first use.
  const bucket = requireEnv(ENV.payloadBucket, env);
  const table = requireEnv(ENV.tableName, env);
  const blobs = new S3BlobStore(lazyS3Client(redriveClientConfig()), bucket);
  const vendors = env[ENV.redriveVendors]?.split(',').map((v) => v.trim()).filter((v) => v !== '');
  return {
    store: new DynamoDedupStore(new DynamoDBClient(redriveClientConfig()), table, { blobs }),
    publisher: new EventBridgePublisher(new EventBridgeClient(redriveClientConfig()), requireEnv(ENV.eventBusName, env)),
    deadLetters: new SqsDeadLetterQueue(new SQSClient(redriveClientConfig()), requireEnv(ENV.deadLetterQueueUrl, env), { table, bucket }),
    blobs,
    maxEventBytes: intEnv(ENV.maxEventBytes, DEFAULTS.maxEventBytes, env),
    log: asLog(logger),
    vendors: vendors && vendors.length > 0 ? vendors : undefined,
    maxAgeMs: intEnv(ENV.redriveMaxAgeSeconds, DEFAULT_REDRIVE_MAX_AGE_MS / 1000, env) * 1000,
  };
}

/** What the function is invoked with: the schedule's event, or `{"republishDead": true}`. */
export interface RedriveInput {
  readonly republishDead?: boolean;
}

/** One run; its counts, the backlog it found and the age of the oldest pending event go to the metrics. */
export async function run(input?: RedriveInput, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RedriveReport> {
  if (!setup) {
    const base = redriveDepsFromEnv();
    const observed = observingPending(base.store);
    setup = { deps: { ...base, store: observed.store }, found: observed.found, metrics: new EmfMetrics() };
  }
  const now = new Date();
  const deps: RedriveDeps = {
    ...setup.deps,
    reserveMs: REDRIVE_RESERVE_MS,
    timeLeftMs: typeof context?.getRemainingTimeInMillis === 'function' ? () => context.getRemainingTimeInMillis() : undefined,
  };
  if (input?.republishDead === true) return republishDead(deps, now);
  const report = await redrive(deps, now);
  setup.metrics.redrive(redriveObservation(report, setup.found(), now));
  return report;
}

export const handler = middy(run).use(injectLambdaContext(logger));
