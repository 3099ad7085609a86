/**
 * ElevenLabs Agents post-call webhooks, as its SDK (`@elevenlabs/elevenlabs-js` 2.x, `wrapper/webhooks.js`,
 * `ConvAiWebhooks`) and its post-call webhook page describe them (summarised in docs/vendors/elevenlabs.md).
 *
 * Body: `{ "type": "post_call_transcription" | "post_call_audio" | "call_initiation_failure", "event_timestamp": <s>, "data": {…} }`.
 * Event type: body `type`. Dedup key: `data.conversation_id` + `type` (DESIGN §Platforms); without a conversation
 * id, the SHA-256 of the signed body.
 *
 * `post_call_audio` carries the whole call as base64 MP3 in `data.full_audio`: the audio is decoded and handed to
 * the pipeline, which stores it in the payload bucket (never on the bus) and points `recording.url` at it. A body
 * over `maxBodyBytes` is refused 413 before any of this (docs/vendors/elevenlabs.md: fetch long calls' audio
 * through the API instead).
 */
import { lookupType, type NormalizedFields, type NormalizedType } from '../core/event';
import { ParseError } from '../core/errors';
import type { Delivery } from '../core/http';
import type { ParsedDelivery } from '../core/vendor';
import type { VendorAdapter } from '../core/vendor';
import { DEFAULTS } from '../contracts/defaults';
import type { ElevenLabsOptions } from '../config/vendors/elevenlabs';
export type { ElevenLabsOptions } from '../config/vendors/elevenlabs';
import { hmacScheme } from '../schemes/hmac';
import { schemeAuthentication } from './scheme';
import { idAt } from './json-source';
import { arr, compact, digestKey, isObject, isoFromSeconds, joinKey, Json, num, obj, parseJsonObject, speakerOf, str, stripUndefined } from './util';
import type { TranscriptTurn } from '../core/event';

/** ElevenLabs webhook type → normalized type; any other type is `vendor.other`. */
export const ELEVENLABS_TYPES: Readonly<Record<string, NormalizedType>> = {
  post_call_transcription: 'call.ended',
  post_call_audio: 'recording.ready',
  call_initiation_failure: 'call.missed',
};

/** vendorEventType of a body without a `type`. */
export const UNTYPED = '(none)';

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Turns of `data.transcript`: role agent / user, text `message` (tool-call turns without text are skipped). */
function turnsOfTranscript(list: unknown[] | undefined): TranscriptTurn[] {
  const turns: TranscriptTurn[] = [];
  for (const item of list ?? []) {
    if (!isObject(item) || typeof item.message !== 'string' || item.message === '') continue;
    const at = num(item, 'time_in_call_secs');
    const speaker = speakerOf(str(item, 'role') ?? 'unknown');
    turns.push(at === undefined ? { speaker, text: item.message } : { speaker, text: item.message, at: String(at) });
  }
  return turns;
}

/** `success` → true, `failure` → false, anything else (`unknown`) → undefined. */
function verdict(value: string | undefined): boolean | undefined {
  return value === 'success' ? true : value === 'failure' ? false : undefined;
}

/** The call's numbers from `metadata.phone_call`: the agent's number is `to` of an inbound call, `from` of an outbound one. */
function numbersOf(phone: Json | undefined): { direction?: 'inbound' | 'outbound'; from?: string; to?: string } {
  const direction = str(phone, 'direction');
  const agent = str(phone, 'agent_number');
  const external = str(phone, 'external_number');
  if (direction === 'inbound') return { direction, from: external, to: agent };
  if (direction === 'outbound') return { direction, from: agent, to: external };
  return {};
}

/** The decoded audio of `data.full_audio`; ParseError when it is not base64. */
function audioOf(data: Json | undefined): ParsedDelivery['audio'] {
  const text = typeof data?.full_audio === 'string' ? data.full_audio.replace(/\s+/g, '') : undefined;
  if (text === undefined || text === '') return undefined;
  if (!BASE64_RE.test(text)) throw new ParseError('data.full_audio is not base64');
  return { bytes: Buffer.from(text, 'base64'), contentType: 'audio/mpeg', extension: 'mp3' };
}

/** The CallEvent fields (and audio) and dedup key of an authenticated ElevenLabs delivery. */
export function parseElevenLabs(d: Pick<Delivery, 'body'>): ParsedDelivery {
  const body = parseJsonObject(d as Delivery);
  const vendorEventType = str(body, 'type') ?? UNTYPED;
  const type = lookupType(ELEVENLABS_TYPES, vendorEventType);
  const data = obj(body, 'data');
  const callId = idAt(d.body, body, '/data/conversation_id') ?? null;
  const metadata = obj(data, 'metadata');
  const phone = obj(metadata, 'phone_call');
  const analysis = obj(data, 'analysis');
  const startS = num(metadata, 'start_time_unix_secs');
  const acceptedS = num(metadata, 'accepted_time_unix_secs');
  const duration = num(metadata, 'call_duration_secs');
  const transcript = arr(data, 'transcript');
  const dynamic = obj(obj(data, 'conversation_initiation_client_data'), 'dynamic_variables');
  const failure = vendorEventType === 'call_initiation_failure';
  const audio = vendorEventType === 'post_call_audio' ? audioOf(data) : undefined;

  const fields: NormalizedFields = {
    type,
    vendorEventType,
    occurredAt: isoFromSeconds(num(body, 'event_timestamp')),
    callId,
    test: false,
    agent: compact({ id: str(data, 'agent_id') }),
    contact: compact({ id: str(data, 'user_id') }),
    call: compact({
      ...numbersOf(phone),
      type: str(phone, 'type'),
      language: str(metadata, 'main_language'),
      startedAt: isoFromSeconds(startS),
      answeredAt: isoFromSeconds(acceptedS),
      endedAt: startS !== undefined && duration !== undefined && duration >= 0 ? isoFromSeconds(startS + duration) : undefined,
      durationSeconds: duration !== undefined && duration >= 0 ? duration : undefined,
      endReason: str(metadata, 'termination_reason') ?? (failure ? str(data, 'failure_reason') : undefined),
      cost: num(metadata, 'cost'),
    }),
    outcome: compact({ status: failure ? str(data, 'failure_reason') : str(data, 'status') }),
    transcript: transcript === undefined ? undefined : { turns: turnsOfTranscript(transcript), truncated: false },
    analytics: compact({
      summary: str(analysis, 'transcript_summary'),
      successful: verdict(str(analysis, 'call_successful')),
      evaluation: obj(analysis, 'evaluation_criteria_results'),
      structuredData: obj(analysis, 'data_collection_results'),
    }),
    recording: vendorEventType === 'post_call_audio' ? { available: audio !== undefined } : undefined,
    fields: compact({
      dynamic_variables: dynamic,
      phone_call: phone,
      // call_initiation_failure: what the telephony provider answered, as it came.
      metadata: failure ? metadata : undefined,
    }),
  };
  const dedupKey = callId === null ? digestKey('sha256:', d.body) : joinKey(callId, vendorEventType);
  return { dedupKey, fields: stripUndefined(fields), ...(audio ? { audio } : {}) };
}

/** ElevenLabs' tolerance for a signed `t` (its SDK's): 30 minutes. */
export const ELEVENLABS_TOLERANCE_SECONDS = 1800;

/**
 * ElevenLabs' proof of origin (the SDK's `constructEvent`): `ElevenLabs-Signature: t=<unix s>,v0=<hex>`, v0 =
 * HMAC-SHA256(webhook secret, `<t>.<raw body>`); refused when t is older than `toleranceSeconds` (default 30 minutes,
 * as the SDK) or more than the general tolerance (300 s) ahead, which the SDK does not check.
 */
export function elevenlabs(options: ElevenLabsOptions = {}): VendorAdapter {
  const scheme = hmacScheme({
    header: 'ElevenLabs-Signature',
    signatures: 'pairs',
    timestampKey: 't',
    signatureKey: 'v0',
    template: '{timestamp}.{body}',
    toleranceSeconds: options.toleranceSeconds ?? ELEVENLABS_TOLERANCE_SECONDS,
    futureToleranceSeconds: DEFAULTS.toleranceSeconds,
  });
  return { name: 'elevenlabs', methods: ['POST'], ...schemeAuthentication(scheme), parse: parseElevenLabs };
}
