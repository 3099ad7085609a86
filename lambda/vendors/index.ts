/**
 * The vendor registry. A built-in vendor is one adapter module in this folder plus one line here.
 */
import type { VendorAdapter } from '../core/vendor';
import type { BuiltInVendor, BuiltInVendorOptions, VendorRuntimeConfig } from '../config/config';
import { quarterzip } from './quarterzip';
import { qcall } from './qcall';
import { customVendor } from './custom';
import { koeiq } from './koeiq';
import { atoms } from './atoms';
import { converc } from './converc';

type Factory = (options: BuiltInVendorOptions) => VendorAdapter;

// scripts/bundle.ts builds each vendor's webhook bundle with `process.env.CALLHOOKS_BUNDLE_VENDOR` defined as
// that vendor's name (the custom vendors' bundle: ""): esbuild then folds these conditions, and the other
// vendors' modules (and QCall's multipart parser) drop out of the bundle. Unbundled (tests, local mode) the variable is unset and every vendor is in.
const BUILT_IN: Record<BuiltInVendor, Factory | undefined> = {
  quarterzip: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'quarterzip' ? quarterzip : undefined,
  qcall: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'qcall' ? qcall : undefined,
  koeiq: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'koeiq' ? koeiq : undefined,
  atoms: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'atoms' ? atoms : undefined,
  converc: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'converc' ? converc : undefined,
};

/** The built-in vendors, in registry order (scripts/bundle.ts builds one webhook bundle for each). */
export const BUILT_IN_VENDOR_NAMES = Object.keys(BUILT_IN) as BuiltInVendor[];

export function createAdapter(config: VendorRuntimeConfig): VendorAdapter {
  if (config.kind === 'custom') return customVendor(config.definition);
  const factory = BUILT_IN[config.name];
  if (!factory) throw new Error(`this bundle was built for ${String(process.env.CALLHOOKS_BUNDLE_VENDOR)}, not ${config.name}`);
  return factory(config.options);
}

export function createAdapters(configs: readonly VendorRuntimeConfig[]): Map<string, VendorAdapter> {
  return new Map(configs.map((c) => [c.name, createAdapter(c)]));
}
