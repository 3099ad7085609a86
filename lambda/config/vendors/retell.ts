/**
 * The options of the built-in vendor `retell` (`vendors.retell` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/retell.ts`) imports only the type.
 */
import { vendorOptions, type OptionsOf } from '../schema';

/** The schema of Retell's options (`vendors.retell`), built when called. */
export const retellOptions = () => vendorOptions('retell', {}, 'Retell AI (x-retell-signature: v=<ms>,d=<hex HMAC-SHA256 of body + v>, keyed with the API key that has the webhook badge): true, false or its options; toleranceSeconds bounds the signed v (default 300).');
export type RetellOptions = OptionsOf<typeof retellOptions>;
