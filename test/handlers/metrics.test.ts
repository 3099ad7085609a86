/**
 * The metrics the real handlers emit: one EMF line per delivery (and per redrive run) on stdout, in the
 * configured namespace, counted by outcome under the function's vendor and the delivery's endpoint, with no
 * id, payload content or anything the sender chose in it.
 */
import { PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signStandardWebhook } from '../helpers/standard-webhooks';
import { emfWhile, HANDLER_CONTEXT, healthyAwsEachTest, mockAws, setHandlerEnv } from '../helpers/handler-env';

const SECRET = 'whsec_' + Buffer.from('metrics test secret 24 b').toString('base64');
const aws = mockAws();
const { ddb, eventbridge } = aws;

const context = HANDLER_CONTEXT;
setHandlerEnv({ POWERTOOLS_METRICS_NAMESPACE: 'Acme/Callhooks' });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../lambda/handlers/webhook') as typeof import('../../lambda/handlers/webhook');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const redrive = require('../../lambda/handlers/redrive') as typeof import('../../lambda/handlers/redrive');

const CALL_ID = 'call-7d1e6b0a';
const PHONE = '+14155550123';
let n = 0;
function event(overrides: { method?: string; path?: string; sign?: boolean; body?: string } = {}): APIGatewayProxyEventV2 {
  const body = overrides.body ?? JSON.stringify({ type: 'call.completed', data: { call_id: CALL_ID, customer_number: PHONE } });
  const headers = overrides.sign === false ? {} : signStandardWebhook(Buffer.from(body), SECRET, new Date(), `msg_metrics_${++n}`);
  return {
    version: '2.0',
    routeKey: 'ANY /webhooks/quarterzip',
    rawPath: overrides.path ?? '/webhooks/quarterzip',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
    requestContext: { http: { method: overrides.method ?? 'POST' }, requestId: `r${n}` },
  } as unknown as APIGatewayProxyEventV2;
}

type Emf = { _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> }; [k: string]: unknown };

/** The EMF lines written to stdout while `act` runs. */
async function emfLines(act: () => Promise<unknown>): Promise<{ lines: string[]; emf: Emf[] }> {
  const { lines } = await emfWhile(act);
  return { lines, emf: lines.map((l) => JSON.parse(l) as Emf) };
}

healthyAwsEachTest(aws, SECRET);

describe('webhook metrics', () => {
  it('writes one EMF line per delivery: namespace, [service, vendor, endpoint] and [service, vendor], Deliveries, the outcome, Latency', async () => {
    const { lines, emf } = await emfLines(() => handler(event(), context));
    expect(lines).toHaveLength(1);
    const [m] = emf;
    expect(m._aws.CloudWatchMetrics).toEqual([{
      Namespace: 'Acme/Callhooks',
      Dimensions: [['service', 'vendor', 'endpoint'], ['service', 'vendor']],
      Metrics: [{ Name: 'Deliveries', Unit: 'Count' }, { Name: 'Published', Unit: 'Count' }, { Name: 'Latency', Unit: 'Milliseconds' }],
    }]);
    expect(m).toMatchObject({ service: 'callhooks', vendor: 'quarterzip', endpoint: 'default', Deliveries: 1, Published: 1 });
    expect(m.Latency).toEqual(expect.any(Number));
    expect(Object.keys(m).sort()).toEqual(['Deliveries', 'Latency', 'Published', '_aws', 'endpoint', 'service', 'vendor']);
  });

  it.each([
    ['Unauthorized', () => event({ sign: false }), ['RefusedMissingHeader']],
    ['MethodNotAllowed', () => event({ method: 'PUT' }), []],
    ['TooLarge', () => event({ body: 'x'.repeat(2 * 1024 * 1024 + 1) }), []],
  ])('counts %s (an unauthorized delivery also under the reason it was refused)', async (metric, make, reasons) => {
    const { emf } = await emfLines(() => handler(make(), context));
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ vendor: 'quarterzip', Deliveries: 1, [metric]: 1 });
    expect(emf[0]._aws.CloudWatchMetrics[0].Metrics.map((x) => x.Name)).toEqual(['Deliveries', metric, ...reasons, 'Latency']);
  });

  it('counts AcceptedNotPublished when the bus refuses the entry', async () => {
    eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] });
    const { emf } = await emfLines(() => handler(event(), context));
    expect(emf[0]).toMatchObject({ AcceptedNotPublished: 1 });
  });

  it('counts Unavailable when the table, the bus and the payload bucket all fail', async () => {
    ddb.on(PutItemCommand).rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' }));
    eventbridge.on(PutEventsCommand).rejects(Object.assign(new Error('down'), { name: 'InternalException', $fault: 'server' }));
    aws.s3.on(PutObjectCommand).rejects(Object.assign(new Error('down'), { name: 'SlowDown', $fault: 'server' }));
    const { emf } = await emfLines(() => handler(event(), context));
    expect(emf[0]).toMatchObject({ Unavailable: 1 });
  });

  it('counts Spooled when the table and the bus fail and the event goes to the payload bucket', async () => {
    ddb.on(PutItemCommand).rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' }));
    eventbridge.on(PutEventsCommand).rejects(Object.assign(new Error('down'), { name: 'InternalException', $fault: 'server' }));
    aws.s3.on(PutObjectCommand).resolves({});
    const { emf } = await emfLines(() => handler(event(), context));
    expect(emf[0]).toMatchObject({ AcceptedNotPublished: 1, Spooled: 1 });
  });

  it("counts a request for another vendor's path under the function's own vendor", async () => {
    const { emf } = await emfLines(() => handler(event({ path: '/webhooks/attacker-chosen-name' }), context));
    expect(emf[0]).toMatchObject({ vendor: 'quarterzip', endpoint: 'default', NotFound: 1 });
    expect(JSON.stringify(emf)).not.toContain('attacker-chosen-name');
  });

  it('carries no id, phone number or request content', async () => {
    const { lines } = await emfLines(async () => {
      await handler(event(), context);
      await handler(event({ sign: false }), context);
    });
    const all = lines.join('\n');
    for (const secretish of [CALL_ID, PHONE, 'msg_metrics_', 'req-1', 'eb-1', SECRET]) expect(all).not.toContain(secretish);
    expect(all).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });
});

describe('redrive metrics', () => {
  it('writes one EMF line per run: published, failed, dead-lettered, backlog and the age of the oldest pending event', async () => {
    const receivedAt = new Date(Date.now() - 600_000).toISOString();
    const detail = { schemaVersion: '1', eventId: 'e-1', type: 'call.ended', vendor: 'quarterzip', vendorEventType: 'call.completed', occurredAt: receivedAt, receivedAt, callId: null, test: false };
    const item = { pk: { S: 'quarterzip#m1' }, eventId: { S: 'e-1' }, vendor: { S: 'quarterzip' }, status: { S: 'PENDING' }, event: { S: JSON.stringify(detail) }, receivedAt: { S: receivedAt }, expiresAt: { N: '1' }, leaseUntil: { N: '0' }, attempts: { N: '0' } };
    ddb.on(QueryCommand).resolves({ Items: [item] });
    ddb.on(UpdateItemCommand).resolves({ Attributes: { ...item, attempts: { N: '1' } } });
    const { lines, emf } = await emfLines(() => redrive.handler({}, context));
    expect(lines).toHaveLength(1);
    expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Acme/Callhooks', Dimensions: [['service']] });
    expect(emf[0]).toMatchObject({ service: 'callhooks', RedrivePublished: 1, RedriveFailed: 0, RedriveDeadLettered: 0, RedriveBacklog: 1 });
    expect(emf[0].RedriveOldestPendingAge).toBeGreaterThanOrEqual(600);
    expect(emf[0].RedriveOldestPendingAge).toBeLessThan(700);
    expect(lines[0]).not.toContain('e-1');
  });

  it('reports an empty backlog as 0 with age 0', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const { emf } = await emfLines(() => redrive.handler({}, context));
    expect(emf[0]).toMatchObject({ RedriveBacklog: 0, RedriveOldestPendingAge: 0, RedrivePublished: 0 });
  });
});
