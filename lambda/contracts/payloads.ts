/**
 * Where the payload bucket's objects go. Every key a function writes starts with `<kind>/<vendor>/`, so the
 * construct can grant each vendor's function exactly its own prefixes (and the redrive the stored events).
 * Pure data: importing it pulls nothing into a bundle.
 */
export const PAYLOAD_KINDS = {
  /** Authenticated deliveries that could not be parsed, kept for inspection: `rejected/<vendor>/<day>/<sha256 of the request>.{body,json}` (the body; method, query, header names). */
  rejected: 'rejected',
  /** The bulky part of an event too large for the bus: `offload/<vendor>/<eventId>/{transcript,detail}.json`. */
  offload: 'offload',
  /** An event too large for its DynamoDB record, waiting for the redrive: `events/<vendor>/<eventId>.json`. */
  events: 'events',
  /**
   * An authenticated delivery's event that neither the dedup store nor the bus could take (both failing or
   * hanging), waiting for the redrive: `spool/<vendor>/<sha256 of the record key>.json` (the claim and the event).
   */
  spool: 'spool',
  /**
   * Deliveries refused as unauthenticated (401), captured as received when the capture is on (it is opt-in and
   * rate-limited): `refused/<vendor>/<day>/<sha256 of the request>.json` (lambda/core/capture.ts), for
   * `callhooks verify --captured`. The webhook function may write here only while the capture is on.
   */
  refused: 'refused',
} as const;

export type PayloadKind = keyof typeof PAYLOAD_KINDS;

/** `<kind>/<vendor>/`: the prefix of every object of that kind for that vendor. */
export function payloadPrefix(kind: PayloadKind, vendor: string): string {
  return `${PAYLOAD_KINDS[kind]}/${vendor}/`;
}
