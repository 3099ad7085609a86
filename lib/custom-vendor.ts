/**
 * A custom vendor: a platform that is not built in, described by its proof of origin ({@link CustomVendorAuth})
 * and where its event type, id, call id and time are ({@link CustomVendorFields}). The same description as an
 * entry of `callhooks.config.json`'s `customVendors`, validated by the same rules (its zod schema in
 * `lambda/vendors/custom.ts`).
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

/** How a custom vendor sends a static token. */
export interface StaticTokenOptions {
  /** Header holding the token (any case). */
  readonly header: string;

  /**
   * Text before the token, e.g. `Bearer `.
   *
   * @default ''
   */
  readonly prefix?: string;
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
  if (!json) throw new Error('Callhooks: a custom vendor\'s auth must be made with a CustomVendorAuth factory (e.g. CustomVendorAuth.hmacSha256)');
  return json;
}

/** How a custom vendor proves that a delivery is its own. */
export class CustomVendorAuth {
  /** Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`, a `whsec_` secret. */
  public static standardWebhooks(): CustomVendorAuth {
    return new CustomVendorAuth({ scheme: 'standard-webhooks' });
  }

  /** A static token in a header, compared in constant time. */
  public static staticToken(options: StaticTokenOptions): CustomVendorAuth {
    return new CustomVendorAuth({ scheme: 'static-token', ...options });
  }

  /** HMAC-SHA256 of the body or of `<timestamp>.<body>`. */
  public static hmacSha256(options: HmacSha256Options): CustomVendorAuth {
    return new CustomVendorAuth({ scheme: 'hmac-sha256', ...options });
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
 * Where a custom vendor's values are: a JSON pointer into the body (`/data/call_id`) or `header:<name>`. Only
 * signed bytes may decide the dedup key and the type: `eventId` and `eventType` may read a header only when the
 * scheme signs it (`webhook-id`/`webhook-timestamp` with Standard Webhooks, an HMAC's `timestampHeader` over
 * `<timestamp>.<body>`; any header with a static token).
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
  readonly endpointOptions?: { [endpoint: string]: EndpointOptions };

  /**
   * Vendor event type → normalized type; any other event type is published as `vendor.other`.
   *
   * @default - every event is `vendor.other`
   */
  readonly typeMap?: { [vendorEventType: string]: CallEventType };
}
