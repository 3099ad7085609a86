/**
 * The options of the built-in vendor `bland` (`vendors.bland` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/bland.ts`) imports only the type.
 */
import { vendorOptions, type OptionsOf } from '../schema';

/** The schema of Bland's options (`vendors.bland`), built when called. */
export const blandOptions = () =>
  vendorOptions('bland', {}, 'Bland AI (HMAC-SHA256 of the body, X-Webhook-Signature): true, false or its options. Bland signs no timestamp, so toleranceSeconds has no effect.');
export type BlandOptions = OptionsOf<typeof blandOptions>;
