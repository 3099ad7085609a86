/**
 * LiveKit server webhooks (LiveKit Cloud and self-hosted), as LiveKit's webhooks page and `livekit-server-sdk`'s
 * `WebhookReceiver` describe them (summarised in docs/vendors/livekit.md).
 *
 * Proof of origin: `Authorization: <JWT>` (no `Bearer`), HS256 keyed with the API secret, its `iss` the API key,
 * `exp` required (10 s leeway, the SDK's), and a `sha256` claim holding the base64 SHA-256 of the raw body. The
 * endpoint's secret is the API secret alone (option `apiKey` then pins `iss`), or JSON `{"key": "<API key>",
 * "secret": "<API secret>"}` (the key pins `iss`).
 *
 * Dedup key: the body's `id` (the event's id, signed through the body hash); without one, a SHA-256 of the body.
 *
 * Mapping: a SIP participant (kind `SIP`) joining → `call.started`, leaving → `call.ended`; `egress_ended` →
 * `recording.ready`; every other event (rooms, tracks, other participants, ingress, …) → `vendor.other`.
 * `callId` is the SIP participant's `sip.callID` attribute (LiveKit's SIP call id); `call.conversationId` the room's
 * sid, which every event of the call carries.
 */
import type { LivekitOptions } from '../config/vendors/livekit';
export type { LivekitOptions } from '../config/vendors/livekit';
import { lookupType, toIsoTime, type NormalizedFields, type NormalizedType } from '../core/event';
import type { Delivery } from '../core/http';
import type { ParsedDelivery, VendorAdapter } from '../core/vendor';
import { jwtScheme } from '../schemes/jwt';
import { schemeAuthentication } from './scheme';
import { compact, digestKey, isObject, parseJsonObject, requireStr, stripUndefined, type Json } from './util';

/** LiveKit event name → normalized type (the participant events only for a SIP participant). */
export const LIVEKIT_TYPES: Readonly<Record<string, NormalizedType>> = {
  participant_joined: 'call.started',
  participant_left: 'call.ended',
  egress_ended: 'recording.ready',
};

/** A protobuf-JSON field in either spelling: LiveKit writes camelCase (`createdAt`); the SDK's `fromJson` also reads `created_at`. */
function field(o: Json | undefined, camel: string): unknown {
  if (o === undefined) return undefined;
  if (Object.prototype.hasOwnProperty.call(o, camel)) return o[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return Object.prototype.hasOwnProperty.call(o, snake) ? o[snake] : undefined;
}
function text(o: Json | undefined, camel: string): string | undefined {
  const v = field(o, camel);
  if (typeof v === 'string') return v === '' ? undefined : v;
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}
function child(o: Json | undefined, camel: string): Json | undefined {
  const v = field(o, camel);
  return isObject(v) ? v : undefined;
}
/** An attribute (`attributes` is a string map; names such as `sip.callID` are taken as they are). */
function attribute(attributes: Json | undefined, name: string): string | undefined {
  const v = attributes?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A protobuf int64 (digits, as a string or a number) in `unit` as ISO 8601; undefined when it is not one, or 0. */
export function livekitTime(value: string | undefined, unit: 's' | 'ms' | 'ns'): string | undefined {
  if (value === undefined || !/^[0-9]{1,20}$/.test(value) || /^0+$/.test(value)) return undefined;
  const ms = unit === 's' ? Number(value) * 1000 : unit === 'ms' ? Number(value) : Number(BigInt(value) / 1_000_000n);
  return toIsoTime(ms);
}

/** Whether a participant is a phone caller: kind `SIP` (proto enum value 3). */
function isSip(participant: Json | undefined): boolean {
  const kind = field(participant, 'kind');
  return kind === 'SIP' || kind === 3;
}

function durationBetween(from: string | undefined, to: string | undefined): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  const d = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(d) && d >= 0 ? d : undefined;
}

/** Normalizes an authenticated LiveKit delivery (pure: the signed body only). */
export function parseLivekit(d: Delivery): ParsedDelivery {
  const body = parseJsonObject(d);
  const vendorEventType = requireStr(body, 'event');
  const occurredAt = livekitTime(text(body, 'createdAt'), 's');
  const room = child(body, 'room');
  const participant = child(body, 'participant');
  const egress = child(body, 'egressInfo');
  const sip = isSip(participant);
  const mapped = lookupType(LIVEKIT_TYPES, vendorEventType);
  const type: NormalizedType = mapped === 'recording.ready' || (sip && mapped !== 'vendor.other') ? mapped : 'vendor.other';
  const attributes = child(participant, 'attributes');
  const roomSid = text(room, 'sid') ?? text(egress, 'roomId');
  const id = text(body, 'id');
  const dedupKey = id ?? digestKey('sha256:', d.body);

  const fields: NormalizedFields = {
    type,
    vendorEventType,
    occurredAt,
    callId: sip ? (attribute(attributes, 'sip.callID') ?? text(participant, 'sid') ?? null) : null,
    test: false,
    call: compact({ conversationId: roomSid }),
    fields: compact({
      room: room && compact({ sid: roomSid, name: text(room, 'name') }),
      participant: participant && compact({ sid: text(participant, 'sid'), identity: text(participant, 'identity'), kind: text(participant, 'kind'), attributes }),
      numDropped: field(body, 'numDropped'),
    }),
  };
  if (sip) {
    const joinedAt = livekitTime(text(participant, 'joinedAtMs'), 'ms') ?? livekitTime(text(participant, 'joinedAt'), 's');
    const endedAt = type === 'call.ended' ? occurredAt : undefined;
    const inbound = attribute(attributes, 'sip.ruleID') !== undefined;
    const phone = attribute(attributes, 'sip.phoneNumber');
    const trunkPhone = attribute(attributes, 'sip.trunkPhoneNumber');
    Object.assign(fields, {
      call: compact({
        direction: inbound ? ('inbound' as const) : undefined,
        from: inbound ? phone : undefined,
        to: inbound ? trunkPhone : undefined,
        channel: 'sip',
        status: attribute(attributes, 'sip.callStatus'),
        startedAt: joinedAt,
        endedAt,
        durationSeconds: durationBetween(joinedAt, endedAt),
        sipCallId: attribute(attributes, 'sip.callIDFull'),
        conversationId: roomSid,
      }),
      contact: compact({ phone }),
      agent: compact({ phone: trunkPhone }),
      outcome: type === 'call.ended' ? compact({ disposition: text(participant, 'disconnectReason') }) : undefined,
    });
  }
  if (type === 'recording.ready') {
    const files = field(egress, 'fileResults');
    const first = Array.isArray(files) && isObject(files[0]) ? files[0] : undefined;
    const location = text(first, 'location');
    const nanos = text(first, 'duration');
    const seconds = nanos !== undefined && /^[0-9]{1,20}$/.test(nanos) ? Number(BigInt(nanos) / 1_000_000n) / 1000 : undefined;
    Object.assign(fields, {
      call: compact({ conversationId: roomSid, durationSeconds: seconds }),
      recording: compact({ available: text(egress, 'status') === 'EGRESS_COMPLETE' ? true : undefined, url: location }),
      fields: compact({ ...fields.fields, egress: compact({ egressId: text(egress, 'egressId'), status: text(egress, 'status'), roomName: text(egress, 'roomName'), fileResults: files, error: text(egress, 'error') }) }),
    });
  }
  return { dedupKey, fields: stripUndefined(fields) };
}

export function livekit(options: LivekitOptions = {}): VendorAdapter {
  const common = { bodyHashClaim: 'sha256', bodyHashEncoding: 'base64', requireExp: true, tokenPrefix: '', leewaySeconds: 10 } as const;
  // The secret is the API secret alone (`apiKey` pins iss), or JSON {"key", "secret"} (its key pins iss).
  const plain = schemeAuthentication(jwtScheme({ ...common, issuer: options.apiKey }));
  const keyed = schemeAuthentication(jwtScheme({ ...common, keyed: true }));
  const isKeyed = (secret: string) => /"secret"\s*:/.test(secret);
  return {
    name: 'livekit',
    methods: ['POST'],
    // No single `scheme`: the secret's form (JSON key pair, or the API secret alone) picks one of two, so the
    // pipeline authenticates through `verify`, one secret value at a time (rotation included).
    verify: (d, secret, now) => (isKeyed(secret) ? keyed : plain).verify(d, secret, now),
    sign: (body, secret, now, id) => (isKeyed(secret) ? keyed : plain).sign(body, secret, now, id),
    generateSecret: keyed.generateSecret,
    parse: parseLivekit,
  };
}
