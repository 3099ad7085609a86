/**
 * The CallEvent (schema version 1): the one shape every delivery becomes. Its type and its published
 * contract, `schema/call-event.schema.json`, are both generated from one definition (`lambda/config/event-schema.ts`);
 * a test checks every fixture's event against the contract.
 */
import { createHash } from 'node:crypto';
import type { CallEventDetail } from '../config/event-schema';
import { DEFAULT_ENDPOINT } from '../contracts/endpoints';
import { illFormedBytes, isWellFormed } from './well-formed';

export const NORMALIZED_TYPES = [
  'call.requested',
  'call.started',
  'call.ended',
  'call.missed',
  'call.canceled',
  'transcript.ready',
  'recording.ready',
  'analytics.ready',
  'alert.triggered',
  'webhook.test',
  'vendor.other',
] as const;
export type NormalizedType = (typeof NORMALIZED_TYPES)[number];

export const SCHEMA_VERSION = '1';

export type { CallEventDetail, PayloadPointer, Transcript, TranscriptTurn } from '../config/event-schema';

/** What an adapter derives from a delivery: the detail without the fields the core owns. */
export type NormalizedFields = Omit<CallEventDetail, 'schemaVersion' | 'eventId' | 'vendor' | 'endpoint' | 'receivedAt' | 'occurredAt' | 'offload'> & {
  /** The vendor's time for the event; `receivedAt` is used when absent or not a date. */
  readonly occurredAt?: string;
};

// RFC 4122 namespace for callhooks event ids (a random UUID, fixed forever: changing it changes every eventId).
const EVENT_ID_NAMESPACE = Buffer.from('6c3a1f0e4b7d4e2a9c8f5d1e2b3a4c5d', 'hex');

/**
 * The event id: a UUID v5 of vendor, endpoint and dedup key, so every copy of one vendor event carries the same
 * id. The `default` endpoint's ids are those of vendor and dedup key alone (`<vendor>\n<dedup key>`), as they
 * always were; a named endpoint's hash `<vendor>/<endpoint>\n<dedup key>`. Vendor and endpoint names hold neither
 * `/` nor a line break, so the text before the first line break tells the endpoints apart whatever the key holds:
 * no delivery at one endpoint can take another endpoint's id (DESIGN.md §Endpoints). A dedup key that is not
 * well-formed text (a lone surrogate) is hashed as {@link illFormedBytes}, so keys that differ only there never
 * share an id (as UTF-8, every lone surrogate would be U+FFFD); a well-formed key's id is unchanged.
 */
export function deriveEventId(vendor: string, dedupKey: string, endpoint: string = DEFAULT_ENDPOINT): string {
  const scope = endpoint === DEFAULT_ENDPOINT ? vendor : `${vendor}/${endpoint}`;
  const hash = createHash('sha1').update(EVENT_ID_NAMESPACE);
  if (isWellFormed(dedupKey)) hash.update(`${scope}\n${dedupKey}`, 'utf8');
  else hash.update(`${scope}\n`, 'utf8').update(illFormedBytes(dedupKey));
  const digest = hash.digest();
  digest[6] = (digest[6] & 0x0f) | 0x50;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  const h = digest.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** `source` of a vendor's events on the bus. */
export function sourceOf(vendor: string): string {
  return `callhooks.${vendor}`;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const MIN_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A vendor's time as ISO 8601 (UTC), or undefined when it is not a usable date: an ISO 8601 text, or a
 * number of Unix seconds (milliseconds when too large to be seconds), within the years 0000–9999.
 */
export function toIsoTime(value: unknown): string | undefined {
  let ms: number;
  if (typeof value === 'number' && Number.isFinite(value)) ms = value > 1e11 ? value : value * 1000;
  else if (typeof value === 'string' && ISO_DATE.test(value.trim())) ms = new Date(value.trim()).getTime();
  else return undefined;
  return Number.isNaN(ms) || ms < MIN_MS || ms > MAX_MS ? undefined : new Date(ms).toISOString();
}

/** Looks a vendor event type up in a type table, own keys only (`constructor` is a type name, not a method). */
export function lookupType(table: Readonly<Record<string, NormalizedType>> | undefined, vendorEventType: string): NormalizedType {
  return table !== undefined && Object.prototype.hasOwnProperty.call(table, vendorEventType) ? table[vendorEventType] : 'vendor.other';
}

/** The detail of an event; `endpoint` is the endpoint the delivery arrived at (a named one enters the eventId). */
export function composeDetail(
  vendor: string,
  dedupKey: string,
  fields: NormalizedFields,
  receivedAt: Date,
  endpoint: string = DEFAULT_ENDPOINT,
): CallEventDetail {
  const received = receivedAt.toISOString();
  const { occurredAt, ...rest } = fields;
  return {
    schemaVersion: SCHEMA_VERSION,
    // Per endpoint: a vendor's ids are unique only within one account (DESIGN.md §Endpoints).
    eventId: deriveEventId(vendor, dedupKey, endpoint),
    vendor,
    endpoint,
    ...rest,
    occurredAt: toIsoTime(occurredAt) ?? received,
    receivedAt: received,
  };
}
