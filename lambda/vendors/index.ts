/**
 * The vendor registry: each built-in vendor's name, the schema of its options, and the factory of its
 * adapter. A built-in vendor is one adapter module in this folder plus its line in each table below.
 */
import type { VendorAdapter } from '../core/vendor';
import type { VendorRuntimeConfig } from '../config/config';
import type { OptionsOf } from '../config/schema';
import { endpointNames, optionsOfEndpoint } from '../config/endpoints';
import { quarterzip, quarterzipOptions } from './quarterzip';
import { qcall, qcallOptions } from './qcall';
import { customVendor } from './custom';
import { koeiq, koeiqOptions } from './koeiq';
import { atoms, atomsOptions } from './atoms';
import { converc, convercOptions } from './converc';
import { openai, openaiOptions } from './openai';
import { bland, blandOptions } from './bland';
import { ultravox, ultravoxOptions } from './ultravox';
import { livekit, livekitOptions } from './livekit';
import { vonage, vonageOptions } from './vonage';
import { twilio, twilioOptions } from './twilio';
import { vapi, vapiOptions } from './vapi';
import { retell, retellOptions } from './retell';
import { elevenlabs, elevenlabsOptions } from './elevenlabs';
import { telnyx, telnyxOptions } from './telnyx';

/** The built-in vendors, in the order the construct and the local mode set them up. */
export const BUILT_IN_VENDORS = ['quarterzip', 'qcall', 'koeiq', 'atoms', 'converc', 'openai', 'bland', 'ultravox', 'livekit', 'twilio', 'vapi', 'retell', 'elevenlabs', 'telnyx', 'vonage'] as const;
export type BuiltInVendor = (typeof BUILT_IN_VENDORS)[number];

/**
 * The vendors a configuration without a `vendors` key turns on: the five of 0.1.0, fixed forever, so that an
 * upgrade never adds a route, a function, a secret and alarms by itself. A built-in vendor added since is on
 * only where a configuration names it.
 */
export const DEFAULT_VENDORS: readonly BuiltInVendor[] = ['quarterzip', 'qcall', 'koeiq', 'atoms', 'converc'];

/**
 * Name → the schema of the vendor's options (each built when called). Read at synth time and by the local
 * mode; no function's bundle holds one, since the construct passes each function options it validated.
 */
export const VENDOR_OPTIONS = {
  quarterzip: quarterzipOptions,
  qcall: qcallOptions,
  koeiq: koeiqOptions,
  atoms: atomsOptions,
  converc: convercOptions,
  openai: openaiOptions,
  bland: blandOptions,
  ultravox: ultravoxOptions,
  livekit: livekitOptions,
  twilio: twilioOptions,
  vapi: vapiOptions,
  retell: retellOptions,
  elevenlabs: elevenlabsOptions,
  telnyx: telnyxOptions,
  vonage: vonageOptions,
} as const satisfies Record<BuiltInVendor, unknown>;

/** Name → the options its factory takes. */
export type VendorOptions = { readonly [N in BuiltInVendor]: OptionsOf<(typeof VENDOR_OPTIONS)[N]> };

type Factories = { readonly [N in BuiltInVendor]: ((options: VendorOptions[N]) => VendorAdapter) | undefined };

// scripts/bundle.ts builds each vendor's webhook bundle with `process.env.CALLHOOKS_BUNDLE_VENDOR` defined as
// that vendor's name (the custom vendors' bundle: ""): esbuild then folds these conditions, and the other
// vendors' modules (and QCall's multipart parser) drop out of the bundle. Unbundled (tests, local mode) the
// variable is unset and every vendor is in.
const FACTORIES: Factories = {
  quarterzip: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'quarterzip' ? quarterzip : undefined,
  qcall: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'qcall' ? qcall : undefined,
  koeiq: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'koeiq' ? koeiq : undefined,
  atoms: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'atoms' ? atoms : undefined,
  converc: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'converc' ? converc : undefined,
  openai: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'openai' ? openai : undefined,
  bland: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'bland' ? bland : undefined,
  ultravox: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'ultravox' ? ultravox : undefined,
  livekit: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'livekit' ? livekit : undefined,
  twilio: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'twilio' ? twilio : undefined,
  vapi: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'vapi' ? vapi : undefined,
  retell: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'retell' ? retell : undefined,
  elevenlabs: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'elevenlabs' ? elevenlabs : undefined,
  telnyx: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'telnyx' ? telnyx : undefined,
  vonage: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'vonage' ? vonage : undefined,
};


export function createAdapter(config: VendorRuntimeConfig): VendorAdapter {
  if (config.kind === 'custom') return customVendor(config.definition);
  const factory = FACTORIES[config.name] as ((options: VendorOptions[BuiltInVendor]) => VendorAdapter) | undefined;
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
