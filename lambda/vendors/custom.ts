/**
 * A vendor described by configuration alone (CustomVendorConfig): its proof of origin, and JSON pointers
 * or headers for its event type, id, call id and time. Its whole payload is kept in `detail.fields`.
 */
import { lookupType, toIsoTime } from '../core/event';
import { DEFAULTS } from '../contracts/defaults';
import type { CustomAuth, CustomVendorConfig } from '../config/vendors/custom';
export type { CustomAuth, CustomVendorConfig } from '../config/vendors/custom';
import { CallhooksError, ParseError } from '../core/errors';
import type { Delivery } from '../core/http';
import { mediaTypeOf, parseUrlEncoded } from '../core/form';
import type { Scheme } from '../contracts/scheme';
import { canonicalRequestScheme } from '../schemes/canonical-request';
import { hmacScheme } from '../schemes/hmac';
import { jwtScheme } from '../schemes/jwt';
import { publicKeyScheme } from '../schemes/public-key';
import { standardWebhooksScheme } from '../schemes/standard-webhooks';
import { staticTokenScheme } from '../schemes/static-token';
import { urlSigningScheme } from '../schemes/url-signing';
import { schemeAuthentication } from './scheme';
import type { VendorAdapter } from '../core/vendor';
import { idAt, numberText, resolvePointer } from './json-source';
import { digestKey, Json, parseJsonObject, stripUndefined } from './util';

/** The scheme of a custom vendor's `auth`. Throws when its options do not make one (the configuration says why). */
export function schemeOf(auth: CustomAuth, toleranceSeconds: number): Scheme {
  switch (auth.scheme) {
    case 'standard-webhooks':
      return standardWebhooksScheme({ toleranceSeconds, headerPrefix: auth.headerPrefix });
    case 'static-token':
      return staticTokenScheme({ in: auth.in, header: auth.header, prefix: auth.prefix, field: auth.field, realm: auth.realm, echoHeader: auth.echoHeader });
    case 'hmac-sha256':
      return hmacScheme({
        header: auth.header,
        encoding: auth.encoding,
        prefix: auth.prefix,
        signatures: auth.signatureKey !== undefined ? 'pairs' : 'one',
        signatureKey: auth.signatureKey,
        timestampKey: auth.timestampKey,
        timestampHeader: auth.timestampHeader,
        timestampUnit: 'auto',
        template: auth.signedPayload === 'timestamp.body' ? '{timestamp}.{body}' : '{body}',
        toleranceSeconds,
      });
    case 'hmac': {
      const { scheme: _family, ...options } = auth;
      return hmacScheme({ ...options, toleranceSeconds });
    }
    case 'public-key': {
      const { scheme: _family, ...options } = auth;
      return publicKeyScheme({ ...options, toleranceSeconds });
    }
    case 'url-signing':
      return urlSigningScheme({ form: auth.form });
    case 'jwt': {
      const { scheme: _family, ...options } = auth;
      return jwtScheme({ ...options, toleranceSeconds });
    }
    case 'canonical-request':
      return canonicalRequestScheme({ authScheme: auth.authScheme, toleranceSeconds });
  }
}

/**
 * Only signed bytes may decide the dedup key (`fields.eventId`) and the event type (`fields.eventType`): a
 * `header:` source for either must be a header the scheme vouches for, a JSON pointer needs a scheme that vouches
 * for the body. Otherwise one signed delivery, replayed within the tolerance window with other header values (or
 * another body), would become several events, or could claim the key of a genuine delivery still to come. The
 * other fields only describe the event and may read any header.
 */
export function unsignedSources(def: Pick<CustomVendorConfig, 'auth' | 'fields' | 'toleranceSeconds'>, scheme?: Scheme): Array<{ field: keyof CustomVendorConfig['fields']; message: string }> {
  const { vouches } = scheme ?? schemeOf(def.auth, def.toleranceSeconds ?? DEFAULTS.toleranceSeconds);
  // A claim is read from a verified token: only a scheme with claims has any.
  const claimless = (['eventId', 'eventType', 'callId', 'occurredAt', 'accountId', 'test'] as const).flatMap((field) => {
    const source = def.fields[field];
    return source?.startsWith('claim:') && !vouches.claims ? [{ field, message: `${JSON.stringify(source)} reads a JWT claim, and the ${def.auth.scheme} scheme has no claims (only jwt does)` }] : [];
  });
  if (vouches.headers === 'all') return claimless;
  const signed = vouches.headers;
  const allowed = [
    ...(vouches.body ? ['a JSON pointer into the body'] : []),
    ...(signed.length > 0 ? [signed.map((h) => `header:${h}`).join(', ')] : []),
    ...(vouches.claims ? ['claim:<name>'] : []),
  ].join(', or ') || 'none';
  const deciding = [
    ['eventId', 'the dedup key'],
    ['eventType', 'the event type'],
  ] as const;
  return [...claimless, ...deciding.flatMap(([field, what]) => {
    const source = def.fields[field];
    if (source === undefined) {
      // Without a source the dedup key is a digest of the body: the body must be signed.
      return field === 'eventId' && !vouches.body ? [{ field, message: `is required: the ${def.auth.scheme} scheme does not sign the body, so the dedup key must come from signed bytes (${allowed})` }] : [];
    }
    if (source.startsWith('claim:')) return [];
    if (source.startsWith('header:')) {
      if (signed.includes(source.slice('header:'.length).toLowerCase())) return [];
      return [{ field, message: `${JSON.stringify(source)} reads a header that the ${def.auth.scheme} scheme does not sign: ${what} must come from signed bytes (${allowed})` }];
    }
    return vouches.body ? [] : [{ field, message: `${JSON.stringify(source)} reads the body, which the ${def.auth.scheme} scheme does not sign: ${what} must come from signed bytes (${allowed})` }];
  })];
}

export { resolvePointer } from './json-source';

/** Methods that usually carry no body: a delivery by them without one sends its fields as query parameters. */
const BODILESS = new Set(['GET', 'DELETE']);

/** Query parameters as a JSON object with own data properties (a `__proto__` parameter stays a plain field). */
function queryObject(query: Readonly<Record<string, string>>): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(query)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** The query as canonical text (names sorted), for the dedup key of a query delivery without an `eventId`. */
function canonicalQuery(query: Json): string {
  return JSON.stringify(Object.keys(query).sort().map((k) => [k, query[k]]));
}

/** What a source reads from: the delivery, its payload, and the verified token's claims. */
interface Sources {
  readonly delivery: Delivery;
  readonly body: Json;
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** Reads `header:<name>`, `claim:<name>` or a JSON pointer, as it is. */
function read(location: string | undefined, { delivery, body, claims }: Sources): unknown {
  if (!location) return undefined;
  if (location.startsWith('header:')) return delivery.headers.get(location.slice('header:'.length));
  if (location.startsWith('claim:')) {
    const name = location.slice('claim:'.length);
    return claims !== undefined && Object.hasOwn(claims, name) ? claims[name] : undefined;
  }
  return resolvePointer(body, location);
}

/**
 * Reads a source; strings and finite numbers come back as strings: a body's number with the digits as sent, a
 * claim's only when it is exact (an integer beyond 2^53 was rounded when the token was parsed: unreadable).
 */
function readText(location: string | undefined, sources: Sources): string | undefined {
  const v = read(location, sources);
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  if (!location!.startsWith('claim:')) return numberText(sources.delivery.body, location!, v);
  return Number.isInteger(v) && !Number.isSafeInteger(v) ? undefined : String(v);
}

/** Form fields as an object of own data properties (a `__proto__` field stays a plain field). */
function formObject(fields: ReadonlyArray<readonly [string, string]>): Json {
  const out: Json = {};
  for (const [k, v] of fields) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

export function customVendor(def: CustomVendorConfig): VendorAdapter {
  const tolerance = def.toleranceSeconds ?? DEFAULTS.toleranceSeconds;
  const auth = def.auth;
  const scheme = schemeOf(auth, tolerance);
  // The configuration refuses these already; an adapter built from a definition directly is held to it too.
  const [unsigned] = unsignedSources(def, scheme);
  if (unsigned) throw new CallhooksError(`custom vendor ${JSON.stringify(def.name)}: fields.${unsigned.field} ${unsigned.message}`);
  const eventIdAt = def.fields.eventId ?? (auth.scheme === 'standard-webhooks' ? `header:${auth.headerPrefix ?? 'webhook'}-id` : undefined);
  return {
    name: def.name,
    methods: def.methods ?? ['POST'],
    ...schemeAuthentication(scheme, { publicUrl: def.publicUrl, secretField: def.secretField }),
    parse(d, proof) {
      // A body that is a JWT: the verified claims are the payload.
      const signed = proof?.payload ? { ...d, body: proof.payload } : d;
      // A GET or DELETE without a body (a vendor configured with `methods: ["GET"]`) sends its fields as query
      // parameters: they are the payload, read as a JSON object of strings, when the scheme vouches for them (a
      // static token for the whole request, a URL-signing scheme for the URL); a scheme that signs only the body
      // (empty here) does not.
      const fromQuery = signed.body.length === 0 && BODILESS.has(d.method);
      if (fromQuery && scheme.vouches.headers !== 'all' && !scheme.vouches.url) {
        throw new ParseError(`the delivery has no body, and the query is not signed by the ${auth.scheme} scheme`);
      }
      // A form body (URL-signing vendors post forms): its fields, a repeated name keeping its last value.
      const body = fromQuery
        ? queryObject(d.query)
        : mediaTypeOf(signed.headers.get('content-type')) === 'application/x-www-form-urlencoded'
          ? formObject(parseUrlEncoded(signed.body.toString('utf8')))
          : parseJsonObject(signed);
      const sources: Sources = { delivery: d, body, claims: proof?.claims };
      const vendorEventType = readText(def.fields.eventType, sources);
      if (!vendorEventType) throw new ParseError(`the event type (${def.fields.eventType}) is missing`);
      // A pointer's id as idAt reads it (digits as sent, invalid UTF-8 kept apart); a header's or a claim's as it is.
      const id = eventIdAt === undefined || !eventIdAt.startsWith('/') || fromQuery ? readText(eventIdAt, sources) : idAt(d.body, body, eventIdAt);
      // Without an id the key is a digest of what was received: only where the scheme signs the body.
      if (id === undefined && eventIdAt !== undefined && !scheme.vouches.body) throw new ParseError(`the dedup key (${eventIdAt}) is missing`);
      const dedupKey = id ?? digestKey('sha256:', fromQuery ? canonicalQuery(body) : d.body);
      const accountId = readText(def.fields.accountId, sources);
      const test = def.fields.test ? read(def.fields.test, sources) === true : false;
      const type = lookupType(def.typeMap, vendorEventType);
      return {
        dedupKey,
        fields: stripUndefined({
          type,
          vendorEventType,
          // A number is Unix seconds (or milliseconds): toIsoTime reads both.
          occurredAt: toIsoTime(read(def.fields.occurredAt, sources)),
          callId: readText(def.fields.callId, sources) ?? null,
          test: test || type === 'webhook.test',
          account: accountId ? { id: accountId, kind: 'organization' as const } : undefined,
          fields: body,
        }),
      };
    },
  };
}
