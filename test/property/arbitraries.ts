/**
 * Shared ground for the property suites (test/property/*.test.ts): the vendors under test (every vendor the
 * registry builds from examples/all-vendors/callhooks.config.json, plus any built-in vendor it leaves out), fast-check arbitraries
 * for what can arrive at `/webhooks/{vendor}`, API Gateway events built from them (HTTP API payload 2.0, the
 * only format the construct's API sends), an oracle for the answer DESIGN.md "What a vendor sees (HTTP)" requires, and the checks
 * that every outcome must pass.
 *
 * Run counts: each vendor suite runs NUM_RUNS cases per vendor, and four suites (anything, unauthenticated,
 * signed-garbage, wrong-types) cover every vendor, so each vendor gets 4 × NUM_RUNS generated cases.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BUILT_IN_VENDORS, ResolvedConfig, VendorRuntimeConfig } from '../../lambda/config/config';
import type { CallEventDetail } from '../../lambda/core/event';
import { mediaTypeOf, parseUrlEncoded } from '../../lambda/core/form';
import { fromApiGateway, Headers, Reply, toProxyResult } from '../../lambda/core/http';
import { handleDelivery, UNAUTHORIZED } from '../../lambda/core/pipeline';
import type { VendorAdapter } from '../../lambda/core/vendor';
import { createAdapter } from '../../lambda/vendors';
import { twilioFieldsText } from '../../lambda/schemes/url-signing';
import { loadConfig } from '../../local/runtime';
import { ALL_VENDORS_CONFIG_FILE } from '../helpers/configs';
import { Fixture, fixtureBody, FIXTURES_DIR, loadFixtures, schemaErrors } from '../helpers/fixtures';
import { memoryWorld, MemoryWorld } from '../helpers/memory';

/** Cases per property per vendor. Four vendor suites → 4 × NUM_RUNS = 10,000 cases per vendor. */
export const NUM_RUNS = 2_500;

/** The clock of every generated delivery (signatures are made and checked at this instant). */
export const NOW = new Date('2026-11-22T12:00:00.000Z');

/** Larger than any accepted clock skew (toleranceSeconds is at most 3600 in the configuration). */
const BEYOND_ANY_TOLERANCE_S = 3601;

// ---------------------------------------------------------------------------------------------------------
// Vendors under test
// ---------------------------------------------------------------------------------------------------------

export interface VendorUnderTest {
  readonly name: string;
  readonly adapter: VendorAdapter;
  readonly secret: string;
  /** A second secret of the same form, never configured: deliveries signed with it are forgeries. */
  readonly otherSecret: string;
  readonly fixtures: readonly Fixture[];
  /** Lower-cased names of every header `sign` emits. */
  readonly signedHeaderNames: readonly string[];
  /** Lower-cased names of the headers without which `verify` fails (probed, not assumed). */
  readonly proofHeaders: readonly string[];
  /** Whether the proof covers the body (false for static tokens: QCall, custom static-token vendors). */
  readonly coversBody: boolean;
  /** Whether the proof carries a timestamp checked against the clock. */
  readonly signsTime: boolean;
  /**
   * Whether a form body is covered through its decoded fields rather than its bytes (Twilio's URL signing: the
   * signature is over the URL and the sorted `name+value` of the fields, so another encoding of the same fields,
   * `%2b` for `%2B` or a byte that decodes to the same replacement character, carries the same signature).
   */
  readonly signsFormFields: boolean;
}

function runtimeConfigs(config: ResolvedConfig): VendorRuntimeConfig[] {
  const configs = [...config.vendors];
  // A built-in vendor the configuration disables is still registered: test it with its default options.
  for (const name of BUILT_IN_VENDORS) {
    if (!configs.some((c) => c.name === name)) configs.push({ kind: 'builtin', name, options: {} });
  }
  return configs;
}

function probe(adapter: VendorAdapter, secret: string, fixtures: readonly Fixture[]) {
  const body = Buffer.from('{"probe":true}');
  const signed = adapter.sign(body, secret, NOW, 'msg_probe');
  // Some headers are only sent for some bodies (Converc's X-IC-Event): collect them over the fixtures too.
  const everySigned = new Set([body, ...fixtures.map(fixtureBody)].flatMap((b) => Object.keys(adapter.sign(b, secret, NOW, 'msg_probe')).map((h) => h.toLowerCase())));
  // A URL-signing vendor's sign() signs a form (Twilio's status callbacks), which it sends with that Content-Type.
  const sent = adapter.scheme?.family === 'url-signing' ? [['content-type', 'application/x-www-form-urlencoded'] as [string, string]] : [];
  const at = (headers: Record<string, string>, b: Buffer, now: Date) =>
    adapter.verify({ vendor: adapter.name, method: adapter.methods[0], headers: new Headers([...sent, ...Object.entries(headers)]), query: {}, body: b, receivedAt: now }, secret, now);
  if (!at(signed, body, NOW)) throw new Error(`${adapter.name}: sign() output does not verify; the property suite cannot run`);
  const signedHeaderNames = [...everySigned];
  const proofHeaders = Object.keys(signed)
    .filter((h) => !at(Object.fromEntries(Object.entries(signed).filter(([k]) => k !== h)), body, NOW))
    .map((h) => h.toLowerCase());
  const coversBody = !at(signed, Buffer.from('{"probe":false}'), NOW);
  const signsTime = !at(adapter.sign(body, secret, new Date(NOW.getTime() - 86_400_000), 'msg_probe'), body, NOW);
  return { signedHeaderNames, proofHeaders, coversBody, signsTime, signsFormFields: adapter.name === 'twilio' };
}

export interface Registry {
  readonly config: ResolvedConfig;
  readonly vendors: readonly VendorUnderTest[];
  readonly adapters: readonly VendorAdapter[];
  readonly secrets: Readonly<Record<string, string>>;
}

let registry: Registry | undefined;

/** Every registered vendor, with a secret, its fixtures and its probed proof-of-origin traits. */
export function loadRegistry(): Registry {
  if (registry) return registry;
  const config = loadConfig(ALL_VENDORS_CONFIG_FILE);
  const vendors = runtimeConfigs(config).map((rc): VendorUnderTest => {
    const adapter = createAdapter(rc);
    const secret = adapter.generateSecret();
    let otherSecret = adapter.generateSecret();
    while (otherSecret === secret) otherSecret = adapter.generateSecret();
    const fixtures = existsSync(join(FIXTURES_DIR, adapter.name)) ? loadFixtures(adapter.name) : [];
    return { name: adapter.name, adapter, secret, otherSecret, fixtures, ...probe(adapter, secret, fixtures) };
  });
  registry = {
    config,
    vendors,
    adapters: vendors.map((v) => v.adapter),
    secrets: Object.fromEntries(vendors.map((v) => [v.name, v.secret])),
  };
  return registry;
}

// ---------------------------------------------------------------------------------------------------------
// Primitive arbitraries
// ---------------------------------------------------------------------------------------------------------

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('');

/**
 * One Unicode code point (no lone surrogates), biased to ASCII and the BMP. Built with `map` on purpose:
 * fast-check's own `'binary'` unit builds a reverse map of all 1.1 M code points for every string
 * arbitrary made from it (≈150 ms each), which would dominate the suite's time.
 */
const UNICODE_UNIT: fc.Arbitrary<string> = fc
  .oneof(
    { arbitrary: fc.integer({ min: 0x20, max: 0x7e }), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max: 0x1f }), weight: 1 },
    { arbitrary: fc.integer({ min: 0x80, max: 0xd7ff }), weight: 2 },
    { arbitrary: fc.integer({ min: 0xe000, max: 0xffff }), weight: 1 },
    { arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }), weight: 2 },
  )
  .map((cp) => String.fromCodePoint(cp));

/** A string of any Unicode code points. */
export function unicodeStringArb(constraints: { minLength?: number; maxLength: number }): fc.Arbitrary<string> {
  return fc.string({ unit: UNICODE_UNIT, ...constraints });
}

/** An HTTP header name (RFC 9110 token). */
export const headerNameArb = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 30 });

/** Any string: ASCII, full Unicode, empty, blank, or huge. */
export const anyStringArb = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 12 },
  { arbitrary: unicodeStringArb({ maxLength: 40 }), weight: 12 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 6 },
  {
    arbitrary: fc.constantFrom('', ' ', '\t', '\r\n', '\u0000', '\uFEFF', 'null', 'undefined', 'NaN', '-0', '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'),
    weight: 6,
  },
  { arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((n) => 'é漢🙂x'.repeat(n)), weight: 1 },
);

/** Header values: ordinary, Unicode, empty. */
export const headerValueArb = fc.oneof(
  { arbitrary: fc.string({ maxLength: 60 }), weight: 6 },
  { arbitrary: unicodeStringArb({ maxLength: 30 }), weight: 2 },
  { arbitrary: fc.constant(''), weight: 1 },
);

/** A huge header value (API Gateway stops at 10 KB per header; we go beyond). */
export const hugeHeaderValueArb = fc.integer({ min: 8_000, max: 40_000 }).map((n) => 'v'.repeat(n));

export const contentTypeArb: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/vnd.api+json',
    'text/plain',
    'text/html',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'multipart/form-data; boundary=xyz',
    'multipart/form-data; boundary=',
    'application/octet-stream',
    'image/png',
    '',
    ';',
    'application/json, text/plain',
  ),
  fc.tuple(headerNameArb, headerNameArb, fc.string({ maxLength: 20 })).map(([a, b, p]) => `${a}/${b}; ${p}`),
  unicodeStringArb({ maxLength: 30 }),
);

export const methodArb = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'post', 'Get', 'pUt'),
  fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 }),
);

/** Strings that date parsers like: ISO times of any year (including ±6-digit years), numbers, near-dates. */
export const dateishArb = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true, min: new Date('1900-01-01'), max: new Date('2100-01-01') }).map((d) => d.toISOString()),
  fc.integer().map(String),
  fc.integer({ min: 0, max: 99_999 }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 })).map(
    ([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T25:61:61Z`,
  ),
  fc.constantFrom('2026-13-45', 'yesterday', 'Mon 10000', '1', '0', '-1', '+275760-09-13T00:00:00.000Z', '2026-11-22T12:00:00+25:00'),
);

/** Numbers a JSON document can hold, including -0, extremes and fractions. */
export const jsonNumberArb = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 5e-324, 1795348800, 1795348800123, 1e21),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** JSON nested `depth` levels deep (arrays or objects). Depths stay far below V8's stack limits here. */
const nestedArb = fc.tuple(fc.integer({ min: 1, max: 40 }), fc.boolean()).map(([depth, asArrays]) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = asArrays ? [v] : { n: v };
  return v;
});

/** An object with own keys that are dangerous on plain objects. */
const prototypeKeysArb = fc.constant(null).map(() => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"toString":1,"hasOwnProperty":"no"}') as unknown);

/** A JSON value of any type: what a vendor field may hold when the vendor (or an attacker with the secret) gets it wrong. */
export const wrongValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 6 },
  { arbitrary: fc.boolean(), weight: 4 },
  { arbitrary: jsonNumberArb, weight: 6 },
  { arbitrary: anyStringArb, weight: 8 },
  { arbitrary: dateishArb, weight: 4 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 6 },
  { arbitrary: fc.jsonValue({ maxDepth: 2, stringUnit: UNICODE_UNIT }), weight: 4 },
  { arbitrary: fc.constantFrom([], {}, [null], [{}], { text: 1 }, [{ speaker: 1, text: null }], ['a', 'b']), weight: 4 },
  { arbitrary: nestedArb, weight: 2 },
  { arbitrary: prototypeKeysArb, weight: 2 },
  { arbitrary: fc.integer({ min: 50_000, max: 320_000 }).map((n) => 'h'.repeat(n)), weight: 1 },
);

/** JSON text that is broken: valid JSON cut at a random place, or with random bytes flipped or inserted. */
export function brokenJsonArb(seeds: readonly string[]): fc.Arbitrary<Buffer> {
  const seedArb = seeds.length > 0 ? fc.oneof(fc.constantFrom(...seeds), fc.json({ maxDepth: 3 })) : fc.json({ maxDepth: 3 });
  return seedArb
    .filter((s) => s.length > 1)
    .chain((text) => {
      const bytes = Buffer.from(text, 'utf8');
      const cut = fc.integer({ min: 0, max: bytes.length - 1 }).map((i) => bytes.subarray(0, i));
      const flips = fc
        .array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 })
        .map((fl) => {
          const b = Buffer.from(bytes);
          for (const [i, x] of fl) b[i] ^= x;
          return b;
        });
      const insert = fc
        .tuple(fc.nat({ max: bytes.length }), fc.uint8Array({ minLength: 1, maxLength: 4 }))
        .map(([i, ins]) => Buffer.concat([bytes.subarray(0, i), Buffer.from(ins), bytes.subarray(i)]));
      return fc.oneof(cut, flips, insert);
    });
}

// ---------------------------------------------------------------------------------------------------------
// Payloads: a body with the method, content type and query it travels with
// ---------------------------------------------------------------------------------------------------------

export interface Payload {
  readonly method: string;
  readonly body: Buffer;
  readonly contentType?: string;
  readonly query: Readonly<Record<string, string>>;
  /** Where it came from, for counterexamples. */
  readonly origin: string;
}

/** Gives a payload a short form in counterexamples (its origin and the start of its body, not a byte list). */
export function printable(p: Payload): Payload {
  const preview = p.body.length > 400 ? `${JSON.stringify(p.body.subarray(0, 300).toString('utf8'))}…(${p.body.length} bytes)` : JSON.stringify(p.body.toString('utf8'));
  Object.defineProperty(p, fc.toStringMethod, {
    value: () => `{ method: ${JSON.stringify(p.method)}, contentType: ${JSON.stringify(p.contentType)}, query: ${JSON.stringify(p.query).slice(0, 300)}, origin: ${JSON.stringify(p.origin)}, body(utf8): ${preview} }`,
    enumerable: false,
  });
  return p;
}

export function fixturePayload(f: Fixture): Payload {
  return printable({ method: f.method ?? 'POST', body: fixtureBody(f), contentType: f.contentType, query: f.query ?? {}, origin: `fixture ${f.vendor}/${f.name}` });
}

const queryArb = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 30 }), { maxKeys: 5 });

/** Garbage bodies of every kind, with a content type and query of any kind. */
export function garbagePayloadArb(vut: VendorUnderTest): fc.Arbitrary<Payload> {
  const seeds = vut.fixtures.map((f) => fixtureBody(f).toString('utf8')).filter((s) => s.length > 1);
  const bodyArb: fc.Arbitrary<[string, Buffer]> = fc.oneof(
    { arbitrary: fc.uint8Array({ maxLength: 2048 }).map((b) => ['bytes', Buffer.from(b)] as [string, Buffer]), weight: 6 },
    { arbitrary: unicodeStringArb({ maxLength: 300 }).map((s) => ['unicode text', Buffer.from(s, 'utf8')] as [string, Buffer]), weight: 4 },
    { arbitrary: brokenJsonArb(seeds).map((b) => ['broken JSON', b] as [string, Buffer]), weight: 8 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ['JSON value', Buffer.from(JSON.stringify(v) ?? 'null')] as [string, Buffer]), weight: 4 },
    {
      arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), wrongValueArb, { maxKeys: 6 }).map((o) => ['JSON object', Buffer.from(JSON.stringify(o))] as [string, Buffer]),
      weight: 4,
    },
    {
      arbitrary: fc
        .array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 })), { maxLength: 5 })
        .map((pairs) => ['form text', Buffer.from(pairs.map(([k, v]) => `${k}=${v}`).join('&'))] as [string, Buffer]),
      weight: 4,
    },
    {
      arbitrary: fc
        .tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 }), fc.nat({ max: 120 }))
        .map(([name, value, cut]) => {
          const text = `--xyz\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n--xyz--\r\n`;
          return ['multipart text', Buffer.from(text.slice(0, Math.max(1, text.length - cut)))] as [string, Buffer];
        }),
      weight: 2,
    },
    { arbitrary: fc.constant(['empty', Buffer.alloc(0)] as [string, Buffer]), weight: 2 },
    {
      // Huge: unparseable, or valid JSON whose event must then be offloaded (a 300 KB field is over the 256 KB bus limit).
      arbitrary: fc.tuple(fc.integer({ min: 100_000, max: 400_000 }), fc.constantFrom('braces', 'json', 'form')).map(([n, kind]) => {
        const pad = 'x'.repeat(n);
        const text = kind === 'braces' ? '{'.repeat(n) : kind === 'json' ? JSON.stringify({ type: 'x', event: 'x', id: 'huge', data: { note: pad }, metadata: { eventType: 'x', variables: { note: pad } } }) : `note=${pad}`;
        return [`huge ${kind}`, Buffer.from(text)] as [string, Buffer];
      }),
      weight: 1,
    },
  );
  return fc
    .record({ body: bodyArb, method: fc.constantFrom(...vut.adapter.methods), contentType: contentTypeArb, query: fc.oneof(fc.constant({}), queryArb) })
    .map(({ body: [kind, body], method, contentType, query }) => printable({ method, body, contentType, query, origin: `garbage (${kind})` }));
}

type PathStep = string | number;

function jsonPaths(value: unknown, prefix: PathStep[] = [], out: PathStep[][] = []): PathStep[][] {
  if (Array.isArray(value)) value.forEach((v, i) => (out.push([...prefix, i]), jsonPaths(v, [...prefix, i], out)));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      jsonPaths(v, [...prefix, k], out);
    }
  }
  return out;
}

type Mutation = { op: 'set'; path: PathStep[]; value: unknown } | { op: 'delete'; path: PathStep[] } | { op: 'add'; path: PathStep[]; key: string; value: unknown };

/**
 * Applies `m` to `doc` in place (the root itself is replaced by returning the new value). Values are
 * copied in: fast-check hands out the same instance of a constant every time it is drawn.
 */
function applyMutation(doc: unknown, mutation: Mutation): unknown {
  const m = mutation.op === 'delete' ? mutation : { ...mutation, value: structuredClone(mutation.value) };
  if (m.path.length === 0 && m.op === 'set') return m.value;
  const parentPath = m.op === 'add' ? m.path : m.path.slice(0, -1);
  let parent: unknown = doc;
  for (const step of parentPath) parent = parent !== null && typeof parent === 'object' ? (parent as Record<PathStep, unknown>)[step] : undefined;
  if (parent === null || typeof parent !== 'object') return doc;
  const own = (o: object, key: PathStep, value: unknown) => Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  if (m.op === 'add') {
    if (Array.isArray(parent)) parent.push(m.value);
    else own(parent, m.key, m.value);
    return doc;
  }
  const last = m.path[m.path.length - 1];
  if (m.op === 'delete') {
    if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else delete (parent as Record<PathStep, unknown>)[last];
  } else own(parent, last, m.value);
  return doc;
}

function mutationArb(doc: unknown, valueArb: fc.Arbitrary<unknown>): fc.Arbitrary<Mutation> {
  const paths = jsonPaths(doc);
  const containers: PathStep[][] = [
    [],
    ...paths.filter((p) => {
      let v: unknown = doc;
      for (const step of p) v = (v as Record<PathStep, unknown>)[step];
      return v !== null && typeof v === 'object';
    }),
  ];
  const keyArb = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString'));
  const arbs: Array<fc.WeightedArbitrary<Mutation>> = [
    { arbitrary: fc.record({ op: fc.constant('add' as const), path: fc.constantFrom(...containers), key: keyArb, value: valueArb }), weight: 1 },
  ];
  if (paths.length > 0) {
    const pathArb = fc.constantFrom(...paths);
    arbs.push(
      { arbitrary: fc.record({ op: fc.constant('set' as const), path: pathArb, value: valueArb }), weight: 4 },
      { arbitrary: fc.record({ op: fc.constant('delete' as const), path: pathArb }), weight: 1 },
    );
  }
  return fc.oneof(...arbs);
}

/**
 * Applies 1–3 mutations one after the other. Paths are those of the original document: a later mutation
 * whose parent an earlier one removed changes nothing.
 */
function mutatedDocArb(doc: unknown, valueArb: fc.Arbitrary<unknown>): fc.Arbitrary<{ doc: unknown; mutations: Mutation[] }> {
  return fc.array(mutationArb(doc, valueArb), { minLength: 1, maxLength: 3 }).map((mutations) => ({ doc: mutations.reduce(applyMutation, structuredClone(doc)), mutations }));
}

const MULTIPART_FIELD = /Content-Disposition: form-data; name="([^"]*)"\r\n\r\n([\s\S]*?)\r\n--/g;

/** A value as form fields carry it: strings as they are, anything else as its JSON text. */
const formValueArb: fc.Arbitrary<string> = wrongValueArb.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')));

/**
 * A fixture of the vendor with wrong types in its fields: JSON bodies get 1–3 paths replaced (null, number,
 * array, object, huge or Unicode string), deleted, or new keys; form, multipart and query fixtures get
 * their field values replaced, deleted or added.
 */
export function wrongTypesPayloadArb(vut: VendorUnderTest): fc.Arbitrary<Payload> {
  if (vut.fixtures.length === 0) {
    // A registered vendor without fixtures: random JSON objects stand in.
    return fc.dictionary(fc.string({ maxLength: 10 }), wrongValueArb, { maxKeys: 8 }).map((o) =>
      printable({ method: vut.adapter.methods[0], body: Buffer.from(JSON.stringify(o)), contentType: 'application/json', query: {}, origin: 'random JSON object (no fixtures)' }),
    );
  }
  return fc.oneof(...vut.fixtures.map((f) => wrongTypesOfFixture(f).map(printable)));
}

function wrongTypesOfFixture(f: Fixture): fc.Arbitrary<Payload> {
  const base = fixturePayload(f);
  const origin = (ms: Mutation[]) => `${base.origin} with ${describeMutations(ms)}`;
  if (f.body !== undefined && typeof f.body !== 'string') {
    return mutatedDocArb(f.body, wrongValueArb).map(({ doc, mutations }) => ({ ...base, body: Buffer.from(JSON.stringify(doc) ?? 'null', 'utf8'), origin: origin(mutations) }));
  }
  if (f.body === undefined) {
    // Query-only (QCall GET): the query parameters are the fields.
    return mutatedDocArb(base.query, formValueArb).map(({ doc, mutations }) => ({ ...base, query: stringRecord(doc), origin: origin(mutations) }));
  }
  const text = f.body;
  const boundary = /boundary=([^;]+)/.exec(f.contentType ?? '')?.[1];
  if (boundary) {
    const fields = Object.fromEntries([...text.matchAll(MULTIPART_FIELD)].map((m) => [m[1], m[2]]));
    return mutatedDocArb(fields, formValueArb).map(({ doc, mutations }) => ({
      ...base,
      body: Buffer.from(
        Object.entries(stringRecord(doc))
          .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k.replace(/["\r\n]/g, '_')}"\r\n\r\n${v}\r\n`)
          .join('') + `--${boundary}--\r\n`,
      ),
      origin: origin(mutations),
    }));
  }
  if ((f.contentType ?? '').includes('x-www-form-urlencoded')) {
    const fields = Object.fromEntries(new URLSearchParams(text));
    return mutatedDocArb(fields, formValueArb).map(({ doc, mutations }) => ({ ...base, body: Buffer.from(new URLSearchParams(stringRecord(doc)).toString()), origin: origin(mutations) }));
  }
  return brokenJsonArb([text]).map((body) => ({ ...base, body, origin: `${base.origin}, bytes changed` }));
}

function stringRecord(doc: unknown): Record<string, string> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc)) Object.defineProperty(out, k, { value: typeof v === 'string' ? v : (JSON.stringify(v) ?? ''), enumerable: true, writable: true, configurable: true });
  return out;
}

function describeMutations(ms: Mutation[]): string {
  const short = (v: unknown) => {
    if (typeof v === 'string' && v.length > 80) return `${JSON.stringify(v.slice(0, 40))}…(${v.length} chars)`;
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 80 ? `${s.slice(0, 60)}…(${s.length} chars)` : s;
  };
  return ms
    .map((m) => (m.op === 'delete' ? `delete /${m.path.join('/')}` : m.op === 'add' ? `add /${[...m.path, m.key].join('/')} = ${short(m.value)}` : `/${m.path.join('/')} = ${short(m.value)}`))
    .join('; ');
}

/** A fixture as it is, or with wrong types, or garbage. */
export function anyPayloadArb(vut: VendorUnderTest): fc.Arbitrary<Payload> {
  const arbs: Array<fc.WeightedArbitrary<Payload>> = [
    { arbitrary: wrongTypesPayloadArb(vut), weight: 3 },
    { arbitrary: garbagePayloadArb(vut), weight: 3 },
  ];
  if (vut.fixtures.length > 0) arbs.push({ arbitrary: fc.constantFrom(...vut.fixtures).map(fixturePayload), weight: 2 });
  return fc.oneof(...arbs);
}

// ---------------------------------------------------------------------------------------------------------
// Requests: a payload, its proof of origin, its transport through API Gateway
// ---------------------------------------------------------------------------------------------------------

export type Auth =
  | { readonly kind: 'valid' }
  | { readonly kind: 'none' }
  | { readonly kind: 'wrong-secret' }
  /** Signed at NOW + offsetSeconds (only stale or future for vendors that sign a time). */
  | { readonly kind: 'skewed'; readonly offsetSeconds: number }
  | { readonly kind: 'header-deleted'; readonly header: number }
  | { readonly kind: 'header-replaced'; readonly header: number; readonly value: string }
  | { readonly kind: 'header-flipped'; readonly header: number; readonly position: number; readonly char: string };

/**
 * How the body travels: `honest` (base64 exactly when API Gateway would, or always for binary), or a lying
 * `isBase64Encoded` flag: `lie-base64` (flag true, text that is not base64), `lie-text` (flag false, base64 text).
 */
export type Transport = 'honest' | 'honest-base64' | 'lie-base64' | 'lie-text';

/** `v2`: HTTP API with pathParameters; `v2-rawpath`: vendor only in rawPath (the `$default` route). */
export type Format = 'v2' | 'v2-rawpath';

export interface RequestSpec {
  readonly vendorSegment: string;
  readonly payload: Payload;
  /** Replaces the payload's method when set. */
  readonly method?: string;
  readonly auth: Auth;
  /** When set, the body is changed after signing (the signed bytes stay the payload's). */
  readonly bodyMutation?: BodyMutation;
  readonly transport: Transport;
  readonly format: Format;
  readonly noise: ReadonlyArray<readonly [string, string]>;
  readonly cookies: readonly string[];
  readonly deliveryId: string;
  readonly limits: { readonly maxBodyBytes: number; readonly maxEventBytes: number };
}

export type BodyMutation = { readonly kind: 'flip'; readonly index: number; readonly xor: number } | { readonly kind: 'append'; readonly bytes: Buffer } | { readonly kind: 'truncate'; readonly keep: number };

/** The body changed by `m`; always different from `body` (an empty body gets a byte). */
export function applyBodyMutation(body: Buffer, m: BodyMutation): Buffer {
  if (body.length === 0) return m.kind === 'append' ? Buffer.from(m.bytes) : Buffer.from([m.kind === 'flip' ? m.xor : 0x20]);
  if (m.kind === 'append') return Buffer.concat([body, m.bytes]);
  if (m.kind === 'truncate') return body.subarray(0, Math.min(m.keep, body.length - 1));
  const b = Buffer.from(body);
  b[m.index % b.length] ^= m.xor;
  return b;
}

export const bodyMutationArb: fc.Arbitrary<BodyMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), index: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Buffer.from(b)) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat({ max: 64 }) }),
);

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');

export function headerMutationArb(vut: VendorUnderTest): fc.Arbitrary<Auth> {
  const header = fc.nat({ max: Math.max(0, vut.proofHeaders.length - 1) });
  return fc.oneof(
    fc.record({ kind: fc.constant('header-deleted' as const), header }),
    fc.record({ kind: fc.constant('header-replaced' as const), header, value: headerValueArb }),
    fc.record({ kind: fc.constant('header-flipped' as const), header, position: fc.nat(), char: fc.constantFrom(...ALNUM) }),
  );
}

/** Proofs of origin that must not authenticate this vendor's delivery. */
export function forgedAuthArb(vut: VendorUnderTest): fc.Arbitrary<Auth> {
  const arbs: Array<fc.Arbitrary<Auth>> = [
    fc.constant({ kind: 'none' as const }),
    fc.constant({ kind: 'wrong-secret' as const }),
    headerMutationArb(vut),
    headerMutationArb(vut),
  ];
  if (vut.signsTime) {
    arbs.push(
      fc.oneof(fc.integer({ min: BEYOND_ANY_TOLERANCE_S, max: 10 * 365 * 86_400 }), fc.integer({ min: -10 * 365 * 86_400, max: -BEYOND_ANY_TOLERANCE_S })).map((offsetSeconds) => ({
        kind: 'skewed' as const,
        offsetSeconds,
      })),
    );
  }
  return fc.oneof(...arbs);
}

/** Noise headers: names that cannot be mistaken for the vendor's signed headers, repeated on purpose. */
export function noiseArb(vut: VendorUnderTest): fc.Arbitrary<Array<readonly [string, string]>> {
  const reserved = new Set([...vut.signedHeaderNames, 'cookie']);
  const nameArb = fc
    .oneof(headerNameArb, fc.constantFrom('X-Forwarded-For', 'User-Agent', 'Accept', 'X-Amzn-Trace-Id', 'Content-Length', 'Via'), unicodeStringArb({ minLength: 1, maxLength: 10 }))
    .filter((n) => !reserved.has(n.toLowerCase()) && !reserved.has(n.toUpperCase().toLowerCase()));
  // Some are repeated (same name in upper case, another value), as senders and proxies do.
  // About one request in 20 also carries a huge header.
  const huge = fc.oneof({ arbitrary: fc.constant([]), weight: 19 }, { arbitrary: fc.tuple(nameArb, hugeHeaderValueArb).map((h) => [h]), weight: 1 });
  return fc
    .tuple(fc.array(fc.tuple(nameArb, headerValueArb), { maxLength: 6 }), fc.array(fc.tuple(fc.nat(), fc.boolean(), headerValueArb), { maxLength: 3 }), huge)
    .map(([pairs, repeats, big]) => [
      ...pairs,
      ...(pairs.length === 0 ? [] : repeats.map(([i, upper, v]) => [upper ? pairs[i % pairs.length][0].toUpperCase() : pairs[i % pairs.length][0], v] as const)),
      ...big,
    ]);
}

export const cookiesArb = fc.array(fc.string({ maxLength: 20 }).map((s) => `c=${s}`), { maxLength: 2 });

export const formatArb = fc.constantFrom<Format>('v2', 'v2', 'v2-rawpath');

export function vendorSegmentArb(vut: VendorUnderTest, others: readonly string[], exactShare = 0.85): fc.Arbitrary<string> {
  const own = fc.mixedCase(fc.constant(vut.name));
  const exactWeight = Math.round(exactShare * 100);
  const otherWeight = Math.max(1, Math.round((100 - exactWeight) / 2));
  return fc.oneof(
    { arbitrary: own, weight: exactWeight },
    { arbitrary: fc.constantFrom(...others, `${vut.name}s`, `${vut.name}/x`, ` ${vut.name}`, '', 'unknown', 'webhooks'), weight: otherWeight },
    { arbitrary: unicodeStringArb({ maxLength: 20 }), weight: otherWeight },
  );
}

export const deliveryIdArb = fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 1, maxLength: 24 }).map((s) => `msg_${s}`);

// ---------------------------------------------------------------------------------------------------------
// Building the API Gateway event, and what it must be answered
// ---------------------------------------------------------------------------------------------------------

export interface BuiltRequest {
  readonly event: APIGatewayProxyEventV2;
  /** The bytes the function must see (API Gateway's decoding of body + isBase64Encoded). */
  readonly decoded: Buffer;
  /** The bytes the proof of origin was computed over. */
  readonly signedBytes: Buffer;
  readonly method: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

const TEXTUAL = /^(text\/|application\/([a-z0-9.+-]*\+)?(json|xml|javascript))/i;

function mutateHeaderValue(original: string, auth: Auth): string | undefined {
  switch (auth.kind) {
    case 'header-deleted':
      return undefined;
    case 'header-replaced':
      // Equal after trimming and case folding could still verify (hex digests, trimmed tokens): change it.
      return auth.value.trim().toLowerCase() === original.trim().toLowerCase() ? `${auth.value}x` : auth.value;
    case 'header-flipped': {
      if (original.length === 0) return auth.char;
      const i = auth.position % original.length;
      const c = auth.char.toLowerCase() === original[i].toLowerCase() ? (auth.char === '0' ? '1' : '0') : auth.char;
      return original.slice(0, i) + c + original.slice(i + 1);
    }
    default:
      return original;
  }
}

/**
 * The query the request is sent with: the payload's, plus, for a URL-signing vendor (Twilio) and a body that is
 * not a form, the `bodySHA256` parameter through which it signs the body.
 */
function queryOf(vut: VendorUnderTest, spec: RequestSpec): Record<string, string> {
  const form = (spec.payload.contentType ?? '').split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
  if (vut.adapter.scheme?.family !== 'url-signing' || form || spec.payload.body.length === 0) return spec.payload.query;
  return { ...spec.payload.query, bodySHA256: createHash('sha256').update(spec.payload.body).digest('hex') };
}

export function signedHeaders(vut: VendorUnderTest, spec: RequestSpec): Array<[string, string]> {
  const body = spec.payload.body;
  const { adapter } = vut;
  // A URL-signing vendor (Twilio) signs the URL the request is sent to (as buildRequest builds it) and its form.
  const query = queryOf(vut, spec);
  const url = `https://api.example.com/webhooks/${encodeURIComponent(spec.vendorSegment)}${Object.keys(query).length > 0 ? `?${new URLSearchParams(query)}` : ''}`;
  // The URL already carries bodySHA256 where the body needs it: sign it as it is (a form, or a body it covers).
  const sign = (secret: string, at: Date): Record<string, string> => (adapter.scheme?.family === 'url-signing'
    ? { ...adapter.scheme.sign({ body: query === spec.payload.query ? body : Buffer.alloc(0), url, method: spec.method ?? spec.payload.method, contentType: spec.payload.contentType ?? 'application/x-www-form-urlencoded', id: spec.deliveryId }, secret, at).headers }
    : adapter.sign(body, secret, at, spec.deliveryId));
  switch (spec.auth.kind) {
    case 'none':
      return [];
    case 'wrong-secret':
      return Object.entries(sign(vut.otherSecret, NOW));
    case 'skewed':
      return Object.entries(sign(vut.secret, new Date(NOW.getTime() + spec.auth.offsetSeconds * 1000)));
    case 'valid':
      return Object.entries(sign(vut.secret, NOW));
    default: {
      const target = vut.proofHeaders[spec.auth.header % vut.proofHeaders.length];
      const out: Array<[string, string]> = [];
      for (const [name, value] of Object.entries(sign(vut.secret, NOW))) {
        if (name.toLowerCase() !== target) out.push([name, value]);
        else {
          const changed = mutateHeaderValue(value, spec.auth);
          if (changed !== undefined) out.push([name, changed]);
        }
      }
      return out;
    }
  }
}

export function buildRequest(vut: VendorUnderTest, spec: RequestSpec): BuiltRequest {
  const method = spec.method ?? spec.payload.method;
  const signedBytes = spec.payload.body;
  const sent = spec.bodyMutation ? applyBodyMutation(signedBytes, spec.bodyMutation) : signedBytes;
  const headers: Array<readonly [string, string]> = [...signedHeaders(vut, spec)];
  if (spec.payload.contentType !== undefined) headers.push(['Content-Type', spec.payload.contentType]);
  headers.push(...spec.noise);

  // The body as API Gateway hands it over, possibly with a flag that lies.
  let bodyText: string | undefined;
  let isBase64Encoded: boolean;
  const validUtf8 = Buffer.from(sent.toString('utf8'), 'utf8').equals(sent);
  switch (spec.transport) {
    case 'honest':
      isBase64Encoded = !(validUtf8 && TEXTUAL.test(spec.payload.contentType ?? ''));
      bodyText = sent.length === 0 ? undefined : isBase64Encoded ? sent.toString('base64') : sent.toString('utf8');
      if (bodyText === undefined) isBase64Encoded = false;
      break;
    case 'honest-base64':
      isBase64Encoded = true;
      bodyText = sent.toString('base64');
      break;
    case 'lie-base64':
      isBase64Encoded = true;
      bodyText = sent.toString('utf8');
      break;
    case 'lie-text':
      isBase64Encoded = false;
      bodyText = sent.toString('base64');
      break;
  }
  const decoded = bodyText === undefined ? Buffer.alloc(0) : Buffer.from(bodyText, isBase64Encoded ? 'base64' : 'utf8');

  const rawPath = `/webhooks/${encodeURIComponent(spec.vendorSegment)}`;
  const requestId = `req-${spec.deliveryId}`;
  const query = queryOf(vut, spec);
  const hasQuery = Object.keys(query).length > 0;
  const h: Record<string, string> = Object.create(null);
  for (const [n, v] of headers) {
    const k = n.toLowerCase();
    h[k] = Object.prototype.hasOwnProperty.call(h, k) ? `${h[k]},${v}` : v;
  }
  const event = {
    version: '2.0',
    routeKey: spec.format === 'v2' ? 'POST /webhooks/{vendor}' : '$default',
    rawPath,
    rawQueryString: new URLSearchParams(query).toString(),
    cookies: spec.cookies.length > 0 ? [...spec.cookies] : undefined,
    headers: h,
    queryStringParameters: hasQuery ? { ...query } : undefined,
    pathParameters: spec.format === 'v2' ? { vendor: spec.vendorSegment } : undefined,
    body: bodyText,
    isBase64Encoded,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vendor' },
      requestId,
      routeKey: 'POST /webhooks/{vendor}',
      stage: '$default',
      time: NOW.toUTCString(),
      timeEpoch: NOW.getTime(),
    },
  } as APIGatewayProxyEventV2;
  return { event, decoded, signedBytes, method, headers };
}

export interface Expected {
  /** Statuses the design allows for this request. */
  readonly statuses: readonly number[];
  /** The vendor the route leads to (undefined: no such vendor). */
  readonly routed?: VendorUnderTest;
  readonly authentic: boolean;
}

/**
 * The answer DESIGN.md requires, checked in its order: vendor (404), method (405), size (413),
 * authentication (401), then parsing (400, raw kept), a message that expects a synchronous answer (422,
 * nothing kept: Twilio's Voice URL, Vapi's assistant-request) or a new event (200; 202 only when publishing
 * fails, which the memory publisher never does here).
 */
export function expectedOutcome(vut: VendorUnderTest, all: readonly VendorUnderTest[], spec: RequestSpec, built: BuiltRequest): Expected {
  const seg = spec.vendorSegment;
  const routed = seg === '' ? undefined : all.find((v) => v.name === seg.toLowerCase());
  if (!routed) return { statuses: [404], authentic: false };
  if (!routed.adapter.methods.includes(built.method.toUpperCase())) return { statuses: [405], routed, authentic: false };
  if (built.decoded.length > spec.limits.maxBodyBytes) return { statuses: [413], routed, authentic: false };
  const proofOk = spec.auth.kind === 'valid' || (spec.auth.kind === 'skewed' && !vut.signsTime);
  const bodyOk = !vut.coversBody || built.decoded.equals(built.signedBytes) ||
    (vut.signsFormFields && mediaTypeOf(spec.payload.contentType) === 'application/x-www-form-urlencoded' &&
      twilioFieldsText(parseUrlEncoded(built.decoded.toString('utf8'), Number.MAX_SAFE_INTEGER)) === twilioFieldsText(parseUrlEncoded(built.signedBytes.toString('utf8'), Number.MAX_SAFE_INTEGER)));
  const authentic = routed === vut && proofOk && bodyOk;
  if (!authentic) return { statuses: [401], routed, authentic };
  return { statuses: [200, 400, 422], routed, authentic };
}

// ---------------------------------------------------------------------------------------------------------
// Running a request and checking what it left behind
// ---------------------------------------------------------------------------------------------------------

export interface Outcome {
  readonly reply: Reply;
  readonly world: MemoryWorld;
  readonly detail?: CallEventDetail;
}

function fail(message: string, ctx: () => string): never {
  throw new Error(`${message}\n${ctx()}`);
}

/** Delivers the request to a fresh memory world holding every registered vendor, and checks every invariant. */
export async function deliverAndCheck(vut: VendorUnderTest, spec: RequestSpec, allowed?: readonly number[], pre?: (expected: Expected) => boolean): Promise<Outcome> {
  const reg = loadRegistry();
  const built = buildRequest(vut, spec);
  const expected = expectedOutcome(vut, reg.vendors, spec, built);
  // A generated case outside the property's domain (e.g. a lying base64 flag that undoes a body change).
  if (pre) fc.pre(pre(expected));
  const world = memoryWorld([...reg.adapters], { ...reg.secrets }, { maxBodyBytes: spec.limits.maxBodyBytes, maxEventBytes: spec.limits.maxEventBytes, retentionDays: reg.config.retentionDays });
  const ctx = () => `${describeRequest(vut, spec, built, expected)}\n  log: ${truncate(JSON.stringify(world.log.lines), 600)}`;

  let reply: Reply;
  try {
    const delivery = fromApiGateway(built.event, NOW);
    reply = await handleDelivery(delivery, world.deps);
    toProxyResult(reply);
  } catch (err) {
    fail(`(a) threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, ctx);
  }
  const status = reply.statusCode;
  if (status >= 500) fail(`(b) answered ${status} ${JSON.stringify(reply.body)}`, ctx);
  if (!expected.statuses.includes(status)) fail(`answered ${status} ${JSON.stringify(reply.body)}; expected one of ${expected.statuses.join(', ')}`, ctx);
  if (allowed && !allowed.includes(status)) fail(`answered ${status}; this property allows only ${allowed.join(', ')}`, ctx);

  const records = world.store.records;
  const published = world.publisher.published;
  const blobs = world.blobs.blobs;
  if (status === 401 || status === 404 || status === 405 || status === 413 || status === 422) {
    if (records.size !== 0 || blobs.size !== 0 || published.length !== 0) {
      fail(`(c) a refused delivery (${status}) left ${records.size} record(s), ${blobs.size} blob(s), ${published.length} event(s)`, ctx);
    }
    if (status === 401 && JSON.stringify(reply) !== JSON.stringify(UNAUTHORIZED)) fail(`401 must carry no hint, got ${JSON.stringify(reply)}`, ctx);
  }
  if (status === 400) {
    if (records.size !== 0 || published.length !== 0) fail(`(d) a 400 left ${records.size} record(s) and ${published.length} event(s)`, ctx);
    const kept = [...blobs.entries()].filter(([k]) => k.startsWith(`rejected/${expected.routed!.name}/`) && k.endsWith('.body'));
    if (kept.length !== 1 || !kept[0][1].equals(built.decoded)) fail(`(d) a 400 must keep the raw body: ${kept.length} body blob(s), equal=${kept[0]?.[1].equals(built.decoded)}`, ctx);
  }
  let detail: CallEventDetail | undefined;
  if (status === 200 || status === 202) {
    if (published.length !== 1 || records.size !== 1) fail(`(d) a ${status} left ${records.size} record(s) and ${published.length} event(s)`, ctx);
    const [entry] = published;
    detail = entry.detail;
    const [record] = records.values();
    if (record.status !== 'PUBLISHED' || record.eventId !== detail.eventId) fail(`record ${JSON.stringify(record)} does not say PUBLISHED for ${detail.eventId}`, ctx);
    if (reply.body.eventId !== detail.eventId) fail(`answer eventId ${String(reply.body.eventId)} ≠ published ${detail.eventId}`, ctx);
    if (entry.source !== `callhooks.${expected.routed!.name}` || detail.vendor !== expected.routed!.name) fail(`published as ${entry.source} / ${detail.vendor}`, ctx);
    if (entry.detailType !== detail.type) fail(`detail-type ${entry.detailType} ≠ detail.type ${detail.type}`, ctx);
    const errors = schemaErrors(JSON.parse(JSON.stringify(detail)));
    if (errors.length > 0) fail(`(e) the published event breaks the schema: ${errors.join('; ')}\n  detail: ${truncate(JSON.stringify(detail), 2000)}`, ctx);
  }
  const logText = JSON.stringify(world.log.lines);
  for (const v of reg.vendors) if (logText.includes(v.secret) || logText.includes(v.otherSecret)) fail('a secret reached the log', ctx);
  return { reply, world, detail };
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s;
}

export function describeRequest(vut: VendorUnderTest, spec: RequestSpec, built: BuiltRequest, expected: Expected): string {
  const body = built.decoded.length > 300 ? `${JSON.stringify(built.decoded.subarray(0, 200).toString('utf8'))}…(${built.decoded.length} bytes)` : JSON.stringify(built.decoded.toString('utf8'));
  return [
    `  vendor under test: ${vut.name}; route segment ${JSON.stringify(spec.vendorSegment)}; ${spec.format}; method ${built.method}`,
    `  payload: ${spec.payload.origin}; content-type ${JSON.stringify(spec.payload.contentType)}; query ${truncate(JSON.stringify(spec.payload.query), 300)}`,
    `  auth: ${JSON.stringify(spec.auth)}; body mutation: ${JSON.stringify(spec.bodyMutation ?? null)}; transport ${spec.transport}`,
    `  headers: ${truncate(JSON.stringify(built.headers), 600)}`,
    `  body as the function sees it: ${body}`,
    `  limits: ${JSON.stringify(spec.limits)}; expected: ${expected.statuses.join('/')} (authentic=${expected.authentic})`,
  ].join('\n');
}

/** Limits of the configuration, or small ones that make 413 and offloading cheap to reach. */
export function limitsArb(config: ResolvedConfig): fc.Arbitrary<RequestSpec['limits']> {
  return fc.oneof(
    { arbitrary: fc.constant({ maxBodyBytes: config.maxBodyBytes, maxEventBytes: config.maxEventBytes }), weight: 3 },
    { arbitrary: fc.constant({ maxBodyBytes: config.maxBodyBytes, maxEventBytes: 8 * 1024 }), weight: 1 },
  );
}


// ---------------------------------------------------------------------------------------------------------
// One property per registered vendor
// ---------------------------------------------------------------------------------------------------------

export interface VendorPropertyOptions {
  /** Statuses this property allows (on top of the oracle's). */
  readonly allowed: readonly number[];
  /** Extra checks on each outcome. */
  readonly onOutcome?: (outcome: Outcome, spec: RequestSpec, vut: VendorUnderTest) => void;
  /** Cases for which this is false are outside the property (skipped with fc.pre). */
  readonly pre?: (expected: Expected) => boolean;
  /** Runs after the property with the statuses seen, to show the property was not vacuous. */
  readonly afterRuns?: (statuses: ReadonlyMap<number, number>, vut: VendorUnderTest) => void;
}

/** Registers one jest test per registered vendor, each running NUM_RUNS cases of `specArb`. */
export function vendorProperty(title: string, specArb: (vut: VendorUnderTest, reg: Registry) => fc.Arbitrary<RequestSpec>, options: VendorPropertyOptions): void {
  const reg = loadRegistry();
  describe(title, () => {
    it.each(reg.vendors.map((v) => [v.name, v] as const))(`%s: ${NUM_RUNS} cases`, async (_name, vut) => {
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(specArb(vut, reg), async (spec) => {
          const outcome = await deliverAndCheck(vut, spec, options.allowed, options.pre);
          statuses.set(outcome.reply.statusCode, (statuses.get(outcome.reply.statusCode) ?? 0) + 1);
          options.onOutcome?.(outcome, spec, vut);
        }),
        { numRuns: NUM_RUNS },
      );
      options.afterRuns?.(statuses, vut);
    });
  });
}

export function otherVendorNames(vut: VendorUnderTest, reg: Registry): string[] {
  return reg.vendors.filter((v) => v !== vut).map((v) => v.name);
}
