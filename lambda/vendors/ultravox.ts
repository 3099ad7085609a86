/**
 * Ultravox webhooks, as Ultravox's securing-webhooks, available-webhooks and errors-and-retries pages describe
 * them (summarised in docs/vendors/ultravox.md).
 *
 * Proof of origin: `X-Ultravox-Webhook-Signature`, the hex HMAC-SHA256 of the raw body followed by the bytes of
 * `X-Ultravox-Webhook-Timestamp` (an ISO 8601 datetime; without an offset it is UTC), keyed with the webhook's
 * secret; the header may hold several signatures separated by commas (a webhook can have several secrets), any of
 * which may match. The timestamp must be within `toleranceSeconds` (default 300; Ultravox suggests checking it is
 * recent).
 *
 * Dedup key: `call.callId` + `event` (one event of each kind per call; Ultravox retries up to 10 times).
 *
 * `call.started` (the call was created) → `call.requested`, `call.joined` (the caller's media connected) →
 * `call.started`, `call.ended` → `call.ended` (also for a call nobody joined); `call.billed` and anything added
 * later → `vendor.other`.
 */
import { DEFAULTS } from '../contracts/defaults';
import type { UltravoxOptions } from '../config/vendors/ultravox';
export type { UltravoxOptions } from '../config/vendors/ultravox';
import { lookupType, type NormalizedFields, type NormalizedType } from '../core/event';
import { ParseError } from '../core/errors';
import type { Delivery } from '../core/http';
import type { ParsedDelivery, VendorAdapter } from '../core/vendor';
import { hmacScheme } from '../schemes/hmac';
import { idAt } from './json-source';
import { schemeAuthentication } from './scheme';
import { bool, compact, digestKey, joinKey, obj, parseJsonObject, requireStr, str, stripUndefined, type Json } from './util';

/** Ultravox event → normalized type; any other event is published as `vendor.other`. */
export const ULTRAVOX_TYPES: Readonly<Record<string, NormalizedType>> = {
  'call.started': 'call.requested',
  'call.joined': 'call.started',
  'call.ended': 'call.ended',
};

/** How the call reached Ultravox, from its `medium`: `sip`, `twilio`, `telnyx`, `plivo`, `exotel`, `webrtc`, `websocket`. */
function channelOf(medium: Json | undefined): string | undefined {
  if (!medium) return undefined;
  const names: Array<[string, string]> = [['sip', 'sip'], ['twilio', 'twilio'], ['telnyx', 'telnyx'], ['plivo', 'plivo'], ['exotel', 'exotel'], ['webRtc', 'webrtc'], ['serverWebSocket', 'websocket']];
  return names.find(([key]) => obj(medium, key) !== undefined)?.[1];
}

function directionOf(medium: Json | undefined): 'inbound' | 'outbound' | undefined {
  const sip = obj(medium, 'sip');
  if (obj(sip, 'incoming')) return 'inbound';
  if (obj(sip, 'outgoing')) return 'outbound';
  return undefined;
}

function secondsBetween(from: string | undefined, to: string | undefined): number | undefined {
  const d = (Date.parse(to ?? '') - Date.parse(from ?? '')) / 1000;
  return Number.isFinite(d) && d >= 0 ? d : undefined;
}

/** Normalizes an authenticated Ultravox delivery (pure: the signed body only). */
export function parseUltravox(d: Delivery): ParsedDelivery {
  const body = parseJsonObject(d);
  const vendorEventType = requireStr(body, 'event');
  const call = obj(body, 'call');
  if (!call) throw new ParseError('call is missing or not an object');
  const type = lookupType(ULTRAVOX_TYPES, vendorEventType);
  const callId = idAt(d.body, body, '/call/callId') ?? null;
  const created = str(call, 'created');
  const joined = str(call, 'joined');
  const ended = str(call, 'ended');
  const medium = obj(call, 'medium');
  const outgoing = obj(obj(medium, 'sip'), 'outgoing');
  const agent = obj(call, 'agent');
  const occurredAt = type === 'call.requested' ? created : type === 'call.started' ? joined : type === 'call.ended' ? ended : undefined;
  const fields: NormalizedFields = {
    type,
    vendorEventType,
    occurredAt,
    callId,
    test: false,
    agent: compact({ id: str(call, 'agentId') ?? str(agent, 'agentId') }),
    call: compact({
      direction: directionOf(medium),
      from: str(outgoing, 'from'),
      to: str(outgoing, 'to'),
      channel: channelOf(medium),
      language: str(call, 'languageHint'),
      requestedAt: created,
      startedAt: joined,
      endedAt: ended,
      durationSeconds: secondsBetween(joined, ended),
    }),
    outcome: compact({ disposition: str(call, 'endReason') }),
    recording: type === 'call.ended' && bool(call, 'recordingEnabled') === true && joined !== undefined ? { available: true } : undefined,
    analytics: compact({ summary: str(call, 'summary') }),
    fields: compact({
      metadata: obj(call, 'metadata'),
      shortSummary: str(call, 'shortSummary'),
      billedDuration: str(call, 'billedDuration'),
      billingStatus: str(call, 'billingStatus'),
      agentName: str(agent, 'name'),
      errorCount: call.errorCount,
    }),
  };
  return { dedupKey: callId !== null ? joinKey(callId, vendorEventType) : digestKey('sha256:', d.body), fields: stripUndefined(fields) };
}

export function ultravox(options: UltravoxOptions = {}): VendorAdapter {
  const scheme = hmacScheme({
    header: 'X-Ultravox-Webhook-Signature',
    template: '{body}{timestamp}',
    signatures: 'comma-list',
    timestampHeader: 'X-Ultravox-Webhook-Timestamp',
    timestampUnit: 'iso',
    toleranceSeconds: options.toleranceSeconds ?? DEFAULTS.toleranceSeconds,
  });
  return { name: 'ultravox', methods: ['POST'], ...schemeAuthentication(scheme), parse: parseUltravox };
}
