/**
 * The Lambda entry points with the AWS SDK mocked (aws-sdk-client-mock): the wiring from environment to
 * clients, the PutEvents request, and the answers when AWS fails.
 */
import { ConditionalCheckFailedException, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signStandardWebhook } from '../helpers/standard-webhooks';
import { HANDLER_CONTEXT, healthyAwsEachTest, mockAws, setHandlerEnv } from '../helpers/handler-env';
import { ENV } from '../../lambda/contracts/env';

const SECRET = 'whsec_' + Buffer.from('handler test secret 24 b').toString('base64');
const aws = mockAws();
const { secrets, ddb, eventbridge, sqs } = aws;

const context = HANDLER_CONTEXT;
setHandlerEnv();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../lambda/handlers/webhook') as typeof import('../../lambda/handlers/webhook');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const redrive = require('../../lambda/handlers/redrive') as typeof import('../../lambda/handlers/redrive');

let n = 0;
function event(): APIGatewayProxyEventV2 {
  const body = JSON.stringify({ type: 'call.completed', data: { call_id: 'abc' } });
  const headers = signStandardWebhook(Buffer.from(body), SECRET, new Date(), `msg_handler_${++n}`);
  return {
    version: '2.0',
    routeKey: 'ANY /webhooks/quarterzip',
    rawPath: '/webhooks/quarterzip',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
    requestContext: { http: { method: 'POST' }, requestId: `r${n}` },
  } as unknown as APIGatewayProxyEventV2;
}

healthyAwsEachTest(aws, SECRET);

describe('webhook handler', () => {
  it('verifies with the secret read by ARN, claims in the table and puts one entry on the bus', async () => {
    const res = await handler(event(), context);
    expect(res).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(res.body)).toMatchObject({ status: 'published' });
    expect(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: process.env[ENV.secretArn] });
    expect(ddb.commandCalls(PutItemCommand)[0].args[0].input.TableName).toBe('dedup');
    const entries = eventbridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries!;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ EventBusName: 'callhooks-bus', Source: 'callhooks.quarterzip', DetailType: 'call.ended' });
    expect(JSON.parse(entries[0].Detail!)).toMatchObject({ callId: 'abc', vendor: 'quarterzip' });
  });

  it('answers 202 when PutEvents answers 200 with FailedEntryCount > 0, and keeps the record pending (the event written only now)', async () => {
    eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] });
    const res = await handler(event(), context);
    expect(res.statusCode).toBe(202);
    expect(ddb.commandCalls(PutItemCommand)[0].args[0].input.Item).not.toHaveProperty('event');
    const updates = ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(updates).toHaveLength(1);
    expect(updates[0].ExpressionAttributeValues).toMatchObject({ ':pending': { S: 'PENDING' }, ':shard': { S: 'P' } });
    expect(JSON.parse(updates[0].ExpressionAttributeValues![':stored'].S!)).toMatchObject({ callId: 'abc' });
  });

  it('answers a duplicate when the conditional write fails on a published record', async () => {
    const Item = { pk: { S: 'quarterzip#x' }, eventId: { S: 'e' }, vendor: { S: 'quarterzip' }, status: { S: 'PUBLISHED' } };
    ddb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {}, Item }));
    const res = await handler(event(), context);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'duplicate' });
    expect(eventbridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('publishes without a record (200) when DynamoDB throttles', async () => {
    ddb.on(PutItemCommand).rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' }));
    const res = await handler(event(), context);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'published' });
    expect(eventbridge.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  it('answers 503 only when DynamoDB, the bus and S3 all fail, and publishes nothing', async () => {
    ddb.on(PutItemCommand).rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' }));
    eventbridge.on(PutEventsCommand).rejects(Object.assign(new Error('down'), { name: 'InternalException', $fault: 'server' }));
    aws.s3.on(PutObjectCommand).rejects(Object.assign(new Error('down'), { name: 'SlowDown', $fault: 'server' }));
    const res = await handler(event(), context);
    expect(res.statusCode).toBe(503);
  });
});

describe('redrive handler', () => {
  it('publishes pending records and marks them published', async () => {
    const detail = { schemaVersion: '1', eventId: 'e-1', type: 'call.ended', vendor: 'quarterzip', vendorEventType: 'call.completed', occurredAt: 'x', receivedAt: 'x', callId: null, test: false };
    const item = { pk: { S: 'quarterzip#m1' }, eventId: { S: 'e-1' }, vendor: { S: 'quarterzip' }, status: { S: 'PENDING' }, event: { S: JSON.stringify(detail) }, receivedAt: { S: 'x' }, expiresAt: { N: '1' }, leaseUntil: { N: '0' }, attempts: { N: '0' } };
    ddb.on(QueryCommand).resolves({ Items: [item] });
    ddb.on(UpdateItemCommand).resolves({ Attributes: { ...item, attempts: { N: '1' } } });
    const report = await redrive.handler({}, context);
    expect(report).toMatchObject({ examined: 1, published: 1 });
    expect(ddb.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({ TableName: 'dedup', IndexName: 'pending' });
    expect(eventbridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0]).toMatchObject({ Source: 'callhooks.quarterzip', DetailType: 'call.ended' });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});
