/**
 * The options of the built-in vendor `converc` (`vendors.converc` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/converc.ts`) imports only the type.
 */
import { vendorOptions, type OptionsOf } from '../schema';

/** The schema of Converc's options (`vendors.converc`), built when called. */
export const convercOptions = () => vendorOptions('converc', {}, 'Converc (HMAC-SHA256 of t.body): true, false or its options; toleranceSeconds bounds the signed t.');
export type ConvercOptions = OptionsOf<typeof convercOptions>;
