/**
 * The built-in vendors' options, one struct per vendor, and {@link BuiltInVendors}, the struct with one
 * optional field per built-in vendor. They mirror `callhooks.config.json`'s `vendors` (whose zod schema in
 * `lambda/vendors/` stays the one definition of the rules: the construct turns these structs into that JSON
 * and validates it, and `lib/private/agreement.ts` fails the build when a struct and its schema disagree).
 *
 * Adding a vendor's options: a `<Vendor>Options` struct here (extending {@link VendorOptionsBase}, with an
 * endpoint options struct when the vendor has options an endpoint may override), its field in
 * {@link BuiltInVendors}, and its line in `lib/private/agreement.ts`.
 */

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
}
