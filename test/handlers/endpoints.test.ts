/**
 * The real webhook handler of a vendor with endpoints (the environment the construct gives it): it reads each
 * endpoint's secret by its own ARN, verifies a delivery only with its endpoint's secret, and counts each answer
 * under the endpoint it arrived at (the metrics' `endpoint` dimension).
 */
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ENV } from '../../lambda/config/env';
import { signStandardWebhook } from '../../lambda/core/standard-webhooks';
import { HANDLER_CONTEXT, setHandlerEnv } from '../helpers/handler-env';

const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;
const SECRETS: Record<string, string> = {
  [ARN('qz-eu')]: 'whsec_' + Buffer.from('handler eu secret 24 b..').toString('base64'),
  [ARN('qz-us')]: 'whsec_' + Buffer.from('handler us secret 24 b..').toString('base64'),
};
const secrets = mockClient(SecretsManagerClient);
const ddb = mockClient(DynamoDBClient);
const eventbridge = mockClient(EventBridgeClient);
mockClient(S3Client);
mockClient(SQSClient);

setHandlerEnv({
  [ENV.vendorConfig]: JSON.stringify({ kind: 'builtin', name: 'quarterzip', options: { endpoints: ['eu', 'us'] } }),
  [ENV.secretArn]: '',
  [ENV.secretArns]: JSON.stringify({ eu: ARN('qz-eu'), us: ARN('qz-us') }),
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../lambda/handlers/webhook') as typeof import('../../lambda/handlers/webhook');

let n = 0;
function event(path: string, secret: string): APIGatewayProxyEventV2 {
  const body = JSON.stringify({ type: 'call.completed', data: { call_id: 'c-1' } });
  return {
    version: '2.0',
    routeKey: `ANY ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...signStandardWebhook(Buffer.from(body), secret, new Date(), `msg_endpoints_${++n}`) },
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST' }, requestId: `r${n}` },
  } as unknown as APIGatewayProxyEventV2;
}

/** The answer, and the endpoint dimension and outcome metrics of the EMF line written while handling it. */
async function deliver(path: string, secret: string) {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  let status: number;
  try {
    status = (await handler(event(path, secret), HANDLER_CONTEXT)).statusCode;
  } finally {
    spy.mockRestore();
  }
  const emf = written.join('').split('\n').filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, any>);
  return { status, metrics: emf.map((e) => ({ endpoint: e.endpoint, outcomes: e._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name).filter((m: string) => !['Deliveries', 'Latency'].includes(m)) })) };
}

beforeEach(() => {
  secrets.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => ({ SecretString: SECRETS[input.SecretId] }));
  ddb.on(PutItemCommand).resolves({});
  ddb.on(UpdateItemCommand).resolves({});
  eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-1' }] });
});
afterEach(() => {
  secrets.reset();
  ddb.reset();
  eventbridge.reset();
});

describe('the webhook handler of a vendor with endpoints', () => {
  it("verifies each endpoint with its own secret, read by that secret's ARN, and counts the answer under the endpoint", async () => {
    // Act
    const eu = await deliver('/webhooks/quarterzip/eu', SECRETS[ARN('qz-eu')]);
    const euSecretAtUs = await deliver('/webhooks/quarterzip/us', SECRETS[ARN('qz-eu')]);

    // Assert
    expect(eu).toEqual({ status: 200, metrics: [{ endpoint: 'eu', outcomes: ['Published'] }] });
    expect(euSecretAtUs).toEqual({ status: 401, metrics: [{ endpoint: 'us', outcomes: ['Unauthorized'] }] });
    const read = secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId);
    expect([...new Set(read)].sort()).toEqual([ARN('qz-eu'), ARN('qz-us')]);
    const put = JSON.parse(eventbridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0].Detail!);
    expect(put).toMatchObject({ vendor: 'quarterzip', endpoint: 'eu' });
  });
});
