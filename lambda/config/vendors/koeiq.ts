/**
 * The options of the built-in vendor `koeiq` (`vendors.koeiq` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/koeiq.ts`) imports only the type.
 */
import { vendorOptions, type OptionsOf } from '../schema';

/** The schema of KoeIQ's options (`vendors.koeiq`), built when called. */
export const koeiqOptions = () => vendorOptions('koeiq', {}, 'KoeIQ (HMAC-SHA256 of the body): true, false or its options. KoeIQ signs no timestamp, so toleranceSeconds has no effect.');
export type KoeiqOptions = OptionsOf<typeof koeiqOptions>;
