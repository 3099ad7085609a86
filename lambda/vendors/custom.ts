/**
 * A vendor described by configuration alone (CustomVendorConfig): its proof of origin, and JSON pointers
 * or headers for its event type, id, call id and time. Its whole payload is kept in `detail.fields`.
 */
import { lookupType, NORMALIZED_TYPES, toIsoTime } from '../core/event';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DEFAULTS, VENDOR_NAME_RE } from '../config/defaults';
import { endpointsOption, headerName, intRange, nonEmptyString, oneOf, strictObject, stringValue, type OptionsOf } from '../config/schema';
import { CallhooksError, ParseError } from '../core/errors';
import type { Delivery } from '../core/http';
import { generateHexSecret, HmacScheme, signHmac, verifyHmac, verifyStaticToken } from '../core/hmac';
import { generateStandardWebhooksSecret, signStandardWebhook, verifyStandardWebhook } from '../core/standard-webhooks';
import type { VendorAdapter } from '../core/vendor';
import { numberText, resolvePointer } from './json-source';
import { digestKey, Json, parseJsonObject, stripUndefined } from './util';

export const CUSTOM_VENDOR_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

/**
 * The schema of a custom vendor (an entry of `customVendors`); built when called, so that no function's bundle
 * holds it. Rules across vendors (a built-in's name, a name used twice) are the configuration's (`config.ts`).
 */
export const customVendorSchema = () => {
  const pointer = (description: string) => {
    const error = 'must be a JSON pointer ("/a/b") or "header:<name>"';
    return z.string({ error }).regex(new RegExp('^(/|header:.)'), { error }).meta({ description });
  };
  const unknownKey = (what: string) => (keys: string) => `is not an option of ${what} (options: ${keys})`;
  const prefix = (description: string) => stringValue().optional().meta({ description, default: '' });
  const hmac = strictObject({
    scheme: z.literal('hmac-sha256').meta({ description: 'HMAC-SHA256 with the secret as UTF-8 key.' }),
    header: headerName().meta({ description: 'Header holding the signature.' }),
    encoding: oneOf(['hex', 'base64']).optional().meta({ description: 'How the digest is written.', default: 'hex' }),
    prefix: prefix('Text before the digest (e.g. "sha256="); optional on the wire when set.'),
    signatureKey: nonEmptyString().optional().meta({
      description: "For headers made of key=value pairs separated by commas (Stripe's t=…,v1=…): the key of the signature. " +
        'Every pair with this key is tried. Default: the header is the digest itself.',
    }),
    signedPayload: oneOf(['body', 'timestamp.body']).optional().meta({
      description: 'What is signed: the raw body, or "<timestamp>.<raw body>".', default: 'body',
    }),
    timestampHeader: headerName().optional().meta({ description: 'Header holding the signed timestamp (Unix seconds).' }),
    timestampKey: nonEmptyString().optional().meta({ description: 'Key of the signature header holding the signed timestamp (Unix seconds).' }),
  }, { unknownKey: unknownKey('the "hmac-sha256" scheme') }).meta({
    // The two rules below, for editors (JSON Schema draft-07).
    dependencies: { timestampKey: ['signatureKey'] },
    if: { properties: { signedPayload: { const: 'timestamp.body' } }, required: ['signedPayload'] },
    then: { anyOf: [{ required: ['timestampHeader'] }, { required: ['timestampKey'] }] },
  }).superRefine((auth, ctx) => {
    if (auth.signedPayload === 'timestamp.body' && auth.timestampHeader === undefined && auth.timestampKey === undefined) {
      ctx.addIssue({ code: 'custom', message: ': signedPayload "timestamp.body" needs timestampHeader or timestampKey' });
    }
    if (auth.timestampKey !== undefined && auth.signatureKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['timestampKey'], message: 'needs signatureKey (the header must be key=value pairs)' });
    }
  });
  const auth = z.discriminatedUnion('scheme', [
    strictObject({
      scheme: z.literal('standard-webhooks').meta({
        description: 'Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature, whsec_ secrets).',
      }),
    }, { unknownKey: unknownKey('the "standard-webhooks" scheme') }),
    strictObject({
      scheme: z.literal('static-token').meta({ description: 'A static token in a header, compared in constant time.' }),
      header: headerName().meta({ description: 'Header holding the token.' }),
      prefix: prefix('Text before the token, e.g. "Bearer ".'),
    }, { unknownKey: unknownKey('the "static-token" scheme') }),
    hmac,
  ], {
    error: (iss) => (iss.code === 'invalid_union' ? 'must be "standard-webhooks", "static-token" or "hmac-sha256"' : 'must be an object'),
  }).meta({ description: 'How the vendor proves a delivery is its own.' });
  const nameError = 'must be lower case letters, digits and dashes (at most 40)';
  const methodsError = `must be a non-empty array of ${CUSTOM_VENDOR_METHODS.join(', ')}`;
  return strictObject({
    name: nonEmptyString().regex(VENDOR_NAME_RE, { error: nameError }).meta({
      description: 'Route segment and `source` suffix: lower case letters, digits and dashes (at most 40).',
    }),
    auth,
    methods: z.array(z.enum(CUSTOM_VENDOR_METHODS, { error: `must be one of ${CUSTOM_VENDOR_METHODS.join(', ')}` }), { error: methodsError })
      .min(1, { error: methodsError }).optional().meta({ description: 'Methods it uses.', default: ['POST'] }),
    toleranceSeconds: intRange(1, 3600).optional().meta({ description: 'Accepted clock skew when a timestamp is signed, in seconds.', default: 300 }),
    endpoints: endpointsOption('a custom vendor', {
      toleranceSeconds: intRange(1, 3600).optional().meta({ description: 'Accepted clock skew at this endpoint, in seconds.', default: 300 }),
    }),
    fields: strictObject({
      eventType: pointer('Where the vendor event type is: a JSON pointer, or a header the scheme signs (see eventId).'),
      eventId: pointer('Where the dedup key is. Default: webhook-id for Standard Webhooks, else a SHA-256 of the raw body. ' +
        'Only signed bytes may decide the dedup key and the type: eventId and eventType may read a header only when the scheme ' +
        "signs it (webhook-id / webhook-timestamp with standard-webhooks, an hmac-sha256's timestampHeader over timestamp.body; " +
        'any header with static-token). The other fields may read any header.').optional(),
      callId: pointer("Where the vendor's call id is.").optional(),
      occurredAt: pointer("Where the vendor's time of the event is (ISO 8601 or Unix seconds).").optional(),
      accountId: pointer("Where the vendor's account (organization) id is.").optional(),
      test: pointer('A pointer to a boolean that marks test traffic.').optional(),
    }, { notObject: 'must be an object with at least eventType', unknownKey: unknownKey('fields') }).meta({
      description: 'Where each value is found: a JSON pointer into the body ("/data/call_id") or "header:<name>".',
    }),
    typeMap: z.record(z.string(), z.enum(NORMALIZED_TYPES, { error: `must be one of ${NORMALIZED_TYPES.join(', ')}` }), {
      error: 'must be an object',
    }).optional().meta({ description: 'Vendor event type → normalized type; anything else is published as vendor.other.', default: {} }),
  }, { unknownKey: unknownKey('a custom vendor') }).meta({ description: 'A platform that is not built in, described by configuration alone.' })
    .superRefine((def, ctx) => {
      for (const p of unsignedSources(def)) ctx.addIssue({ code: 'custom', path: ['fields', p.field], message: p.message });
    });
};

/** A platform that is not built in, described by configuration alone. */
export type CustomVendorConfig = OptionsOf<typeof customVendorSchema>;
/** How a custom vendor proves a delivery is its own. */
export type CustomAuth = CustomVendorConfig['auth'];

/**
 * The headers a custom vendor's scheme signs, lower case: Standard Webhooks signs `webhook-id` and
 * `webhook-timestamp`; HMAC over `<timestamp>.<body>` signs its `timestampHeader`. `'any'` for a static
 * token: it signs nothing, but vouches for the whole request alike (whoever can replay a delivery holds the
 * token and could send any body too), so its headers are worth as much as its body.
 */
export function signedHeadersOf(auth: CustomAuth): readonly string[] | 'any' {
  switch (auth.scheme) {
    case 'standard-webhooks':
      return ['webhook-id', 'webhook-timestamp'];
    case 'static-token':
      return 'any';
    default:
      return auth.signedPayload === 'timestamp.body' && auth.timestampHeader !== undefined ? [auth.timestampHeader.toLowerCase()] : [];
  }
}

/**
 * Only signed bytes may decide the dedup key (`fields.eventId`) and the event type (`fields.eventType`): a
 * `header:` source for either must be a header the scheme signs. Otherwise one signed body, replayed within
 * the tolerance window with other header values, would become several events, or could claim the key of a
 * genuine delivery still to come. The other fields only describe the event and may read any header.
 */
export function unsignedSources(def: Pick<CustomVendorConfig, 'auth' | 'fields'>): Array<{ field: 'eventId' | 'eventType'; message: string }> {
  const signed = signedHeadersOf(def.auth);
  if (signed === 'any') return [];
  const deciding = [
    ['eventId', 'the dedup key'],
    ['eventType', 'the event type'],
  ] as const;
  const allowed = ['a JSON pointer into the body', ...(signed.length > 0 ? [signed.map((h) => `header:${h}`).join(', ')] : [])].join(', or ');
  return deciding.flatMap(([field, what]) => {
    const source = def.fields[field];
    if (source === undefined || !source.startsWith('header:') || signed.includes(source.slice('header:'.length).toLowerCase())) return [];
    return [{ field, message: `${JSON.stringify(source)} reads a header that the ${def.auth.scheme} scheme does not sign: ${what} must come from signed bytes (${allowed})` }];
  });
}

export { resolvePointer } from './json-source';

/** Reads `header:<name>` or a JSON pointer, as it is. */
function read(location: string | undefined, delivery: Delivery, body: Json): unknown {
  if (!location) return undefined;
  return location.startsWith('header:') ? delivery.headers.get(location.slice('header:'.length)) : resolvePointer(body, location);
}

/** Reads `header:<name>` or a JSON pointer; strings and finite numbers (with the digits as sent) come back as strings. */
function readText(location: string | undefined, delivery: Delivery, body: Json): string | undefined {
  const v = read(location, delivery, body);
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return numberText(delivery.body, location!, v);
  return undefined;
}

export function customVendor(def: CustomVendorConfig): VendorAdapter {
  // The configuration refuses these already; an adapter built from a definition directly is held to it too.
  const [unsigned] = unsignedSources(def);
  if (unsigned) throw new CallhooksError(`custom vendor ${JSON.stringify(def.name)}: fields.${unsigned.field} ${unsigned.message}`);
  const tolerance = def.toleranceSeconds ?? DEFAULTS.toleranceSeconds;
  const auth = def.auth;
  const hmac: HmacScheme | undefined =
    auth.scheme === 'hmac-sha256'
      ? {
          header: auth.header,
          encoding: auth.encoding ?? 'hex',
          prefix: auth.prefix,
          signatureKey: auth.signatureKey,
          signedPayload: auth.signedPayload ?? 'body',
          timestampHeader: auth.timestampHeader,
          timestampKey: auth.timestampKey,
          toleranceSeconds: tolerance,
        }
      : undefined;
  const verify: VendorAdapter['verify'] = (d, secret, now) => {
    if (hmac) return verifyHmac(d.headers, d.body, secret, now, hmac);
    if (auth.scheme === 'static-token') return verifyStaticToken(d.headers, secret, auth.header, auth.prefix ?? '');
    return verifyStandardWebhook(d.headers, d.body, secret, now, tolerance);
  };
  const sign: VendorAdapter['sign'] = (body, secret, now, id) => {
    if (hmac) return signHmac(body, secret, now, hmac);
    if (auth.scheme === 'static-token') return { [auth.header]: `${auth.prefix ?? ''}${secret}` };
    return signStandardWebhook(body, secret, now, id ?? `msg_${createHash('sha256').update(body).digest('hex').slice(0, 24)}`);
  };
  const eventIdAt = def.fields.eventId ?? (auth.scheme === 'standard-webhooks' ? 'header:webhook-id' : undefined);
  return {
    name: def.name,
    methods: def.methods ?? ['POST'],
    verify,
    sign,
    generateSecret: auth.scheme === 'standard-webhooks' ? generateStandardWebhooksSecret : () => generateHexSecret(),
    parse(d) {
      const body = parseJsonObject(d);
      const vendorEventType = readText(def.fields.eventType, d, body);
      if (!vendorEventType) throw new ParseError(`the event type (${def.fields.eventType}) is missing`);
      const id = readText(eventIdAt, d, body);
      const dedupKey = id ?? digestKey('sha256:', d.body);
      const accountId = readText(def.fields.accountId, d, body);
      const test = def.fields.test ? resolvePointer(body, def.fields.test) === true : false;
      const type = lookupType(def.typeMap, vendorEventType);
      return {
        dedupKey,
        fields: stripUndefined({
          type,
          vendorEventType,
          // A number is Unix seconds (or milliseconds): toIsoTime reads both.
          occurredAt: toIsoTime(read(def.fields.occurredAt, d, body)),
          callId: readText(def.fields.callId, d, body) ?? null,
          test: test || type === 'webhook.test',
          account: accountId ? { id: accountId, kind: 'organization' as const } : undefined,
          fields: body,
        }),
      };
    },
  };
}
