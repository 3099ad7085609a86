/**
 * The options of the built-in vendor `quarterzip` (`vendors.quarterzip` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/quarterzip.ts`) imports only the type.
 */
import { vendorOptions, type OptionsOf } from '../schema';

/** The schema of Quarterzip's options (`vendors.quarterzip`), built when called. */
export const quarterzipOptions = () => vendorOptions('quarterzip', {}, 'Quarterzip (Standard Webhooks): true, false or its options; toleranceSeconds bounds the signed webhook-timestamp.');
export type QuarterzipOptions = OptionsOf<typeof quarterzipOptions>;
