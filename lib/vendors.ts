/**
 * The built-in vendors' options, one struct per vendor, and {@link BuiltInVendors}, the struct with one
 * optional field per built-in vendor. They mirror `callhooks.config.json`'s `vendors` (whose zod schema in
 * `lambda/vendors/` stays the one definition of the rules: the construct turns these structs into that JSON
 * and validates it, and `lib/private/agreement.ts` fails the build when a struct and its schema disagree).
 *
 * Adding a vendor (`npm run new-vendor`, README › Adding a vendor) adds its `<Vendor>Options` struct here
 * (extending {@link VendorOptionsBase}; with an endpoint options struct when the vendor has options an endpoint
 * may override) and its field in {@link BuiltInVendors}: the vendor's name in camelCase (`zzExample` for
 * `zz-example`). `lib/private/agreement.ts` checks every registry vendor against these without a line of its own.
 */

import type { HmacAlgorithm, SignatureEncoding } from './custom-vendor';

/** The options one endpoint of a vendor may set for itself (`endpointOptions`), overriding the vendor's. */
export interface EndpointOptions {
  /**
   * Accepted clock skew at this endpoint, for vendors that sign a timestamp: 1 to 3600 seconds.
   *
   * @default - the vendor's `toleranceSeconds`
   */
  readonly toleranceSeconds?: number;
}

/** The options every built-in vendor takes. */
export interface VendorOptionsBase {
  /**
   * Whether the vendor gets a route, a function and a secret. `false` turns off a vendor that is listed.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Accepted clock skew for vendors that sign a timestamp, in seconds (1 to 3600). A vendor that signs no
   * timestamp ignores it.
   *
   * @default 300
   */
  readonly toleranceSeconds?: number;

  /**
   * The vendor accounts (workspaces, organizations, tenants, assistants) to receive, each with its own route
   * `/webhooks/<vendor>/<endpoint>` and its own secret (`secrets['<vendor>/<endpoint>']`). Names: 1 to 32 of
   * `a-z`, `0-9` and `-`. List `default` too to keep the plain route `/webhooks/<vendor>`.
   *
   * @default - one endpoint, `default`, at the plain route `/webhooks/<vendor>`
   */
  readonly endpoints?: string[];
}

/** Quarterzip (Standard Webhooks): `toleranceSeconds` bounds the signed `webhook-timestamp`. */
export interface QuarterzipOptions extends VendorOptionsBase {
  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: EndpointOptions };
}

/** The options a QCall endpoint may set for itself: how its token is sent. */
export interface QCallEndpointOptions extends EndpointOptions {
  /**
   * Header that carries the token (any case).
   *
   * @default - the vendor's `tokenHeader`
   */
  readonly tokenHeader?: string;

  /**
   * Text before the token in that header, compared exactly.
   *
   * @default - the vendor's `tokenPrefix`
   */
  readonly tokenPrefix?: string;
}

/** QCall (a static token in a header). QCall signs no timestamp, so `toleranceSeconds` has no effect. */
export interface QCallOptions extends VendorOptionsBase {
  /**
   * Header that carries the token (any case).
   *
   * @default 'authorization'
   */
  readonly tokenHeader?: string;

  /**
   * Text before the token in that header, compared exactly.
   *
   * @default 'Bearer '
   */
  readonly tokenPrefix?: string;

  /**
   * Body fields whose values identify one call (e.g. `['order_id', 'phone_number', 'call_date']`).
   *
   * @default - a canonical SHA-256 of every delivered field
   */
  readonly dedupFields?: string[];

  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: QCallEndpointOptions };
}

/** KoeIQ (HMAC-SHA256 of the body). KoeIQ signs no timestamp, so `toleranceSeconds` has no effect. */
export interface KoeiqOptions extends VendorOptionsBase {
  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: EndpointOptions };
}

/** Atoms (HMAC-SHA256 of the body). Atoms signs no timestamp, so `toleranceSeconds` has no effect. */
export interface AtomsOptions extends VendorOptionsBase {
  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: EndpointOptions };
}

/** Converc (HMAC-SHA256 of `t.body`): `toleranceSeconds` bounds the signed `t`. */
export interface ConvercOptions extends VendorOptionsBase {
  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: EndpointOptions };
}

/** OpenAI (Standard Webhooks, a `whsec_` secret): `toleranceSeconds` bounds the signed `webhook-timestamp`. */
export interface OpenaiOptions extends VendorOptionsBase {
  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: EndpointOptions };
}

/** Bland AI (HMAC-SHA256 of the body). Bland signs no timestamp, so `toleranceSeconds` has no effect. */
export interface BlandOptions extends VendorOptionsBase {
  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: EndpointOptions };
}

/** Ultravox (HMAC-SHA256 of the body and the ISO 8601 timestamp header): `toleranceSeconds` bounds the signed timestamp. */
export interface UltravoxOptions extends VendorOptionsBase {
  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: EndpointOptions };
}

/** The options a LiveKit endpoint may set for itself. */
export interface LivekitEndpointOptions extends EndpointOptions {
  /**
   * The API key this endpoint's tokens are signed with (`iss`).
   *
   * @default - the vendor's `apiKey`
   */
  readonly apiKey?: string;
}

/**
 * LiveKit (an HS256 JWT in `Authorization` with the SHA-256 of the body). The token's `exp` is checked with 10 s
 * of leeway; `toleranceSeconds` has no effect.
 */
export interface LivekitOptions extends VendorOptionsBase {
  /**
   * The API key LiveKit signs webhooks with (`iss` of every token must equal it), when the secret holds the API
   * secret alone.
   *
   * @default - the secret holds `{"key", "secret"}` and its key pins `iss`, or, holding the API secret alone, any
   * `iss` is accepted
   */
  readonly apiKey?: string;

  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: LivekitEndpointOptions };
}

/** Which HMAC Twilio's `X-Twilio-Signature` is checked with. */
export enum TwilioSignatureAlgorithm {
  /**
   * As `X-Twilio-Webhooks-Signature-Settings` says: HMAC-SHA256 when it names `HMAC_SHA256` (a Webhook Rule's
   * SharedKey), HMAC-SHA1 (the Auth Token) without it; what twilio-node's `webhook()` does.
   */
  AUTO = 'auto',
  /** HMAC-SHA1 only (the Auth Token): a delivery whose settings header names SHA-256 is refused. */
  SHA1 = 'sha1',
  /** HMAC-SHA256 only (a Webhook Rule's SharedKey), with or without the settings header. */
  SHA256 = 'sha256',
}

/** The options a Twilio endpoint may set for itself. */
export interface TwilioEndpointOptions extends EndpointOptions {
  /**
   * The URL Twilio calls for this endpoint (scheme, host and path), when a custom domain, CloudFront or another
   * proxy stands in front of the API: Twilio signs the URL it called.
   *
   * @default - the vendor's `publicUrl`
   */
  readonly publicUrl?: string;

  /**
   * Which HMAC this endpoint's signatures are checked with.
   *
   * @default - the vendor's `signatureAlgorithm`
   */
  readonly signatureAlgorithm?: TwilioSignatureAlgorithm;
}

/**
 * Twilio Voice status, recording and transcription callbacks (`X-Twilio-Signature`: HMAC-SHA1 of the URL Twilio
 * called and the sorted form fields, keyed with the Auth Token; HMAC-SHA256 with a Webhook Rule's SharedKey).
 * Twilio signs no timestamp, so `toleranceSeconds` has no effect.
 */
export interface TwilioOptions extends VendorOptionsBase {
  /**
   * The URL Twilio calls (scheme, host and path, no query), when it differs from the one requests arrive at: a
   * custom domain, CloudFront or another proxy in front of the API. Without it every signature fails behind a
   * proxy. The query a request carries is used as it arrives.
   *
   * @default - the URL the request arrived at
   */
  readonly publicUrl?: string;

  /**
   * Which HMAC signatures are checked with.
   *
   * @default TwilioSignatureAlgorithm.AUTO
   */
  readonly signatureAlgorithm?: TwilioSignatureAlgorithm;

  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: TwilioEndpointOptions };
}

/** How Vapi authenticates its server URL (the credential set on the assistant or the phone number). */
export enum VapiAuth {
  /** The server secret in `X-Vapi-Secret`. */
  SECRET_HEADER = 'secret-header',
  /** A Bearer credential: `Authorization: Bearer <token>` (see `bearerHeader`, `bearerPrefix`). */
  BEARER = 'bearer',
  /** An HMAC credential (see `hmac`). */
  HMAC = 'hmac',
}

/** How a Vapi HMAC credential writes its timestamp. */
export enum VapiTimestampUnit {
  /** Seconds or milliseconds (13 digits or more): Vapi does not document which. */
  AUTO = 'auto',
  /** Unix seconds. */
  SECONDS = 's',
  /** Unix milliseconds. */
  MILLISECONDS = 'ms',
}

/** The fields of a Vapi HMAC credential (its `HmacAuthenticationPlan`), as configured in Vapi. */
export interface VapiHmacOptions {
  /**
   * The hash.
   *
   * @default HmacAlgorithm.SHA256
   */
  readonly algorithm?: HmacAlgorithm;

  /**
   * The header holding the signature.
   *
   * @default 'x-signature'
   */
  readonly signatureHeader?: string;

  /**
   * The header holding the timestamp.
   *
   * @default 'x-timestamp'
   */
  readonly timestampHeader?: string;

  /**
   * Text before the digest (e.g. `sha256=`).
   *
   * @default - none
   */
  readonly signaturePrefix?: string;

  /**
   * What is signed: a template of `{body}` and any of `{timestamp}`, `{method}`, `{url}`.
   *
   * @default - '{timestamp}.{body}', or '{body}' when `includeTimestamp` is false
   */
  readonly payloadFormat?: string;

  /**
   * Whether a timestamp is signed (and checked against `toleranceSeconds`).
   *
   * @default true
   */
  readonly includeTimestamp?: boolean;

  /**
   * How the digest is written.
   *
   * @default SignatureEncoding.HEX
   */
  readonly signatureEncoding?: SignatureEncoding;

  /**
   * Whether the secret is base64 of the key bytes.
   *
   * @default false
   */
  readonly secretIsBase64?: boolean;

  /**
   * How the timestamp is written.
   *
   * @default VapiTimestampUnit.AUTO
   */
  readonly timestampUnit?: VapiTimestampUnit;
}

/** The options a Vapi endpoint (an assistant, a phone number) may set for itself. */
export interface VapiEndpointOptions extends EndpointOptions {
  /**
   * How this endpoint is authenticated.
   *
   * @default - the vendor's `auth`
   */
  readonly auth?: VapiAuth;

  /**
   * With `VapiAuth.BEARER`: the header holding the token.
   *
   * @default - the vendor's `bearerHeader`
   */
  readonly bearerHeader?: string;

  /**
   * With `VapiAuth.BEARER`: whether the token follows `Bearer `.
   *
   * @default - the vendor's `bearerPrefix`
   */
  readonly bearerPrefix?: boolean;

  /**
   * With `VapiAuth.HMAC`: the HMAC credential's fields.
   *
   * @default - the vendor's `hmac`
   */
  readonly hmac?: VapiHmacOptions;
}

/**
 * Vapi server messages. `toleranceSeconds` bounds the signed timestamp of an HMAC credential; the other
 * credentials sign none. Messages that need an answer (`assistant-request`, `tool-calls`,
 * `transfer-destination-request`) are answered 422, nothing stored.
 */
export interface VapiOptions extends VendorOptionsBase {
  /**
   * How the server URL is authenticated.
   *
   * @default VapiAuth.SECRET_HEADER
   */
  readonly auth?: VapiAuth;

  /**
   * With `VapiAuth.BEARER`: the header holding the token (the credential's `headerName`).
   *
   * @default 'authorization'
   */
  readonly bearerHeader?: string;

  /**
   * With `VapiAuth.BEARER`: whether the token follows `Bearer ` (the credential's `bearerPrefixEnabled`).
   *
   * @default true
   */
  readonly bearerPrefix?: boolean;

  /**
   * With `VapiAuth.HMAC`: the HMAC credential's fields, as configured in Vapi.
   *
   * @default - Vapi's defaults (see `VapiHmacOptions`)
   */
  readonly hmac?: VapiHmacOptions;

  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: VapiEndpointOptions };
}

/**
 * Retell AI (`x-retell-signature: v=<ms>,d=<hex HMAC-SHA256 of body + v>`, keyed with the API key that has the
 * webhook badge): `toleranceSeconds` bounds the signed `v`.
 */
export interface RetellOptions extends VendorOptionsBase {
  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: EndpointOptions };
}

/**
 * ElevenLabs post-call webhooks (`ElevenLabs-Signature: t=<s>,v0=<hex HMAC-SHA256 of t.body>`):
 * `toleranceSeconds` bounds how old the signed `t` may be, and **defaults to 1800 here** (what ElevenLabs' SDK
 * accepts), not 300; a `t` more than 300 s ahead is refused.
 */
export interface ElevenlabsOptions extends VendorOptionsBase {
  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: EndpointOptions };
}

/**
 * Telnyx Call Control (Ed25519 over `telnyx-timestamp|body`, verified with the account's public key):
 * `toleranceSeconds` bounds the signed `telnyx-timestamp`.
 */
export interface TelnyxOptions extends VendorOptionsBase {
  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: EndpointOptions };
}

/**
 * Vonage Voice API callbacks (`Authorization: Bearer <HS256 JWT>` keyed with the account's signature secret, its
 * `payload_hash` the hex SHA-256 of the body): `toleranceSeconds` bounds the token's `iat`. The `answer_url`
 * request and an input action's result expect an NCCO in the answer: they are answered 422, nothing stored.
 */
export interface VonageOptions extends VendorOptionsBase {
  /**
   * Options of some of the `endpoints`, by endpoint name, overriding the vendor's. Every key must be listed in
   * `endpoints`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: EndpointOptions };
}

/**
 * The built-in vendors to receive, each with its options (`{}` for the defaults). A vendor left out is off, so
 * a vendor added in a later release of callhooks never appears in an existing deployment by itself.
 */
export interface BuiltInVendors {
  /**
   * Quarterzip.
   *
   * @default - off
   */
  readonly quarterzip?: QuarterzipOptions;

  /**
   * QCall.
   *
   * @default - off
   */
  readonly qcall?: QCallOptions;

  /**
   * KoeIQ.
   *
   * @default - off
   */
  readonly koeiq?: KoeiqOptions;

  /**
   * Atoms.
   *
   * @default - off
   */
  readonly atoms?: AtomsOptions;

  /**
   * Converc.
   *
   * @default - off
   */
  readonly converc?: ConvercOptions;

  /**
   * OpenAI.
   *
   * @default - off
   */
  readonly openai?: OpenaiOptions;

  /**
   * Bland AI.
   *
   * @default - off
   */
  readonly bland?: BlandOptions;

  /**
   * Ultravox.
   *
   * @default - off
   */
  readonly ultravox?: UltravoxOptions;

  /**
   * LiveKit.
   *
   * @default - off
   */
  readonly livekit?: LivekitOptions;
  /**
   * Twilio.
   *
   * @default - off
   */
  readonly twilio?: TwilioOptions;

  /**
   * Vapi.
   *
   * @default - off
   */
  readonly vapi?: VapiOptions;

  /**
   * Retell AI.
   *
   * @default - off
   */
  readonly retell?: RetellOptions;

  /**
   * ElevenLabs.
   *
   * @default - off
   */
  readonly elevenlabs?: ElevenlabsOptions;

  /**
   * Telnyx.
   *
   * @default - off
   */
  readonly telnyx?: TelnyxOptions;

  /**
   * Vonage.
   *
   * @default - off
   */
  readonly vonage?: VonageOptions;
}
