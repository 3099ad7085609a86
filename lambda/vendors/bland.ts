/**
 * Bland AI's post-call webhook, as its webhook-signing and post-call-webhook tutorials and its call-details
 * reference describe it (summarised in docs/vendors/bland.md).
 *
 * Proof of origin: `X-Webhook-Signature`, the hex HMAC-SHA256 of the raw body, keyed with the signing secret.
 * No timestamp is signed, so dedup is the only replay protection.
 *
 * The body is the call-details object (`GET /v1/calls/{call_id}`), sent once when the call has ended: it is
 * `call.ended`, its `vendorEventType` `post-call` (Bland names no event type). Dedup key: `call_id` (one
 * post-call webhook per call; a resend from the dashboard or `POST /v1/postcall/webhooks/resend` is a duplicate).
 * A body without a `call_id` is still published, keyed by a SHA-256 of its bytes.
 */
import type { BlandOptions } from '../config/vendors/bland';
export type { BlandOptions } from '../config/vendors/bland';
import type { NormalizedFields } from '../core/event';
import { hmacScheme } from '../schemes/hmac';
import { schemeAuthentication } from './scheme';
import type { Delivery } from '../core/http';
import type { ParsedDelivery, VendorAdapter } from '../core/vendor';
import { idAt } from './json-source';
import { arr, bool, compact, digestKey, nonNegative, num, obj, parseJsonObject, str, stripUndefined, turnsOf, type Json } from './util';

export const BLAND_SIGNATURE_HEADER = 'X-Webhook-Signature';
/** The `vendorEventType` of the post-call webhook, which carries no type of its own. */
export const BLAND_POST_CALL = 'post-call';

/** A duration in seconds: `corrected_duration` (seconds, a string), else `end_at` − `started_at`, else `call_length` (minutes). */
function durationOf(body: Json): number | undefined {
  const corrected = Number(str(body, 'corrected_duration'));
  if (Number.isFinite(corrected) && corrected >= 0 && str(body, 'corrected_duration') !== undefined) return corrected;
  const started = Date.parse(str(body, 'started_at') ?? '');
  const ended = Date.parse(str(body, 'end_at') ?? '');
  if (Number.isFinite(started) && Number.isFinite(ended) && ended >= started) return (ended - started) / 1000;
  const minutes = num(body, 'call_length');
  // Finite minutes can still be beyond a number in seconds (1e308 × 60): JSON would write Infinity as null.
  return minutes !== undefined ? nonNegative(Math.round(minutes * 60 * 1000) / 1000) : undefined;
}

/** Normalizes an authenticated Bland delivery (pure: the signed body only). */
export function parseBland(d: Delivery): ParsedDelivery {
  const body = parseJsonObject(d);
  const callId = idAt(d.body, body, '/call_id') ?? null;
  const inbound = bool(body, 'inbound');
  const transcripts = arr(body, 'transcripts');
  const variables = obj(body, 'variables');
  const metadata = obj(body, 'metadata');
  const analysis = obj(body, 'analysis');
  const fields: NormalizedFields = {
    type: 'call.ended',
    vendorEventType: BLAND_POST_CALL,
    occurredAt: str(body, 'end_at'),
    callId,
    test: false,
    call: compact({
      direction: inbound === undefined ? undefined : inbound ? ('inbound' as const) : ('outbound' as const),
      from: str(body, 'from'),
      to: str(body, 'to'),
      status: str(body, 'status') ?? str(body, 'queue_status'),
      requestedAt: str(body, 'created_at'),
      startedAt: str(body, 'started_at'),
      endedAt: str(body, 'end_at'),
      durationSeconds: durationOf(body),
      cost: num(body, 'price'),
    }),
    outcome: compact({ disposition: str(body, 'answered_by') }),
    recording: str(body, 'recording_url') ? { url: str(body, 'recording_url') } : undefined,
    transcript: transcripts !== undefined ? { turns: turnsOf(transcripts, { speaker: 'user', text: 'text', at: 'created_at' }), truncated: false } : undefined,
    analytics: compact({ summary: str(body, 'summary') }),
    fields: compact({
      variables,
      metadata,
      analysis,
      call_ended_by: str(body, 'call_ended_by'),
      batch_id: str(body, 'batch_id'),
      pathway_id: str(body, 'pathway_id'),
      transferred_to: str(body, 'transferred_to'),
      error_message: str(body, 'error_message'),
      completed: bool(body, 'completed'),
    }),
  };
  return { dedupKey: callId ?? digestKey('sha256:', d.body), fields: stripUndefined(fields) };
}

export function bland(_options: BlandOptions = {}): VendorAdapter {
  // Hex HMAC-SHA256 of the body alone: no timestamp, so toleranceSeconds has nothing to bound.
  const scheme = hmacScheme({ header: BLAND_SIGNATURE_HEADER, encoding: 'hex', template: '{body}' });
  return { name: 'bland', methods: ['POST'], ...schemeAuthentication(scheme), parse: parseBland };
}
