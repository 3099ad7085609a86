/**
 * The options of the built-in vendor `ultravox` (`vendors.ultravox` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/ultravox.ts`) imports only the type.
 */
import { vendorOptions, type OptionsOf } from '../schema';

/** The schema of Ultravox's options (`vendors.ultravox`), built when called. */
export const ultravoxOptions = () =>
  vendorOptions('ultravox', {}, 'Ultravox (HMAC-SHA256 of the body followed by the ISO 8601 timestamp header): true, false or its options; toleranceSeconds bounds the signed timestamp.');
export type UltravoxOptions = OptionsOf<typeof ultravoxOptions>;
