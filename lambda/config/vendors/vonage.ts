/**
 * The options of the built-in vendor `vonage` (`vendors.vonage` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/vonage.ts`) imports only the type.
 */
import { vendorOptions, type OptionsOf } from '../schema';

/** The schema of Vonage's options (`vendors.vonage`), built when called. */
export const vonageOptions = () =>
  vendorOptions('vonage', {}, "Vonage Voice (an HS256 JWT in Authorization: Bearer, with payload_hash, the body's SHA-256): true, false or its options; toleranceSeconds bounds the token's iat.");
export type VonageOptions = OptionsOf<typeof vonageOptions>;
