/**
 * The definition of a custom vendor (an entry of `customVendors`): its zod schema, hence its validation, its JSON
 * Schema and its type (`CustomVendorConfig`). Configuration layer: read at synth time, by the local mode and by
 * the command line; the adapter that serves a definition (`lambda/vendors/custom.ts`) imports only its type.
 */
import { z } from 'zod';
import { DEFAULTS, VENDOR_NAME_RE } from '../../contracts/defaults';
import type { Scheme } from '../../contracts/scheme';
import { NORMALIZED_TYPES } from '../../core/event';
import { schemeOf, unsignedSources } from '../../vendors/custom';
import { endpointsOption, flag, headerName, intRange, nonEmptyString, oneOf, strictObject, stringValue, type OptionsOf } from '../schema';

export const CUSTOM_VENDOR_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

/**
 * The schema of a custom vendor (an entry of `customVendors`), built when called. Rules across vendors (a built-in's
 * name, a name used twice) are the configuration's (`../config.ts`).
 */
export const customVendorSchema = () => {
  const pointer = (description: string) => {
    const error = 'must be a JSON pointer ("/a/b"), "header:<name>" or "claim:<name>"';
    return z.string({ error }).regex(new RegExp('^(/|header:.|claim:.)'), { error }).meta({ description });
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
  const unitOption = oneOf(['s', 'ms', 'auto', 'iso']).optional().meta({
    description: 'How the timestamp is written: Unix seconds, milliseconds, either (told apart by their digits), or ISO 8601.', default: 's',
  });
  const hmacFull = strictObject({
    scheme: z.literal('hmac').meta({ description: 'An HMAC over a template of the body, the signed timestamp, an id, header values, the method or the URL.' }),
    header: headerName().meta({ description: 'Header holding the signature(s).' }),
    algorithm: oneOf(['sha1', 'sha256', 'sha512']).optional().meta({ description: 'The HMAC\'s hash.', default: 'sha256' }),
    encoding: oneOf(['hex', 'base64']).optional().meta({ description: 'How the digest is written.', default: 'hex' }),
    template: nonEmptyString().optional().meta({
      description: 'What is signed: {body}, {timestamp}, {id}, {header:NAME}, {method}, {url} and literal text, e.g. "{timestamp}.{body}", ' +
        '"v0:{timestamp}:{body}", "{body}{timestamp}".', default: '{body}',
    }),
    signatures: oneOf(['one', 'comma-list', 'space-list', 'pairs']).optional().meta({
      description: 'How the header holds the signatures: the whole value, a comma or space separated list (any may match), or key=value pairs.', default: 'one',
    }),
    prefix: prefix('Text before each digest (e.g. "sha256=", "v0="); optional on the wire.'),
    signatureKey: nonEmptyString().optional().meta({ description: 'With signatures "pairs": the key of the signatures (e.g. "v1", "d").' }),
    timestampKey: nonEmptyString().optional().meta({ description: 'With signatures "pairs": the key of the signed timestamp (e.g. "t", "v").' }),
    timestampHeader: headerName().optional().meta({ description: 'Header holding the signed timestamp.' }),
    timestampUnit: unitOption,
    idHeader: headerName().optional().meta({ description: 'Header holding the delivery id of {id}.' }),
    secretEncoding: oneOf(['utf8', 'base64', 'whsec']).optional().meta({ description: 'How the secret becomes the key: its UTF-8 bytes, base64, or whsec_ + base64.', default: 'utf8' }),
    handshake: z.literal('zoom-url-validation').optional().meta({ description: "Answer Zoom's signed endpoint.url_validation challenge." }),
  }, { unknownKey: unknownKey('the "hmac" scheme') });
  const auth = z.discriminatedUnion('scheme', [
    strictObject({
      scheme: z.literal('standard-webhooks').meta({
        description: 'Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature, whsec_ secrets).',
      }),
      headerPrefix: oneOf(['webhook', 'svix']).optional().meta({ description: 'The headers\' prefix.', default: 'webhook' }),
    }, { unknownKey: unknownKey('the "standard-webhooks" scheme') }),
    strictObject({
      scheme: z.literal('static-token').meta({ description: 'A static token (in a header, a JSON body field or Basic auth), compared in constant time.' }),
      in: oneOf(['header', 'body', 'basic']).optional().meta({ description: 'Where the token is.', default: 'header' }),
      header: headerName().optional().meta({ description: 'With "header" (the default): the header holding the token; required then.' }),
      prefix: prefix('Text before the token, e.g. "Bearer ".'),
      field: pointer('With "body": the JSON pointer of the body field holding the token ("/token").').optional(),
      realm: nonEmptyString().optional().meta({ description: 'With "basic": the realm of the WWW-Authenticate challenge.', default: 'callhooks' }),
      echoHeader: headerName().optional().meta({ description: 'A header whose value is echoed back (RingCentral\'s Validation-Token), storing nothing.' }),
    }, { unknownKey: unknownKey('the "static-token" scheme') }).superRefine((auth, ctx) => {
      if ((auth.in ?? 'header') === 'header' && auth.header === undefined) ctx.addIssue({ code: 'custom', path: ['header'], message: 'must be an HTTP header name, got undefined' });
      if (auth.in === 'body' && auth.field === undefined) ctx.addIssue({ code: 'custom', path: ['field'], message: 'must be a JSON pointer ("/token") when the token is in the body' });
    }),
    hmac,
    hmacFull,
    strictObject({
      scheme: z.literal('public-key').meta({ description: 'An Ed25519 signature over a template of the signed timestamp and the body; the secret holds the public key.' }),
      signatureHeader: headerName().meta({ description: 'Header holding the base64 signature.' }),
      timestampHeader: headerName().meta({ description: 'Header holding the signed timestamp.' }),
      timestampUnit: unitOption,
      template: nonEmptyString().optional().meta({ description: 'What is signed: {timestamp}, {body} and literal text.', default: '{timestamp}|{body}' }),
    }, { unknownKey: unknownKey('the "public-key" scheme') }),
    strictObject({
      scheme: z.literal('url-signing').meta({ description: 'An HMAC of the URL as called and the sorted form fields (see publicUrl).' }),
      form: oneOf(['twilio', 'plivo-v3']).meta({ description: 'Whose form of URL signing.' }),
    }, { unknownKey: unknownKey('the "url-signing" scheme') }),
    strictObject({
      scheme: z.literal('jwt').meta({ description: 'An HS256 JWT carrying a hash of the body, or a body that is the JWT.' }),
      header: headerName().optional().meta({ description: 'Header holding the token ("Bearer " optional).', default: 'authorization' }),
      bodyIsJwt: flag().optional().meta({ description: 'The body is the JWT; its verified claims are the payload.', default: false }),
      bodyHashClaim: nonEmptyString().optional().meta({ description: 'The claim holding the SHA-256 of the raw body (e.g. "payload_hash", "sha256").' }),
      bodyHashEncoding: oneOf(['hex', 'base64']).optional().meta({ description: 'How that claim writes the hash.', default: 'hex' }),
      issuer: nonEmptyString().optional().meta({ description: 'The iss every token must carry.' }),
      keyed: flag().optional().meta({ description: 'The secret is JSON {"key", "secret"}: iss must equal the key.', default: false }),
      requireExp: flag().optional().meta({ description: 'Refuse a token without exp.', default: false }),
      leewaySeconds: intRange(0, 300).optional().meta({ description: 'Leeway for exp and nbf, in seconds.', default: 10 }),
    }, { unknownKey: unknownKey('the "jwt" scheme') }),
    strictObject({
      scheme: z.literal('canonical-request').meta({ description: 'Sinch\'s signed canonical request; the secret is JSON {"key", "secret"}.' }),
      authScheme: nonEmptyString().optional().meta({ description: 'The word before <key>:<signature> in Authorization.', default: 'application' }),
    }, { unknownKey: unknownKey('the "canonical-request" scheme') }),
  ], {
    error: (iss) => (iss.code === 'invalid_union' ? `must be ${CUSTOM_SCHEMES.map((x) => JSON.stringify(x)).join(', ')}` : 'must be an object'),
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
    publicUrl: publicUrl().optional().meta({ description: PUBLIC_URL_DESCRIPTION }),
    secretField: nonEmptyString().optional().meta({ description: SECRET_FIELD_DESCRIPTION }),
    endpoints: endpointsOption('a custom vendor', {
      toleranceSeconds: intRange(1, 3600).optional().meta({ description: 'Accepted clock skew at this endpoint, in seconds.', default: 300 }),
      publicUrl: publicUrl().optional().meta({ description: PUBLIC_URL_DESCRIPTION }),
      secretField: nonEmptyString().optional().meta({ description: SECRET_FIELD_DESCRIPTION }),
    }),
    fields: strictObject({
      eventType: pointer('Where the vendor event type is: a JSON pointer, or a header the scheme signs (see eventId).'),
      eventId: pointer('Where the dedup key is. Default: webhook-id for Standard Webhooks, else a SHA-256 of the raw body. ' +
        'Only signed bytes may decide the dedup key and the type: eventId and eventType may read a header only when the scheme ' +
        "signs it (webhook-id / webhook-timestamp with standard-webhooks, an hmac-sha256's timestampHeader over timestamp.body; " +
        'any header with static-token), and the body only when the scheme signs it; "claim:<name>" reads a claim of the verified ' +
        'token (jwt only), e.g. "claim:jti" for a token without a body hash. The other fields may read any header.').optional(),
      callId: pointer("Where the vendor's call id is.").optional(),
      occurredAt: pointer("Where the vendor's time of the event is (ISO 8601 or Unix seconds).").optional(),
      accountId: pointer("Where the vendor's account (organization) id is.").optional(),
      test: pointer('A pointer to a boolean that marks test traffic.').optional(),
    }, { notObject: 'must be an object with at least eventType', unknownKey: unknownKey('fields') }).meta({
      description: 'Where each value is found: a JSON pointer into the body ("/data/call_id"), "header:<name>", or "claim:<name>" (a claim of the verified token, jwt only).',
    }),
    typeMap: z.record(z.string(), z.enum(NORMALIZED_TYPES, { error: `must be one of ${NORMALIZED_TYPES.join(', ')}` }), {
      error: 'must be an object',
    }).optional().meta({ description: 'Vendor event type → normalized type; anything else is published as vendor.other.', default: {} }),
  }, { unknownKey: unknownKey('a custom vendor') }).meta({ description: 'A platform that is not built in, described by configuration alone.' })
    .superRefine((def, ctx) => {
      let scheme: Scheme;
      try {
        scheme = schemeOf(def.auth, def.toleranceSeconds ?? DEFAULTS.toleranceSeconds);
      } catch (err) {
        // hmac-sha256 and static-token say what is missing in their own words (above).
        if (def.auth.scheme !== 'hmac-sha256' && def.auth.scheme !== 'static-token') {
          ctx.addIssue({ code: 'custom', path: ['auth'], message: `: ${err instanceof Error ? err.message : String(err)}` });
        }
        return;
      }
      for (const p of unsignedSources(def, scheme)) ctx.addIssue({ code: 'custom', path: ['fields', p.field], message: p.message });
    });
};

/** The schemes a custom vendor can use (`auth.scheme`). */
export const CUSTOM_SCHEMES = ['standard-webhooks', 'static-token', 'hmac-sha256', 'hmac', 'public-key', 'url-signing', 'jwt', 'canonical-request'] as const;

const PUBLIC_URL_DESCRIPTION = 'The URL the vendor calls (scheme, host and path), when it differs from the one requests arrive at: a custom domain ' +
  'or a proxy in front of the API. URL-signing vendors sign it; the query is always the one the request carries.';
const SECRET_FIELD_DESCRIPTION = 'The field of a JSON secret that holds the credential (a secret other tools read too, ' +
  'e.g. {"apiKey": …, "webhookSecret": …}); it may hold {"current", "previous"}. Default: the whole secret.';

function publicUrl() {
  const error = 'must be an absolute http(s) URL without a query or fragment';
  return z.string({ error }).regex(/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/i, { error });
}

/** A platform that is not built in, described by configuration alone. */
export type CustomVendorConfig = OptionsOf<typeof customVendorSchema>;
/** How a custom vendor proves a delivery is its own. */
export type CustomAuth = CustomVendorConfig['auth'];
