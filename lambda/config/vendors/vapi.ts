/**
 * The options of the built-in vendor `vapi` (`vendors.vapi` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/vapi.ts`) imports only the type.
 */
import { stringValue, flag, headerName, oneOf, strictObject, vendorOptions, type OptionsOf } from '../schema';

const PAYLOAD_FORMAT_ERROR = 'must be a template of {body} and any of {timestamp}, {method}, {url} with text between them';

/** The options of Vapi's HMAC credential (its `HmacAuthenticationPlan`), with Vapi's defaults. */
function hmacPlanOptions() {
  return strictObject({
    algorithm: oneOf(['sha256', 'sha512', 'sha1']).optional().meta({ default: 'sha256' }),
    signatureHeader: headerName().optional().meta({ default: 'x-signature' }),
    timestampHeader: headerName().optional().meta({ default: 'x-timestamp' }),
    signaturePrefix: stringValue().optional().meta({ description: 'Text before the digest (e.g. "sha256="). Default: none.' }),
    payloadFormat: stringValue()
      .refine((t) => t.includes('{body}') && [...t.matchAll(/\{([^{}]*)\}/g)].every((m) => ['body', 'timestamp', 'method', 'url'].includes(m[1])), { error: PAYLOAD_FORMAT_ERROR })
      .optional().meta({ description: 'What is signed. Default: "{timestamp}.{body}", or "{body}" when includeTimestamp is false.' }),
    includeTimestamp: flag().optional().meta({ default: true }),
    signatureEncoding: oneOf(['hex', 'base64']).optional().meta({ default: 'hex' }),
    secretIsBase64: flag().optional().meta({ description: 'The secret is base64 of the key bytes.', default: false }),
    timestampUnit: oneOf(['auto', 's', 'ms']).optional().meta({
      description: 'How the timestamp is written: Vapi does not document it, so auto accepts seconds and milliseconds (13 digits or more).',
      default: 'auto',
    }),
  }, {
    notObject: 'must be an object (the fields of the HMAC credential)',
    unknownKey: (keys) => `is not a field of Vapi's HMAC credential (fields: ${keys})`,
  }).optional().meta({ description: 'With auth "hmac": the HMAC credential\'s plan, as configured in Vapi.' });
}

/** The schema of Vapi's options (`vendors.vapi`), built when called. */
export const vapiOptions = () => vendorOptions(
  'vapi',
  {
    auth: oneOf(['secret-header', 'bearer', 'hmac']).optional().meta({
      description: 'How the server URL is authenticated: "secret-header" (the server secret in X-Vapi-Secret), "bearer" (a Bearer ' +
        'credential: Authorization: Bearer <token>) or "hmac" (an HMAC credential, see hmac).',
      default: 'secret-header',
    }),
    bearerHeader: headerName().optional().meta({ description: 'With auth "bearer": the header holding the token (the credential\'s headerName).', default: 'authorization' }),
    bearerPrefix: flag().optional().meta({ description: 'With auth "bearer": the token follows "Bearer " (the credential\'s bearerPrefixEnabled).', default: true }),
    hmac: hmacPlanOptions(),
  },
  'Vapi server messages: true, false or its options; auth (also per endpoint) says how Vapi authenticates: secret-header (default), bearer or hmac.',
  ['auth', 'bearerHeader', 'bearerPrefix', 'hmac'],
);
export type VapiOptions = OptionsOf<typeof vapiOptions>;
