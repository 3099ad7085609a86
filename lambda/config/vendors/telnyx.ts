/**
 * The options of the built-in vendor `telnyx` (`vendors.telnyx` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/telnyx.ts`) imports only the type.
 */
import { vendorOptions, type OptionsOf } from '../schema';

/** The schema of Telnyx's options (`vendors.telnyx`), built when called. */
export const telnyxOptions = () => vendorOptions('telnyx', {}, 'Telnyx Call Control (Ed25519 over telnyx-timestamp|body, verified with the account\'s public key): true, false or its options; toleranceSeconds bounds the signed telnyx-timestamp (default 300).');
export type TelnyxOptions = OptionsOf<typeof telnyxOptions>;
