/**
 * The options of the built-in vendor `atoms` (`vendors.atoms` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/atoms.ts`) imports only the type.
 */
import { vendorOptions, type OptionsOf } from '../schema';

/** The schema of Atoms's options (`vendors.atoms`), built when called. */
export const atomsOptions = () => vendorOptions('atoms', {}, 'Atoms (HMAC-SHA256 of the body): true, false or its options. Atoms signs no timestamp, so toleranceSeconds has no effect.');
export type AtomsOptions = OptionsOf<typeof atomsOptions>;
