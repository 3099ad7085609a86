/**
 * The options of the built-in vendor `elevenlabs` (`vendors.elevenlabs` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/elevenlabs.ts`) imports only the type.
 */
import { vendorOptions, type OptionsOf } from '../schema';

/** The schema of ElevenLabs' options (`vendors.elevenlabs`), built when called. */
export const elevenlabsOptions = () => vendorOptions('elevenlabs', {}, 'ElevenLabs post-call webhooks (ElevenLabs-Signature: t=<s>,v0=<hex HMAC-SHA256 of t.body>): true, false or its options; toleranceSeconds bounds how old the signed t may be (default 1800, what ElevenLabs\' SDK accepts; at most 300 s ahead).');
export type ElevenLabsOptions = OptionsOf<typeof elevenlabsOptions>;
