/**
 * Every scheme of the library (lambda/schemes/) under random requests, DESIGN.md §Proof of origin:
 *
 * - (a) a request signed by the scheme's signer verifies;
 * - (b) a signed request that is then changed — a bit of the body, a signed header replaced, removed, renamed
 *   in another case, duplicated with a forged value, the timestamp moved, the URL's query changed — is accepted
 *   only when everything the scheme vouches for is still what was signed (a form with the same fields, a
 *   signature written in upper-case hex): nothing unauthenticated passes;
 * - (c) a request signed with another credential, or verified with a credential of the wrong kind, is refused;
 * - (d) arbitrary requests (any bytes, lying headers with values that look right) are refused;
 * - nothing ever throws out of `verify` or `handshake`, and every refusal names a known reason.
 *
 * `verify` is called directly, not through `verifyWith`, so that a throw fails the property instead of becoming
 * a `scheme-error` refusal. Runs per property: SCHEME_PROPERTY_RUNS (CI runs 10,000; `npm test` 200).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Headers } from '../../lambda/core/http';
import { REFUSAL_REASONS, type Credential, type Scheme, type SchemeRequest, type Verdict } from '../../lambda/contracts/scheme';
import {
  canonicalRequestScheme, hmacScheme, jwtScheme, publicKeyScheme, signWith, standardWebhooksScheme, staticTokenScheme, urlSigningScheme,
  type SignedDelivery,
} from '../../lambda/schemes';
import { creds, request } from '../schemes/helpers';

const RUNS = Number(process.env.SCHEME_PROPERTY_RUNS ?? 200);
jest.setTimeout(Math.max(60_000, RUNS * 40));

const FORM = 'application/x-www-form-urlencoded';
const NOW = new Date(Date.UTC(2026, 11, 7, 12, 0, 0));

interface Case {
  readonly name: string;
  readonly scheme: Scheme;
  /** The Content-Type the vendor sends. @default application/json */
  readonly contentType?: string;
  /** The URL the vendor calls. */
  readonly url?: string;
  /** Header values the vendor sends and the scheme signs (an HMAC template's `{header:NAME}`, `{id}`). */
  readonly headers?: Record<string, string>;
  /** The body must be a JSON object (a token in a body field, a body that is a JWT's claims). */
  readonly jsonObjectBody?: boolean;
  /** The body is a compact JWT (its claims are the signed payload). */
  readonly bodyIsJwt?: boolean;
}

const URL_WITH_QUERY = 'https://hooks.example.com/webhooks/acme?tenant=a%20b&n=1';

const CASES: Case[] = [
  { name: 'hmac: {body}, SHA-256 hex', scheme: hmacScheme({ header: 'x-signature' }) },
  { name: 'hmac: {body}, SHA-512 base64 with a prefix', scheme: hmacScheme({ header: 'x-sig', algorithm: 'sha512', encoding: 'base64', prefix: 'v1=' }) },
  {
    name: 'hmac: {timestamp}.{body}, timestamp header in ms',
    scheme: hmacScheme({ header: 'x-sig', template: '{timestamp}.{body}', timestampHeader: 'x-ts', timestampUnit: 'ms' }),
  },
  {
    name: 'hmac: t=…,v1=… pairs',
    scheme: hmacScheme({ header: 'x-pairs', signatures: 'pairs', signatureKey: 'v1', timestampKey: 't', template: '{timestamp}.{body}' }),
  },
  {
    name: 'hmac: comma list, {body}{timestamp} with an ISO 8601 timestamp',
    scheme: hmacScheme({ header: 'x-list', signatures: 'comma-list', template: '{body}{timestamp}', timestampHeader: 'x-iso', timestampUnit: 'iso' }),
  },
  {
    name: 'hmac: SHA-1 over method, URL, id and a header',
    scheme: hmacScheme({ header: 'x-sig', algorithm: 'sha1', template: '{method} {url} {id} {header:x-team} {body}', idHeader: 'x-id' }),
    url: URL_WITH_QUERY,
    headers: { 'x-team': 'team-7', 'x-id': 'dlv_123' },
  },
  { name: 'standard-webhooks', scheme: standardWebhooksScheme() },
  { name: 'public-key: Ed25519 over {timestamp}|{body}', scheme: publicKeyScheme({ signatureHeader: 'x-ed-signature', timestampHeader: 'x-ed-timestamp' }) },
  { name: 'url-signing: Twilio, a form', scheme: urlSigningScheme({ form: 'twilio' }), contentType: FORM, url: URL_WITH_QUERY },
  { name: 'url-signing: Twilio, JSON through bodySHA256', scheme: urlSigningScheme({ form: 'twilio' }), url: URL_WITH_QUERY },
  { name: 'url-signing: Plivo V3, a form', scheme: urlSigningScheme({ form: 'plivo-v3' }), contentType: FORM, url: URL_WITH_QUERY },
  { name: 'jwt: a hex body hash claim', scheme: jwtScheme({ bodyHashClaim: 'payload_hash' }) },
  {
    name: 'jwt: keyed, a base64 body hash, iss = the key, exp required',
    scheme: jwtScheme({ bodyHashClaim: 'sha256', bodyHashEncoding: 'base64', keyed: true, requireExp: true, tokenPrefix: '' }),
  },
  { name: 'jwt: the body is the JWT', scheme: jwtScheme({ bodyIsJwt: true }), jsonObjectBody: true, bodyIsJwt: true },
  { name: 'canonical-request', scheme: canonicalRequestScheme() },
  { name: 'static-token: a header with a prefix', scheme: staticTokenScheme({ header: 'x-token', prefix: 'Bearer ' }) },
  { name: 'static-token: a body field', scheme: staticTokenScheme({ in: 'body', field: '/auth/token' }), jsonObjectBody: true },
  { name: 'static-token: Basic auth', scheme: staticTokenScheme({ in: 'basic' }) },
];

/** A sent request, as the property holds it (headers as a list, so a duplicate can be added). */
interface Sent {
  readonly method: string;
  readonly url: string;
  readonly headers: Array<[string, string]>;
  readonly body: Buffer;
}

const toSent = (d: SignedDelivery): Sent => ({ method: d.method, url: d.url, headers: Object.entries(d.headers), body: d.body });

/** The request as the scheme sees it: duplicated names joined with ", " by the delivery's Headers (API Gateway's payload v2). */
function schemeRequest(sent: Sent): SchemeRequest {
  return request({ method: sent.method, url: sent.url, headers: Object.fromEntries(new Headers(sent.headers).entries()), body: sent.body });
}

/** A header's value, any case, duplicates joined as the delivery's Headers joins them. */
function headerOf(sent: Sent, name: string): string | undefined {
  return new Headers(sent.headers).get(name);
}

/** A form's fields as a sorted list: two bodies that decode to the same fields are the same form. */
function formFields(body: Buffer): string {
  return JSON.stringify([...new URLSearchParams(body.toString('latin1'))].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1)));
}

/** A URL's parts that signing covers: origin, path, and the query's pairs in order, decoded. */
function urlContent(url: string): string {
  try {
    const u = new URL(url);
    return JSON.stringify([u.protocol, u.hostname, u.port || (u.protocol === 'https:' ? '443' : '80'), decodeURIComponent(u.pathname), [...u.searchParams]]);
  } catch {
    return url;
  }
}

/**
 * Why a changed request is no longer what was signed, in what the scheme vouches for (undefined: it still is).
 * A static token vouches for all of a request that carries it: for it, only the token itself counts.
 */
function stillAuthentic(c: Case, signed: Sent, got: Sent): string | undefined {
  if (c.scheme.family === 'static-token') {
    if (c.jsonObjectBody) return bodyToken(got.body) === bodyToken(signed.body) ? undefined : 'the body token changed';
    const name = signed.headers.find(([n]) => ['x-token', 'authorization'].includes(n.toLowerCase()))?.[0];
    return name !== undefined && headerOf(got, name) === headerOf(signed, name) ? undefined : 'the token header changed';
  }
  const v = c.scheme.vouches;
  if (v.body && c.bodyIsJwt) {
    // The body is a JWT: what is signed is its header and claims segments (whitespace around the token is not).
    const signedPart = (b: Buffer) => b.toString('latin1').trim().split('.').slice(0, 2).join('.');
    if (signedPart(got.body) !== signedPart(signed.body)) return 'the signed claims changed';
  } else if (v.body) {
    const form = (headerOf(signed, 'content-type') ?? '').startsWith(FORM);
    const same = form ? formFields(got.body) === formFields(signed.body) : got.body.equals(signed.body);
    if (!same) return 'the body changed';
  }
  if (v.url && urlContent(got.url) !== urlContent(signed.url)) return 'the URL changed';
  if (v.headers !== 'all') {
    for (const name of v.headers) if (headerOf(got, name) !== headerOf(signed, name)) return `the signed header ${name} changed`;
  }
  return undefined;
}

function bodyToken(body: Buffer): unknown {
  try {
    return (JSON.parse(body.toString('utf8')) as { auth?: { token?: unknown } }).auth?.token;
  } catch {
    return undefined;
  }
}

/** Verifies directly: a throw or a rejection fails the property. */
async function verifyDirect(scheme: Scheme, sent: Sent, credentials: readonly Credential[]): Promise<Verdict> {
  const verdict = await scheme.verify(schemeRequest(sent), credentials, NOW);
  if (!verdict.ok && !REFUSAL_REASONS.includes(verdict.reason)) throw new Error(`unknown refusal reason ${String(verdict.reason)}`);
  return verdict;
}

const jsonBodyArb = fc
  .record({ call_id: fc.string({ maxLength: 24 }), n: fc.integer(), note: fc.string({ unit: 'binary', maxLength: 64 }), tags: fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }) })
  .map((o) => Buffer.from(JSON.stringify(o)));
const formBodyArb = fc
  .array(fc.tuple(fc.constantFrom('CallSid', 'CallStatus', 'From', 'To', 'Digits', 'Tag'), fc.string({ unit: 'binary', maxLength: 20 })), { minLength: 1, maxLength: 6 })
  .map((pairs) => Buffer.from(new URLSearchParams(pairs).toString()));
const bodyArb = (c: Case): fc.Arbitrary<Buffer> =>
  c.contentType === FORM ? formBodyArb : c.jsonObjectBody ? jsonBodyArb : fc.oneof(jsonBodyArb, fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)));

/** Text that looks like a signature, a timestamp, a token: the values a liar would put in a header. */
const lyingValueArb = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 40, maxLength: 128 }),
  fc.uint8Array({ minLength: 16, maxLength: 64 }).map((a) => Buffer.from(a).toString('base64')),
  fc.integer({ min: -600, max: 600 }).map((d) => String(Math.floor(NOW.getTime() / 1000) + d)),
  fc.integer({ min: -600, max: 600 }).map((d) => new Date(NOW.getTime() + d * 1000).toISOString()),
  fc.tuple(fc.integer({ min: -600, max: 600 }), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 })).map(([d, h]) => `t=${Math.floor(NOW.getTime() / 1000) + d},v1=${h}`),
  fc.constantFrom('', ' ', ',', 'v1,', 'Bearer ', 'Basic ', 'Basic Og==', 'eyJhbGciOiJub25lIn0.e30.', 'null', 'undefined', 'application x:y', '\u0000'),
);

type Mutation =
  | { kind: 'none' }
  | { kind: 'flip-body-bit'; at: number; bit: number }
  | { kind: 'append-body'; bytes: Uint8Array }
  | { kind: 'replace-header'; which: number; value: string }
  | { kind: 'remove-header'; which: number }
  | { kind: 'rename-header-case'; which: number }
  | { kind: 'duplicate-header'; which: number; value: string; before: boolean }
  | { kind: 'shift-timestamp'; which: number; seconds: number }
  | { kind: 'change-query'; value: string }
  | { kind: 'change-method'; method: string };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('flip-body-bit' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('append-body' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('replace-header' as const), which: fc.nat(), value: lyingValueArb }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('remove-header' as const), which: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('rename-header-case' as const), which: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('duplicate-header' as const), which: fc.nat(), value: lyingValueArb, before: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('shift-timestamp' as const), which: fc.nat(), seconds: fc.integer({ min: -400, max: 400 }).filter((s) => s !== 0) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('change-query' as const), value: fc.string({ maxLength: 12 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('change-method' as const), method: fc.constantFrom('GET', 'PUT', 'DELETE', 'post') }), weight: 1 },
);

/** Rewrites every number in a header value that reads as a time near now (s, ms or ISO) by `seconds`. */
function shiftTimes(value: string, seconds: number): string {
  const nowS = NOW.getTime() / 1000;
  return value
    .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, (iso) => new Date(Date.parse(iso) + seconds * 1000).toISOString())
    .replace(/\b\d{10,13}\b/g, (n) => {
      const v = Number(n);
      if (Math.abs(v - nowS) < 86_400) return String(v + seconds);
      if (Math.abs(v - nowS * 1000) < 86_400_000) return String(v + seconds * 1000);
      return n;
    });
}

function mutate(sent: Sent, m: Mutation): Sent {
  const headers = sent.headers.map(([n, v]): [string, string] => [n, v]);
  const pick = (which: number) => (headers.length ? which % headers.length : -1);
  switch (m.kind) {
    case 'none':
      return sent;
    case 'flip-body-bit': {
      if (!sent.body.length) return { ...sent, body: Buffer.from([1 << m.bit]) };
      const body = Buffer.from(sent.body);
      body[m.at % body.length] ^= 1 << m.bit;
      return { ...sent, body };
    }
    case 'append-body':
      return { ...sent, body: Buffer.concat([sent.body, Buffer.from(m.bytes)]) };
    case 'replace-header': {
      const i = pick(m.which);
      if (i >= 0) headers[i] = [headers[i][0], m.value];
      return { ...sent, headers };
    }
    case 'remove-header': {
      const i = pick(m.which);
      if (i >= 0) headers.splice(i, 1);
      return { ...sent, headers };
    }
    case 'rename-header-case': {
      const i = pick(m.which);
      if (i >= 0) headers[i] = [headers[i][0].toUpperCase(), headers[i][1]];
      return { ...sent, headers };
    }
    case 'duplicate-header': {
      const i = pick(m.which);
      if (i >= 0) headers.splice(m.before ? i : i + 1, 0, [headers[i][0], m.value]);
      return { ...sent, headers };
    }
    case 'shift-timestamp': {
      const i = pick(m.which);
      if (i >= 0) headers[i] = [headers[i][0], shiftTimes(headers[i][1], m.seconds)];
      return { ...sent, headers };
    }
    case 'change-query': {
      const u = new URL(sent.url);
      u.searchParams.set('tenant', m.value);
      return { ...sent, url: u.toString() };
    }
    case 'change-method':
      return { ...sent, method: m.method };
  }
}

/** A credential of each kind, none of them the case's own. */
function foreignCredentials(): Credential[] {
  const { publicKey } = generateKeyPairSync('ed25519');
  return [
    { kind: 'secret', secret: randomBytes(24).toString('hex') },
    { kind: 'secret', secret: '' },
    { kind: 'public-key', key: publicKey },
    { kind: 'fields', fields: { key: 'k', secret: randomBytes(16).toString('hex') } },
    { kind: 'fields', fields: {} },
  ];
}

describe.each(CASES)('scheme property: $name', (c) => {
  const own = c.scheme.generateCredential();
  const ownCredentials = creds(own.secret, c.scheme.credential);
  const other = c.scheme.generateCredential();
  const foreign = foreignCredentials();
  const sign = (body: Buffer): Sent =>
    toSent(signWith(c.scheme, { url: c.url, body, contentType: c.contentType, headers: c.headers, id: c.headers?.['x-id'] }, own.signingKey, NOW));
  const withVendorHeaders = (sent: Sent): Sent => ({
    ...sent,
    headers: [...sent.headers, ...Object.entries(c.headers ?? {}).filter(([n]) => headerOf(sent, n) === undefined)],
  });

  it(`(a, b) signed requests verify; a change to what the scheme vouches for is refused (${RUNS} runs)`, async () => {
    let changed = 0;
    let vouchedChanged = 0;
    await fc.assert(
      fc.asyncProperty(bodyArb(c), mutationArb, async (body, m) => {
        const signed = withVendorHeaders(sign(body));
        const got = mutate(signed, m);
        const verdict = await verifyDirect(c.scheme, got, ownCredentials);
        if (m.kind === 'none') {
          expect(verdict).toMatchObject({ ok: true, credential: 0, vouches: c.scheme.vouches });
          return;
        }
        changed++;
        const why = stillAuthentic(c, signed, got);
        if (why === undefined) return; // Still what was signed (a form re-encoded, a header name in capitals): either answer is right.
        vouchedChanged++;
        if (verdict.ok) throw new Error(`accepted a changed request: ${why} (${m.kind})`);
      }),
      { numRuns: RUNS },
    );
    // Enough mutations must change what is vouched for, or the property proves little. (A body that is a JWT
    // vouches only for its first two segments, and a static token only for itself: about a tenth of the
    // mutations touch them.)
    expect(vouchedChanged).toBeGreaterThan(changed * 0.05);
  });

  it(`(c) a request signed with another credential, or a credential of the wrong kind, is refused (${RUNS} runs)`, async () => {
    const otherCredentials = creds(other.secret, c.scheme.credential);
    await fc.assert(
      fc.asyncProperty(bodyArb(c), fc.integer({ min: 0, max: foreign.length }), async (body, pick) => {
        const sent = withVendorHeaders(sign(body));
        const credentials = pick === foreign.length ? otherCredentials : [foreign[pick]];
        const verdict = await verifyDirect(c.scheme, sent, credentials);
        expect(verdict.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it(`(d) arbitrary requests with lying headers are refused, and no handshake throws (${RUNS} runs)`, async () => {
    const names = [...new Set([...sign(Buffer.from('{}')).headers.map(([n]) => n), 'authorization', 'content-type'])];
    const headersArb = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ minLength: 1, maxLength: 12 })), lyingValueArb), { maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'GET', 'PUT'),
        fc.oneof(fc.constant(c.url ?? 'https://hooks.example.com/webhooks/v'), fc.webUrl({ withQueryParameters: true })),
        headersArb,
        fc.oneof(bodyArb(c), fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a))),
        async (method, url, headers, body) => {
          const sent: Sent = { method, url, headers, body };
          const verdict = await verifyDirect(c.scheme, sent, ownCredentials);
          expect(verdict.ok).toBe(false);
          if (c.scheme.handshake) await c.scheme.handshake(schemeRequest(sent), ownCredentials, NOW);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
