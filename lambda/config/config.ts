/**
 * The one configuration that the CDK app, the construct and the local mode all read.
 *
 * It holds no secret: vendor secrets live in Secrets Manager (cloud) or in `CALLHOOKS_SECRET_<VENDOR>`
 * environment variables (local mode). Everything here may appear in a template or an environment variable.
 */
import { NORMALIZED_TYPES, NormalizedType } from '../core/event';
import { CallhooksError } from '../core/errors';

export const BUILT_IN_VENDORS = ['quarterzip', 'qcall', 'koeiq', 'atoms', 'converc'] as const;
export type BuiltInVendor = (typeof BUILT_IN_VENDORS)[number];

/** Options of the QCall adapter (QCall authenticates with a static header the customer configures). */
export interface QCallOptions {
  /** Header that carries the token. @default "authorization" */
  readonly tokenHeader?: string;
  /** Text before the token in that header, compared exactly. @default "Bearer " */
  readonly tokenPrefix?: string;
  /**
   * Body fields whose values identify one call (e.g. `["order_id", "phone_number", "call_date"]`).
   * @default - a canonical SHA-256 of every delivered field
   */
  readonly dedupFields?: readonly string[];
}

/** Options that every vendor accepts. */
export interface CommonVendorOptions {
  /** Whether the vendor gets a route, a function and a secret. @default true */
  readonly enabled?: boolean;
  /** Accepted clock skew for vendors that sign a timestamp, in seconds. @default 300 */
  readonly toleranceSeconds?: number;
}

export type BuiltInVendorOptions = CommonVendorOptions & QCallOptions;

/** How a custom vendor proves a delivery is its own. */
export type CustomAuth =
  | {
      /** Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`, `whsec_` secrets). */
      readonly scheme: 'standard-webhooks';
    }
  | {
      /** A static token in a header, compared in constant time. */
      readonly scheme: 'static-token';
      readonly header: string;
      /** Text before the token, e.g. `"Bearer "`. @default "" */
      readonly prefix?: string;
    }
  | {
      /** HMAC-SHA256 with the secret as UTF-8 key. */
      readonly scheme: 'hmac-sha256';
      /** Header holding the signature. */
      readonly header: string;
      /** How the digest is written. @default "hex" */
      readonly encoding?: 'hex' | 'base64';
      /** Text before the digest (e.g. `"sha256="`); optional on the wire when set. @default "" */
      readonly prefix?: string;
      /**
       * For headers made of `key=value` pairs separated by commas (Stripe's `t=…,v1=…`): the key of the
       * signature. Every pair with this key is tried. @default - the header is the digest itself
       */
      readonly signatureKey?: string;
      /** What is signed: the raw body, or `${timestamp}.${raw body}`. @default "body" */
      readonly signedPayload?: 'body' | 'timestamp.body';
      /** Where the timestamp (Unix seconds) comes from, when one is signed: a header, or a key of the signature header. */
      readonly timestampHeader?: string;
      readonly timestampKey?: string;
    };

/** A platform that is not built in, described by configuration alone. */
export interface CustomVendorConfig {
  /** Route segment and `source` suffix: lower case letters, digits and dashes. */
  readonly name: string;
  readonly auth: CustomAuth;
  /** Methods it uses. @default ["POST"] */
  readonly methods?: readonly string[];
  /** Accepted clock skew when a timestamp is signed, in seconds. @default 300 */
  readonly toleranceSeconds?: number;
  /**
   * Where each value is found: a JSON pointer into the body (`/data/call_id`) or `header:<name>`.
   * `eventType` is required; `eventId` is the dedup key (@default - a SHA-256 of the raw body).
   */
  readonly fields: {
    readonly eventType: string;
    readonly eventId?: string;
    readonly callId?: string;
    readonly occurredAt?: string;
    readonly accountId?: string;
    /** Pointer to a boolean that marks test traffic. */
    readonly test?: string;
  };
  /** Vendor event type → normalized type; anything else is published as `vendor.other`. @default {} */
  readonly typeMap?: Readonly<Record<string, NormalizedType>>;
}

/** The configuration file (`callhooks.config.json`). */
export interface CallhooksConfig {
  /**
   * Built-in vendors to enable, each `true`/`false` or its options. When this key is present, a built-in
   * vendor it does not name is off (so a vendor added in a later release never appears unasked in an
   * existing deployment); without it, every built-in vendor is on with default options.
   * @default - all built-in vendors, default options
   */
  readonly vendors?: Partial<Record<BuiltInVendor, boolean | BuiltInVendorOptions>>;
  /** Vendors described by configuration. @default [] */
  readonly customVendors?: readonly CustomVendorConfig[];
  /** Largest accepted request body in bytes; larger answers 413. @default 2097152 (2 MiB) */
  readonly maxBodyBytes?: number;
  /** Largest event put on the bus in bytes; larger events move their bulk to the payload store. @default 262144 */
  readonly maxEventBytes?: number;
  /** Days a dedup record (and so replay protection) is kept. @default 30 */
  readonly retentionDays?: number;
}

/** What one function (or the local mode, per vendor) needs to know about its vendor. */
export type VendorRuntimeConfig =
  | { readonly kind: 'builtin'; readonly name: BuiltInVendor; readonly options: BuiltInVendorOptions }
  | { readonly kind: 'custom'; readonly name: string; readonly definition: CustomVendorConfig };

export interface ResolvedConfig {
  readonly vendors: readonly VendorRuntimeConfig[];
  readonly maxBodyBytes: number;
  readonly maxEventBytes: number;
  readonly retentionDays: number;
}

export const DEFAULTS = {
  maxBodyBytes: 2 * 1024 * 1024,
  maxEventBytes: 256 * 1024,
  retentionDays: 30,
  toleranceSeconds: 300,
} as const;

/** Largest entry EventBridge accepts (PutEvents, since January 2026). */
export const EVENTBRIDGE_MAX_ENTRY_BYTES = 1024 * 1024;
/** Largest body a synchronous Lambda invocation can carry once API Gateway base64-encodes it. */
export const MAX_BODY_LIMIT = 4 * 1024 * 1024;

/** A configuration (`callhooks.config.json`, the construct's `config`) that cannot be used; the message names the field. */
export class ConfigError extends CallhooksError {}

const NAME_RE = /^[a-z][a-z0-9-]{0,39}$/;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkInt(path: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`${path} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function checkString(path: string, v: unknown, required: boolean): string | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.length === 0) {
    throw new ConfigError(`${path} must be a non-empty string, got ${JSON.stringify(v)}`);
  }
  return v;
}

function checkPointer(path: string, v: unknown, required: boolean): void {
  const s = checkString(path, v, required);
  if (s === undefined) return;
  if (!(s.startsWith('/') || s.startsWith('header:')) || s === 'header:') {
    throw new ConfigError(`${path} must be a JSON pointer ("/a/b") or "header:<name>", got ${JSON.stringify(s)}`);
  }
}

function checkHeaderName(path: string, v: unknown): void {
  const s = checkString(path, v, true)!;
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(s)) {
    throw new ConfigError(`${path} must be an HTTP header name, got ${JSON.stringify(s)}`);
  }
}

function validateBuiltIn(name: BuiltInVendor, raw: unknown, listed: boolean): BuiltInVendorOptions | undefined {
  const path = `vendors.${name}`;
  // A config that lists vendors enables only those it names: a built-in vendor added in a later release
  // must not appear in an existing deployment with a new route, function and secret.
  if (raw === undefined) return listed ? undefined : {};
  if (raw === true) return {};
  if (raw === false) return undefined;
  if (!isObject(raw)) throw new ConfigError(`${path} must be true, false or an object, got ${JSON.stringify(raw)}`);
  const allowed = name === 'qcall'
    ? ['enabled', 'toleranceSeconds', 'tokenHeader', 'tokenPrefix', 'dedupFields']
    : ['enabled', 'toleranceSeconds'];
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) throw new ConfigError(`${path}.${key} is not an option of ${name} (options: ${allowed.join(', ')})`);
  }
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean') {
    throw new ConfigError(`${path}.enabled must be a boolean, got ${JSON.stringify(raw.enabled)}`);
  }
  checkInt(`${path}.toleranceSeconds`, raw.toleranceSeconds, 1, 3600);
  if (raw.tokenHeader !== undefined) checkHeaderName(`${path}.tokenHeader`, raw.tokenHeader);
  if (raw.tokenPrefix !== undefined && typeof raw.tokenPrefix !== 'string') {
    throw new ConfigError(`${path}.tokenPrefix must be a string, got ${JSON.stringify(raw.tokenPrefix)}`);
  }
  if (raw.dedupFields !== undefined) {
    if (!Array.isArray(raw.dedupFields) || raw.dedupFields.length === 0 || raw.dedupFields.some((f) => typeof f !== 'string' || f === '')) {
      throw new ConfigError(`${path}.dedupFields must be a non-empty array of field names, got ${JSON.stringify(raw.dedupFields)}`);
    }
  }
  if (raw.enabled === false) return undefined;
  return raw as BuiltInVendorOptions;
}

function validateCustom(raw: unknown, index: number): CustomVendorConfig {
  const path = `customVendors[${index}]`;
  if (!isObject(raw)) throw new ConfigError(`${path} must be an object`);
  const name = checkString(`${path}.name`, raw.name, true)!;
  if (!NAME_RE.test(name)) {
    throw new ConfigError(`${path}.name must be lower case letters, digits and dashes (at most 40), got ${JSON.stringify(name)}`);
  }
  if ((BUILT_IN_VENDORS as readonly string[]).includes(name)) {
    throw new ConfigError(`${path}.name "${name}" is a built-in vendor: configure it under vendors.${name}`);
  }
  const auth = raw.auth;
  if (!isObject(auth)) throw new ConfigError(`${path}.auth must be an object`);
  switch (auth.scheme) {
    case 'standard-webhooks':
      break;
    case 'static-token':
      checkHeaderName(`${path}.auth.header`, auth.header);
      if (auth.prefix !== undefined && typeof auth.prefix !== 'string') throw new ConfigError(`${path}.auth.prefix must be a string`);
      break;
    case 'hmac-sha256': {
      checkHeaderName(`${path}.auth.header`, auth.header);
      if (auth.encoding !== undefined && auth.encoding !== 'hex' && auth.encoding !== 'base64') {
        throw new ConfigError(`${path}.auth.encoding must be "hex" or "base64", got ${JSON.stringify(auth.encoding)}`);
      }
      if (auth.prefix !== undefined && typeof auth.prefix !== 'string') throw new ConfigError(`${path}.auth.prefix must be a string`);
      if (auth.signatureKey !== undefined) checkString(`${path}.auth.signatureKey`, auth.signatureKey, true);
      const signed = auth.signedPayload ?? 'body';
      if (signed !== 'body' && signed !== 'timestamp.body') {
        throw new ConfigError(`${path}.auth.signedPayload must be "body" or "timestamp.body", got ${JSON.stringify(signed)}`);
      }
      if (auth.timestampHeader !== undefined) checkHeaderName(`${path}.auth.timestampHeader`, auth.timestampHeader);
      if (auth.timestampKey !== undefined) checkString(`${path}.auth.timestampKey`, auth.timestampKey, true);
      if (signed === 'timestamp.body' && auth.timestampHeader === undefined && auth.timestampKey === undefined) {
        throw new ConfigError(`${path}.auth: signedPayload "timestamp.body" needs timestampHeader or timestampKey`);
      }
      if (auth.timestampKey !== undefined && auth.signatureKey === undefined) {
        throw new ConfigError(`${path}.auth.timestampKey needs signatureKey (the header must be key=value pairs)`);
      }
      break;
    }
    default:
      throw new ConfigError(
        `${path}.auth.scheme must be "standard-webhooks", "static-token" or "hmac-sha256", got ${JSON.stringify(auth.scheme)}`,
      );
  }
  if (raw.methods !== undefined) {
    if (!Array.isArray(raw.methods) || raw.methods.length === 0 || raw.methods.some((m) => !METHODS.includes(String(m)))) {
      throw new ConfigError(`${path}.methods must be a non-empty array of ${METHODS.join(', ')}, got ${JSON.stringify(raw.methods)}`);
    }
  }
  checkInt(`${path}.toleranceSeconds`, raw.toleranceSeconds, 1, 3600);
  const fields = raw.fields;
  if (!isObject(fields)) throw new ConfigError(`${path}.fields must be an object with at least eventType`);
  checkPointer(`${path}.fields.eventType`, fields.eventType, true);
  for (const key of ['eventId', 'callId', 'occurredAt', 'accountId', 'test']) {
    checkPointer(`${path}.fields.${key}`, fields[key], false);
  }
  if (raw.typeMap !== undefined) {
    if (!isObject(raw.typeMap)) throw new ConfigError(`${path}.typeMap must be an object`);
    for (const [k, v] of Object.entries(raw.typeMap)) {
      if (!(NORMALIZED_TYPES as readonly string[]).includes(String(v))) {
        throw new ConfigError(`${path}.typeMap["${k}"] must be one of ${NORMALIZED_TYPES.join(', ')}, got ${JSON.stringify(v)}`);
      }
    }
  }
  return raw as unknown as CustomVendorConfig;
}

/** Validates a configuration and fills in its defaults. Throws a ConfigError naming the bad field. */
export function resolveConfig(raw: unknown = {}): ResolvedConfig {
  if (!isObject(raw)) throw new ConfigError('the configuration must be a JSON object');
  const known = ['vendors', 'customVendors', 'maxBodyBytes', 'maxEventBytes', 'retentionDays', '$schema', '//'];
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) throw new ConfigError(`${key} is not a configuration option (options: ${known.slice(0, 5).join(', ')})`);
  }
  const listed = raw.vendors !== undefined;
  const vendorsRaw = raw.vendors ?? {};
  if (!isObject(vendorsRaw)) throw new ConfigError('vendors must be an object');
  for (const key of Object.keys(vendorsRaw)) {
    if (!(BUILT_IN_VENDORS as readonly string[]).includes(key)) {
      throw new ConfigError(`vendors.${key} is not a built-in vendor (built in: ${BUILT_IN_VENDORS.join(', ')}); describe it under customVendors`);
    }
  }
  const vendors: VendorRuntimeConfig[] = [];
  for (const name of BUILT_IN_VENDORS) {
    const options = validateBuiltIn(name, vendorsRaw[name], listed);
    if (options) vendors.push({ kind: 'builtin', name, options });
  }
  const customRaw = raw.customVendors ?? [];
  if (!Array.isArray(customRaw)) throw new ConfigError('customVendors must be an array');
  const seen = new Set<string>();
  customRaw.forEach((c, i) => {
    const definition = validateCustom(c, i);
    if (seen.has(definition.name)) throw new ConfigError(`customVendors[${i}].name "${definition.name}" is used twice`);
    seen.add(definition.name);
    vendors.push({ kind: 'custom', name: definition.name, definition });
  });
  if (vendors.length === 0) {
    throw new ConfigError(
      'no vendor is enabled: enable a built-in vendor or add a custom one' +
      (listed ? ' (a config that lists vendors enables only the built-in vendors it names)' : ''),
    );
  }
  return {
    vendors,
    maxBodyBytes: checkInt('maxBodyBytes', raw.maxBodyBytes, 1024, MAX_BODY_LIMIT) ?? DEFAULTS.maxBodyBytes,
    maxEventBytes: checkInt('maxEventBytes', raw.maxEventBytes, 8 * 1024, EVENTBRIDGE_MAX_ENTRY_BYTES) ?? DEFAULTS.maxEventBytes,
    retentionDays: checkInt('retentionDays', raw.retentionDays, 7, 3650) ?? DEFAULTS.retentionDays,
  };
}

/** True when `v` is one of the normalized types. */
export function isNormalizedType(v: string): v is NormalizedType {
  return (NORMALIZED_TYPES as readonly string[]).includes(v);
}
