/**
 * The one configuration that the CDK app, the construct and the local mode all read.
 *
 * It holds no secret: vendor secrets live in Secrets Manager (cloud) or in `CALLHOOKS_SECRET_<VENDOR>`
 * environment variables (local mode). Everything here may appear in a template or an environment variable.
 *
 * One zod schema defines the file: its TypeScript type (`CallhooksConfig`), the validation in `resolveConfig`
 * and the JSON Schema shipped as `schema/callhooks.config.schema.json` (`npm run schemas`). Each built-in
 * vendor's options are defined in its own module under `./vendors/` and reach this file through `VENDOR_OPTIONS`
 * (`./vendors/index.ts`, keyed by the registry's names); a custom vendor's in `./vendors/custom.ts`. Code that runs
 * in a function imports only types from the configuration layer (its defaults are in
 * `lambda/contracts/defaults.ts`), so zod stays out of the bundles.
 */
import { z } from 'zod';
import { CallhooksError } from '../core/errors';
import { BUILT_IN_VENDORS, BuiltInVendor, DEFAULT_VENDORS } from '../vendors';
import { VENDOR_OPTIONS, type VendorOptions } from './vendors';
import { customVendorSchema, type CustomVendorConfig } from './vendors/custom';
import { DEFAULTS, EVENTBRIDGE_MAX_ENTRY_BYTES, MAX_BODY_LIMIT } from '../contracts/defaults';
import { DeepReadonly, formatIssues, intRange, strictObject, toJsonSchema } from './schema';

export { BUILT_IN_VENDORS, DEFAULT_VENDORS } from '../vendors';
export type { BuiltInVendor } from '../vendors';
export type { VendorOptions } from './vendors';
export type { QCallOptions } from './vendors/qcall';
export type { CustomAuth, CustomVendorConfig } from './vendors/custom';
export type { CommonVendorOptions } from './schema';
export { DEFAULTS, EVENTBRIDGE_MAX_ENTRY_BYTES, MAX_BODY_LIMIT } from '../contracts/defaults';

/** The options of any built-in vendor. */
export type BuiltInVendorOptions = VendorOptions[BuiltInVendor];

/** A configuration (`callhooks.config.json`, the construct's `config`) that cannot be used; the message names the field. */
export class ConfigError extends CallhooksError {}

const OPTIONS = ['vendors', 'customVendors', 'maxBodyBytes', 'maxEventBytes', 'retentionDays'];

/** The schema of `callhooks.config.json`. */
export function configSchema() {
  const vendors = Object.fromEntries(
    BUILT_IN_VENDORS.map((name) => {
      const options = VENDOR_OPTIONS[name]();
      // The vendor's description goes on `vendors.<name>` (where an editor shows it), not on its options object.
      const union = z.union([z.boolean(), options.meta({ description: undefined })], { error: 'must be true, false or an object' });
      return [name, union.optional().meta({ description: options.description })];
    }),
  ) as { [N in BuiltInVendor]: z.ZodOptional<z.ZodUnion<[z.ZodBoolean, ReturnType<(typeof VENDOR_OPTIONS)[N]>]>> };
  return strictObject({
    $schema: z.string().optional().meta({ description: 'The JSON Schema of this file, for editors.' }),
    '//': z.unknown().optional().meta({ description: 'A comment; ignored.' }),
    vendors: strictObject(vendors, {
      unknownKey: (keys) => `is not a built-in vendor (built in: ${keys}); describe it under customVendors`,
    }).optional().meta({
      description: 'The built-in vendors to turn on, each true, false or its options. Without this key the five vendors of ' +
        `callhooks 0.1.0 (${DEFAULT_VENDORS.join(', ')}) are on with their default options, and no other; with it, exactly the ` +
        'vendors it names as true or with options are on, and a built-in vendor it leaves out is off. Either way a vendor added ' +
        'in a later release never appears in an existing deployment by itself: it is on only where it is named.',
    }),
    customVendors: z.array(customVendorSchema(), { error: 'must be an array' }).optional().meta({
      description: 'Vendors described by configuration alone.',
      default: [],
    }),
    maxBodyBytes: intRange(1024, MAX_BODY_LIMIT).optional().meta({
      description: 'Largest accepted request body in bytes; larger answers 413.',
      default: DEFAULTS.maxBodyBytes,
    }),
    maxEventBytes: intRange(8 * 1024, EVENTBRIDGE_MAX_ENTRY_BYTES).optional().meta({
      description: 'Largest event put on the bus in bytes; larger events move their bulk to the payload store.',
      default: DEFAULTS.maxEventBytes,
    }),
    retentionDays: intRange(7, 3650).optional().meta({
      description: 'Days a dedup record (and so replay protection) is kept.',
      default: DEFAULTS.retentionDays,
    }),
  }, {
    notObject: 'must be a JSON object',
    unknownKey: () => `is not a configuration option (options: ${OPTIONS.join(', ')})`,
  });
}

/**
 * The configuration file (`callhooks.config.json`), the type of its zod definition (`configSchema`). Each
 * field, its default and its range are described in `schema/callhooks.config.schema.json` (which an editor
 * shows) and in the README's "Configuration" section: `vendors` (without this key the five vendors of 0.1.0 —
 * quarterzip, qcall, koeiq, atoms, converc — are on with default options; with it, exactly the vendors it names
 * as `true` or with options; either way a vendor added in a later release never appears unasked in an existing
 * deployment), `customVendors` (default none),
 * `maxBodyBytes` (default 2097152), `maxEventBytes` (default 262144) and `retentionDays` (default 30).
 */
export type CallhooksConfig = DeepReadonly<z.input<ReturnType<typeof configSchema>>>;

/** What one function (or the local mode, per vendor) needs to know about its vendor. */
export type VendorRuntimeConfig =
  | { readonly [N in BuiltInVendor]: { readonly kind: 'builtin'; readonly name: N; readonly options: VendorOptions[N] } }[BuiltInVendor]
  | { readonly kind: 'custom'; readonly name: string; readonly definition: CustomVendorConfig };

export interface ResolvedConfig {
  readonly vendors: readonly VendorRuntimeConfig[];
  readonly maxBodyBytes: number;
  readonly maxEventBytes: number;
  readonly retentionDays: number;
}

/** The JSON Schema of `callhooks.config.json` (shipped as `schema/callhooks.config.schema.json`). */
export function configJsonSchema(): Record<string, unknown> {
  return toJsonSchema(configSchema(), {
    $id: 'https://github.com/callhooks/callhooks/schema/callhooks.config.schema.json',
    title: 'callhooks configuration (callhooks.config.json)',
    description: 'Which vendors callhooks receives and how, custom vendors, and the body, event and retention limits. It holds no secret.',
  });
}

/** Validates a configuration and fills in its defaults. Throws a ConfigError naming the bad field and value. */
export function resolveConfig(raw: unknown = {}): ResolvedConfig {
  const parsed = configSchema().safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues, raw, 'the configuration').join('; '));
  // Validated: the input is used as it came (zod's copy would be equal, but a copy is not needed).
  const config = raw as CallhooksConfig;

  // A built-in vendor added in a later release must not appear in an existing deployment with a new route,
  // function, secret and alarms: a config that lists vendors turns on only those it names, and one without
  // a vendors key the vendors of 0.1.0 (DEFAULT_VENDORS), never one added since.
  const listed = config.vendors !== undefined;
  const vendors: VendorRuntimeConfig[] = [];
  for (const name of BUILT_IN_VENDORS) {
    const value = config.vendors?.[name];
    const on = value === undefined ? !listed && DEFAULT_VENDORS.includes(name) : value !== false && (value === true || value.enabled !== false);
    if (on) vendors.push({ kind: 'builtin', name, options: typeof value === 'object' ? value : {} } as VendorRuntimeConfig);
  }
  const seen = new Set<string>();
  (config.customVendors ?? []).forEach((definition, i) => {
    if ((BUILT_IN_VENDORS as readonly string[]).includes(definition.name)) {
      throw new ConfigError(`customVendors[${i}].name "${definition.name}" is a built-in vendor: configure it under vendors.${definition.name}`);
    }
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
    maxBodyBytes: config.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    maxEventBytes: config.maxEventBytes ?? DEFAULTS.maxEventBytes,
    retentionDays: config.retentionDays ?? DEFAULTS.retentionDays,
  };
}
