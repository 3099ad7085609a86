/**
 * Form bodies, read once: `application/x-www-form-urlencoded` (Twilio, Plivo, Telnyx TeXML, QCall); `multipart/form-data`
 * is in `multipart.ts` (QCall only). Small and total: a refusal is a ParseError with a message safe to return.
 */
import type { Delivery, FormFields } from '../contracts/request';
import { ParseError } from './errors';

/** Most fields a form may carry, unless the caller sets another limit. */
export const MAX_FORM_FIELDS = 1000;

/** The media type of a Content-Type header, lower case, without parameters ("" when absent). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * The fields of an `application/x-www-form-urlencoded` text, in order, a repeated name once per value (`+` reads
 * as a space, as browsers and URLSearchParams read it). ParseError past `maxFields`.
 */
export function parseUrlEncoded(text: string, maxFields = MAX_FORM_FIELDS): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const entry of new URLSearchParams(text)) {
    out.push(entry);
    if (out.length > maxFields) throw new ParseError(`the delivery has more than ${maxFields} fields`);
  }
  return out;
}

/** True when the text is `name=value` pairs joined by `&` (what a form body without a Content-Type looks like). */
export function looksLikeForm(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === '' || /[\s{}[\]"]/.test(trimmed)) return false;
  return trimmed.split('&').every((pair) => pair === '' || pair.indexOf('=') > 0);
}

const FORMS = new WeakMap<object, FormFields | null>();

/**
 * The urlencoded form fields of a body whose Content-Type says `application/x-www-form-urlencoded`, parsed once
 * per `owner` (a delivery, a scheme request); undefined for any other body, or one with more than
 * {@link MAX_FORM_FIELDS} fields.
 */
export function formOf(owner: object, headers: Delivery['headers'], body: Buffer): FormFields | undefined {
  const cached = FORMS.get(owner);
  if (cached !== undefined) return cached ?? undefined;
  let form: FormFields | null = null;
  if (mediaTypeOf(headers.get('content-type')) === 'application/x-www-form-urlencoded') {
    try {
      form = parseUrlEncoded(body.toString('utf8'));
    } catch {
      form = null;
    }
  }
  FORMS.set(owner, form);
  return form ?? undefined;
}
