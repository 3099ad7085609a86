/**
 * Regression tests for the bugs the property suites found (KB-1 … KB-6), each pinned by its minimal
 * counterexample. All six are fixed; each title says what the bug was (in the past tense) and each test what
 * must hold now. The property suites generate these inputs too.
 */
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { CustomVendorConfig } from '../../lambda/config/config';
import { fromApiGateway, Headers } from '../../lambda/core/http';
import { handleDelivery } from '../../lambda/core/pipeline';
import { toGatewayEvent } from '../../local/gateway';
import { schemaErrors } from '../helpers/fixtures';
import { memoryWorld } from '../helpers/memory';
import { loadRegistry, VendorUnderTest } from './arbitraries';

const reg = loadRegistry();
const RECEIVED = new Date('2026-12-01T00:00:00.000Z');

/** Sets a JSON pointer (`/a/b`) in a fresh object. */
function atPointer(doc: Record<string, unknown>, pointer: string, value: unknown): Record<string, unknown> {
  const steps = pointer.slice(1).split('/');
  let cur = doc;
  steps.slice(0, -1).forEach((s) => (cur = (cur[s] ??= {}) as Record<string, unknown>));
  cur[steps[steps.length - 1]] = value;
  return doc;
}

function customDefinition(name: string): CustomVendorConfig | undefined {
  const c = reg.config.vendors.find((v) => v.name === name);
  return c?.kind === 'custom' ? c.definition : undefined;
}

async function deliver(vut: VendorUnderTest, body: unknown, extraHeaders: Record<string, string> = {}) {
  const raw = Buffer.from(JSON.stringify(body));
  const world = memoryWorld([...reg.adapters], { ...reg.secrets });
  const headers = new Headers(Object.entries({ 'content-type': 'application/json', ...vut.adapter.sign(raw, vut.secret, RECEIVED, 'msg_kb'), ...extraHeaders }));
  const reply = await handleDelivery({ vendor: vut.name, method: 'POST', headers, query: {}, body: raw, receivedAt: RECEIVED }, world.deps);
  return { reply, detail: world.publisher.published[0]?.detail };
}

/** A minimal body of the vendor with `type` as its event type and `time` as its event time (undefined: no such field). */
function bodyOf(vut: VendorUnderTest, type: string, time?: unknown): Record<string, unknown> | undefined {
  switch (vut.name) {
    case 'quarterzip':
      return { type, timestamp: time, data: { call_id: 'c1' } };
    case 'koeiq':
      return { event: type, timestamp: time, data: { voicelog_id: 'vl1' } };
    case 'atoms':
      return { event: type, timestamp: time, call_id: 'c1' };
    case 'converc':
      return { id: 'evt_1', type, createdAt: time };
    case 'qcall':
      return undefined;
    default: {
      const def = customDefinition(vut.name);
      if (!def || def.fields.eventType.startsWith('header:')) return undefined;
      const body = atPointer({}, def.fields.eventType, type);
      if (def.fields.eventId && !def.fields.eventId.startsWith('header:')) atPointer(body, def.fields.eventId, 'evt_1');
      if (time !== undefined && def.fields.occurredAt && !def.fields.occurredAt.startsWith('header:')) atPointer(body, def.fields.occurredAt, time);
      return body;
    }
  }
}

describe('KB-1 (fixed) lambda/core/event.ts toIsoTime: a vendor time past year 9999 was published as an expanded ISO year, which the schema refuses', () => {
  // e.g. quarterzip {"type":"call.completed","timestamp":"10000-01-01",...} → occurredAt "+010000-01-01T00:00:00.000Z"
  const cases = reg.vendors.filter((v) => bodyOf(v, 'x', 'x') !== undefined).map((v) => [v.name, v] as const);
  it.each(cases)('%s: time "10000-01-01" → occurredAt must be a schema date-time', async (_name, vut) => {
    const { reply, detail } = await deliver(vut, bodyOf(vut, 'call.completed', '10000-01-01'));
    expect(reply.statusCode).toBe(200);
    expect(schemaErrors(JSON.parse(JSON.stringify(detail)))).toEqual([]);
  });
});

describe('KB-2 (fixed) an event type named like an Object.prototype member was answered 503 (plain-object type maps: atoms.ts ATOMS_TYPES, koeiq.ts KOEIQ_TYPES, converc.ts CONVERC_TYPES, custom.ts typeMap)', () => {
  // `MAP[type] ?? 'vendor.other'` yielded Object.prototype's function/object; fitEvent's Buffer.byteLength(detail.type) then threw a TypeError.
  const cases = reg.vendors
    .filter((v) => v.name !== 'quarterzip' && v.name !== 'qcall' && bodyOf(v, 'x') !== undefined)
    .flatMap((v) => ['constructor', '__proto__', 'toString'].map((t) => [v.name, t, v] as const));
  it.each(cases)('%s: event type %j must be published as vendor.other', async (_name, type, vut) => {
    const { reply, detail } = await deliver(vut, bodyOf(vut, type));
    expect(reply.statusCode).toBe(200);
    expect(detail?.type).toBe('vendor.other');
    expect(detail?.vendorEventType).toBe(type);
  });

  const converc = reg.vendors.find((v) => v.name === 'converc');
  if (converc) {
    it('converc: X-IC-Event header "constructor" (body without type) must be published as vendor.other', async () => {
      const { reply, detail } = await deliver(converc, { id: 'evt_1' }, { 'X-IC-Event': 'constructor' });
      expect(reply.statusCode).toBe(200);
      expect(detail?.type).toBe('vendor.other');
    });
  }
});

describe('KB-3 (fixed) lambda/core/http.ts vendorOf: a malformed percent-encoding in the path threw URIError out of fromApiGateway (no pathParameters: $default route)', () => {
  it('HTTP API event with rawPath "/webhooks/%" must not throw (and must answer 404)', async () => {
    const event = { version: '2.0', rawPath: '/webhooks/%', headers: {}, isBase64Encoded: false, requestContext: { http: { method: 'POST' }, requestId: 'r' } } as unknown as APIGatewayProxyEventV2;
    const delivery = fromApiGateway(event, RECEIVED);
    expect((await handleDelivery(delivery, memoryWorld([...reg.adapters], { ...reg.secrets }).deps)).statusCode).toBe(404);
  });

  it('HTTP API event with rawPath "/webhooks/%E0%A4%A" (a cut UTF-8 escape) must not throw', () => {
    const event = { version: '2.0', rawPath: '/webhooks/%E0%A4%A', headers: {}, pathParameters: undefined, isBase64Encoded: false, requestContext: { http: { method: 'POST' } } } as unknown as APIGatewayProxyEventV2;
    expect(() => fromApiGateway(event, RECEIVED)).not.toThrow();
  });

  it('local/gateway.ts toGatewayEvent: "/webhooks/%" must not throw (the local server answered 500)', () => {
    const req = { method: 'POST', url: '/webhooks/%', rawHeaders: [] } as unknown as IncomingMessage;
    expect(() => toGatewayEvent(req, Buffer.alloc(0))).not.toThrow();
  });
});

describe('KB-4 (fixed) lambda/vendors/custom.ts readText: a numeric Unix time at the occurredAt pointer was turned into a string, so toIsoTime ignored it and occurredAt became receivedAt', () => {
  const cases = reg.vendors.filter((v) => customDefinition(v.name)?.fields.occurredAt?.startsWith('/')).map((v) => [v.name, v] as const);
  if (cases.length > 0) {
    it.each(cases)('%s: occurredAt 1795348800 (as the ringly fixture sends "created") must become 2026-11-22T12:00:00.000Z', async (_name, vut) => {
      const { reply, detail } = await deliver(vut, bodyOf(vut, 'call.completed', 1795348800));
      expect(reply.statusCode).toBe(200);
      expect(detail?.occurredAt).toBe('2026-11-22T12:00:00.000Z');
    });
  }
});

describe('KB-5 (fixed) local/gateway.ts toGatewayEvent: header names that are Object.prototype members were mangled (plain-object accumulator)', () => {
  it('a "constructor: x" header must reach the function as "x"', () => {
    const req = { method: 'POST', url: '/webhooks/quarterzip', rawHeaders: ['constructor', 'x'] } as unknown as IncomingMessage;
    // The bug gave "function Object() { [native code] },x".
    expect(fromApiGateway(toGatewayEvent(req, Buffer.alloc(0))).headers.get('constructor')).toBe('x');
  });

  it('a "__proto__: x" header must not vanish', () => {
    const req = { method: 'POST', url: '/webhooks/quarterzip', rawHeaders: ['__proto__', 'x'] } as unknown as IncomingMessage;
    expect(fromApiGateway(toGatewayEvent(req, Buffer.alloc(0))).headers.get('__proto__')).toBe('x');
  });
});

describe('KB-6 (fixed) lambda/core/http.ts fromApiGateway: a query parameter named "__proto__" was dropped (plain-object query)', () => {
  it('HTTP API: ?__proto__=x must be in delivery.query (QCall GET/DELETE fields come from it)', () => {
    const event = { version: '2.0', rawPath: '/webhooks/qcall', rawQueryString: '__proto__=x', headers: {}, queryStringParameters: { ['__proto__']: 'x' }, requestContext: { http: { method: 'GET' } } } as unknown as APIGatewayProxyEventV2;
    expect(Object.entries(fromApiGateway(event, RECEIVED).query)).toEqual([['__proto__', 'x']]);
  });

  it('HTTP API without rawQueryString: queryStringParameters {"__proto__":"x"} must be in delivery.query', () => {
    const qsp = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    const event = { version: '2.0', rawPath: '/webhooks/qcall', headers: {}, queryStringParameters: qsp, requestContext: { http: { method: 'GET' } } } as unknown as APIGatewayProxyEventV2;
    expect(Object.entries(fromApiGateway(event, RECEIVED).query)).toEqual([['__proto__', 'x']]);
  });
});
