/**
 * Telnyx Voice API (Call Control) webhooks, as its SDK (`telnyx` 7.x, `src/lib/webhooks.ts`,
 * `resources/webhooks.ts`) and its receiving-webhooks page describe them (summarised in docs/vendors/telnyx.md).
 *
 * Body: `{ "data": { "record_type": "event", "event_type": …, "id": <uuid>, "occurred_at": …, "payload": {…} },
 * "meta": { "attempt": N, "delivered_to": … } }`.
 * Event type: `data.event_type`. Dedup key: `data.id`, the event's id, which every retry repeats — never a hash of
 * the body, since `meta.attempt` changes on each retry. (An event without an id: the SHA-256 of its `data` as
 * sent, re-serialized, so that `meta` does not enter it.)
 *
 * TeXML applications post Twilio-compatible form fields instead, signed the same way: they are read as Twilio's
 * (`normalizeTwilioForm`), and the TeXML voice URL, which expects TeXML in the response, is refused 422.
 */
import { lookupType, type NormalizedFields, type NormalizedType } from '../core/event';
import { ParseError } from '../core/errors';
import type { Delivery } from '../core/http';
import { mediaTypeOf } from '../core/form';
import type { ParsedDelivery } from '../core/vendor';
import type { VendorAdapter } from '../core/vendor';
import { DEFAULTS } from '../contracts/defaults';
import type { TelnyxOptions } from '../config/vendors/telnyx';
export type { TelnyxOptions } from '../config/vendors/telnyx';
import { publicKeyScheme } from '../schemes/public-key';
import { schemeAuthentication } from './scheme';
import { idAt } from './json-source';
import { formFields, normalizeTwilioForm } from './twiml-form';
import { arr, compact, digestKey, durationBetween, isObject, num, obj, parseJsonObject, str, stringValues, stripUndefined } from './util';

/** Telnyx event type → normalized type; any other type is `vendor.other`. */
export const TELNYX_TYPES: Readonly<Record<string, NormalizedType>> = {
  'call.initiated': 'call.requested',
  'call.answered': 'call.started',
  'call.hangup': 'call.ended',
  'call.recording.saved': 'recording.ready',
  'call.recording.transcription.saved': 'transcript.ready',
  'call.conversation_insights.generated': 'analytics.ready',
};

/** vendorEventType of an event without an `event_type`. */
export const UNTYPED = '(none)';

/** Telnyx `direction`: incoming → inbound, outgoing → outbound. */
function directionOf(value: string | undefined): 'inbound' | 'outbound' | undefined {
  if (value === 'incoming' || value === 'inbound') return 'inbound';
  if (value === 'outgoing' || value === 'outbound') return 'outbound';
  return undefined;
}

/** `results[]` of conversation insights as metrics: `{ name: insight_id, value: result }`. */
function insightsOf(results: unknown[] | undefined): Array<{ name: string; value: unknown }> | undefined {
  if (results === undefined) return undefined;
  const metrics: Array<{ name: string; value: unknown }> = [];
  for (const r of results) {
    if (!isObject(r)) continue;
    metrics.push({ name: str(r, 'insight_id') ?? 'insight', value: r.result });
  }
  return metrics;
}

/** The CallEvent fields and dedup key of an authenticated Telnyx delivery (JSON, or TeXML form fields). */
export function parseTelnyx(d: Pick<Delivery, 'body' | 'headers'>): ParsedDelivery {
  if (mediaTypeOf(d.headers.get('content-type')) === 'application/x-www-form-urlencoded') return normalizeTwilioForm(formFields(d.body), 'Telnyx TeXML');
  const body = parseJsonObject(d as Delivery);
  const data = obj(body, 'data');
  if (data === undefined) throw new ParseError('data is missing or not an object');
  const vendorEventType = str(data, 'event_type') ?? UNTYPED;
  const type = lookupType(TELNYX_TYPES, vendorEventType);
  const payload = obj(data, 'payload');
  const id = idAt(d.body, body, '/data/id');
  const callId = idAt(d.body, body, '/data/payload/call_leg_id') ?? idAt(d.body, body, '/data/payload/call_control_id') ?? null;
  const occurredAt = str(data, 'occurred_at');
  const startTime = str(payload, 'start_time');
  const durationSec = num(payload, 'duration_sec');
  const recordingUrls = obj(payload, 'recording_urls');
  const publicUrls = obj(payload, 'public_recording_urls');
  const urls = { ...stringValues(recordingUrls), ...prefixed('public.', stringValues(publicUrls)) };
  const recordingStarted = str(payload, 'recording_started_at');
  const recordingEnded = str(payload, 'recording_ended_at');
  const transcription = obj(payload, 'transcription_data');
  const transcriptText = str(payload, 'transcription_text') ?? str(transcription, 'transcript');
  const track = str(transcription, 'transcription_track');
  const amd = str(payload, 'result');

  const fields: NormalizedFields = {
    type,
    vendorEventType,
    occurredAt,
    callId,
    test: false,
    agent: compact({ id: str(payload, 'assistant_id') }),
    call: compact({
      direction: directionOf(str(payload, 'direction')),
      from: str(payload, 'from'),
      to: str(payload, 'to'),
      status: str(payload, 'state'),
      startedAt: startTime,
      endedAt: vendorEventType === 'call.hangup' ? occurredAt : undefined,
      durationSeconds: durationSec !== undefined && durationSec >= 0 ? durationSec
        : vendorEventType === 'call.hangup' ? durationBetween(startTime, occurredAt) : undefined,
      endReason: str(payload, 'hangup_cause') ?? str(payload, 'reason'),
      sessionId: str(payload, 'call_session_id'),
      controlId: str(payload, 'call_control_id'),
    }),
    outcome: compact({
      status: str(payload, 'hangup_cause'),
      voicemail: vendorEventType.startsWith('call.machine.') && amd !== undefined ? amd.startsWith('machine') : undefined,
    }),
    contact: compact({ name: str(payload, 'caller_id_name') }),
    recording: compact({
      id: str(payload, 'recording_id'),
      url: str(recordingUrls, 'mp3') ?? str(recordingUrls, 'wav') ?? str(publicUrls, 'mp3') ?? str(publicUrls, 'wav'),
      urls: Object.keys(urls).length > 0 ? urls : undefined,
      channels: str(payload, 'channels'),
      startedAt: recordingStarted,
      endedAt: recordingEnded,
      durationSeconds: durationBetween(recordingStarted, recordingEnded),
    }),
    transcript: transcriptText === undefined ? undefined : {
      // A recording's transcription has no speakers; a live fragment names its track (inbound / outbound leg).
      turns: [{ speaker: track ?? 'unknown', text: transcriptText }],
      truncated: false,
    },
    analytics: compact({ metrics: insightsOf(arr(payload, 'results')) }),
    fields: compact({
      connection_id: str(payload, 'connection_id'),
      client_state: str(payload, 'client_state'),
      tags: arr(payload, 'tags'),
      custom_headers: arr(payload, 'custom_headers'),
    }),
  };
  const dedupKey = id ?? digestKey('sha256:', JSON.stringify(data));
  return { dedupKey, fields: stripUndefined(fields) };
}

function prefixed(prefix: string, o: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [`${prefix}${k}`, v]));
}

/**
 * Telnyx's proof of origin (the SDK's `TelnyxWebhook.verify`): `telnyx-signature-ed25519`, base64 of the Ed25519
 * signature of `<telnyx-timestamp>|<raw body>`, verified with the account's public key (the endpoint's secret);
 * a timestamp more than `toleranceSeconds` from now either way is refused.
 */
export function telnyx(options: TelnyxOptions = {}): VendorAdapter {
  const scheme = publicKeyScheme({
    signatureHeader: 'telnyx-signature-ed25519',
    timestampHeader: 'telnyx-timestamp',
    template: '{timestamp}|{body}',
    toleranceSeconds: options.toleranceSeconds ?? DEFAULTS.toleranceSeconds,
  });
  return { name: 'telnyx', methods: ['POST'], ...schemeAuthentication(scheme), parse: parseTelnyx };
}
