/**
 * Retell AI, as its SDK (`retell-sdk` 5.x, `src/lib/webhook_auth.ts`, `resources/call.ts`) and its webhook pages
 * describe it (summarised in docs/vendors/retell.md).
 *
 * Body: `{ "event": "call_started" | "call_ended" | "call_analyzed" | "transcript_updated" | "transfer_…", "call": {…} }`
 * (`data` in older deliveries, which Retell has deprecated in favour of `call`: both are read).
 *
 * Event type: body `event`. Dedup key: `call.call_id` + `event` (DESIGN §Platforms); a `transcript_updated`, sent
 * many times per call, also carries the SHA-256 of the signed body (a retry repeats the body, a new update does
 * not). A body without a call id: the SHA-256 of the body.
 */
import { lookupType, type NormalizedFields, type NormalizedType } from '../core/event';
import type { Delivery } from '../core/http';
import type { ParsedDelivery } from '../core/vendor';
import type { VendorAdapter } from '../core/vendor';
import { DEFAULTS } from '../contracts/defaults';
import type { RetellOptions } from '../config/vendors/retell';
export type { RetellOptions } from '../config/vendors/retell';
import { hmacScheme } from '../schemes/hmac';
import { schemeAuthentication } from './scheme';
import { idAt } from './json-source';
import {
  arr, bool, compact, digestKey, isObject, isoFromMs, joinKey, labelledTurns, num, obj, parseJsonObject, secondsBetweenMs, str, stringValues, stripUndefined, turnsOf,
} from './util';

/** Retell event → normalized type; any other event is `vendor.other`. */
export const RETELL_TYPES: Readonly<Record<string, NormalizedType>> = {
  call_started: 'call.started',
  call_ended: 'call.ended',
  call_analyzed: 'analytics.ready',
};

/** vendorEventType of a body without an `event`. */
export const UNTYPED = '(none)';

const TRANSCRIPT_LABELS = { Agent: 'agent', User: 'caller' } as const;

/** The transcript: `transcript_object` turns (role agent / user / transfer_target), else the `transcript` text. */
function transcriptOf(call: Record<string, unknown> | undefined): NormalizedFields['transcript'] {
  const list = arr(call, 'transcript_object');
  if (list !== undefined) return { turns: turnsOf(list, { speaker: 'role', text: 'content' }), truncated: false };
  const text = str(call, 'transcript');
  return text === undefined ? undefined : { turns: labelledTurns(text, TRANSCRIPT_LABELS), truncated: false };
}

/** The CallEvent fields and dedup key of an authenticated Retell delivery. */
export function parseRetell(d: Pick<Delivery, 'body'>): ParsedDelivery {
  const body = parseJsonObject(d as Delivery);
  const vendorEventType = str(body, 'event') ?? UNTYPED;
  const type = lookupType(RETELL_TYPES, vendorEventType);
  const where = obj(body, 'call') ? '/call' : '/data';
  const call = obj(body, 'call') ?? obj(body, 'data');
  const callId = idAt(d.body, body, `${where}/call_id`) ?? null;

  const startMs = num(call, 'start_timestamp');
  const endMs = num(call, 'end_timestamp');
  const durationMs = num(call, 'duration_ms');
  const direction = str(call, 'direction');
  const analysis = obj(call, 'call_analysis');
  const cost = obj(call, 'call_cost');
  const agentVersion = num(call, 'agent_version');
  const custom = analysis?.custom_analysis_data;
  const urls = stringValues({
    scrubbed: call?.scrubbed_recording_url,
    scrubbedMultiChannel: call?.scrubbed_recording_multi_channel_url,
  });

  const fields: NormalizedFields = {
    type,
    vendorEventType,
    // The event's own time: the call's start for call_started, its end for the events after it.
    occurredAt: vendorEventType === 'call_started' ? isoFromMs(startMs) : isoFromMs(endMs),
    callId,
    test: false,
    agent: compact({ id: str(call, 'agent_id'), name: str(call, 'agent_name'), version: agentVersion === undefined ? undefined : String(agentVersion) }),
    call: compact({
      direction: direction === 'inbound' || direction === 'outbound' ? direction : undefined,
      from: str(call, 'from_number'),
      to: str(call, 'to_number'),
      type: str(call, 'call_type'),
      status: str(call, 'call_status'),
      startedAt: isoFromMs(startMs),
      endedAt: isoFromMs(endMs),
      durationSeconds: durationMs !== undefined && durationMs >= 0 ? durationMs / 1000 : secondsBetweenMs(startMs, endMs),
      endReason: str(call, 'disconnection_reason'),
      cost: num(cost, 'combined_cost'),
      currency: num(cost, 'combined_cost') === undefined ? undefined : 'cents',
    }),
    outcome: compact({ voicemail: bool(analysis, 'in_voicemail') }),
    recording: compact({
      url: str(call, 'recording_url'),
      multiChannelUrl: str(call, 'recording_multi_channel_url'),
      urls,
    }),
    transcript: transcriptOf(call),
    analytics: compact({
      summary: str(analysis, 'call_summary'),
      sentiment: str(analysis, 'user_sentiment'),
      successful: bool(analysis, 'call_successful'),
      structuredData: isObject(custom) ? custom : undefined,
    }),
    fields: compact({
      metadata: isObject(call?.metadata) ? call.metadata : undefined,
      retell_llm_dynamic_variables: obj(call, 'retell_llm_dynamic_variables'),
      collected_dynamic_variables: obj(call, 'collected_dynamic_variables'),
    }),
  };
  let dedupKey: string;
  if (callId === null) dedupKey = digestKey('sha256:', d.body);
  else if (vendorEventType === 'transcript_updated') dedupKey = joinKey(callId, vendorEventType, digestKey('sha256:', d.body));
  else dedupKey = joinKey(callId, vendorEventType);
  return { dedupKey, fields: stripUndefined(fields) };
}

/**
 * Retell's proof of origin (the SDK's `sign` / `verify`): `x-retell-signature: v=<unix ms>,d=<hex>`, d =
 * HMAC-SHA256(API key, raw body followed by v), refused more than `toleranceSeconds` from now either way.
 */
export function retell(options: RetellOptions = {}): VendorAdapter {
  const scheme = hmacScheme({
    header: 'x-retell-signature',
    signatures: 'pairs',
    timestampKey: 'v',
    signatureKey: 'd',
    timestampUnit: 'ms',
    template: '{body}{timestamp}',
    toleranceSeconds: options.toleranceSeconds ?? DEFAULTS.toleranceSeconds,
  });
  return { name: 'retell', methods: ['POST'], ...schemeAuthentication(scheme), parse: parseRetell };
}
