/**
 * Atoms by Smallest.ai, as its public pages describe it (an older event-payloads page and the current
 * envelope's field list; summarised in docs/vendors/atoms.md).
 *
 * Proof of origin: `X-Signature`, HMAC-SHA256 hex of the raw body. No timestamp is signed, so dedup is
 * the only replay protection.
 *
 * Two payload formats arrive, and both are accepted:
 * - the current envelope `{ url, description, event: "<agentId>.<eventType>", metadata: {...}, id }`
 *   (recognised by a `metadata` object, see isEnvelope), event type in `metadata.eventType`; dedup key =
 *   eventType + `callId` (one event of each type per call, whichever webhook configuration sent it;
 *   without a callId: `id=<envelope id>`, the delivery id);
 * - the older page's flat payload (`event`, `timestamp`, `agent_id`, `call_id`, …); dedup key =
 *   event + `call_id`.
 * Where the key's field is missing, a SHA-256 of the raw body is the key.
 */
import { lookupType } from '../core/event';
import type { AtomsOptions } from '../config/vendors/atoms';
export type { AtomsOptions } from '../config/vendors/atoms';
import { ParseError } from '../core/errors';
import type { CallEventDetail, NormalizedFields, NormalizedType } from '../core/event';
import type { Delivery } from '../core/http';
import { hmacScheme } from '../schemes/hmac';
import { schemeAuthentication } from './scheme';
import type { ParsedDelivery, VendorAdapter } from '../core/vendor';
import { idAt } from './json-source';
import { arr, compact, digestKey, isObject, joinKey, Json, num, obj, parseJsonObject, str, stripUndefined, turnsOf } from './util';

/** Event names of both formats → normalized type; any other name is published as `vendor.other`. */
export const ATOMS_TYPES: Readonly<Record<string, NormalizedType>> = {
  // older page
  'call.start': 'call.started',
  'call.end': 'call.ended',
  'analytics.completed': 'analytics.ready',
  // current envelope (metadata.eventType)
  'pre-conversation': 'call.started',
  'post-conversation': 'call.ended',
  'analytics-completed': 'analytics.ready',
};

export const ATOMS_SIGNATURE_HEADER = 'X-Signature';

type Metric = NonNullable<NonNullable<CallEventDetail['analytics']>['metrics']>[number];
type Call = NonNullable<CallEventDetail['call']>;

/**
 * `inbound` / `outbound` from any of the vendor's spellings: `inbound` (older page), `telephonyInbound`
 * (metadata.conversationType), `telephony_inbound` (callData.callDirection). Anything else: undefined.
 */
export function directionOf(value: string | undefined): 'inbound' | 'outbound' | undefined {
  const v = value?.toLowerCase() ?? '';
  if (v.endsWith('inbound')) return 'inbound';
  if (v.endsWith('outbound')) return 'outbound';
  return undefined;
}

function nonNegative(n: number | undefined): number | undefined {
  return n !== undefined && n >= 0 ? n : undefined;
}

function transcriptOf(list: unknown[] | undefined): NormalizedFields['transcript'] {
  if (list === undefined) return undefined;
  return { turns: turnsOf(list, { speaker: 'role', text: 'content', at: 'timestamp' }), truncated: false };
}

/**
 * One analytics list (`dispositionMetrics` or `successMetrics`) as metrics `{ name: identifier, value,
 * kind: "<list>:<dispositionMetricType>", confidence, reasoning }`. The value is kept as sent (null when
 * absent); an entry without an identifier is skipped.
 */
function metricsOfList(list: unknown[] | undefined, group: 'disposition' | 'success'): Metric[] {
  const out: Metric[] = [];
  for (const item of list ?? []) {
    if (!isObject(item)) continue;
    const name = str(item, 'identifier');
    if (name === undefined) continue;
    const valueType = str(item, 'dispositionMetricType');
    out.push(
      stripUndefined({
        name,
        value: item.value ?? null,
        kind: valueType ? `${group}:${valueType}` : group,
        confidence: num(item, 'confidence'),
        reasoning: str(item, 'reasoning'),
      }),
    );
  }
  return out;
}

/** The older page's `metrics` object (`{ satisfaction_score: 4, … }`) as `[{ name, value }]`. */
function metricsOfObject(metrics: Json | undefined): Metric[] | undefined {
  if (metrics === undefined) return undefined;
  return Object.entries(metrics).map(([name, value]) => ({ name, value }));
}

/** callData of the current format: numbers, status, direction, answer and end times. */
function callDataFields(callData: Json | undefined): Partial<Call> {
  return {
    from: str(callData, 'fromNumber'),
    to: str(callData, 'toNumber'),
    durationSeconds: nonNegative(num(callData, 'callDuration')),
    direction: directionOf(str(callData, 'callDirection')),
    answeredAt: str(callData, 'answerTime'),
    endedAt: str(callData, 'endTime'),
  };
}

const OLDER_EVENTS = new Set(['call.start', 'call.end', 'analytics.completed']);

/**
 * The current envelope has `metadata` (with `eventType`). The older page lists no `metadata`, but its
 * payloads are marked incomplete ("NEEDS PLATFORM INFO"): an older event name with a `metadata` object
 * that has no `eventType` is still read as the older format.
 */
function isEnvelope(body: Json, metadata: Json): boolean {
  if (str(metadata, 'eventType') !== undefined) return true;
  const event = str(body, 'event');
  return event === undefined || !OLDER_EVENTS.has(event);
}

function parseEnvelope(d: Delivery, body: Json, metadata: Json): ParsedDelivery {
  // `event` is "<agentId>.<eventType>"; metadata.eventType is authoritative, the suffix is the fallback.
  const eventName = str(body, 'event');
  const suffix = eventName && eventName.includes('.') ? eventName.slice(eventName.lastIndexOf('.') + 1) : undefined;
  const vendorEventType = str(metadata, 'eventType') ?? (suffix || undefined);
  if (vendorEventType === undefined) throw new ParseError('metadata.eventType is missing or not a string');
  const type = lookupType(ATOMS_TYPES, vendorEventType);
  // Numeric ids keep their digits as sent (idAt): past 2^53 a double would merge different ids.
  const callId = idAt(d.body, body, '/metadata/callId') ?? null;
  const id = idAt(d.body, body, '/id');
  // One event of each type per call: eventType + callId also joins copies sent by two webhook
  // configurations, whose envelope ids (delivery ids) differ. The envelope id is the fallback.
  const dedupKey = callId !== null ? joinKey(vendorEventType, callId) : id !== undefined ? `id=${id}` : digestKey('sha256=', d.body);

  const callData = obj(metadata, 'callData');
  const fromCallData = callDataFields(callData);
  const analytics = obj(metadata, 'analytics');
  const disposition = arr(analytics, 'dispositionMetrics');
  const success = arr(analytics, 'successMetrics');
  const metrics = disposition !== undefined || success !== undefined ? [...metricsOfList(disposition, 'disposition'), ...metricsOfList(success, 'success')] : undefined;
  const recordingUrl = str(metadata, 'recordingUrl');
  const variables = obj(metadata, 'variables');
  const fields: NormalizedFields = {
    type,
    vendorEventType,
    // The envelope carries no event time: the core uses receivedAt.
    callId,
    test: false,
    agent: compact({ id: str(metadata, 'agentId') }),
    call: compact({
      ...fromCallData,
      direction: fromCallData.direction ?? directionOf(str(metadata, 'conversationType')),
      from: fromCallData.from ?? str(metadata, 'fromPhone'),
      to: fromCallData.to ?? str(metadata, 'toPhone'),
    }),
    outcome: compact({ status: str(callData, 'callStatus') }),
    recording: recordingUrl ? { url: recordingUrl } : undefined,
    transcript: transcriptOf(arr(metadata, 'transcript')),
    analytics: compact({ summary: str(analytics, 'summary'), metrics }),
    fields: variables,
  };
  return { dedupKey, fields: stripUndefined(fields) };
}

function parseOlder(d: Delivery, body: Json): ParsedDelivery {
  const vendorEventType = str(body, 'event');
  if (vendorEventType === undefined) throw new ParseError('event is missing or not a string (and metadata is not an object)');
  const type = lookupType(ATOMS_TYPES, vendorEventType);
  const callId = idAt(d.body, body, '/call_id') ?? null;
  const dedupKey = callId !== null ? joinKey(vendorEventType, callId) : digestKey('sha256=', d.body);

  const direction = directionOf(str(body, 'call_direction'));
  const callerPhone = str(body, 'caller_phone');
  const agentPhone = str(body, 'agent_phone');
  // caller_phone is the customer's number and agent_phone the agent's; from/to follow the direction.
  const [from, to] = direction === 'inbound' ? [callerPhone, agentPhone] : direction === 'outbound' ? [agentPhone, callerPhone] : [undefined, undefined];
  const metrics = metricsOfObject(obj(body, 'metrics'));
  const fields: NormalizedFields = {
    type,
    vendorEventType,
    occurredAt: str(body, 'timestamp'),
    callId,
    test: false,
    agent: compact({ id: str(body, 'agent_id'), phone: agentPhone }),
    contact: compact({ phone: callerPhone }),
    call: compact({ direction, from, to, durationSeconds: nonNegative(num(body, 'duration_seconds')) }),
    outcome: compact({ disposition: str(body, 'disposition') }),
    transcript: transcriptOf(arr(body, 'transcript')),
    analytics: metrics ? { metrics } : undefined,
    fields: obj(body, 'variables'),
  };
  return { dedupKey, fields: stripUndefined(fields) };
}

export function atoms(options: AtomsOptions = {}): VendorAdapter {
  void options; // Atoms signs no timestamp: toleranceSeconds has nothing to bound.
  return {
    name: 'atoms',
    methods: ['POST'],
    ...schemeAuthentication(hmacScheme({ header: ATOMS_SIGNATURE_HEADER })),
    parse(d) {
      const body = parseJsonObject(d);
      const metadata = obj(body, 'metadata');
      return metadata && isEnvelope(body, metadata) ? parseEnvelope(d, body, metadata) : parseOlder(d, body);
    },
  };
}
