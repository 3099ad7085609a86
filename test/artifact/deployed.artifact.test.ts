/**
 * The deployable artifact under test: the cloud assembly `cdk synth` makes from the repository's app with every
 * vendor (examples/all-vendors/callhooks.config.json, bundling on; in CI the assembly of `.ci/run`'s
 * `cdk synth -c config=examples/all-vendors/callhooks.config.json`, named by CALLHOOKS_ARTIFACT_ASSEMBLY), its
 * resources created in moto, each function's minified bundle run from the assembly in its own Node process with the template's handler and environment, behind the template's
 * HTTP routes, and every AWS call each bundle makes checked against that function's own IAM policies from the
 * template (test/artifact/proxy.ts denies what the policies do not allow). See docs/TESTING-ARTIFACT.md.
 *
 * `npm run test:artifact` (needs moto_server; not part of `npm test`).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ENV } from '../../lambda/contracts/env';
import { TABLE } from '../../lambda/contracts/table';
import { Fixture, fixtureBody, fixtureHeaders, fixtureUrl, loadFixtures } from '../../local/fixtures';
import { BusEvent, drainQueue, MOTO_REGION, ruleToQueue } from '../moto/moto-server';
import { ACCOUNT_ID, Deployment, WebhookFunction } from './deployment';
import { evaluate } from './iam';
import type { Fault, RecordedCall } from './proxy';
import { ALL_VENDORS_CONFIG_FILE } from '../helpers/configs';

jest.setTimeout(120_000);

const PINNED_EVENT_IDS: Record<string, string> = JSON.parse(readFileSync(join(__dirname, '..', 'upgrade', 'event-ids.json'), 'utf8'));

const d = new Deployment({ configFile: ALL_VENDORS_CONFIG_FILE, assemblyFromEnv: true });
let queueUrl: string;

beforeAll(async () => {
  await d.start();
  // A subscriber: every callhooks event into a queue, as a customer's rule on the bus would route it.
  queueUrl = await ruleToQueue(d.clients, d.shared.bus, 'artifact-all-events', { source: [{ prefix: 'callhooks.' }] });
}, 300_000);

afterAll(() => d.stop());

interface Answer {
  status: number;
  body: Record<string, any>;
}

async function post(vendor: string, body: Buffer, headers: Record<string, string>, method = 'POST', query = ''): Promise<Answer> {
  const res = await fetch(`${d.edge.url}/webhooks/${vendor}${query}`, {
    method,
    headers,
    body: method === 'GET' || body.length === 0 ? undefined : body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

function sendFixture(f: Fixture, headers: Record<string, string>, body = fixtureBody(f)): Promise<Answer> {
  return post(f.vendor, body, headers, f.method ?? 'POST', f.query ? `?${new URLSearchParams(f.query)}` : '');
}

const webhook = (vendor: string): WebhookFunction => d.webhooks.get(vendor)!;

/** A Quarterzip delivery that no fixture uses (Standard Webhooks: the signed `webhook-id` is the dedup key). */
function freshQuarterzip(id: string, body?: Buffer): { body: Buffer; headers: Record<string, string> } {
  const w = webhook('quarterzip');
  const b = body ?? fixtureBody(loadFixtures('quarterzip').find((f) => f.name === 'call-completed')!);
  return { body: b, headers: { 'content-type': 'application/json', ...w.adapter.sign(b, w.secret, new Date(), id) } };
}

async function record(key: string): Promise<Record<string, any> | undefined> {
  const out = await d.clients.dynamo.send(new GetItemCommand({ TableName: d.shared.table, Key: { [TABLE.partitionKey]: { S: key } } }));
  return out.Item;
}

/** The key of the record holding `eventId` (the suite's admin view of the table, outside any function's policy). */
async function keyOf(eventId: string): Promise<string> {
  const out = await d.clients.dynamo.send(new ScanCommand({ TableName: d.shared.table }));
  const item = (out.Items ?? []).find((i) => i.eventId?.S === eventId);
  if (!item) throw new Error(`no record holds ${eventId}`);
  return item[TABLE.partitionKey].S!;
}

/** Ends the lease of a record now, as the passing of time would (the lease is 60 s). */
async function endLease(key: string): Promise<void> {
  await d.clients.dynamo.send(new UpdateItemCommand({
    TableName: d.shared.table,
    Key: { [TABLE.partitionKey]: { S: key } },
    UpdateExpression: `SET ${TABLE.pendingIndex.sortKey} = :past`,
    ExpressionAttributeValues: { ':past': { N: String(Date.now() - 1000) } },
  }));
}

/** Moves a record's receipt back by `ms` (as if it had waited that long). */
async function age(key: string, ms: number): Promise<void> {
  await d.clients.dynamo.send(new UpdateItemCommand({
    TableName: d.shared.table,
    Key: { [TABLE.partitionKey]: { S: key } },
    UpdateExpression: 'SET receivedAt = :then',
    ExpressionAttributeValues: { ':then': { S: new Date(Date.now() - ms).toISOString() } },
  }));
}

/** The redrive bundle invoked as its schedule invokes it (or with `{"republishDead": true}`, as `callhooks redrive --dead` does). */
async function runRedrive(input?: { republishDead: true }): Promise<Record<string, number>> {
  const out = await d.process('redrive').invoke<Record<string, number>>(input ?? {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ACCOUNT_ID,
    time: new Date().toISOString(),
    region: MOTO_REGION,
    resources: [`arn:aws:events:${MOTO_REGION}:${ACCOUNT_ID}:rule/redrive-schedule`],
    detail: {},
  });
  if (out.error) throw new Error(`redrive failed: ${out.error.errorType}: ${out.error.errorMessage}`);
  return out.result!;
}

/** After the dependencies are back, a redrive run finds nothing more to publish (nothing was kept, or all of it is out). */
async function redriveFindsNothing(): Promise<void> {
  expect(await runRedrive()).toMatchObject({ published: 0, failed: 0 });
  expect(await drainQueue(d.clients.sqs, queueUrl)).toEqual([]);
}

const busFailure = (status: number) => ({ status, body: JSON.stringify({ __type: 'InternalException', message: 'injected: the bus is down' }), headers: { 'content-type': 'application/x-amz-json-1.1' } });

describe('the assembly', () => {
  it('has a function for every vendor with fixtures, and the redrive', () => {
    const vendors = new Set(loadFixtures().map((f) => f.vendor));
    expect([...d.webhooks.keys()].sort()).toEqual([...vendors].sort());
    expect(d.redrive.handler).toBe('index.handler');
  });
});

describe('every vendor fixture through the edge, the bundles and moto', () => {
  const fixtures = loadFixtures();
  const answers = new Map<string, Answer>();
  /** The second copy of each fixture whose vendor keys every delivery on its own (QCall without dedupFields). */
  const seconds = new Map<string, Answer>();
  // QCall never retries: without dedupFields (as deployed here) every delivery is its own event, keyed by API
  // Gateway's request id, so its eventId is not pinned and a second copy is a second event.
  const perDelivery = (f: { vendor: string }) => f.vendor === 'qcall';

  it('answers each fixture 200 with its pinned eventId, a redelivery duplicate, a forgery 401', async () => {
    const problems: string[] = [];
    for (const f of fixtures) {
      // Prepare
      const w = webhook(f.vendor);
      // Signed for the URL it is sent to (a URL-signing vendor, Twilio, signs it).
      const headers = fixtureHeaders(f, w.adapter, w.secret, new Date(), undefined, fixtureUrl(f, `${d.edge.url}/webhooks/${f.vendor}`));
      const name = `${f.vendor}/${f.name}`;

      // Act
      const first = await sendFixture(f, headers);
      const again = await sendFixture(f, headers);
      const forged = f.vendor === 'qcall'
        ? await sendFixture(f, { ...headers, authorization: 'Bearer not-the-token' })
        : f.vendor === 'vapi' // a static token too (X-Vapi-Secret, its default auth)
        ? await sendFixture(f, { ...headers, 'X-Vapi-Secret': 'not-the-token' })
        : await sendFixture(f, headers, Buffer.concat([fixtureBody(f), Buffer.from(' ')]));
      answers.set(name, first);

      // Assert (collected, so one run shows every broken fixture)
      if (first.status !== 200 || !['published', 'duplicate'].includes(first.body.status)) problems.push(`${name}: first ${first.status} ${JSON.stringify(first.body)}`);
      if (perDelivery(f)) {
        seconds.set(name, again);
        if (again.status !== 200 || again.body.status !== 'published' || again.body.eventId === first.body.eventId) problems.push(`${name}: second delivery ${again.status} ${JSON.stringify(again.body)}`);
      } else {
        if (first.body.eventId !== PINNED_EVENT_IDS[name]) problems.push(`${name}: eventId ${first.body.eventId}, pinned ${PINNED_EVENT_IDS[name]}`);
        if (again.status !== 200 || again.body.status !== 'duplicate' || again.body.eventId !== first.body.eventId) problems.push(`${name}: redelivery ${again.status} ${JSON.stringify(again.body)}`);
      }
      if (forged.status !== 401) problems.push(`${name}: forgery ${forged.status}`);
    }
    expect(problems).toEqual([]);
  });

  it('put exactly the published events on the bus, once each, as the subscriber rule delivers them', async () => {
    // Act
    const events = await drainQueue<BusEvent>(d.clients.sqs, queueUrl);

    // Assert
    const published = fixtures.filter((f) => answers.get(`${f.vendor}/${f.name}`)?.body.status === 'published');
    // A fixture whose vendor event another fixture already carried is a duplicate from its first copy on.
    const publishedIds = new Set(published.map((f) => answers.get(`${f.vendor}/${f.name}`)!.body.eventId));
    const firstDuplicates = fixtures.filter((f) => answers.get(`${f.vendor}/${f.name}`)?.body.status === 'duplicate');
    expect(firstDuplicates.filter((f) => !publishedIds.has(answers.get(`${f.vendor}/${f.name}`)!.body.eventId))).toEqual([]);
    const got = events.map((e) => [e.detail.eventId, e.source, e['detail-type'], e.detail.callId]).sort();
    const want = published.flatMap((f) => {
      const name = `${f.vendor}/${f.name}`;
      const row = (eventId: string | undefined) => [eventId, `callhooks.${f.vendor}`, f.expect.type, f.expect.callId ?? null];
      return perDelivery(f) ? [row(answers.get(name)!.body.eventId), row(seconds.get(name)!.body.eventId)] : [row(PINNED_EVENT_IDS[name])];
    }).sort();
    expect(got).toEqual(want);
  });

  it('answers 404 for a vendor that has no route', async () => {
    const answer = await post('nosuchvendor', Buffer.from('{}'), { 'content-type': 'application/json' });
    expect(answer).toEqual({ status: 404, body: { message: 'Not Found' } });
  });
});

describe('payloads in the bucket', () => {
  it('keeps an authenticated but unparseable delivery under rejected/<vendor>/ and answers 400', async () => {
    // Prepare
    const { body, headers } = freshQuarterzip('msg_artifact_unparseable', Buffer.from('{"type": "call.completed", "data": '));

    // Act
    const answer = await post('quarterzip', body, headers);

    // Assert
    expect(answer.status).toBe(400);
    const listed = await d.clients.s3.send(new ListObjectsV2Command({ Bucket: d.shared.bucket, Prefix: 'rejected/quarterzip/' }));
    expect((listed.Contents ?? []).map((o) => o.Key!.replace(/^.*\./, ''))).toEqual(['body', 'json']);
    expect(await drainQueue(d.clients.sqs, queueUrl)).toEqual([]);
  });

  it('offloads a transcript too large for the bus under offload/<vendor>/ and publishes a pointer', async () => {
    // Prepare
    const turns = Array.from({ length: 3000 }, (_, i) => ({ speaker: i % 2 ? 'user' : 'agent', text: `turn ${i}: ${'words '.repeat(15)}` }));
    const big = Buffer.from(JSON.stringify({ type: 'call.completed', timestamp: new Date().toISOString(), data: { call_id: 'long-call', transcript: turns } }));
    const { body, headers } = freshQuarterzip('msg_artifact_offload', big);

    // Act
    const answer = await post('quarterzip', body, headers);

    // Assert
    expect(answer).toMatchObject({ status: 200, body: { status: 'published' } });
    const [event] = await drainQueue<BusEvent>(d.clients.sqs, queueUrl);
    expect(event.detail.offload).toMatchObject({ part: 'transcript', bucket: d.shared.bucket });
    expect(event.detail.offload!.key).toMatch(/^offload\/quarterzip\//);
    const object = await d.clients.s3.send(new GetObjectCommand({ Bucket: d.shared.bucket, Key: event.detail.offload!.key }));
    expect(JSON.parse(await object.Body!.transformToString()).turns).toHaveLength(3000);
  });
});

describe('the bus failing, the redrive and the dead-letter queue', () => {
  afterEach(() => {
    d.proxy.fault = undefined;
  });

  it('answers 202 while the bus is down; the redrive bundle publishes the event later with the same eventId', async () => {
    // Prepare: PutEvents answers 500 to the Quarterzip function.
    const quarterzip = webhook('quarterzip').fn.logicalId;
    d.proxy.fault = ({ principal, action }) => (principal === quarterzip && action === 'events:PutEvents' ? busFailure(500) : undefined);
    const { body, headers } = freshQuarterzip('msg_artifact_bus_down');

    // Act
    const answer = await post('quarterzip', body, headers);
    d.proxy.fault = undefined;
    const key = await keyOf(answer.body.eventId);
    const pendingBefore = (await record(key))!.status.S;
    expect(await drainQueue(d.clients.sqs, queueUrl)).toEqual([]);
    await endLease(key);
    const report = await runRedrive();

    // Assert
    expect(answer).toEqual({ status: 202, body: { status: 'accepted', eventId: answer.body.eventId, published: false } });
    expect(pendingBefore).toBe('PENDING');
    expect(report).toMatchObject({ published: 1, failed: 0 });
    const events = await drainQueue<BusEvent>(d.clients.sqs, queueUrl);
    expect(events.map((e) => [e.source, e.detail.eventId])).toEqual([['callhooks.quarterzip', answer.body.eventId]]);
    expect((await record(key))!.status.S).toBe('PUBLISHED');
  });

  it('keeps retrying a record the bus keeps refusing until it is older than the template\'s max age (24 h), then dead-letters it with its key, marks it DEAD for 14 days, and republishes it on demand', async () => {
    // Prepare: every PutEvents answers 200 with every entry failed.
    d.proxy.fault = ({ action, body }) => {
      if (action !== 'events:PutEvents') return undefined;
      const entries = JSON.parse(body.toString('utf8')).Entries as unknown[];
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ FailedEntryCount: entries.length, Entries: entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'injected' })) }),
      };
    };
    const { body, headers } = freshQuarterzip('msg_artifact_dead_letter');
    const maxAgeSeconds = Number(d.env.get(d.redrive.logicalId)![ENV.redriveMaxAgeSeconds]);

    // Act: twelve runs over a record 23 hours old, then one over it 25 hours old.
    const answer = await post('quarterzip', body, headers);
    const key = await keyOf(answer.body.eventId);
    const young: Array<Record<string, number>> = [];
    await age(key, 23 * 3_600_000);
    for (let run = 0; run < 12; run++) {
      await endLease(key);
      young.push(await runRedrive());
    }
    await age(key, 25 * 3_600_000);
    await endLease(key);
    const old = await runRedrive();

    // Assert
    expect(answer.status).toBe(202);
    expect(maxAgeSeconds).toBe(86_400);
    expect(young.every((r) => r.failed === 1 && r.published === 0 && r.deadLettered === 0)).toBe(true);
    expect(old).toMatchObject({ deadLettered: 1, published: 0 });
    const dead = (await record(key))!;
    expect(dead.status.S).toBe('DEAD');
    expect(dead.event?.S).toContain(answer.body.eventId);
    expect(Number(dead.expiresAt?.N)).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 14 * 86_400 - 60);
    expect(await drainQueue(d.clients.sqs, queueUrl)).toEqual([]);

    // The bus is back: `callhooks redrive --dead` invokes the function to republish from the dead-letter queue.
    d.proxy.fault = undefined;
    expect(await runRedrive({ republishDead: true })).toMatchObject({ examined: 1, published: 1, failed: 0 });
    const events = await drainQueue<BusEvent>(d.clients.sqs, queueUrl);
    expect(events.map((e) => e.detail.eventId)).toEqual([answer.body.eventId]);
    expect((await record(key))!.status.S).toBe('PUBLISHED');
    const left = await d.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: d.shared.deadLetterQueueUrl, MaxNumberOfMessages: 10 }));
    expect(left.Messages ?? []).toEqual([]);
  });
});

describe('a dependency down', () => {
  afterEach(() => {
    d.proxy.fault = undefined;
  });

  it('DynamoDB failing: publishes anyway under the deterministic eventId (200), with no record', async () => {
    // Prepare
    d.proxy.fault = ({ action }) => (action === 'dynamodb:PutItem' ? busFailure(500) : undefined);
    const { body, headers } = freshQuarterzip('msg_artifact_table_down');

    // Act
    const answer = await post('quarterzip', body, headers);
    d.proxy.fault = undefined;

    // Assert
    expect(answer).toMatchObject({ status: 200, body: { status: 'published' } });
    const events = await drainQueue<BusEvent>(d.clients.sqs, queueUrl);
    expect(events.map((e) => e.detail.eventId)).toEqual([answer.body.eventId]);
    const scan = await d.clients.dynamo.send(new ScanCommand({ TableName: d.shared.table }));
    expect((scan.Items ?? []).filter((i) => i.eventId?.S === answer.body.eventId)).toEqual([]);
    // The bundle names the error by its class, not by a minified letter.
    expect(d.process('quarterzip').logs()).toMatch(/"message":"dedup store unavailable; publishing without a record".*"error":"DependencyError"/);
  });

  it('DynamoDB, the bus and S3 all failing: 503 with Retry-After, and nothing stored or published anywhere', async () => {
    // Prepare
    d.proxy.fault = ({ action }) => (action.startsWith('dynamodb:') || action === 'events:PutEvents' || action === 's3:PutObject' ? busFailure(500) : undefined);
    const { body, headers } = freshQuarterzip('msg_artifact_all_down');

    // Act
    const res = await fetch(`${d.edge.url}/webhooks/quarterzip`, { method: 'POST', headers, body });
    d.proxy.fault = undefined;

    // Assert
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as { eventId?: string }).eventId).toBeUndefined();
    expect(await drainQueue(d.clients.sqs, queueUrl)).toEqual([]);
    const spool = await d.clients.s3.send(new ListObjectsV2Command({ Bucket: d.shared.bucket, Prefix: 'spool/' }));
    expect(spool.Contents ?? []).toEqual([]);
    // All back: nothing was kept, so the redrive publishes nothing (the vendor's retry is a new first copy).
    await redriveFindsNothing();
  });
});

describe('the bundles\' logs', () => {
  it('hold no vendor secret and name errors by their class', () => {
    for (const w of d.webhooks.values()) {
      const logs = d.processes.get(w.fn.logicalId)!.logs();
      expect(logs.includes(w.secret)).toBe(false);
    }
    // The redrive logged the injected bus failures; the error it names must be readable, not a minified letter.
    const redriveLogs = d.process('redrive').logs();
    expect(redriveLogs).toMatch(/"message":"redrive publish failed for an entry"/);
  });
});

/** One embedded-metric-format line of a function's stdout: the metrics, their dimensions, the `_aws` metadata. */
interface EmfLine {
  readonly _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  readonly [key: string]: unknown;
}

/** Every EMF line a function wrote (the JSON lines with `_aws.CloudWatchMetrics`, as CloudWatch Logs reads them). */
function emfLines(logs: string): EmfLine[] {
  return logs
    .split('\n')
    .filter((l) => l.includes('"CloudWatchMetrics"'))
    .map((l) => JSON.parse(l) as EmfLine);
}

/** The sum of metric `name` over `lines`. */
const total = (lines: readonly EmfLine[], name: string): number => lines.reduce((n, l) => n + (typeof l[name] === 'number' ? (l[name] as number) : 0), 0);

describe('the bundles\' metrics (embedded metric format on stdout)', () => {
  const DIMENSION_KEYS = new Set(['service', 'vendor', 'endpoint']);

  it('each webhook bundle counted its deliveries by outcome, under the template\'s namespace and its vendor\'s dimension', () => {
    for (const w of d.webhooks.values()) {
      const namespace = d.env.get(w.fn.logicalId)!.POWERTOOLS_METRICS_NAMESPACE;
      expect(namespace).toBeTruthy();
      const lines = emfLines(d.process(w.vendor).logs());
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const [directive] = line._aws.CloudWatchMetrics;
        expect(directive.Namespace).toBe(namespace);
        expect(directive.Dimensions).toEqual(expect.arrayContaining([['service', 'vendor', 'endpoint'], ['service', 'vendor']]));
        expect(line.vendor).toBe(w.vendor);
        expect(line.service).toBe('callhooks');
        expect(line.endpoint).toMatch(/^[a-z0-9-]{1,32}$/);
        // One delivery per line: Deliveries 1, and exactly one outcome metric.
        expect(line.Deliveries).toBe(1);
      }
      // The suite sent every fixture (published, or a duplicate when another fixture carried its vendor event),
      // each again (duplicate) and a forgery (unauthorized).
      const fixtures = loadFixtures(w.vendor).length;
      expect(total(lines, 'Published')).toBeGreaterThanOrEqual(1);
      // QCall without dedupFields: the second copy is a second event, not a duplicate.
      expect(total(lines, w.vendor === 'qcall' ? 'Published' : 'Duplicate')).toBeGreaterThanOrEqual(fixtures);
      expect(total(lines, 'Published') + total(lines, 'Duplicate')).toBeGreaterThanOrEqual(2 * fixtures);
      expect(total(lines, 'Unauthorized')).toBeGreaterThanOrEqual(1);
      expect(total(lines, 'Deliveries')).toBe(lines.length);
    }
    // The fault paths of the suite, as the Quarterzip bundle counted them.
    const quarterzip = emfLines(d.process('quarterzip').logs());
    expect(total(quarterzip, 'AcceptedNotPublished')).toBeGreaterThanOrEqual(1);
    expect(total(quarterzip, 'Unavailable')).toBeGreaterThanOrEqual(1);
    expect(total(quarterzip, 'BadRequest')).toBeGreaterThanOrEqual(1);
    expect(total(quarterzip, 'Offloads')).toBeGreaterThanOrEqual(1);
  });

  it('the redrive bundle reported what it published, dead-lettered and found pending', () => {
    const lines = emfLines(d.process('redrive').logs());
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
      expect(line.vendor).toBeUndefined();
    }
    expect(total(lines, 'RedrivePublished')).toBeGreaterThanOrEqual(1);
    expect(total(lines, 'RedriveDeadLettered')).toBeGreaterThanOrEqual(1);
    expect(total(lines, 'RedriveFailed')).toBeGreaterThanOrEqual(1);
    expect(lines.every((l) => typeof l.RedriveBacklog === 'number' && typeof l.RedriveOldestPendingAge === 'number')).toBe(true);
  });

  it('carry no personal data, no id and no payload text: only the bounded dimensions and the metric values', () => {
    const eventIds = new Set(Object.values(PINNED_EVENT_IDS));
    for (const proc of d.processes.values()) {
      for (const line of emfLines(proc.logs())) {
        const metricNames = new Set(line._aws.CloudWatchMetrics.flatMap((c) => c.Metrics.map((m) => m.Name)));
        for (const [key, value] of Object.entries(line)) {
          if (key === '_aws') continue;
          if (metricNames.has(key)) expect(typeof value).toBe('number');
          else expect(DIMENSION_KEYS.has(key)).toBe(true);
        }
        const text = JSON.stringify(line);
        expect(text).not.toMatch(/@|\+\d{6,}|[0-9a-f]{8}-[0-9a-f]{4}-/i);
        for (const id of eventIds) expect(text.includes(id)).toBe(false);
      }
    }
  });
});

/**
 * DESIGN.md §Deadlines and degraded operation on the shipped bundle and its real SDK clients: the enforcing proxy
 * leaves requests unanswered (a hang: the socket stays open), closes connections, answers slowly or fails. The
 * answer comes within the template's answer deadline, a 2xx only when the event is on the bus or kept, and after
 * the dependencies return the redrive bundle publishes exactly the events answered 2xx, each under one eventId.
 */
describe('dependencies that hang, refuse connections or answer slowly (the bundle\'s real SDK clients)', () => {
  /** What answering may take beyond the deadline here: the edge, the IPC to the function process, a busy machine. */
  const SLACK_MS = 1500;
  const deadlineMs = () => Number(d.env.get(webhook('quarterzip').fn.logicalId)![ENV.answerDeadlineMs]);
  afterEach(() => {
    d.proxy.fault = undefined;
  });

  async function timedPost(vendor: string, body: Buffer, headers: Record<string, string>): Promise<Answer & { ms: number }> {
    const started = performance.now();
    const answer = await post(vendor, body, headers);
    return { ...answer, ms: performance.now() - started };
  }

  /** Posts a fresh Quarterzip delivery while `fault` holds, timed; the fault is lifted once answered. */
  async function postUnder(fault: Fault, id: string, body?: Buffer): Promise<Answer & { ms: number; sent: { body: Buffer; headers: Record<string, string> } }> {
    d.proxy.fault = fault;
    const sent = freshQuarterzip(id, body);
    const answer = await timedPost('quarterzip', sent.body, sent.headers);
    d.proxy.fault = undefined;
    return { ...answer, sent };
  }

  /** After the dependencies are back and the record's lease has ended, the redrive bundle publishes the event once. */
  async function redrivenOnce(eventId: string): Promise<BusEvent> {
    await endLease(await keyOf(eventId));
    expect(await runRedrive()).toMatchObject({ published: 1 });
    const events = await drainQueue<BusEvent>(d.clients.sqs, queueUrl);
    expect(events.map((e) => e.detail.eventId)).toEqual([eventId]);
    return events[0];
  }

  async function spooled(): Promise<string[]> {
    const out = await d.clients.s3.send(new ListObjectsV2Command({ Bucket: d.shared.bucket, Prefix: 'spool/' }));
    return (out.Contents ?? []).map((o) => o.Key!);
  }

  it('the template sets the answer deadline at 6 s, 4 s below the function timeout', () => {
    expect(deadlineMs()).toBe(6000);
    expect(webhook('quarterzip').fn.timeoutSeconds * 1000 - deadlineMs()).toBeGreaterThanOrEqual(2000);
  });

  it.each([
    ['hanging', { hang: true }, 'msg_artifact_bus_hangs'],
    ['refusing connections', { reset: true }, 'msg_artifact_bus_refuses'],
  ] as const)('EventBridge %s: 202 within the deadline, the event kept in its record; the redrive publishes it once, and nothing more', async (_, action, id) => {
    const answer = await postUnder(({ action: a }) => (a === 'events:PutEvents' ? action : undefined), id);

    expect(answer).toMatchObject({ status: 202, body: { status: 'accepted', published: false } });
    expect(answer.ms).toBeLessThan(deadlineMs() + SLACK_MS);
    expect((await record(await keyOf(answer.body.eventId)))!.status.S).toBe('PENDING');
    await redrivenOnce(answer.body.eventId);
    await redriveFindsNothing();
  });

  it.each([
    ['hanging', { hang: true }, 'msg_artifact_table_hangs'],
    ['refusing connections', { reset: true }, 'msg_artifact_table_refuses'],
  ] as const)('DynamoDB %s: published without a record (200) within the deadline; once it is back the redrive has nothing to add, the vendor\'s redelivery publishes under the same eventId, then is a duplicate', async (_, action, id) => {
    const answer = await postUnder(({ action: a }) => (a.startsWith('dynamodb:') ? action : undefined), id);
    const { body, headers } = answer.sent;

    expect(answer).toMatchObject({ status: 200, body: { status: 'published' } });
    expect(answer.ms).toBeLessThan(deadlineMs() + SLACK_MS);
    expect((await drainQueue<BusEvent>(d.clients.sqs, queueUrl)).map((e) => e.detail.eventId)).toEqual([answer.body.eventId]);
    const scan = await d.clients.dynamo.send(new ScanCommand({ TableName: d.shared.table }));
    expect((scan.Items ?? []).filter((i) => i.eventId?.S === answer.body.eventId)).toEqual([]);
    await redriveFindsNothing();
    // DynamoDB back: a redelivery claims and publishes again, under the same eventId (at least once); the next is a duplicate.
    expect(await post('quarterzip', body, headers)).toEqual({ status: 200, body: { status: 'published', eventId: answer.body.eventId } });
    expect((await drainQueue<BusEvent>(d.clients.sqs, queueUrl)).map((e) => e.detail.eventId)).toEqual([answer.body.eventId]);
    expect((await post('quarterzip', body, headers)).body).toMatchObject({ status: 'duplicate', eventId: answer.body.eventId });
    await redriveFindsNothing();
  });

  it('DynamoDB slow (0.4 s a request) while EventBridge hangs: 202 within the deadline', async () => {
    const answer = await postUnder(({ action }) => (action.startsWith('dynamodb:') ? { delayMs: 400 } : action === 'events:PutEvents' ? { hang: true } : undefined), 'msg_artifact_slow_table_bus_hangs');

    expect(answer).toMatchObject({ status: 202, body: { status: 'accepted' } });
    expect(answer.ms).toBeLessThan(deadlineMs() + SLACK_MS);
    await redrivenOnce(answer.body.eventId);
    await redriveFindsNothing();
  });

  it('DynamoDB and EventBridge both hanging: spooled to the payload bucket (202) within the deadline; the redrive claims, publishes it once and empties the spool', async () => {
    const answer = await postUnder(({ action }) => (action.startsWith('dynamodb:') || action === 'events:PutEvents' ? { hang: true } : undefined), 'msg_artifact_both_hang');
    const { body, headers } = answer.sent;

    expect(answer).toMatchObject({ status: 202, body: { status: 'accepted', published: false } });
    expect(answer.ms).toBeLessThan(deadlineMs() + SLACK_MS);
    expect((await spooled()).filter((k) => k.startsWith('spool/quarterzip/'))).toHaveLength(1);
    expect(await drainQueue(d.clients.sqs, queueUrl)).toEqual([]);
    expect(await runRedrive()).toMatchObject({ published: 1 });
    expect((await drainQueue<BusEvent>(d.clients.sqs, queueUrl)).map((e) => e.detail.eventId)).toEqual([answer.body.eventId]);
    expect(await spooled()).toEqual([]);
    expect((await record(await keyOf(answer.body.eventId)))!.status.S).toBe('PUBLISHED');
    // The vendor's retry, later, is a duplicate of it.
    expect((await post('quarterzip', body, headers)).body).toMatchObject({ status: 'duplicate', eventId: answer.body.eventId });
    await redriveFindsNothing();
  });

  it.each([
    ['failing (503)', busFailure(503), 'msg_artifact_s3_down_big'],
    ['hanging', { hang: true }, 'msg_artifact_s3_hangs_big'],
    ['refusing connections', { reset: true }, 'msg_artifact_s3_refuses_big'],
  ] as const)('S3 %s for an event over the bus limit: kept whole in its record (202) within the deadline; once S3 is back the redrive offloads it and publishes it once, a pointer on the bus and the transcript in the bucket', async (_, action, id) => {
    // Over the bus's 256 KB, under what an item keeps inline (350 KB).
    const turns = Array.from({ length: 2300 }, (_t, i) => ({ speaker: i % 2 ? 'user' : 'agent', text: `turn ${i}: ${'words '.repeat(15)}` }));
    const big = Buffer.from(JSON.stringify({ type: 'call.completed', timestamp: new Date().toISOString(), data: { call_id: `long-call-${id}`, transcript: turns } }));
    const maxEventBytes = Number(d.env.get(webhook('quarterzip').fn.logicalId)![ENV.maxEventBytes]);
    const answer = await postUnder(({ action: a }) => (a === 's3:PutObject' ? action : undefined), id, big);
    const { body, headers } = answer.sent;

    expect(answer).toMatchObject({ status: 202, body: { status: 'accepted', published: false } });
    expect(answer.ms).toBeLessThan(deadlineMs() + SLACK_MS);
    const kept = (await record(await keyOf(answer.body.eventId)))!;
    expect(kept.status.S).toBe('PENDING');
    expect(Buffer.byteLength(kept.event.S, 'utf8')).toBeGreaterThan(maxEventBytes);
    const keptDetail = JSON.parse(kept.event.S);
    expect(keptDetail.offload).toBeUndefined();
    expect(keptDetail.transcript.turns).toHaveLength(2300);
    expect(await drainQueue(d.clients.sqs, queueUrl)).toEqual([]);

    const event = await redrivenOnce(answer.body.eventId);
    expect(event.detail).toMatchObject({ eventId: answer.body.eventId, offload: { part: 'transcript', bucket: d.shared.bucket } });
    expect(event.detail.offload!.key).toBe(`offload/quarterzip/${answer.body.eventId}/transcript.json`);
    const object = await d.clients.s3.send(new GetObjectCommand({ Bucket: d.shared.bucket, Key: event.detail.offload!.key }));
    expect(JSON.parse(await object.Body!.transformToString()).turns).toHaveLength(2300);
    expect((await record(await keyOf(answer.body.eventId)))!.status.S).toBe('PUBLISHED');
    await redriveFindsNothing();
    // The vendor's retry, later, is a duplicate of it.
    expect((await post('quarterzip', body, headers)).body).toMatchObject({ status: 'duplicate', eventId: answer.body.eventId });
  });

  it('Secrets Manager hanging at a cold start (nothing cached): 503 within the deadline, nothing stored', async () => {
    await d.restart('quarterzip');
    d.proxy.fault = ({ action }) => (action === 'secretsmanager:GetSecretValue' ? { hang: true } : undefined);
    const { body, headers } = freshQuarterzip('msg_artifact_secret_hangs');
    const started = performance.now();
    const res = await fetch(`${d.edge.url}/webhooks/quarterzip`, { method: 'POST', headers, body });
    const ms = performance.now() - started;
    d.proxy.fault = undefined;

    expect(res.status).toBe(503);
    expect(ms).toBeLessThan(deadlineMs() + SLACK_MS);
    expect(await drainQueue(d.clients.sqs, queueUrl)).toEqual([]);
    await redriveFindsNothing();
    // Secrets Manager back: the same delivery is accepted.
    expect((await post('quarterzip', body, headers)).body).toMatchObject({ status: 'published' });
    await drainQueue(d.clients.sqs, queueUrl);
  });
});

describe('IAM: every call the bundles made, against their own policies from the template', () => {
  const byPrincipal = () => {
    const map = new Map<string, RecordedCall[]>();
    for (const c of d.proxy.calls) map.set(c.principal, [...(map.get(c.principal) ?? []), c]);
    return map;
  };

  it('allowed every call each bundle made, and mapped every request', () => {
    const denied = d.proxy.calls.filter((c) => c.evaluation.decision !== 'allow').map((c) => `${c.principal} ${c.action} ${c.resource} ${JSON.stringify(c.context)}`);
    expect(d.proxy.unmapped).toEqual([]);
    expect(denied).toEqual([]);
  });

  it('saw each function make the calls its path needs (the check is not vacuous)', () => {
    const calls = byPrincipal();
    for (const w of d.webhooks.values()) {
      const actions = new Set((calls.get(w.fn.logicalId) ?? []).map((c) => c.action));
      expect({ vendor: w.vendor, actions: [...actions].sort() }).toEqual({
        vendor: w.vendor,
        actions: expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'events:PutEvents', 'secretsmanager:GetSecretValue']),
      });
    }
    const redrive = new Set((calls.get(d.redrive.logicalId) ?? []).map((c) => c.action));
    // With the republish of dead events (`{"republishDead": true}`): the record read, the queue read and emptied.
    // With the spool drained (listed, read, claimed, removed) and a kept event offloaded before its publish.
    expect([...redrive].sort()).toEqual([
      'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'events:PutEvents',
      's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject', 'sqs:DeleteMessage', 'sqs:ReceiveMessage', 'sqs:SendMessage',
    ]);
    const quarterzipS3 = (calls.get(webhook('quarterzip').fn.logicalId) ?? []).filter((c) => c.action === 's3:PutObject').map((c) => c.resource.split('/')[1]);
    expect(new Set(quarterzipS3)).toEqual(new Set(['rejected', 'offload', 'spool']));
  });
});

describe('IAM: calls that must be denied', () => {
  /** SDK clients that sign as the function (its access key id), through the enforcing proxy. */
  function as(vendor: string) {
    const config = {
      endpoint: d.proxy.endpoint,
      region: MOTO_REGION,
      credentials: { accessKeyId: webhook(vendor).fn.logicalId, secretAccessKey: 'artifact-suite' },
      maxAttempts: 1,
    };
    return {
      secrets: new SecretsManagerClient(config),
      dynamo: new DynamoDBClient(config),
      events: new EventBridgeClient(config),
      s3: new S3Client({ ...config, forcePathStyle: true }),
    };
  }
  const deniedName = (p: Promise<unknown>) => p.then(() => 'allowed', (err: Error) => err.name);

  it('lets the Quarterzip function read its own secret (the control)', async () => {
    const c = as('quarterzip');
    const out = await c.secrets.send(new GetSecretValueCommand({ SecretId: webhook('quarterzip').secretArn }));
    expect(out.SecretString).toBe(webhook('quarterzip').secret);
  });

  it('denies a vendor function another vendor\'s secret (every pair)', async () => {
    const allowedPairs: string[] = [];
    for (const w of d.webhooks.values()) {
      for (const other of d.webhooks.values()) {
        if (other === w) continue;
        const e = evaluate(d.policies.get(w.fn.logicalId)!, { action: 'secretsmanager:GetSecretValue', resource: other.secretArn });
        if (e.decision === 'allow') allowedPairs.push(`${w.vendor} → ${other.vendor}`);
      }
    }
    expect(allowedPairs).toEqual([]);
    await expect(deniedName(as('quarterzip').secrets.send(new GetSecretValueCommand({ SecretId: webhook('converc').secretArn })))).resolves.toBe('AccessDeniedException');
  });

  it('denies DeleteItem and Scan on the table', async () => {
    const c = as('quarterzip');
    const key = { [TABLE.partitionKey]: { S: 'quarterzip#anything' } };
    await expect(deniedName(c.dynamo.send(new DeleteItemCommand({ TableName: d.shared.table, Key: key })))).resolves.toBe('AccessDeniedException');
    await expect(deniedName(c.dynamo.send(new ScanCommand({ TableName: d.shared.table })))).resolves.toBe('AccessDeniedException');
  });

  it('denies a vendor function another vendor\'s records in the table', async () => {
    const c = as('quarterzip');
    const item = { [TABLE.partitionKey]: { S: 'converc#msg_forged' }, eventId: { S: 'x' } };
    await expect(deniedName(c.dynamo.send(new PutItemCommand({ TableName: d.shared.table, Item: item })))).resolves.toBe('AccessDeniedException');
    const key = { [TABLE.partitionKey]: { S: 'converc#msg_forged' } };
    await expect(deniedName(c.dynamo.send(new UpdateItemCommand({
      TableName: d.shared.table, Key: key, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'PUBLISHED' } },
    })))).resolves.toBe('AccessDeniedException');
    // A key that merely contains the vendor's name is not its own.
    await expect(deniedName(c.dynamo.send(new PutItemCommand({ TableName: d.shared.table, Item: { ...item, [TABLE.partitionKey]: { S: 'quarterzipx#1' } } })))).resolves.toBe('AccessDeniedException');
    expect(await record('converc#msg_forged')).toBeUndefined();
  });

  it('denies PutEvents with another vendor\'s source, from every vendor function', async () => {
    const allowed: string[] = [];
    for (const w of d.webhooks.values()) {
      for (const other of d.webhooks.values()) {
        if (other === w) continue;
        const e = evaluate(d.policies.get(w.fn.logicalId)!, {
          action: 'events:PutEvents',
          resource: `arn:aws:events:${MOTO_REGION}:${ACCOUNT_ID}:event-bus/${d.shared.bus}`,
          context: { 'events:source': [`callhooks.${other.vendor}`], 'events:detail-type': ['call.ended'] },
        });
        if (e.decision === 'allow') allowed.push(`${w.vendor} as ${other.vendor}`);
      }
    }
    expect(allowed).toEqual([]);
    const entry = { EventBusName: d.shared.bus, Source: 'callhooks.converc', DetailType: 'call.ended', Detail: '{}' };
    await expect(deniedName(as('quarterzip').events.send(new PutEventsCommand({ Entries: [entry] })))).resolves.toBe('AccessDeniedException');
    await expect(deniedName(as('quarterzip').events.send(new PutEventsCommand({ Entries: [{ ...entry, Source: 'aws.partner' }] })))).resolves.toBe('AccessDeniedException');
    expect(await drainQueue(d.clients.sqs, queueUrl)).toEqual([]);
  });

  it('denies a vendor function writing payload objects outside its own prefixes', async () => {
    const c = as('quarterzip');
    for (const key of ['rejected/converc/2026-12-01/x.body', 'offload/converc/e/transcript.json', 'events/converc/e.json', 'elsewhere/quarterzip/x']) {
      await expect(deniedName(c.s3.send(new PutObjectCommand({ Bucket: d.shared.bucket, Key: key, Body: 'x' })))).resolves.toBe('AccessDenied');
    }
  });

  it('denies a webhook function reading the stored payloads', async () => {
    const listed = await d.clients.s3.send(new ListObjectsV2Command({ Bucket: d.shared.bucket, Prefix: 'rejected/quarterzip/' }));
    const key = listed.Contents![0].Key!;
    await expect(deniedName(as('quarterzip').s3.send(new GetObjectCommand({ Bucket: d.shared.bucket, Key: key })))).resolves.toBe('AccessDenied');
  });
});
