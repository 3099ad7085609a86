/**
 * Between the construct's structs (`CallhooksConfiguration`: `BuiltInVendors`, `<Vendor>Options`,
 * `CustomVendor`) and the JSON of `callhooks.config.json`, whose zod schema (`lambda/config/config.ts`) stays
 * the one definition of the rules. The structs differ from the file only where jsii needs them to:
 *
 * - a vendor is `true`, `false` or its options in the file, always its options in a struct (`{}` for the
 *   defaults, `{ enabled: false }` for off);
 * - `endpoints` is a list of names or an object of name → that endpoint's options in the file, a list of names
 *   plus `endpointOptions` (name → options for some of them) in a struct;
 * - a custom vendor's `auth` is an object in the file, a `CustomVendorAuth` made by a factory in a struct;
 * - closed sets of strings are enums, whose values are the file's strings;
 * - a built-in vendor's field in `BuiltInVendors` is its name in camelCase (`zzExample` for `zz-example`).
 *
 * `agreement.ts` fails the build when a struct and its schema disagree in any other way.
 */
import { ConfigError, resolveConfig, type ResolvedConfig } from '../../lambda/config/config';
import type { CallhooksConfiguration } from '../configuration';
import { authJsonOf, CustomVendorAuth, type CustomVendor } from '../custom-vendor';
import { vendorFieldOf, vendorNameOfField } from './names';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON (as in `callhooks.config.json`) of a configuration struct. */
export function configJsonOf(config: CallhooksConfiguration): Json {
  const json: Json = {};
  if (config.vendors !== undefined) {
    json.vendors = isObject(config.vendors)
      ? Object.fromEntries(Object.entries(config.vendors).filter(([, v]) => v !== undefined)
        .map(([field, options]) => [vendorNameOfField(field), vendorJsonOf(options, `vendors.${field}`)]))
      : config.vendors;
  }
  if (config.customVendors !== undefined) {
    json.customVendors = Array.isArray(config.customVendors)
      ? config.customVendors.map((c, i) => customVendorJsonOf(c, `customVendors[${i}]`))
      : config.customVendors;
  }
  for (const key of ['maxBodyBytes', 'maxEventBytes', 'retentionDays'] as const) {
    if (config[key] !== undefined) json[key] = config[key];
  }
  return json;
}

/** A vendor's (or a custom vendor's) options with `endpoints` + `endpointOptions` as the file's `endpoints`. */
function vendorJsonOf(options: unknown, where: string): unknown {
  if (!isObject(options)) return options; // the schema names what is wrong with it
  const { endpoints, endpointOptions, ...own } = options;
  const json: Json = { ...own };
  if (endpointOptions === undefined) {
    if (endpoints !== undefined) json.endpoints = endpoints;
    return json;
  }
  if (!isObject(endpointOptions)) throw new ConfigError(`${where}.endpointOptions must be an object of endpoint name → its options`);
  const names = Array.isArray(endpoints) ? endpoints.map(String) : [];
  for (const name of Object.keys(endpointOptions)) {
    if (!names.includes(name)) {
      throw new ConfigError(`${where}.endpointOptions[${JSON.stringify(name)}] is not listed in ${where}.endpoints` +
        ` (${names.length > 0 ? `endpoints: ${names.join(', ')}` : 'none listed'})`);
    }
  }
  json.endpoints = Object.fromEntries(names.map((name) => [name, endpointOptions[name] ?? {}]));
  return json;
}

function customVendorJsonOf(vendor: CustomVendor, where: string): unknown {
  if (!isObject(vendor)) return vendor;
  const json = vendorJsonOf(vendor, where) as Json;
  if (vendor.auth instanceof CustomVendorAuth) json.auth = authJsonOf(vendor.auth);
  else if (vendor.auth !== undefined) throw new ConfigError(`${where}.auth must be made with a CustomVendorAuth factory (e.g. CustomVendorAuth.hmac)`);
  return json;
}

/** Validates a configuration struct by the file's rules; throws an `Error` starting with `Callhooks: invalid config:`. */
export function resolveConfiguration(config: CallhooksConfiguration): ResolvedConfig {
  try {
    return resolveConfig(configJsonOf(config));
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(`Callhooks: invalid config: ${err.message}`, { cause: err });
    throw err;
  }
}

/** The struct of a `callhooks.config.json`'s contents, after validating them by the file's rules. */
export function configurationFromJson(raw: unknown, source: string): CallhooksConfiguration {
  try {
    resolveConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(`Callhooks: invalid config in ${source}: ${err.message}`, { cause: err });
    throw err;
  }
  const file = (raw ?? {}) as Json;
  const config: { -readonly [K in keyof CallhooksConfiguration]: CallhooksConfiguration[K] } = {};
  if (isObject(file.vendors)) {
    config.vendors = Object.fromEntries(Object.entries(file.vendors).map(([name, value]) => [
      vendorFieldOf(name),
      value === true ? {} : value === false ? { enabled: false } : vendorOptionsFromJson(value as Json),
    ]));
  }
  if (Array.isArray(file.customVendors)) {
    config.customVendors = file.customVendors.map((c: Json) => ({
      ...vendorOptionsFromJson(c),
      auth: CustomVendorAuth._fromJson(c.auth as { scheme: string }),
    }) as unknown as CustomVendor);
  }
  for (const key of ['maxBodyBytes', 'maxEventBytes', 'retentionDays'] as const) {
    if (typeof file[key] === 'number') config[key] = file[key];
  }
  return config;
}

function vendorOptionsFromJson(options: Json): Json {
  const { endpoints, ...own } = options;
  if (endpoints === undefined) return own;
  if (Array.isArray(endpoints)) return { ...own, endpoints };
  const byName = endpoints as Record<string, Json>;
  const withOptions = Object.entries(byName).filter(([, o]) => Object.keys(o).length > 0);
  return {
    ...own,
    endpoints: Object.keys(byName),
    ...(withOptions.length > 0 ? { endpointOptions: Object.fromEntries(withOptions) } : {}),
  };
}
