/** Scheduled Lambda: publishes acknowledged events that are not on the bus yet (see core/redrive.ts). */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV, intEnv, requireEnv } from '../config/env';
import { DEFAULT_REDRIVE_MAX_ATTEMPTS } from '../config/table';
import { asLog, createLogger } from '../core/logger';
import { redrive, RedriveDeps, RedriveReport } from '../core/redrive';
import { MetricsRecorder, observingPending, redriveObservation } from '../core/metrics';
import { EmfMetrics } from '../adapters/aws/emf-metrics';
import { DynamoDedupStore } from '../adapters/aws/dynamo-store';
import { EventBridgePublisher } from '../adapters/aws/eventbridge';
import { lazyS3Client, S3BlobStore } from '../adapters/aws/s3-blobs';
import { SqsDeadLetterQueue } from '../adapters/aws/sqs-dead-letters';
import type { DedupRecord } from '../core/ports';

const logger = createLogger();
let setup: { deps: RedriveDeps; found: () => readonly DedupRecord[]; metrics: MetricsRecorder } | undefined;

export function redriveDepsFromEnv(env: NodeJS.ProcessEnv = process.env): RedriveDeps {
  // Only events too big for an item are read from S3: the client is made on first use.
  const blobs = new S3BlobStore(lazyS3Client({}), requireEnv(ENV.payloadBucket, env));
  return {
    store: new DynamoDedupStore(new DynamoDBClient({}), requireEnv(ENV.tableName, env), { blobs }),
    publisher: new EventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName, env)),
    deadLetters: new SqsDeadLetterQueue(new SQSClient({}), requireEnv(ENV.deadLetterQueueUrl, env)),
    log: asLog(logger),
    maxAttempts: intEnv(ENV.redriveMaxAttempts, DEFAULT_REDRIVE_MAX_ATTEMPTS, env),
  };
}

/** One run; its counts, the backlog it found and the age of the oldest pending event go to the metrics. */
export async function run(): Promise<RedriveReport> {
  if (!setup) {
    const base = redriveDepsFromEnv();
    const observed = observingPending(base.store);
    setup = { deps: { ...base, store: observed.store }, found: observed.found, metrics: new EmfMetrics() };
  }
  const now = new Date();
  const report = await redrive(setup.deps, now);
  setup.metrics.redrive(redriveObservation(report, setup.found(), now));
  return report;
}

export const handler = middy(run).use(injectLambdaContext(logger));
