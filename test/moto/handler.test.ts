/**
 * The webhook Lambda handler as deployed: configuration only from the environment the construct sets
 * (lambda/contracts/env.ts), SDK clients built by depsFromEnv with no endpoint in code, pointed at moto by
 * AWS_ENDPOINT_URL. A real API Gateway HTTP API (payload 2.0) event for the Quarterzip sample, signed with
 * the secret stored in moto's Secrets Manager, must come out on the bus.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { ENV } from '../../lambda/contracts/env';
import type { VendorRuntimeConfig } from '../../lambda/config/config';
import { ensureTable } from '../../lambda/adapters/local/dynalite-store';
import { deriveEventId } from '../../lambda/core/event';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { fixtureBody, loadFixtures } from '../helpers/fixtures';
import {
  BusEvent,
  createBucket,
  createBus,
  createVendorSecret,
  drainQueue,
  MotoClients,
  motoClients,
  MotoServer,
  MOTO_CREDENTIALS,
  MOTO_REGION,
  ruleToQueue,
  startMoto,
} from './moto-server';


type WebhookModule = typeof import('../../lambda/handlers/webhook');

const TABLE = 'callhooks-moto-handler';
const BUS = 'callhooks-moto-handler-bus';
const BUCKET = 'callhooks-moto-handler-payloads';
const adapter = quarterzip();

let moto: MotoServer;
let clients: MotoClients;
let secret: string;
let queue: string;
let webhook: WebhookModule['webhook'];
const savedEnv: Record<string, string | undefined> = {};

/** An API Gateway HTTP API (payload format 2.0) event as the stack's route delivers it. */
function apiEvent(body: Buffer, headers: Record<string, string>, now = new Date()): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{vendor}',
    rawPath: '/webhooks/quarterzip',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'content-length': String(body.length), host: 'abc123.execute-api.us-east-1.amazonaws.com', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'POST', path: '/webhooks/quarterzip', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'Quarterzip-Webhooks/1.0' },
      requestId: `req-${now.getTime()}`,
      routeKey: 'POST /webhooks/{vendor}',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    pathParameters: { vendor: 'quarterzip' },
    body: body.toString('utf8'),
    isBase64Encoded: false,
  };
}

function signed(body: Buffer, id: string, now = new Date()): APIGatewayProxyEventV2 {
  return apiEvent(body, adapter.sign(body, secret, now, id), now);
}

function setEnv(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!(name in savedEnv)) savedEnv[name] = process.env[name];
    process.env[name] = value;
  }
}

beforeAll(async () => {
  moto = await startMoto();
  clients = motoClients(moto);
  await Promise.all([ensureTable(clients.dynamo, TABLE), createBucket(clients, BUCKET), createBus(clients, BUS)]);
  secret = adapter.generateSecret();
  const secretArn = await createVendorSecret(clients, 'quarterzip', secret);
  queue = await ruleToQueue(clients, BUS, 'handler-quarterzip', { source: ['callhooks.quarterzip'] });
  const vendorConfig: VendorRuntimeConfig = { kind: 'builtin', name: 'quarterzip', options: {} };
  setEnv({
    [ENV.vendorConfig]: JSON.stringify(vendorConfig),
    [ENV.secretArn]: secretArn,
    [ENV.tableName]: TABLE,
    [ENV.eventBusName]: BUS,
    [ENV.payloadBucket]: BUCKET,
    [ENV.maxEventBytes]: String(8 * 1024),
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: MOTO_REGION,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  // A fresh module, so that its logger and its per-container dependencies read the environment set above.
  jest.isolateModules(() => {
    webhook = (require('../../lambda/handlers/webhook') as WebhookModule).webhook;
  });
});

afterAll(async () => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  clients?.destroy();
  await moto?.stop();
});

describe('the webhook handler wired from its environment, on moto', () => {
  const sample = () => fixtureBody(loadFixtures('quarterzip').find((f) => f.name === 'call-completed')!);

  it('answers a signed Quarterzip sample 200 and puts its event on the bus', async () => {
    // Prepare
    const event = signed(sample(), 'msg_handler_1');

    // Act
    const result = (await webhook(event)) as APIGatewayProxyResult;

    // Assert
    const eventId = deriveEventId('quarterzip', 'msg_handler_1');
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ status: 'published', eventId });
    const onBus = await drainQueue<BusEvent>(clients.sqs, queue);
    expect(onBus.map((e) => [e.source, e['detail-type'], e.detail.eventId, e.detail.callId])).toEqual([['callhooks.quarterzip', 'call.ended', eventId, 'abc123']]);
  });

  it('answers a redelivery 200 duplicate with the same eventId, and publishes nothing', async () => {
    // Prepare
    await webhook(signed(sample(), 'msg_handler_2'));
    await drainQueue(clients.sqs, queue);

    // Act
    const result = (await webhook(signed(sample(), 'msg_handler_2', new Date(Date.now() + 1000)))) as APIGatewayProxyResult;

    // Assert
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ status: 'duplicate', duplicate: true, eventId: deriveEventId('quarterzip', 'msg_handler_2') });
    expect(await drainQueue(clients.sqs, queue)).toEqual([]);
  });

  it('answers 401 to a delivery signed with another secret, and publishes nothing', async () => {
    // Prepare
    const body = sample();
    const event = apiEvent(body, adapter.sign(body, adapter.generateSecret(), new Date(), 'msg_handler_forged'));

    // Act
    const result = (await webhook(event)) as APIGatewayProxyResult;

    // Assert
    expect(result.statusCode).toBe(401);
    expect(await drainQueue(clients.sqs, queue)).toEqual([]);
  });

  it('offloads a large transcript to the payload bucket through the env-configured S3 client', async () => {
    // Prepare
    const turns = Array.from({ length: 200 }, (_, i) => ({ speaker: i % 2 ? 'user' : 'agent', text: `turn ${i}: ${'words '.repeat(20)}` }));
    const body = Buffer.from(JSON.stringify({ type: 'call.completed', timestamp: new Date().toISOString(), data: { call_id: 'long-call', transcript: turns } }));

    // Act
    const result = (await webhook(signed(body, 'msg_handler_big'))) as APIGatewayProxyResult;

    // Assert
    expect(result.statusCode).toBe(200);
    const [event] = await drainQueue<BusEvent>(clients.sqs, queue);
    const pointer = event.detail.offload!;
    expect(pointer).toMatchObject({ part: 'transcript', bucket: BUCKET });
    const object = await clients.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: pointer.key }));
    expect(createHash('sha256').update(Buffer.from(await object.Body!.transformToByteArray())).digest('hex')).toBe(pointer.sha256);
  });
});
