/** The environment and context the handler tests give the Lambda entry points (quarterzip's webhook function). */
import type { Context } from 'aws-lambda';
import { ENV } from '../../lambda/config/env';

export const HANDLER_CONTEXT = { functionName: 'callhooks-quarterzip', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

/** Sets the functions' environment (as the construct does) in process.env, before the handlers are required. */
export function setHandlerEnv(extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    [ENV.vendorConfig]: JSON.stringify({ kind: 'builtin', name: 'quarterzip', options: {} }),
    [ENV.secretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:quarterzip',
    [ENV.tableName]: 'dedup',
    [ENV.eventBusName]: 'callhooks-bus',
    [ENV.payloadBucket]: 'payloads',
    [ENV.deadLetterQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq',
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...extra,
  });
}
