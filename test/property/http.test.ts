/**
 * (f) and the HTTP decoding: the Headers class (case-insensitive lookup, repeated headers joined with
 * ", "), decodeBody (base64 flags, honest or lying), fromApiGateway on HTTP API (2.0)
 * events, and the local mode's gateway (local/gateway.ts) feeding fromApiGateway the bytes it was sent.
 */
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { decodeBody, fromApiGateway, Headers } from '../../lambda/core/http';
import { isTextContentType, toGatewayEvent } from '../../local/gateway';
import { contentTypeArb, headerNameArb, headerValueArb, methodArb, NOW, unicodeStringArb } from './arbitraries';

jest.setTimeout(120_000);

/** Runs per decoding property (these are not per vendor: the vendor suites drive the same code 10,000 times per vendor). */
const HTTP_RUNS = 1_000;
const opts = { numRuns: HTTP_RUNS };

/** An ASCII case variant of a name, letter by letter. */
const asciiCaseVariant = (name: string) =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((flips) =>
    name
      .split('')
      .map((c, i) => (flips[i] ? c.toUpperCase() : c.toLowerCase()))
      .join(''),
  );

describe('(f) Headers', () => {
  it('get() finds a header by any case of its name (HTTP token names)', () => {
    fc.assert(
      fc.property(
        headerNameArb.chain((name) => fc.tuple(fc.constant(name), asciiCaseVariant(name), asciiCaseVariant(name))),
        headerValueArb,
        ([name, setAs, askAs], value) => {
          const h = new Headers([[setAs, value]]);
          expect(h.get(askAs)).toBe(value);
          expect(h.get(name.toUpperCase())).toBe(value);
          expect(h.get(name.toLowerCase())).toBe(value);
          expect([...h.entries()]).toEqual([[name.toLowerCase(), value]]);
        },
      ),
      opts,
    );
  });

  it('repeated headers (any case, any way of adding them) join with ", " in order', () => {
    fc.assert(
      fc.property(
        headerNameArb.chain((name) => fc.tuple(fc.constant(name), fc.array(fc.tuple(asciiCaseVariant(name), headerValueArb), { minLength: 1, maxLength: 6 }))),
        fc.constantFrom('entries', 'array', 'append', 'record-arrays'),
        ([name, values], how) => {
          let h: Headers;
          if (how === 'entries') h = new Headers(values);
          else if (how === 'array') h = new Headers([[name, values.map(([, v]) => v)]]);
          else if (how === 'record-arrays') {
            // A record of value lists: one key per spelling the sender used.
            const record: Record<string, string[]> = Object.create(null);
            for (const [n, v] of values) (Object.prototype.hasOwnProperty.call(record, n) ? record[n] : (record[n] = [])).push(v);
            h = Headers.from(record);
            const expected = Object.values(record).flat().join(', ');
            expect(h.get(name)).toBe(expected);
            return;
          } else {
            h = new Headers();
            for (const [n, v] of values) h.append(n, v);
          }
          expect(h.get(name)).toBe(values.map(([, v]) => v).join(', '));
          expect([...h.entries()]).toHaveLength(1);
        },
      ),
      opts,
    );
  });

  it('for any Unicode names: names that lower-case alike share one joined value; others stay apart; undefined values are skipped', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(headerNameArb, unicodeStringArb({ maxLength: 8 })), fc.option(headerValueArb, { nil: undefined })), { maxLength: 12 }), (entries) => {
        const h = new Headers(entries);
        const expected = new Map<string, string[]>();
        for (const [n, v] of entries) if (v !== undefined) expected.set(n.toLowerCase(), [...(expected.get(n.toLowerCase()) ?? []), v]);
        for (const [n] of entries) {
          const want = expected.get(n.toLowerCase())?.join(', ');
          expect(h.get(n)).toBe(want);
          expect(h.get(n.toLowerCase())).toBe(want);
          // Upper-casing may change a name's length (ß → SS): only case variants that fold back are the same name.
          if (n.toUpperCase().toLowerCase() === n.toLowerCase()) expect(h.get(n.toUpperCase())).toBe(want);
        }
        expect(new Map(h.entries())).toEqual(new Map([...expected].map(([k, vs]) => [k, vs.join(', ')])));
      }),
      opts,
    );
  });

  it('never answers for a name that was not given', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(headerNameArb, headerValueArb), { maxLength: 8 }), headerNameArb, (entries, other) => {
        fc.pre(!entries.some(([n]) => n.toLowerCase() === other.toLowerCase()));
        expect(new Headers(entries).get(other)).toBeUndefined();
      }),
      opts,
    );
  });
});

describe('decodeBody', () => {
  const bytesArb = fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b));

  it('an honest base64 body decodes to the exact bytes; a text body to its UTF-8 bytes', () => {
    fc.assert(
      fc.property(bytesArb, unicodeStringArb({ maxLength: 200 }), (bytes, text) => {
        expect(decodeBody(bytes.toString('base64'), true).equals(bytes)).toBe(true);
        expect(decodeBody(text, false).equals(Buffer.from(text, 'utf8'))).toBe(true);
        expect(decodeBody(text, undefined).equals(Buffer.from(text, 'utf8'))).toBe(true);
      }),
      opts,
    );
  });

  it('a lying flag never throws: true on non-base64 text and false on base64 both give what API Gateway would hand over', () => {
    fc.assert(
      fc.property(fc.oneof(unicodeStringArb({ maxLength: 300 }), fc.string({ maxLength: 300 }), bytesArb.map((b) => b.toString('base64'))), fc.boolean(), (text, flag) => {
        const out = decodeBody(text, flag);
        expect(Buffer.isBuffer(out)).toBe(true);
        expect(out.equals(Buffer.from(text, flag ? 'base64' : 'utf8'))).toBe(true);
      }),
      opts,
    );
  });

  it('no body is an empty body, whatever the flag', () => {
    for (const b of [null, undefined]) for (const f of [true, false, undefined]) expect(decodeBody(b, f)).toHaveLength(0);
  });
});

/**
 * A query as [name, value] pairs, names repeated on purpose (also names of Object.prototype members),
 * values with commas, `+` and Unicode.
 */
const queryPairsArb = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('a', 'b', 'address', 'phone_number', 'constructor', 'toString', '__proto__'), fc.string({ minLength: 1, maxLength: 8 })), fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('42, Green Park, New Delhi', '+919876543210', 'a,b,,c', ''), unicodeStringArb({ maxLength: 10 }))), {
    maxLength: 6,
  });

function lastValues(pairs: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of pairs) out[k] = v;
  return out;
}

/** A vendor path segment, and how it must come out (lower-cased, or '' when empty). */
const segmentArb = fc.oneof(fc.mixedCase(fc.constantFrom('quarterzip', 'qcall', 'koeiq', 'atoms', 'converc', 'ringly')), unicodeStringArb({ maxLength: 12 }), fc.constant(''));

describe('fromApiGateway', () => {
  it('HTTP API (2.0): never throws; vendor, method, headers, cookies, query, body and request id come through', () => {
    fc.assert(
      fc.property(
        fc.record({
          segment: segmentArb,
          inPathParameters: fc.boolean(),
          method: methodArb,
          headers: fc.array(fc.tuple(headerNameArb, headerValueArb), { maxLength: 8 }),
          cookies: fc.option(fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }), { nil: undefined }),
          query: queryPairsArb,
          rawQueryStringMissing: fc.boolean(),
          body: fc.option(fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)), { nil: undefined }),
          base64: fc.boolean(),
          requestId: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
        }),
        (r) => {
          // What an HTTP API hands over: lower-cased header names, repeated ones joined with commas.
          const headers: Record<string, string> = Object.create(null);
          for (const [n, v] of r.headers) headers[n.toLowerCase()] = Object.prototype.hasOwnProperty.call(headers, n.toLowerCase()) ? `${headers[n.toLowerCase()]},${v}` : v;
          const qsp: Record<string, string> = Object.create(null);
          for (const [k, v] of r.query) qsp[k] = Object.prototype.hasOwnProperty.call(qsp, k) ? `${qsp[k]},${v}` : v;
          const bodyText = r.body === undefined ? undefined : r.base64 ? r.body.toString('base64') : r.body.toString('utf8');
          const event = {
            version: '2.0',
            routeKey: '$default',
            rawPath: `/webhooks/${encodeURIComponent(r.segment)}`,
            rawQueryString: r.rawQueryStringMissing ? undefined : new URLSearchParams(r.query.map(([k, v]): [string, string] => [k, v])).toString(),
            headers,
            cookies: r.cookies,
            queryStringParameters: r.query.length > 0 ? qsp : undefined,
            pathParameters: r.inPathParameters ? { vendor: r.segment } : undefined,
            body: bodyText,
            isBase64Encoded: r.base64,
            requestContext: { http: { method: r.method }, requestId: r.requestId },
          } as unknown as APIGatewayProxyEventV2;

          const d = fromApiGateway(event, NOW);

          expect(d.vendor).toBe(r.segment.toLowerCase());
          expect(d.method).toBe(r.method.toUpperCase());
          expect(d.receivedAt).toBe(NOW);
          expect(d.requestId).toBe(r.requestId);
          for (const [n] of r.headers) if (n.toLowerCase() !== 'cookie') expect(d.headers.get(n.toUpperCase())).toBe(headers[n.toLowerCase()]);
          if (r.cookies?.length) {
            const own = headers.cookie;
            expect(d.headers.get('Cookie')).toBe(own === undefined ? r.cookies.join('; ') : `${own}, ${r.cookies.join('; ')}`);
          }
          // With rawQueryString: the last value of each name, commas kept; without: what queryStringParameters says.
          expect({ ...d.query }).toEqual(r.rawQueryStringMissing ? { ...qsp } : { ...lastValues(r.query) });
          expect(d.body.equals(bodyText === undefined ? Buffer.alloc(0) : Buffer.from(bodyText, r.base64 ? 'base64' : 'utf8'))).toBe(true);
          if (r.base64 && r.body) expect(d.body.equals(r.body)).toBe(true);
        },
      ),
      opts,
    );
  });
});


describe('local mode gateway (local/gateway.ts) → fromApiGateway', () => {
  function request(method: string, url: string, rawHeaders: string[]): IncomingMessage {
    return { method, url, rawHeaders } as unknown as IncomingMessage;
  }

  it('hands the function the exact bytes, headers and query it was sent (binary, or text that is valid UTF-8)', () => {
    fc.assert(
      fc.property(
        fc.record({
          // `.` and `..` are dot segments, which URL parsing removes (as any HTTP stack does).
          segment: fc.oneof(
            fc.constantFrom('quarterzip', 'qcall', 'ringly'),
            fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.~'.split('')), minLength: 1, maxLength: 12 }).filter((s) => s !== '.' && s !== '..'),
          ),
          method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'post'),
          contentType: contentTypeArb,
          headers: fc.array(
            fc.tuple(
              fc.oneof(headerNameArb, fc.constantFrom('constructor', '__proto__', 'toString')),
              fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 ,;=+/'.split('')), maxLength: 20 }),
            ),
            { maxLength: 6 },
          ),
          query: queryPairsArb,
          body: fc.oneof(fc.uint8Array({ maxLength: 1024 }).map((b) => Buffer.from(b)), unicodeStringArb({ maxLength: 200 }).map((s) => Buffer.from(s, 'utf8'))),
        }),
        (r) => {
          const rawHeaders = r.headers.flat();
          if (r.contentType !== undefined) rawHeaders.push('Content-Type', r.contentType);
          const qs = new URLSearchParams(r.query.map(([k, v]): [string, string] => [k, v])).toString();
          const event = toGatewayEvent(request(r.method, `/webhooks/${r.segment}${qs ? `?${qs}` : ''}`, rawHeaders), r.body);
          const validUtf8 = Buffer.from(r.body.toString('utf8'), 'utf8').equals(r.body);
          // A text content type with bytes that are not UTF-8 is carried as a (lossy) string: outside this property.
          fc.pre(validUtf8 || !isTextContentType(r.contentType));

          const d = fromApiGateway(event, NOW);

          expect(d.body.equals(r.body)).toBe(true);
          expect(d.vendor).toBe(r.segment.toLowerCase());
          expect(d.method).toBe(r.method.toUpperCase());
          expect({ ...d.query }).toEqual({ ...lastValues(r.query) });
          for (const [n] of r.headers) {
            const all = [...r.headers, ...(r.contentType !== undefined ? [['Content-Type', r.contentType] as const] : [])].filter(([k]) => k.toLowerCase() === n.toLowerCase()).map(([, v]) => v);
            expect(d.headers.get(n)).toBe(all.join(','));
          }
        },
      ),
      opts,
    );
  });
});
