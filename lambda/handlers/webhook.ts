/**
 * Lambda entry for one vendor's webhook route. Thin: decode the API Gateway event, run the core
 * pipeline, map its answer. Clients and configuration are set up once per container.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import { ENV, intEnv, requireEnv } from '../config/env';
import { DEFAULTS, VendorRuntimeConfig } from '../config/config';
import { fromApiGateway, toProxyResult } from '../core/http';
import { handleDelivery, PipelineDeps } from '../core/pipeline';
import { SecretCache } from '../core/secrets';
import { asLog, createLogger } from '../core/logger';
import { createAdapter } from '../vendors';
import { fastClientConfig } from '../adapters/aws/clients';
import { DynamoDedupStore } from '../adapters/aws/dynamo-store';
import { EventBridgePublisher } from '../adapters/aws/eventbridge';
import { S3BlobStore } from '../adapters/aws/s3-blobs';
import { SecretsManagerSource } from '../adapters/aws/secrets-manager';

const logger = createLogger();

/** Builds the pipeline's dependencies from the function's environment. Exported for tests. */
export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): PipelineDeps {
  const vendor = JSON.parse(requireEnv(ENV.vendorConfig, env)) as VendorRuntimeConfig;
  const adapter = createAdapter(vendor);
  const secretArn = requireEnv(ENV.secretArn, env);
  const blobs = new S3BlobStore(new S3Client(fastClientConfig(5000)), requireEnv(ENV.payloadBucket, env));
  return {
    adapters: new Map([[adapter.name, adapter]]),
    secrets: new SecretCache(new SecretsManagerSource(new SecretsManagerClient(fastClientConfig()), () => secretArn)),
    store: new DynamoDedupStore(new DynamoDBClient(fastClientConfig()), requireEnv(ENV.tableName, env), { blobs }),
    publisher: new EventBridgePublisher(new EventBridgeClient(fastClientConfig()), requireEnv(ENV.eventBusName, env)),
    blobs,
    log: asLog(logger),
    limits: {
      maxBodyBytes: intEnv(ENV.maxBodyBytes, DEFAULTS.maxBodyBytes, env),
      maxEventBytes: intEnv(ENV.maxEventBytes, DEFAULTS.maxEventBytes, env),
      retentionDays: intEnv(ENV.retentionDays, DEFAULTS.retentionDays, env),
    },
  };
}

let deps: PipelineDeps | undefined;

/** The route's vendor is fixed per function: a request for another vendor's path is answered 404. */
export async function webhook(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResult> {
  deps ??= depsFromEnv();
  const delivery = fromApiGateway(event);
  const reply = await handleDelivery(delivery, deps);
  return toProxyResult(reply);
}

export const handler = middy(webhook).use(injectLambdaContext(logger));
