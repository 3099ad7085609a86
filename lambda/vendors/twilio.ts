/**
 * Twilio Voice callbacks, as its SDK (`twilio` 6.x, `lib/webhooks/webhooks.js`) and its pages (call resource status
 * callbacks, recording status callbacks, `<Record transcribeCallback>`, webhook security) describe them
 * (summarised in docs/vendors/twilio.md).
 *
 * Body: form fields (`application/x-www-form-urlencoded`; a GET carries them in the query), read as
 * `twiml-form.ts` describes: status, recording and transcription callbacks, and the TwiML requests refused 422.
 *
 * A JSON body (Twilio signs it through the `bodySHA256` query parameter: Event Streams webhook sinks, some newer
 * products) is `vendor.other`, keyed by the SHA-256 of the body.
 */
import type { NormalizedFields } from '../core/event';
import { ParseError } from '../core/errors';
import type { Delivery } from '../core/http';
import { mediaTypeOf } from '../core/form';
import type { ParsedDelivery, VendorAdapter } from '../core/vendor';
import type { TwilioOptions } from '../config/vendors/twilio';
export type { TwilioOptions } from '../config/vendors/twilio';
import { urlSigningScheme } from '../schemes/url-signing';
import { schemeAuthentication } from './scheme';
import { formFields, normalizeTwilioForm } from './twiml-form';
import { digestKey, isObject } from './util';

export { TWILIO_CALL_STATUS_TYPES, formFields, normalizeTwilioForm } from './twiml-form';

/** The CallEvent fields and dedup key of an authenticated Twilio delivery. */
export function parseTwilio(d: Pick<Delivery, 'body' | 'method' | 'query' | 'headers'>): ParsedDelivery {
  if (d.method === 'GET') return normalizeTwilioForm(Object.entries(d.query));
  if (mediaTypeOf(d.headers.get('content-type')).includes('json')) return parseTwilioJson(d.body);
  return normalizeTwilioForm(formFields(d.body));
}

/** A JSON body (covered by `bodySHA256`): `vendor.other`, keyed by the body's SHA-256. */
function parseTwilioJson(raw: Buffer): ParsedDelivery {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ParseError('the body is not valid JSON');
  }
  const first = Array.isArray(value) ? value[0] : value;
  const vendorEventType = isObject(first) && typeof first.type === 'string' && first.type !== '' ? first.type : '(json)';
  const fields: NormalizedFields = {
    type: 'vendor.other',
    vendorEventType,
    callId: null,
    test: false,
    fields: isObject(value) ? value : { events: value },
  };
  return { dedupKey: digestKey('sha256:', raw), fields };
}

/**
 * Twilio's proof of origin (the SDK's `validateRequest` / `validateRequestWithBody`): `X-Twilio-Signature` over the
 * URL Twilio called (`publicUrl`, else the URL the request arrived at) and the form fields, or the URL alone with its
 * `bodySHA256` for a JSON body. The secret is the Auth Token (or a Webhook Rule's SharedKey secret: the algorithm
 * follows `X-Twilio-Webhooks-Signature-Settings`). Twilio signs no timestamp: dedup is the replay protection.
 */
export function twilio(options: TwilioOptions = {}): VendorAdapter {
  const scheme = urlSigningScheme({ form: 'twilio', twilioAlgorithm: options.signatureAlgorithm });
  // The URL a delivery built without one is taken to have arrived at (lambda/schemes/request.ts `calledUrl`).
  const url = options.publicUrl ?? 'https://localhost/webhooks/twilio';
  return {
    name: 'twilio',
    methods: ['POST', 'GET'],
    ...schemeAuthentication(scheme, { publicUrl: options.publicUrl }),
    // Without a URL to sign, sign as Twilio posts a status callback (a form, sent with that Content-Type) to the
    // default endpoint's URL.
    sign: (body, secret, now, id) => ({ ...scheme.sign({ body, url, contentType: FORM, id }, secret, now).headers }),
    parse: parseTwilio,
  };
}

const FORM = 'application/x-www-form-urlencoded';
