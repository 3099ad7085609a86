/**
 * The built-in vendors and their adapters, all derived from the registry (`./registry.ts`, one entry per vendor).
 */
import type { VendorAdapter } from '../core/vendor';
import type { VendorRuntimeConfig } from '../config/config';
import type { VendorOptions } from '../config/vendors';
import { endpointNames, optionsOfEndpoint } from '../contracts/endpoints';
import { customVendor } from './custom';
import { REGISTRY } from './registry';

export { REGISTRY } from './registry';
export type { VendorOptions } from '../config/vendors';

export type BuiltInVendor = keyof typeof REGISTRY;

/** The built-in vendors, in the order the construct and the local mode set them up (the registry's). */
export const BUILT_IN_VENDORS = Object.keys(REGISTRY) as readonly BuiltInVendor[];

/**
 * The vendors a configuration without a `vendors` key turns on: the five of 0.1.0 (`of010` in the registry),
 * fixed forever, so that an upgrade never adds a route, a function, a secret and alarms by itself. A built-in
 * vendor added since is on only where a configuration names it.
 */
export const DEFAULT_VENDORS: readonly BuiltInVendor[] = BUILT_IN_VENDORS.filter((name) => REGISTRY[name].of010);

/** Fails to compile unless each registry entry's factory takes the options its schema gives. */
type FactoriesTakeTheirOptions<T extends { readonly [N in BuiltInVendor]: ((options: VendorOptions[N]) => VendorAdapter) | undefined }> = T;
export type RegistryFactories = FactoriesTakeTheirOptions<{ readonly [N in BuiltInVendor]: (typeof REGISTRY)[N]['factory'] }>;

/** The page of a built-in vendor (`docs/vendors/<name>.md`), relative to the repository root. */
export const docsPageOf = (name: BuiltInVendor): string => `docs/vendors/${name}.md`;

/** The folder of a built-in vendor's fixtures (`fixtures/<name>/`), relative to the repository root. */
export const fixturesDirOf = (name: BuiltInVendor): string => `fixtures/${name}`;

export function createAdapter(config: VendorRuntimeConfig): VendorAdapter {
  if (config.kind === 'custom') return customVendor(config.definition);
  const factory = REGISTRY[config.name].factory as ((options: VendorOptions[BuiltInVendor]) => VendorAdapter) | undefined;
  if (!factory) throw new Error(`this bundle was built for ${String(process.env.CALLHOOKS_BUNDLE_VENDOR)}, not ${config.name}`);
  return factory(config.options);
}

export function createAdapters(configs: readonly VendorRuntimeConfig[]): Map<string, VendorAdapter> {
  return new Map(configs.map((c) => [c.name, createAdapter(c)]));
}

/** The names of a vendor's endpoints, in configuration order (`["default"]` when it lists none). */
export function endpointsOf(config: VendorRuntimeConfig): string[] {
  return endpointNames(config.kind === 'custom' ? config.definition.endpoints : config.options.endpoints);
}

/** A vendor's adapter for each of its endpoints, with that endpoint's options over the vendor's. */
export function createEndpointAdapters(config: VendorRuntimeConfig): Map<string, VendorAdapter> {
  return new Map(endpointsOf(config).map((endpoint) => {
    const own: VendorRuntimeConfig = config.kind === 'custom'
      ? { ...config, definition: optionsOfEndpoint(config.definition, endpoint) }
      : ({ ...config, options: optionsOfEndpoint(config.options, endpoint) } as VendorRuntimeConfig);
    return [endpoint, createAdapter(own)];
  }));
}

/** What the pipeline serves (`PipelineDeps.adapters` and `.endpoints`) for these vendors. */
export function createVendorAdapters(configs: readonly VendorRuntimeConfig[]): {
  readonly adapters: Map<string, VendorAdapter>;
  readonly endpoints: Map<string, Map<string, VendorAdapter>>;
} {
  return {
    adapters: createAdapters(configs),
    endpoints: new Map(configs.map((c) => [c.name, createEndpointAdapters(c)])),
  };
}
