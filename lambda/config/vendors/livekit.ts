/**
 * The options of the built-in vendor `livekit` (`vendors.livekit` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/livekit.ts`) imports only the type.
 */
import { nonEmptyString, vendorOptions, type OptionsOf } from '../schema';

/** The schema of LiveKit's options (`vendors.livekit`), built when called. */
export const livekitOptions = () =>
  vendorOptions(
    'livekit',
    {
      apiKey: nonEmptyString().optional().meta({
        description: "The API key LiveKit signs webhooks with (`iss` of every token must equal it), when the secret holds the API secret alone. " +
          'Default: the secret holds {"key", "secret"} and its key pins iss, or, holding the API secret alone, any iss is accepted.',
      }),
    },
    'LiveKit (an HS256 JWT in Authorization with the sha256 of the body): true, false or its options. The token\'s exp is checked with 10 s of leeway; toleranceSeconds has no effect.',
    ['apiKey'],
  );
export type LivekitOptions = OptionsOf<typeof livekitOptions>;
