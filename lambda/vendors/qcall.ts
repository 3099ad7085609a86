/**
 * QCall end-of-call webhook, as QCall's public page describes it (summarised in docs/vendors/qcall.md).
 *
 * - Proof of origin: no signature. The customer configures a static header in the QCall dashboard,
 *   typically `Authorization: Bearer <token>`; it is compared in constant time.
 * - Methods: POST, PUT, GET, DELETE. GET and DELETE carry no body: the fields are the query parameters.
 *   POST and PUT carry a JSON object, `application/x-www-form-urlencoded` or `multipart/form-data`.
 * - Fields: the customer's own set of AI-extracted values ("Body Parameters"); a value the AI could not
 *   extract arrives as `""`. All of them are kept as they came in `detail.fields`; the recommended ones
 *   are also mapped onto the normalized event, where `""` means "not extracted" and is left out.
 * - QCall sends no event name: every delivery is `call.ended` with vendorEventType `end-of-call`.
 * - No call or event id, and QCall fires once and never retries: without `dedupFields` every delivery is its own
 *   event, keyed by the request id API Gateway gave it (`request:<id>`): two calls whose extracted values are
 *   equal (two unanswered calls to one number on one day) are never merged. With `dedupFields`, the key is
 *   their values (a field that is present but blank falls back to the request id).
 */
import { randomUUID } from 'node:crypto';
import type { QCallOptions } from '../config/vendors/qcall';
export type { QCallOptions } from '../config/vendors/qcall';
import { ParseError } from '../core/errors';
import { looksLikeForm, mediaTypeOf, parseUrlEncoded } from '../core/form';
import { parseMultipart as parseMultipart_ } from '../core/multipart';
import type { NormalizedFields } from '../core/event';
import { staticTokenScheme } from '../schemes/static-token';
import { schemeAuthentication } from './scheme';
import type { Delivery } from '../core/http';
import type { VendorAdapter } from '../core/vendor';
import { childPointer, numberText } from './json-source';
import { compact, isObject, Json, stripUndefined } from './util';

export const QCALL_VENDOR_EVENT_TYPE = 'end-of-call';
export const QCALL_DEFAULT_TOKEN_HEADER = 'authorization';
export const QCALL_DEFAULT_TOKEN_PREFIX = 'Bearer ';
/** Most fields one delivery may carry (the recommended set has 17). */
export const QCALL_MAX_FIELDS = 1000;
/** Largest value of one field, in UTF-8 bytes. */
export const QCALL_MAX_FIELD_BYTES = 1024 * 1024;
/** Deepest nesting accepted inside a JSON field value (QCall sends flat scalars). */
export const QCALL_MAX_DEPTH = 32;

const BODY_METHODS = new Set(['POST', 'PUT']);

// ---------------------------------------------------------------------------------------------------------
// Reading the fields
// ---------------------------------------------------------------------------------------------------------

/** Builds an object from entries with own data properties (a `__proto__` field stays a plain field). */
function fromEntries(entries: Iterable<readonly [string, unknown]>): Json {
  const out: Json = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** True when `value` nests objects or arrays deeper than `limit` (recursion is bounded by the limit). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  const children = Array.isArray(value) ? value : Object.values(value as Json);
  for (const child of children) if (nestsDeeperThan(child, limit - 1)) return true;
  return false;
}

/** The refusal of a value over QCALL_MAX_FIELD_BYTES: the field's position (from 1), not its name. */
function tooLarge(index: number): ParseError {
  return new ParseError(`field number ${index + 1} is larger than ${QCALL_MAX_FIELD_BYTES} bytes`);
}

/** Applies the same limits to the fields of every transport. */
function checkFields(fields: Json): Json {
  const names = Object.keys(fields);
  if (names.length === 0) throw new ParseError('the delivery has no fields');
  if (names.length > QCALL_MAX_FIELDS) throw new ParseError(`the delivery has more than ${QCALL_MAX_FIELDS} fields`);
  // A field's name is payload (the customer's own field set; it can hold an email or a phone number): the
  // refusals, which go into the answer and the log, give its position, never its name.
  names.forEach((name, index) => {
    const value = fields[name];
    if (typeof value === 'string' && Buffer.byteLength(value, 'utf8') > QCALL_MAX_FIELD_BYTES) throw tooLarge(index);
    // Deeper values could not even be serialized onto the bus (JSON.stringify overflows the stack).
    if (nestsDeeperThan(value, QCALL_MAX_DEPTH)) {
      throw new ParseError(`field number ${index + 1} nests deeper than ${QCALL_MAX_DEPTH} levels`);
    }
  });
  return fields;
}

function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `application/x-www-form-urlencoded`: a repeated name keeps its last value (as query parameters and JSON.parse do). */
function parseFormBody(text: string): Json {
  const entries = new Map<string, string>();
  for (const [k, v] of parseUrlEncoded(text, Number.MAX_SAFE_INTEGER)) {
    entries.set(k, v);
    if (entries.size > QCALL_MAX_FIELDS) throw new ParseError(`the delivery has more than ${QCALL_MAX_FIELDS} fields`);
  }
  return fromEntries(entries);
}

/** `multipart/form-data` under QCall's limits (see core/form.ts `parseMultipart`). */
export function parseMultipart(body: Buffer, contentType: string): Json {
  return fromEntries(parseMultipart_(body, contentType, { maxFields: QCALL_MAX_FIELDS, maxFieldBytes: QCALL_MAX_FIELD_BYTES, tooLarge }));
}

/** The delivered fields, exactly as they came (form and multipart values are strings). */
export function readFields(delivery: Delivery): Json {
  if (!BODY_METHODS.has(delivery.method)) return checkFields(fromEntries(Object.entries(delivery.query)));
  if (delivery.body.length === 0) {
    // A POST/PUT with "Enable Body" off: QCall still sends the configured query parameters.
    if (Object.keys(delivery.query).length === 0) throw new ParseError('the delivery has no fields (empty body, no query parameters)');
    return checkFields(fromEntries(Object.entries(delivery.query)));
  }
  const contentType = delivery.headers.get('content-type');
  const media = mediaTypeOf(contentType);
  // Invalid UTF-8 is decoded leniently (U+FFFD), as URLSearchParams and busboy do for the other types.
  const bodyText = () => delivery.body.toString('utf8');
  if (media === 'application/json' || media.endsWith('+json')) {
    const value = parseJsonBody(bodyText());
    if (value === undefined) throw new ParseError('the body is not valid JSON');
    if (!isObject(value)) throw new ParseError('the body is not a JSON object');
    return checkFields(value);
  }
  if (media === 'application/x-www-form-urlencoded') return checkFields(parseFormBody(bodyText()));
  if (media === 'multipart/form-data') return checkFields(parseMultipart(delivery.body, contentType ?? ''));
  // No or an unknown Content-Type (text/plain, …): a JSON object, else form pairs.
  const body = bodyText();
  const value = parseJsonBody(body);
  if (isObject(value)) return checkFields(value);
  if (looksLikeForm(body)) return checkFields(parseFormBody(body));
  throw new ParseError('the body is neither a JSON object nor form fields');
}

// ---------------------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------------------

/** A field as text for the normalized event: a non-blank string (trimmed) or a finite number; else undefined. */
function text(fields: Json, name: string): string | undefined {
  const v = fields[name];
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A field as a number: a finite number, or a string that is exactly a decimal number. */
function numeric(fields: Json, name: string): number | undefined {
  const v = fields[name];
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (!NUMERIC.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** How a number of the delivery is written in the dedup key (default `String`; the digits as sent, see qcall()). */
export type NumberText = (field: string, value: number) => string;

/** A value as the string the dedup key uses: strings as they are, scalars as written in a form, the rest as canonical JSON. */
function asString(value: unknown, field: string, numberAsText: NumberText): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberAsText(field, value);
  if (typeof value === 'boolean') return String(value);
  return canonicalJson(value);
}

/** JSON with object keys sorted (values are depth-checked before this runs). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The key of one delivery: API Gateway's id of the request (`request:<id>`). It is unique per request and chosen
 * by API Gateway (the local mode's gateway likewise), never by the sender; a delivery without one (a direct call
 * of the pipeline) gets a random id, so that it is never merged either.
 */
export function qcallRequestKey(requestId: string | undefined): string {
  return `request:${requestId === undefined || requestId === '' ? randomUUID() : requestId}`;
}

/**
 * The dedup key. With `dedupFields`: those values in that order; a field that is absent makes the key
 * unsafe (ParseError naming it); a field that is present but blank ("" = not extracted) would merge
 * unrelated calls, so the key then falls back to the delivery's own key. Without `dedupFields`: the delivery's
 * own key (`qcallRequestKey`), since QCall fires each call once and never retries — equal values are no proof
 * of one call.
 */
export function qcallDedupKey(
  fields: Json,
  dedupFields: readonly string[] | undefined,
  requestId: string | undefined,
  numberAsText: NumberText = (_f, v) => String(v),
): string {
  if (dedupFields && dedupFields.length > 0) {
    const values: string[] = [];
    for (const name of dedupFields) {
      if (!Object.prototype.hasOwnProperty.call(fields, name)) {
        throw new ParseError(`dedup field ${JSON.stringify(name)} is missing from the delivery`);
      }
      values.push(asString(fields[name], name, numberAsText));
    }
    if (values.every((v) => v.trim() !== '')) return `fields:${JSON.stringify(values)}`;
  }
  return qcallRequestKey(requestId);
}

/** Maps the recommended Body Parameters onto the normalized event. */
export function normalizeQCall(fields: Json): NormalizedFields {
  const firstName = text(fields, 'first_name');
  const lastName = text(fields, 'last_name');
  const name = firstName || lastName ? [firstName, lastName].filter(Boolean).join(' ') : undefined;
  const duration = numeric(fields, 'call_duration');
  return stripUndefined<NormalizedFields>({
    type: 'call.ended',
    vendorEventType: QCALL_VENDOR_EVENT_TYPE,
    occurredAt: undefined,
    callId: text(fields, 'call_id') ?? null,
    test: false,
    contact: compact({
      name,
      firstName,
      lastName,
      phone: text(fields, 'phone_number'),
      email: text(fields, 'email_address'),
      address: text(fields, 'address'),
      postalCode: text(fields, 'pincode'),
    }),
    order: compact({
      id: text(fields, 'order_id'),
      product: text(fields, 'product_name'),
      quantity: numeric(fields, 'quantity'),
      value: numeric(fields, 'order_value'),
    }),
    call: compact({
      date: text(fields, 'call_date'),
      durationSeconds: duration !== undefined && duration >= 0 ? duration : undefined,
      cost: numeric(fields, 'call_cost'),
    }),
    analytics: compact({ sentiment: text(fields, 'sentiment_analysis'), summary: text(fields, 'call_summary') }),
    outcome: compact({ disposition: text(fields, 'call_outcome') }),
    recording: compact({ url: text(fields, 'recording_url') }),
    fields,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Adapter
// ---------------------------------------------------------------------------------------------------------

export function qcall(options: QCallOptions = {}): VendorAdapter {
  const header = options.tokenHeader ?? QCALL_DEFAULT_TOKEN_HEADER;
  const prefix = options.tokenPrefix ?? QCALL_DEFAULT_TOKEN_PREFIX;
  const dedupFields = options.dedupFields;
  return {
    name: 'qcall',
    methods: ['POST', 'PUT', 'GET', 'DELETE'],
    ...schemeAuthentication(staticTokenScheme({ header, prefix })),
    parse(d) {
      try {
        const fields = readFields(d);
        // A JSON body's integers beyond 2^53 keep their digits as sent (a double would merge different values).
        const numberAsText: NumberText = (field, value) => numberText(d.body, childPointer('', field), value);
        return { dedupKey: qcallDedupKey(fields, dedupFields, d.requestId, numberAsText), fields: normalizeQCall(fields) };
      } catch (err) {
        if (err instanceof ParseError) throw err;
        // Nothing above should throw anything else; if it does, the delivery is still refused as unparseable.
        throw new ParseError('the delivery could not be read', { cause: err });
      }
    },
  };
}
