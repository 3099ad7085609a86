/**
 * The environment, context and mocked AWS the handler tests give the Lambda entry points (quarterzip's webhook
 * function).
 */
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../../lambda/contracts/env';

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

/** The SDK clients the handlers use, mocked (aws-sdk-client-mock): every client of a handler test file. */
export function mockAws() {
  return {
    secrets: mockClient(SecretsManagerClient),
    ddb: mockClient(DynamoDBClient),
    eventbridge: mockClient(EventBridgeClient),
    s3: mockClient(S3Client),
    sqs: mockClient(SQSClient),
  };
}
export type AwsMocks = ReturnType<typeof mockAws>;

/**
 * Before each test, AWS answers a healthy delivery: the secret (`secret`, or the one `secret(SecretId)` names),
 * the claim and the mark, and PutEvents with one accepted entry; after each, every mock is reset.
 */
export function healthyAwsEachTest(aws: AwsMocks, secret: string | ((secretId: string) => string)): void {
  beforeEach(() => {
    aws.secrets.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => ({ SecretString: typeof secret === 'string' ? secret : secret(input.SecretId) }));
    aws.ddb.on(PutItemCommand).resolves({});
    aws.ddb.on(UpdateItemCommand).resolves({});
    aws.eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-1' }] });
    // The redrive lists the spool on every run: an empty one.
    aws.s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  });
  afterEach(() => {
    for (const mock of Object.values(aws)) mock.reset();
  });
}

/** The EMF lines (JSON lines with `_aws`) the handlers write to stdout while `act` runs, and what `act` gave. */
export async function emfWhile<T>(act: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  let result: T;
  try {
    result = await act();
  } finally {
    spy.mockRestore();
  }
  return { result, lines: written.join('').split('\n').filter((l) => l.includes('"_aws"')) };
}
