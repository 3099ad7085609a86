/**
 * The options half of the vendor registry (`lambda/vendors/registry.ts`): name → the schema of the vendor's
 * options (each built when called), hence the configuration's zod schema and JSON Schema. Configuration layer:
 * read at synth time, by the local mode and by the command line, never in a function (the construct passes each
 * function options it has already validated), so no bundle holds zod.
 *
 * `satisfies` makes a registry name without options, or options without a registry name, a compile error: the
 * registry stays the one list of vendors, and `npm run new-vendor <name>` adds a line to both.
 */
import type { z } from 'zod';
import type { BuiltInVendor } from '../../vendors';
import type { OptionsOf } from '../schema';
import { quarterzipOptions } from './quarterzip';
import { qcallOptions } from './qcall';
import { koeiqOptions } from './koeiq';
import { atomsOptions } from './atoms';
import { convercOptions } from './converc';
import { openaiOptions } from './openai';
import { blandOptions } from './bland';
import { ultravoxOptions } from './ultravox';
import { livekitOptions } from './livekit';
import { twilioOptions } from './twilio';
import { vapiOptions } from './vapi';
import { retellOptions } from './retell';
import { elevenlabsOptions } from './elevenlabs';
import { telnyxOptions } from './telnyx';
import { vonageOptions } from './vonage';

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
} as const satisfies { readonly [N in BuiltInVendor]: () => z.ZodType };

/** Name → the options its factory takes. */
export type VendorOptions = { readonly [N in BuiltInVendor]: OptionsOf<(typeof VENDOR_OPTIONS)[N]> };
