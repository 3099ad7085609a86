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

const BUILT_IN: Record<BuiltInVendor, (options: BuiltInVendorOptions) => VendorAdapter> = {
  quarterzip,
  qcall,
  koeiq,
  atoms,
  converc,
};

export function createAdapter(config: VendorRuntimeConfig): VendorAdapter {
  if (config.kind === 'custom') return customVendor(config.definition);
  return BUILT_IN[config.name](config.options);
}

export function createAdapters(configs: readonly VendorRuntimeConfig[]): Map<string, VendorAdapter> {
  return new Map(configs.map((c) => [c.name, createAdapter(c)]));
}
