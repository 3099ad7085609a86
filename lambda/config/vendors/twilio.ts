/**
 * The options of the built-in vendor `twilio` (`vendors.twilio` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/twilio.ts`) imports only the type.
 */
import { z } from 'zod';
import { oneOf, vendorOptions, type OptionsOf } from '../schema';

const PUBLIC_URL_ERROR = 'must be an absolute http(s) URL without a query or fragment (https://hooks.example.com/twilio)';

/** `publicUrl`: the URL Twilio calls, when a custom domain or a proxy stands in front of the API. */
function publicUrlOption() {
  return z.string({ error: PUBLIC_URL_ERROR }).regex(/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/i, { error: PUBLIC_URL_ERROR }).optional().meta({
    description: 'The URL Twilio calls (scheme, host and path), when it differs from the one requests arrive at: a custom domain, ' +
      'CloudFront or another proxy in front of the API. Twilio signs the URL it called, so without it every signature fails ' +
      'behind a proxy. The query the request carries is used as it arrives. Default: the URL the request arrived at.',
  });
}

/** The schema of Twilio's options (`vendors.twilio`), built when called. */
export const twilioOptions = () => vendorOptions(
  'twilio',
  {
    publicUrl: publicUrlOption(),
    signatureAlgorithm: oneOf(['auto', 'sha1', 'sha256']).optional().meta({
      description: 'Twilio\'s HMAC: "auto" follows X-Twilio-Webhooks-Signature-Settings (SHA-1 with the Auth Token without it, ' +
        'SHA-256 when a Webhook Rule\'s SharedKey says so), as twilio-node\'s webhook() does; "sha1" (Auth Token) or "sha256" ' +
        '(SharedKey) accepts only that one, and a delivery whose header names the other is refused.',
      default: 'auto',
    }),
  },
  'Twilio Voice callbacks (X-Twilio-Signature: HMAC-SHA1 of the URL Twilio called and the sorted form fields, keyed with the Auth Token; ' +
    'HMAC-SHA256 with a Webhook Rule\'s SharedKey when X-Twilio-Webhooks-Signature-Settings says so): true, false or its options; ' +
    'publicUrl (also per endpoint) behind a custom domain or proxy; signatureAlgorithm (also per endpoint) pins SHA-1 or SHA-256.',
  ['publicUrl', 'signatureAlgorithm'],
);
export type TwilioOptions = OptionsOf<typeof twilioOptions>;
