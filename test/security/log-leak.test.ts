/**
 * DESIGN.md, delivery guarantee 3: secrets are never logged, never in an environment variable in clear;
 * transcripts, phone numbers, emails and names are not logged either.
 *
 * Every fixture of every registered vendor goes end to end through the pipeline with the real Powertools
 * logger (asLog(createLogger()), at DEBUG) whose output on process.stdout / process.stderr is captured — on
 * the happy path and on every failing one (bad signature, unparseable body, duplicate, publish failure and
 * its redrive, store / secret / blob store failures whose error messages echo payload content). Then the
 * same through the Lambda wiring (depsFromEnv with the AWS SDK mocked, and the middy handler), and through
 * the local server (startLocal with its default logger). The captured text must hold none of: any vendor
 * secret, any transcript text, any phone number (E.164 or the fixtures' own), any email address, any
 * contact name or address of the fixtures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ENV } from '../../lambda/contracts/env';
import type { VendorRuntimeConfig } from '../../lambda/config/config';
import type { CallEventDetail } from '../../lambda/core/event';
import { Delivery, fromApiGateway, Headers } from '../../lambda/core/http';
import { asLog, createLogger } from '../../lambda/core/logger';
import { handleDelivery, PipelineDeps } from '../../lambda/core/pipeline';
import type { Log } from '../../lambda/core/ports';
import { redrive } from '../../lambda/core/redrive';
import { startLocal } from '../../local/server';
import { fixtureHeaders, fixtureUrl, signedHeaders } from '../../local/fixtures';
import { createHash } from 'node:crypto';
import { fixtureBody, Fixture, signedDelivery } from '../helpers/fixtures';
import { MemoryDeadLetters, memoryWorld } from '../helpers/memory';
import { jsonPaths, withValueAt } from '../helpers/wrong-types';
import { loadRegistry, VendorUnderTest } from '../property/arbitraries';
import { ALL_VENDORS_CONFIG_FILE } from '../helpers/configs';

jest.setTimeout(120_000);

const reg = loadRegistry();
const vendorsWithFixtures = reg.vendors.filter((v) => v.fixtures.length > 0);
const NOW = new Date('2026-11-22T12:00:00.000Z');

// The Logger reads its level when it is created: everything down to DEBUG must be checked.
const savedEnv = { level: process.env.POWERTOOLS_LOG_LEVEL, dev: process.env.POWERTOOLS_DEV };
beforeAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  delete process.env.POWERTOOLS_DEV; // dev mode would print through jest's console instead of process.stdout
});
afterAll(() => {
  if (savedEnv.level === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
  else process.env.POWERTOOLS_LOG_LEVEL = savedEnv.level;
  if (savedEnv.dev !== undefined) process.env.POWERTOOLS_DEV = savedEnv.dev;
});

// ---------------------------------------------------------------------------------------------------------
// Capturing the process output
// ---------------------------------------------------------------------------------------------------------

interface Capture {
  text(): string;
  restore(): void;
}

/** Captures everything written to process.stdout and process.stderr (Powertools writes there through its own Console). */
function captureOutput(): Capture {
  const chunks: string[] = [];
  const sink = (chunk: unknown, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    const cb = rest.find((r): r is () => void => typeof r === 'function');
    cb?.();
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(sink as typeof process.stdout.write);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(sink as typeof process.stderr.write);
  return {
    text: () => chunks.join(''),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// What must not appear
// ---------------------------------------------------------------------------------------------------------

interface Sensitive {
  readonly what: string;
  readonly value: string;
}

const E164 = /\+[1-9]\d{6,14}/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const PERSON_NAME_KEY = /^(first_?name|last_?name|full_?name|name|(patient|customer|caller|contact|user|visitor|client)_?name)$/i;
const PHONE_KEY = /phone|number|mobile|msisdn/i;
const ADDRESS_KEY = /^(address|street|address_?line\d?)$/i;
/** Shorter values could match unrelated text (a transcript turn "Hi"). */
const MIN_LENGTH = 4;

/** Walks a fixture's body and query: transcript texts, person names, phone numbers, emails, addresses. */
function sensitiveOfFixture(f: Fixture): Sensitive[] {
  const out: Sensitive[] = [];
  const bodyText = typeof f.body === 'string' ? f.body : undefined;
  let doc: unknown = typeof f.body === 'string' ? undefined : f.body;
  if (bodyText !== undefined) {
    // Form and multipart fixtures: their fields as an object.
    const fields: Record<string, string> = {};
    if ((f.contentType ?? '').includes('urlencoded')) for (const [k, v] of new URLSearchParams(bodyText)) fields[k] = v;
    for (const m of bodyText.matchAll(/name="([^"]*)"\r\n\r\n([\s\S]*?)\r\n--/g)) fields[m[1]] = m[2];
    doc = fields;
  }
  const walk = (v: unknown, key: string, inTranscript: boolean) => {
    if (typeof v === 'string') {
      // Keys of a turn that hold its speaker, time or ids (Bland's turns carry `user`, `created_at` and the call id `c_id`), not text;
      // nor a transcription's status, type, id, URL or track (Twilio `TranscriptionStatus`, Vapi `transcriptType`, Telnyx `transcription_track`).
      if (inTranscript && !/^(speaker|role|user|from|author|participant|timestamp|at|time|createdAt|created_at|start|c_id)$/i.test(key) && !/(status|type|sid|url|track)$/i.test(key)) out.push({ what: `transcript text (${f.vendor}/${f.name})`, value: v });
      if (PERSON_NAME_KEY.test(key)) out.push({ what: `name in ${key} (${f.vendor}/${f.name})`, value: v });
      if (ADDRESS_KEY.test(key)) out.push({ what: `address (${f.vendor}/${f.name})`, value: v });
      if (PHONE_KEY.test(key) && (v.match(/\d/g) ?? []).length >= 7) out.push({ what: `phone in ${key} (${f.vendor}/${f.name})`, value: v });
      for (const m of v.match(EMAIL) ?? []) out.push({ what: `email (${f.vendor}/${f.name})`, value: m });
      for (const m of v.match(E164) ?? []) out.push({ what: `phone (${f.vendor}/${f.name})`, value: m });
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key, inTranscript));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k, inTranscript || /transcript|utterance|messages/i.test(k));
  };
  walk(doc, '', false);
  walk(f.query ?? {}, '', false);
  return out;
}

/** The same, read off the normalized event (whatever the vendor's key names were). */
function sensitiveOfDetail(d: CallEventDetail | undefined, where: string): Sensitive[] {
  if (!d) return [];
  const out: Sensitive[] = [];
  const add = (what: string, v: string | undefined) => v !== undefined && out.push({ what: `${what} (${where})`, value: v });
  for (const t of d.transcript?.turns ?? []) add('transcript text', t.text);
  add('contact name', d.contact?.name);
  add('contact first name', d.contact?.firstName);
  add('contact last name', d.contact?.lastName);
  add('contact email', d.contact?.email);
  add('contact phone', d.contact?.phone);
  add('contact address', d.contact?.address);
  add('caller number', d.call?.from);
  add('called number', d.call?.to);
  add('agent phone', d.agent?.phone);
  return out;
}

function findLeaks(text: string, sensitive: readonly Sensitive[], secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const s of secrets) if (text.includes(s)) found.push(`a vendor secret (${s.slice(0, 6)}…)`);
  for (const s of sensitive) if (s.value.length >= MIN_LENGTH && text.includes(s.value)) found.push(`${s.what}: ${JSON.stringify(s.value)}`);
  for (const m of text.match(E164) ?? []) found.push(`an E.164 phone number: ${m}`);
  for (const m of text.match(EMAIL) ?? []) found.push(`an email address: ${m}`);
  return [...new Set(found)];
}

const allSecrets = reg.vendors.flatMap((v) => [v.secret, v.otherSecret]);
const fixtureSensitive = vendorsWithFixtures.flatMap((v) => v.fixtures.flatMap(sensitiveOfFixture));

/** Lines of the captured text that hold `needle`, for failure messages. */
function linesWith(text: string, needle: string): string[] {
  return text.split('\n').filter((l) => l.includes(needle));
}

// ---------------------------------------------------------------------------------------------------------
// Deliveries
// ---------------------------------------------------------------------------------------------------------

/** The fixture's body (or its query as JSON) cut in half: authenticated, but never parseable. */
function unparseable(f: Fixture, vut: VendorUnderTest, id: string): Delivery {
  const whole = f.body === undefined ? Buffer.from(JSON.stringify(f.query ?? {})) : fixtureBody(f);
  const body = whole.subarray(0, Math.floor(whole.length / 2));
  const headers = new Headers(Object.entries({ ...vut.adapter.sign(body, vut.secret, NOW, id), 'content-type': 'application/json' }));
  return { vendor: vut.name, method: 'POST', headers, query: {}, body, receivedAt: NOW };
}

function piiError(name: string, f: Fixture): Error {
  // SDK errors can echo request content in their message: only the class name may be logged.
  const echo = sensitiveOfFixture(f)
    .map((s) => s.value)
    .join(' | ');
  return Object.assign(new Error(`request failed for item ${echo}`), { name });
}

/** Runs every path of the pipeline for one fixture; returns the statuses seen and what the events held. */
async function everyPath(vut: VendorUnderTest, f: Fixture, log: Log): Promise<{ statuses: number[]; sensitive: Sensitive[] }> {
  const statuses: number[] = [];
  const sensitive: Sensitive[] = [];
  const world = () => {
    const w = memoryWorld([...reg.adapters], { ...reg.secrets });
    w.deps = { ...w.deps, log };
    return w;
  };
  const run = async (w: ReturnType<typeof world>, d: Delivery) => {
    const reply = await handleDelivery(d, w.deps);
    statuses.push(reply.statusCode);
    for (const e of w.publisher.published) sensitive.push(...sensitiveOfDetail(e.detail, `${f.vendor}/${f.name}`));
    return reply;
  };
  const id = (s: string) => `msg_${f.name}_${s}`;

  // Published, then its duplicate.
  const w1 = world();
  await run(w1, signedDelivery(f, vut.adapter, vut.secret, NOW, id('ok')));
  await run(w1, signedDelivery(f, vut.adapter, vut.secret, new Date(NOW.getTime() + 1000), id('ok')));
  // Forged: another secret.
  await run(world(), signedDelivery(f, vut.adapter, vut.otherSecret, NOW, id('forged')));
  // Authenticated but unparseable (kept for inspection).
  await run(world(), unparseable(f, vut, id('cut')));
  // Publish failures (thrown, and FailedEntryCount > 0), then the redrive publishes.
  for (const mode of ['throw', 'fail'] as const) {
    const w = world();
    w.publisher.script = [mode];
    await run(w, signedDelivery(f, vut.adapter, vut.secret, NOW, id(mode)));
    await redrive({ store: w.store, publisher: w.publisher, deadLetters: new MemoryDeadLetters(), log }, new Date(NOW.getTime() + 3_600_000));
    for (const e of w.publisher.published) sensitive.push(...sensitiveOfDetail(e.detail, `${f.vendor}/${f.name}`));
  }
  // Dependencies failing with messages that echo the payload.
  const store = world();
  store.store.failNext.claim = piiError('ValidationException', f);
  await run(store, signedDelivery(f, vut.adapter, vut.secret, NOW, id('store')));
  const mark = world();
  mark.store.failNext.markPublished = piiError('InternalServerError', f);
  await run(mark, signedDelivery(f, vut.adapter, vut.secret, NOW, id('mark')));
  const secretDown = world();
  secretDown.secrets.failNext = Object.assign(new Error(`cannot read ${vut.secret}`), { name: 'InternalServiceError' });
  await run(secretDown, signedDelivery(f, vut.adapter, vut.secret, NOW, id('secret')));
  const blobsDown = world();
  blobsDown.blobs.failNext = piiError('SlowDown', f);
  await run(blobsDown, unparseable(f, vut, id('blobs')));
  return { statuses, sensitive };
}

describe('logs hold no secret and no personal data', () => {
  it('has fixtures with personal data to look for (the check is not vacuous)', () => {
    const kinds = new Set(fixtureSensitive.map((s) => s.what.split(' ')[0]));
    expect([...kinds]).toEqual(expect.arrayContaining(['transcript', 'name', 'phone', 'email']));
    expect(vendorsWithFixtures.map((v) => v.name).sort()).toEqual(reg.vendors.map((v) => v.name).sort());
  });

  it('the capture and the detector catch a leak when there is one', () => {
    const capture = captureOutput();
    let text: string;
    try {
      const f = vendorsWithFixtures.flatMap((v) => v.fixtures).find((x) => sensitiveOfFixture(x).some((s) => s.what.startsWith('email')))!;
      asLog(createLogger()).debug('a careless line', { secret: reg.vendors[0].secret, contact: sensitiveOfFixture(f).map((s) => s.value) });
    } finally {
      text = capture.text();
      capture.restore();
    }
    const leaks = findLeaks(text, fixtureSensitive, allSecrets);
    expect(leaks).toEqual(expect.arrayContaining([expect.stringMatching(/^a vendor secret/), expect.stringMatching(/^an email address/)]));
  });

  it('the pipeline with the Powertools logger, every fixture of every vendor, every failing path', async () => {
    // Prepare
    const capture = captureOutput();
    const statuses = new Set<number>();
    const sensitive: Sensitive[] = [...fixtureSensitive];
    let text: string;
    try {
      const log = asLog(createLogger());
      // Act
      for (const vut of vendorsWithFixtures) {
        for (const f of vut.fixtures) {
          const seen = await everyPath(vut, f, log);
          seen.statuses.forEach((s) => statuses.add(s));
          sensitive.push(...seen.sensitive);
        }
      }
    } finally {
      text = capture.text();
      capture.restore();
    }

    // Assert: every path was taken and logged…
    expect([...statuses].sort()).toEqual([200, 202, 400, 401, 503]);
    for (const message of ['delivery published', 'duplicate delivery', 'delivery refused: authentication failed', 'authenticated delivery could not be parsed; kept for inspection', 'publish failed; the stored event will be redriven', 'dedup store unavailable; publishing without a record', 'secret unavailable', 'redrive finished']) {
      expect(text).toContain(message);
    }
    expect(text.split('\n').filter(Boolean).every((l) => l.startsWith('{'))).toBe(true);
    // …and nothing sensitive was.
    const leaks = findLeaks(text, sensitive, allSecrets);
    expect({ leaks, example: leaks.length ? linesWith(text, leaks[0].split(': ').pop()!.replace(/"/g, '')).slice(0, 2) : [] }).toEqual({ leaks: [], example: [] });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Refusals: what a 400 answer and its WARN line say about the payload
// ---------------------------------------------------------------------------------------------------------

/** Personal data a payload may carry where a field's NAME goes (QCall's field set is the customer's own). */
const NAME_MARKERS = ['jane.doe@example.com', '+15125550199'];

/** A QCall delivery, authenticated, with `fields` in the given transport. */
function qcallDelivery(vut: VendorUnderTest, transport: 'json' | 'form' | 'multipart', fields: Record<string, unknown>): Delivery {
  let body: Buffer;
  let contentType: string;
  if (transport === 'json') {
    body = Buffer.from(JSON.stringify(fields));
    contentType = 'application/json';
  } else if (transport === 'form') {
    body = Buffer.from(new URLSearchParams(fields as Record<string, string>).toString());
    contentType = 'application/x-www-form-urlencoded';
  } else {
    const boundary = 'leakboundary';
    body = Buffer.from(`${Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`).join('')}--${boundary}--\r\n`);
    contentType = `multipart/form-data; boundary=${boundary}`;
  }
  const headers = new Headers(Object.entries({ ...vut.adapter.sign(body, vut.secret, NOW), 'content-type': contentType }));
  return { vendor: 'qcall', method: 'POST', headers, query: {}, body, receivedAt: NOW };
}

/** `depth` levels of nesting around a value. */
const nested = (depth: number): unknown => (depth === 0 ? 'x' : { a: nested(depth - 1) });

describe('refusals name what is wrong without echoing the payload', () => {
  const qcallVut = reg.vendors.find((v) => v.name === 'qcall')!;
  const tooLarge = 'v'.repeat(1024 * 1024 + 1);

  it.each(NAME_MARKERS.flatMap((name) => [
    ['json', name, 'a value over 1 MiB', { [name]: tooLarge }],
    ['form', name, 'a value over 1 MiB', { [name]: tooLarge }],
    ['multipart', name, 'a value over 1 MiB', { [name]: tooLarge }],
    ['json', name, 'a value nested 40 levels deep', { [name]: nested(40) }],
  ] as const))('QCall %s field named %s with %s: the 400 answer and the log do not hold the name', async (transport, name, _what, fields) => {
    // Prepare
    const capture = captureOutput();
    let text: string;
    let answer: string;
    let status: number;
    try {
      const world = memoryWorld([...reg.adapters], { ...reg.secrets });
      world.deps = { ...world.deps, log: asLog(createLogger()) };
      // Act
      const reply = await handleDelivery(qcallDelivery(qcallVut, transport, { call_id: 'c1', ...fields }), world.deps);
      status = reply.statusCode;
      answer = JSON.stringify(reply.body);
    } finally {
      text = capture.text();
      capture.restore();
    }
    // Assert: refused as unparseable, with a reason, and the field's name is in neither the answer nor the log.
    expect(status).toBe(400);
    expect(text).toContain('authenticated delivery could not be parsed; kept for inspection');
    expect(answer).toMatch(/larger than|nests deeper than/);
    expect({ answer: answer.includes(name), log: linesWith(text, name) }).toEqual({ answer: false, log: [] });
  });

  it('no ParseError of any vendor echoes payload text: every field of every fixture set to a value that holds personal data', () => {
    const markers = ['leak.marker@example.com', '+15125550177', 'Marker Person Name'];
    const values: unknown[] = [markers[0], { [markers[1]]: markers[2] }, [markers[2], { [markers[0]]: 1 }], nested(40)];
    const messages = new Set<string>();
    let refused = 0;
    for (const vut of vendorsWithFixtures) {
      for (const f of vut.fixtures) {
        if (f.body === undefined || typeof f.body === 'string') continue;
        for (const path of jsonPaths(f.body)) {
          for (const value of values) {
            const body = Buffer.from(JSON.stringify(withValueAt(f.body, path, value)));
            const headers = new Headers(Object.entries({ ...vut.adapter.sign(body, vut.secret, NOW, 'msg_leak'), 'content-type': 'application/json' }));
            try {
              vut.adapter.parse({ vendor: vut.name, method: f.method ?? 'POST', headers, query: f.query ?? {}, body, receivedAt: NOW });
            } catch (err) {
              refused++;
              messages.add((err as Error).message);
            }
          }
        }
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect([...messages].filter((m) => markers.some((x) => m.includes(x)) || (m.match(EMAIL) ?? []).length > 0 || /\+\d{7,}/.test(m))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The Lambda wiring: depsFromEnv and the handler, with the AWS SDK mocked
// ---------------------------------------------------------------------------------------------------------

const secretsManager = mockClient(SecretsManagerClient);
const dynamo = mockClient(DynamoDBClient);
const eventBridge = mockClient(EventBridgeClient);
const s3 = mockClient(S3Client);
afterEach(() => {
  secretsManager.reset();
  dynamo.reset();
  eventBridge.reset();
  s3.reset();
});

const arnOf = (vendor: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:callhooks/${vendor}-AbCdEf`;

function mockAws(): void {
  const byArn = new Map(reg.vendors.map((v) => [arnOf(v.name), v.secret]));
  secretsManager.on(GetSecretValueCommand).callsFake((input: { SecretId?: string }) => ({ SecretString: byArn.get(input.SecretId ?? '') }));
  const claimed = new Set<string>();
  dynamo.on(PutItemCommand).callsFake((input: { Item?: Record<string, { S?: string }> }) => {
    const pk = input.Item?.pk?.S ?? '';
    if (claimed.has(pk)) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: { pk: { S: pk }, status: { S: 'PUBLISHED' } } });
    claimed.add(pk);
    return {};
  });
  dynamo.on(UpdateItemCommand).resolves({});
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-1' }] });
  s3.on(PutObjectCommand).resolves({});
}

function envFor(vut: VendorUnderTest): Record<string, string> {
  const runtime = reg.config.vendors.find((c) => c.name === vut.name) ?? ({ kind: 'builtin', name: vut.name, options: {} } as VendorRuntimeConfig);
  return {
    [ENV.vendorConfig]: JSON.stringify(runtime),
    [ENV.secretArn]: arnOf(vut.name),
    [ENV.tableName]: 'callhooks-dedup',
    [ENV.eventBusName]: 'callhooks-bus',
    [ENV.payloadBucket]: 'callhooks-payloads',
  };
}

/** The fixture as the HTTP API event a genuine delivery becomes. */
function gatewayEvent(vut: VendorUnderTest, f: Fixture, secret: string, id: string): APIGatewayProxyEventV2 {
  const body = fixtureBody(f);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(fixtureHeaders(f, vut.adapter, secret, new Date(), id))) headers[k.toLowerCase()] = String(v);
  const query = f.query ?? {};
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{vendor}',
    rawPath: `/webhooks/${vut.name}`,
    rawQueryString: new URLSearchParams(query).toString(),
    headers,
    queryStringParameters: Object.keys(query).length ? { ...query } : undefined,
    pathParameters: { vendor: vut.name },
    body: body.length ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
    requestContext: { http: { method: f.method ?? 'POST' }, requestId: `req-${id}` },
  } as unknown as APIGatewayProxyEventV2;
}

describe('the Lambda function', () => {
  it('depsFromEnv reads only configuration variables, the secret only by ARN from Secrets Manager, and its logs hold nothing sensitive', async () => {
    mockAws();
    const capture = captureOutput();
    let text: string;
    const statuses = new Set<number>();
    const envReads = new Set<string>();
    const processEnvReads = new Set<string>();
    const sensitive: Sensitive[] = [...fixtureSensitive];
    const realEnv = process.env;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { depsFromEnv } = require('../../lambda/handlers/webhook') as typeof import('../../lambda/handlers/webhook');
      for (const vut of vendorsWithFixtures) {
        const given = envFor(vut);
        const env = new Proxy(given, {
          get(target, key) {
            if (typeof key === 'string') envReads.add(key);
            return Reflect.get(target, key);
          },
        });
        process.env = new Proxy(realEnv, {
          get(target, key) {
            if (typeof key === 'string') processEnvReads.add(key);
            return Reflect.get(target, key);
          },
        });
        let deps: PipelineDeps;
        try {
          deps = depsFromEnv(env);
        } finally {
          process.env = realEnv;
        }
        for (const f of vut.fixtures) {
          for (const secret of [vut.secret, vut.secret, vut.otherSecret]) {
            const reply = await handleDelivery(fromApiGateway(gatewayEvent(vut, f, secret, `lambda_${f.name}`)), deps);
            statuses.add(reply.statusCode);
          }
        }
        for (const call of eventBridge.commandCalls(PutEventsCommand)) {
          for (const e of call.args[0].input.Entries ?? []) sensitive.push(...sensitiveOfDetail(JSON.parse(e.Detail ?? '{}'), vut.name));
        }
      }
    } finally {
      process.env = realEnv;
      text = capture.text();
      capture.restore();
    }

    // The function's configuration holds no secret: it reads only the variables the construct sets…
    expect([...envReads].filter((k) => !(Object.values(ENV) as string[]).includes(k))).toEqual([]);
    expect([...envReads].filter((k) => /SECRET/i.test(k))).toEqual([ENV.secretArn]);
    expect([...processEnvReads].filter((k) => /^CALLHOOKS_SECRET_(?!ARN$)/.test(k))).toEqual([]);
    for (const vut of vendorsWithFixtures) expect(JSON.stringify(envFor(vut))).not.toContain(vut.secret);
    // …and gets the secret from Secrets Manager, by ARN only.
    const secretIds = secretsManager.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId);
    expect(secretIds.length).toBeGreaterThan(0);
    expect(new Set(secretIds)).toEqual(new Set(vendorsWithFixtures.map((v) => arnOf(v.name))));
    expect([...statuses].sort()).toEqual([200, 401]);
    expect(text).toContain('delivery published');
    expect(findLeaks(text, sensitive, allSecrets)).toEqual([]);
  });

  it('the middy handler (injectLambdaContext) logs nothing sensitive either', async () => {
    mockAws();
    const vut = vendorsWithFixtures[0];
    const realEnv = { ...process.env };
    Object.assign(process.env, envFor(vut), { AWS_REGION: 'eu-west-1' });
    const capture = captureOutput();
    let text: string;
    const codes: number[] = [];
    try {
      // Not isolated: the AWS SDK classes must be the ones mockClient patched. The handler builds its deps from process.env on first use.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { handler } = require('../../lambda/handlers/webhook') as typeof import('../../lambda/handlers/webhook');
      const context = { functionName: `callhooks-${vut.name}`, awsRequestId: 'aws-req-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
      for (const f of vut.fixtures) {
        for (const secret of [vut.secret, vut.secret, vut.otherSecret]) codes.push((await handler(gatewayEvent(vut, f, secret, `mw_${f.name}`), context)).statusCode);
      }
    } finally {
      text = capture.text();
      capture.restore();
      for (const k of Object.keys(process.env)) if (!(k in realEnv)) delete process.env[k];
      Object.assign(process.env, realEnv);
    }
    expect(new Set(codes)).toEqual(new Set([200, 401]));
    expect(text).toContain(`"function_name":"callhooks-${vut.name}"`);
    expect(findLeaks(text, fixtureSensitive, allSecrets)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The local server, with its default logger
// ---------------------------------------------------------------------------------------------------------

describe('the local server (npm start)', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'callhooks-log-leak-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('never prints a generated development secret (it says which file holds them) — and nothing sensitive at all', async () => {
    // Prepare: no CALLHOOKS_SECRET_* so that development secrets are generated (issue 20, point 7: not printed).
    const env: NodeJS.ProcessEnv = { ...process.env, CALLHOOKS_DATA_DIR: dataDir, CALLHOOKS_CONFIG: ALL_VENDORS_CONFIG_FILE };
    for (const k of Object.keys(env)) if (k.startsWith('CALLHOOKS_SECRET_')) delete env[k];
    const capture = captureOutput();
    let text: string;
    let secrets: ReadonlyMap<string, string> = new Map();
    const statuses: Record<string, number[]> = {};
    try {
      const server = await startLocal({ port: 0, inMemory: true, redriveEveryMs: 0, env });
      secrets = server.secrets;
      try {
        // Act: a couple of deliveries per vendor — published, duplicate, forged, unparseable.
        for (const vut of vendorsWithFixtures) {
          const secret = server.secrets.get(vut.name)!;
          const f = vut.fixtures.find((x) => x.body !== undefined && typeof x.body !== 'string') ?? vut.fixtures[0];
          const send = async (body: Buffer, headers: Record<string, string>, query: Record<string, string> = {}) => {
            const qs = new URLSearchParams(query).toString();
            const res = await fetch(`${server.url}/webhooks/${vut.name}${qs ? `?${qs}` : ''}`, { method: f.method ?? 'POST', headers, body: body.length ? body : undefined });
            await res.arrayBuffer();
            (statuses[vut.name] ??= []).push(res.status);
          };
          const body = fixtureBody(f);
          // Signed for the URL it is sent to (a URL-signing vendor, Twilio, signs it).
          const url = fixtureUrl(f, `${server.url}/webhooks/${vut.name}`);
          await send(body, fixtureHeaders(f, vut.adapter, secret, new Date(), `local_${f.name}`, url), f.query);
          await send(body, fixtureHeaders(f, vut.adapter, secret, new Date(), `local_${f.name}`, url), f.query);
          await send(body, fixtureHeaders(f, vut.adapter, vut.otherSecret, new Date(), `local_${f.name}_forged`, url), f.query);
          const cut = body.subarray(0, Math.floor(body.length / 2));
          // A JSON body that does not parse (Twilio covers one through the bodySHA256 query parameter it signs).
          const cutQuery: Record<string, string> = vut.adapter.scheme?.family === 'url-signing' ? { bodySHA256: createHash('sha256').update(cut).digest('hex') } : {};
          const cutHeaders = signedHeaders(vut.adapter, { body: cut, url: `${server.url}/webhooks/${vut.name}`, contentType: 'application/json', id: `local_${f.name}_cut` }, secret, new Date());
          await send(cut, { ...cutHeaders, 'content-type': 'application/json' }, cutQuery);
        }
      } finally {
        await server.close();
      }
    } finally {
      text = capture.text();
      capture.restore();
    }

    // Assert: the paths were taken…
    for (const vut of vendorsWithFixtures) expect({ [vut.name]: statuses[vut.name] }).toEqual({ [vut.name]: [200, 200, 401, 400] });
    expect(text).toContain('delivery published');
    // …each generated secret is announced with the file that holds it, and printed nowhere…
    for (const [vendor, secret] of secrets) {
      expect({ vendor, lines: linesWith(text, secret) }).toEqual({ vendor, lines: [] });
      expect(text).toContain(`generated a development secret for ${vendor} into ${join(dataDir, 'dev-secrets.json')} `);
    }
    // …and nothing sensitive was printed.
    expect(findLeaks(text, fixtureSensitive, [...allSecrets, ...secrets.values()])).toEqual([]);
  });
});
