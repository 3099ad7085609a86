/**
 * A custom vendor: a platform that is not built in, described by its proof of origin ({@link CustomVendorAuth})
 * and where its event type, id, call id and time are ({@link CustomVendorFields}). The same description as an
 * entry of `callhooks.config.json`'s `customVendors`, validated by the same rules (its zod schema in
 * `lambda/config/vendors/custom.ts`).
 */
import type { EndpointOptions } from './vendors';
import { CallEventType } from './call-event-type';

/** The HTTP methods a custom vendor may use. */
export enum HttpMethod {
  /** GET */
  GET = 'GET',
  /** POST */
  POST = 'POST',
  /** PUT */
  PUT = 'PUT',
  /** DELETE */
  DELETE = 'DELETE',
  /** PATCH */
  PATCH = 'PATCH',
}

/** How an HMAC digest is written in its header. */
export enum SignatureEncoding {
  /** Lower- or upper-case hexadecimal. */
  HEX = 'hex',
  /** Base64. */
  BASE64 = 'base64',
}

/** What an HMAC signs. */
export enum SignedPayload {
  /** The raw body. */
  BODY = 'body',
  /** `<timestamp>.<raw body>`, the timestamp taken from `timestampHeader` or `timestampKey`. */
  TIMESTAMP_DOT_BODY = 'timestamp.body',
}

/** The hash of an HMAC. */
export enum HmacAlgorithm {
  /** SHA-1 */
  SHA1 = 'sha1',
  /** SHA-256 */
  SHA256 = 'sha256',
  /** SHA-512 */
  SHA512 = 'sha512',
}

/** How a signature header holds its signatures. */
export enum SignatureList {
  /** The whole value is one signature. */
  ONE = 'one',
  /** A comma separated list; any may match. */
  COMMA_LIST = 'comma-list',
  /** A space separated list; any may match. */
  SPACE_LIST = 'space-list',
  /** `key=value` pairs (`t=…,v1=…`): `signatureKey` and `timestampKey` name them. */
  PAIRS = 'pairs',
}

/** How a signed timestamp is written. */
export enum TimestampUnit {
  /** Unix seconds. */
  SECONDS = 's',
  /** Unix milliseconds. */
  MILLISECONDS = 'ms',
  /** Seconds or milliseconds, told apart by their digits. */
  AUTO = 'auto',
  /** ISO 8601. */
  ISO = 'iso',
}

/** How an HMAC secret becomes the key. */
export enum SecretEncoding {
  /** Its UTF-8 bytes. */
  UTF8 = 'utf8',
  /** Base64. */
  BASE64 = 'base64',
  /** `whsec_` followed by base64. */
  WHSEC = 'whsec',
}

/** A handshake the vendor's scheme defines, answered without storing or publishing anything. */
export enum Handshake {
  /** Zoom's signed `endpoint.url_validation` challenge. */
  ZOOM_URL_VALIDATION = 'zoom-url-validation',
}

/** The headers' prefix of Standard Webhooks. */
export enum StandardWebhooksHeaders {
  /** `webhook-id`, `webhook-timestamp`, `webhook-signature`. */
  WEBHOOK = 'webhook',
  /** `svix-id`, `svix-timestamp`, `svix-signature`. */
  SVIX = 'svix',
}

/** Where a static token is. */
export enum TokenLocation {
  /** In a header (`header`). */
  HEADER = 'header',
  /** In a JSON body field (`field`). */
  BODY = 'body',
  /** As the password of Basic auth, with a `WWW-Authenticate` challenge. */
  BASIC = 'basic',
}

/** Whose form of URL signing. */
export enum UrlSigningForm {
  /** Twilio's (`X-Twilio-Signature`). */
  TWILIO = 'twilio',
  /** Plivo's V3 (`X-Plivo-Signature-V3`). */
  PLIVO_V3 = 'plivo-v3',
}

/** Standard Webhooks options. */
export interface StandardWebhooksOptions {
  /**
   * The headers' prefix.
   *
   * @default StandardWebhooksHeaders.WEBHOOK
   */
  readonly headerPrefix?: StandardWebhooksHeaders;
}

/** How a custom vendor sends a static token, compared in constant time. */
export interface StaticTokenOptions {
  /**
   * Where the token is.
   *
   * @default TokenLocation.HEADER
   */
  readonly in?: TokenLocation;

  /**
   * The header holding the token (any case); required with `TokenLocation.HEADER`.
   *
   * @default - none
   */
  readonly header?: string;

  /**
   * Text before the token, e.g. `Bearer `.
   *
   * @default ''
   */
  readonly prefix?: string;

  /**
   * With `TokenLocation.BODY`: the JSON pointer of the body field holding the token (`/token`).
   *
   * @default - none
   */
  readonly field?: string;

  /**
   * With `TokenLocation.BASIC`: the realm of the `WWW-Authenticate` challenge.
   *
   * @default 'callhooks'
   */
  readonly realm?: string;

  /**
   * A header whose value is echoed back (RingCentral's `Validation-Token`), storing nothing.
   *
   * @default - none
   */
  readonly echoHeader?: string;
}

/** An HMAC over a template of the body, the signed timestamp, an id, header values, the method or the URL. */
export interface HmacOptions {
  /** Header holding the signature(s). */
  readonly header: string;
  /**
   * The HMAC's hash.
   *
   * @default HmacAlgorithm.SHA256
   */
  readonly algorithm?: HmacAlgorithm;
  /**
   * How the digest is written.
   *
   * @default SignatureEncoding.HEX
   */
  readonly encoding?: SignatureEncoding;
  /**
   * What is signed: `{body}`, `{timestamp}`, `{id}`, `{header:NAME}`, `{method}`, `{url}` and literal text, e.g.
   * `{timestamp}.{body}`, `v0:{timestamp}:{body}`, `{body}{timestamp}`.
   *
   * @default '{body}'
   */
  readonly template?: string;
  /**
   * How the header holds the signatures.
   *
   * @default SignatureList.ONE
   */
  readonly signatures?: SignatureList;
  /**
   * Text before each digest (e.g. `sha256=`, `v0=`); optional on the wire.
   *
   * @default ''
   */
  readonly prefix?: string;
  /**
   * With `SignatureList.PAIRS`: the key of the signatures (e.g. `v1`, `d`).
   *
   * @default - none
   */
  readonly signatureKey?: string;
  /**
   * With `SignatureList.PAIRS`: the key of the signed timestamp (e.g. `t`, `v`).
   *
   * @default - none
   */
  readonly timestampKey?: string;
  /**
   * Header holding the signed timestamp.
   *
   * @default - none
   */
  readonly timestampHeader?: string;
  /**
   * How the timestamp is written.
   *
   * @default TimestampUnit.SECONDS
   */
  readonly timestampUnit?: TimestampUnit;
  /**
   * Header holding the delivery id of `{id}`.
   *
   * @default - none
   */
  readonly idHeader?: string;
  /**
   * How the secret becomes the key.
   *
   * @default SecretEncoding.UTF8
   */
  readonly secretEncoding?: SecretEncoding;
  /**
   * A handshake to answer.
   *
   * @default - none
   */
  readonly handshake?: Handshake;
}

/** An Ed25519 signature over a template of the signed timestamp and the body; the secret holds the public key. */
export interface PublicKeyOptions {
  /** Header holding the base64 signature. */
  readonly signatureHeader: string;
  /** Header holding the signed timestamp. */
  readonly timestampHeader: string;
  /**
   * How the timestamp is written.
   *
   * @default TimestampUnit.SECONDS
   */
  readonly timestampUnit?: TimestampUnit;
  /**
   * What is signed: `{timestamp}`, `{body}` and literal text.
   *
   * @default '{timestamp}|{body}'
   */
  readonly template?: string;
}

/** An HMAC of the URL as called and the sorted form fields (see the vendor's `publicUrl`). */
export interface UrlSigningOptions {
  /** Whose form of URL signing. */
  readonly form: UrlSigningForm;
}

/** An HS256 JWT carrying a hash of the body, or a body that is the JWT. */
export interface JwtOptions {
  /**
   * Header holding the token (`Bearer ` optional).
   *
   * @default 'authorization'
   */
  readonly header?: string;
  /**
   * The body is the JWT; its verified claims are the payload.
   *
   * @default false
   */
  readonly bodyIsJwt?: boolean;
  /**
   * The claim holding the SHA-256 of the raw body (e.g. `payload_hash`, `sha256`).
   *
   * @default - none
   */
  readonly bodyHashClaim?: string;
  /**
   * How that claim writes the hash.
   *
   * @default SignatureEncoding.HEX
   */
  readonly bodyHashEncoding?: SignatureEncoding;
  /**
   * The `iss` every token must carry.
   *
   * @default - any
   */
  readonly issuer?: string;
  /**
   * The secret is JSON `{"key", "secret"}`: `iss` must equal the key.
   *
   * @default false
   */
  readonly keyed?: boolean;
  /**
   * Refuse a token without `exp`.
   *
   * @default false
   */
  readonly requireExp?: boolean;
  /**
   * Leeway for `exp` and `nbf`, in seconds (0 to 300).
   *
   * @default 10
   */
  readonly leewaySeconds?: number;
}

/** Sinch's signed canonical request; the secret is JSON `{"key", "secret"}`. */
export interface CanonicalRequestOptions {
  /**
   * The word before `<key>:<signature>` in `Authorization`.
   *
   * @default 'application'
   */
  readonly authScheme?: string;
}

/** How a custom vendor signs with HMAC-SHA256 (the secret as UTF-8 key). */
export interface HmacSha256Options {
  /** Header holding the signature (any case). */
  readonly header: string;

  /**
   * How the digest is written.
   *
   * @default SignatureEncoding.HEX
   */
  readonly encoding?: SignatureEncoding;

  /**
   * Text before the digest (e.g. `sha256=`); optional on the wire when set.
   *
   * @default ''
   */
  readonly prefix?: string;

  /**
   * For headers made of `key=value` pairs separated by commas (Stripe's `t=…,v1=…`): the key of the signature.
   * Every pair with this key is tried.
   *
   * @default - the header is the digest itself
   */
  readonly signatureKey?: string;

  /**
   * What is signed. `TIMESTAMP_DOT_BODY` needs `timestampHeader` or `timestampKey`.
   *
   * @default SignedPayload.BODY
   */
  readonly signedPayload?: SignedPayload;

  /**
   * Header holding the signed timestamp (Unix seconds).
   *
   * @default - none
   */
  readonly timestampHeader?: string;

  /**
   * Key of the signature header holding the signed timestamp (Unix seconds); needs `signatureKey`.
   *
   * @default - none
   */
  readonly timestampKey?: string;
}

/** The JSON form of a scheme (`customVendors[].auth` in `callhooks.config.json`). */
type AuthJson = { readonly scheme: string } & Readonly<Record<string, unknown>>;

/** Kept beside each instance rather than on it, so that no implementation type reaches the declarations. */
const AUTH_JSON = new WeakMap<CustomVendorAuth, AuthJson>();

/** The JSON form (`callhooks.config.json`'s `auth`) of a scheme made by a factory. Not part of the package's API. */
export function authJsonOf(auth: CustomVendorAuth): AuthJson {
  const json = AUTH_JSON.get(auth);
  if (!json) throw new Error('Callhooks: a custom vendor\'s auth must be made with a CustomVendorAuth factory (e.g. CustomVendorAuth.hmac)');
  return json;
}

/** How a custom vendor proves that a delivery is its own. */
export class CustomVendorAuth {
  /** Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`, a `whsec_` secret. */
  public static standardWebhooks(options: StandardWebhooksOptions = {}): CustomVendorAuth {
    return new CustomVendorAuth({ scheme: 'standard-webhooks', ...options });
  }

  /** A static token (in a header, a JSON body field or Basic auth), compared in constant time. */
  public static staticToken(options: StaticTokenOptions): CustomVendorAuth {
    return new CustomVendorAuth({ scheme: 'static-token', ...options });
  }

  /** HMAC-SHA256 of the body or of `<timestamp>.<body>` (for the templates and hashes of other vendors: `hmac`). */
  public static hmacSha256(options: HmacSha256Options): CustomVendorAuth {
    return new CustomVendorAuth({ scheme: 'hmac-sha256', ...options });
  }

  /** An HMAC over a template of the body, the signed timestamp, an id, header values, the method or the URL. */
  public static hmac(options: HmacOptions): CustomVendorAuth {
    return new CustomVendorAuth({ scheme: 'hmac', ...options });
  }

  /** An Ed25519 signature over the signed timestamp and the body; the secret holds the vendor's public key. */
  public static publicKey(options: PublicKeyOptions): CustomVendorAuth {
    return new CustomVendorAuth({ scheme: 'public-key', ...options });
  }

  /** An HMAC of the URL as called and the sorted form fields (Twilio's or Plivo's form). */
  public static urlSigning(options: UrlSigningOptions): CustomVendorAuth {
    return new CustomVendorAuth({ scheme: 'url-signing', ...options });
  }

  /** An HS256 JWT carrying a hash of the body, or a body that is the JWT. */
  public static jwt(options: JwtOptions = {}): CustomVendorAuth {
    return new CustomVendorAuth({ scheme: 'jwt', ...options });
  }

  /** Sinch's signed canonical request. */
  public static canonicalRequest(options: CanonicalRequestOptions = {}): CustomVendorAuth {
    return new CustomVendorAuth({ scheme: 'canonical-request', ...options });
  }

  /** @internal (`callhooks.config.json`'s `auth` object, validated where it is used) */
  public static _fromJson(json: { readonly scheme: string }): CustomVendorAuth {
    return new CustomVendorAuth(json);
  }

  /** The scheme's name, as in `callhooks.config.json` (`standard-webhooks`, `static-token`, `hmac-sha256`). */
  public readonly scheme: string;

  private constructor(json: AuthJson) {
    this.scheme = json.scheme;
    AUTH_JSON.set(this, json);
  }
}

/**
 * Where a custom vendor's values are: a JSON pointer into the body (`/data/call_id`), `header:<name>`, or
 * `claim:<name>` (a claim of the verified token; the JWT scheme only). Only signed bytes may decide the dedup key
 * and the type: `eventId` and `eventType` may read a header only when the scheme signs it
 * (`webhook-id`/`webhook-timestamp` with Standard Webhooks, an HMAC's `timestampHeader` over
 * `<timestamp>.<body>`; any header with a static token), and the body only when the scheme signs it (a JWT without
 * a body hash does not: its claims decide, e.g. `claim:jti`).
 */
export interface CustomVendorFields {
  /** Where the vendor event type is. */
  readonly eventType: string;

  /**
   * Where the dedup key is.
   *
   * @default - `webhook-id` for Standard Webhooks, else a SHA-256 of the raw body
   */
  readonly eventId?: string;

  /**
   * Where the vendor's call id is.
   *
   * @default - none: `callId` is null
   */
  readonly callId?: string;

  /**
   * Where the vendor's time of the event is (ISO 8601 or Unix seconds).
   *
   * @default - the time the delivery was received
   */
  readonly occurredAt?: string;

  /**
   * Where the vendor's account (organization) id is.
   *
   * @default - none
   */
  readonly accountId?: string;

  /**
   * A pointer to a boolean that marks test traffic.
   *
   * @default - no delivery is test traffic
   */
  readonly test?: string;
}

/** The options an endpoint of a custom vendor may set for itself. */
export interface CustomVendorEndpointOptions extends EndpointOptions {
  /**
   * The URL the vendor calls for this endpoint, when it differs from the one requests arrive at.
   *
   * @default - the vendor's `publicUrl`
   */
  readonly publicUrl?: string;

  /**
   * The field of this endpoint's JSON secret that holds the credential.
   *
   * @default - the vendor's `secretField`
   */
  readonly secretField?: string;
}

/** A platform that is not built in, described by configuration alone. Its whole payload is kept in `detail.fields`. */
export interface CustomVendor {
  /** Route segment and `source` suffix: lower case letters, digits and dashes (at most 40), not a built-in vendor's name. */
  readonly name: string;

  /** How the vendor proves a delivery is its own. */
  readonly auth: CustomVendorAuth;

  /** Where each value is found. */
  readonly fields: CustomVendorFields;

  /**
   * Methods it uses.
   *
   * @default [HttpMethod.POST]
   */
  readonly methods?: HttpMethod[];

  /**
   * Accepted clock skew when a timestamp is signed, in seconds (1 to 3600).
   *
   * @default 300
   */
  readonly toleranceSeconds?: number;

  /**
   * The URL the vendor calls (scheme, host and path), when it differs from the one requests arrive at: a custom
   * domain or a proxy in front of the API. URL-signing vendors sign it; the query is always the request's.
   *
   * @default - the URL the request arrived at
   */
  readonly publicUrl?: string;

  /**
   * The field of a JSON secret that holds the credential (a secret other tools read too, e.g.
   * `{"apiKey": …, "webhookSecret": …}`); it may hold `{"current", "previous"}`.
   *
   * @default - the whole secret
   */
  readonly secretField?: string;

  /**
   * The vendor accounts to receive, each with its own route `/webhooks/<name>/<endpoint>` and secret. List
   * `default` too to keep the plain route.
   *
   * @default - one endpoint, `default`, at the plain route `/webhooks/<name>`
   */
  readonly endpoints?: string[];

  /**
   * Options of some of the `endpoints`, by endpoint name. Every key must be listed in `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: CustomVendorEndpointOptions };

  /**
   * Vendor event type → normalized type; any other event type is published as `vendor.other`.
   *
   * @default - every event is `vendor.other`
   */
  readonly typeMap?: { [vendorEventType: string]: CallEventType };
}
