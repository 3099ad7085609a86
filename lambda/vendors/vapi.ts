/**
 * Vapi server messages, as its server SDK's types (`@vapi-ai/server-sdk` 2.x: `ServerMessage`, `Call`, `Artifact`,
 * `Analysis`) and its server-URL pages describe them (summarised in docs/vendors/vapi.md).
 *
 * Body: `{ "message": { "type": …, "timestamp": <ms>, "call": {…}, … } }`.
 * Event type: `message.type`. Dedup key (DESIGN §Platforms): `message.call.id` + `message.type`, + `status` for a
 * `status-update`; messages Vapi sends many times per call (`transcript`, `speech-update`, `conversation-update`,
 * `model-output`, …) also carry their `timestamp`, else the SHA-256 of the body. Without a call id: the SHA-256 of
 * the body.
 *
 * Messages that expect an answer in the HTTP response (`assistant-request`, `tool-calls`,
 * `transfer-destination-request`, `knowledge-base-request`, …) are refused 422 (SynchronousMessageError): point
 * them at your own server, not at callhooks.
 */
import { lookupType, type NormalizedFields, type NormalizedType, type TranscriptTurn } from '../core/event';
import { SynchronousMessageError, ParseError } from '../core/errors';
import type { Delivery } from '../core/http';
import type { ParsedDelivery, VendorAdapter } from '../core/vendor';
import type { Scheme } from '../contracts/scheme';
import { DEFAULTS } from '../contracts/defaults';
import type { VapiOptions } from '../config/vendors/vapi';
export type { VapiOptions } from '../config/vendors/vapi';
import { hmacScheme } from '../schemes/hmac';
import { staticTokenScheme } from '../schemes/static-token';
import { schemeAuthentication } from './scheme';
import { idAt } from './json-source';
import {
  arr, compact, digestKey, durationBetween, isObject, isoFromMs, joinKey, Json, labelledTurns, num, obj, parseJsonObject, speakerOf, str,
  stringValues, stripUndefined,
} from './util';

/** vendorEventType of a message without a `type`. */
export const UNTYPED = '(none)';

/** `status-update` statuses → normalized type (others, `ended` included, are `vendor.other`: the end-of-call-report is the call's end). */
const STATUS_TYPES: Readonly<Record<string, NormalizedType>> = {
  scheduled: 'call.requested',
  queued: 'call.requested',
  ringing: 'call.requested',
  'in-progress': 'call.started',
};

/** Message types with one delivery per call (and status), whose dedup key is the call id and type. */
const ONCE_PER_CALL: Readonly<Record<string, NormalizedType>> = {
  'end-of-call-report': 'call.ended',
};

/**
 * Messages that expect an answer in the HTTP response, with what the answer is for. callhooks answers 422 and
 * stores nothing: a bus cannot answer them.
 */
export const VAPI_SYNCHRONOUS: Readonly<Record<string, string>> = {
  'assistant-request': 'the assistant to use for an inbound call',
  'tool-calls': 'the results of the tool calls',
  'transfer-destination-request': 'the destination of a transfer',
  'knowledge-base-request': 'the documents of a custom knowledge base',
  'handoff-destination-request': 'the destination of a handoff',
  'voice-request': 'the audio of a custom voice',
  'call.endpointing.request': 'the timeout of custom endpointing',
};

const TRANSCRIPT_LABELS = { AI: 'agent', Assistant: 'agent', User: 'caller', Customer: 'caller' } as const;
const SPOKEN_ROLES = new Set(['bot', 'assistant', 'user', 'customer']);

/** Turns of `artifact.messages` (role bot / user, text `message`), else of the `artifact.transcript` text. */
function transcriptOf(message: Json, artifact: Json | undefined): NormalizedFields['transcript'] {
  const messages = arr(artifact, 'messages') ?? arr(message, 'messages');
  if (messages !== undefined) {
    const turns: TranscriptTurn[] = [];
    for (const m of messages) {
      if (!isObject(m) || typeof m.message !== 'string' || !SPOKEN_ROLES.has(String(m.role))) continue;
      const at = num(m, 'secondsFromStart');
      const speaker = speakerOf(String(m.role));
      turns.push(at === undefined ? { speaker, text: m.message } : { speaker, text: m.message, at: String(at) });
    }
    return { turns, truncated: false };
  }
  const text = str(artifact, 'transcript') ?? str(message, 'transcript');
  return text === undefined ? undefined : { turns: labelledTurns(text, TRANSCRIPT_LABELS), truncated: false };
}

/** `inboundPhoneCall` → inbound, `outboundPhoneCall` → outbound. */
function directionOf(callType: string | undefined): 'inbound' | 'outbound' | undefined {
  if (callType === 'inboundPhoneCall') return 'inbound';
  if (callType === 'outboundPhoneCall') return 'outbound';
  return undefined;
}

/** The CallEvent fields and dedup key of an authenticated Vapi message; SynchronousMessageError for a request. */
export function parseVapi(d: Pick<Delivery, 'body'>): ParsedDelivery {
  const body = parseJsonObject(d as Delivery);
  const message = obj(body, 'message');
  if (message === undefined) throw new ParseError('message is missing or not an object');
  const vendorEventType = str(message, 'type') ?? UNTYPED;
  if (Object.prototype.hasOwnProperty.call(VAPI_SYNCHRONOUS, vendorEventType)) {
    throw new SynchronousMessageError(
      `Vapi's ${vendorEventType} expects ${VAPI_SYNCHRONOUS[vendorEventType]} in the response, which callhooks does not give: ` +
      'it receives notifications only. Send this message to your own server (a tool\'s or the assistant\'s server URL), ' +
      'and keep callhooks for status-update, end-of-call-report and the other notifications.',
    );
  }
  const call = obj(message, 'call');
  const callId = idAt(d.body, body, '/message/call/id') ?? null;
  const status = str(message, 'status');
  let type: NormalizedType;
  if (vendorEventType === 'status-update') type = status !== undefined ? lookupType(STATUS_TYPES, status) : 'vendor.other';
  else type = lookupType(ONCE_PER_CALL, vendorEventType);

  const artifact = obj(message, 'artifact');
  const analysis = obj(message, 'analysis');
  const customer = obj(message, 'customer') ?? obj(call, 'customer');
  const phoneNumber = obj(message, 'phoneNumber') ?? obj(call, 'phoneNumber');
  const assistant = obj(message, 'assistant');
  const callType = str(call, 'type');
  const direction = directionOf(callType);
  const customerNumber = str(customer, 'number');
  const ourNumber = str(phoneNumber, 'number');
  const startedAt = str(message, 'startedAt') ?? str(call, 'startedAt');
  const endedAt = str(message, 'endedAt') ?? str(call, 'endedAt');
  const duration = num(message, 'durationSeconds');
  const cost = num(message, 'cost') ?? num(call, 'cost');
  const evaluation = analysis?.successEvaluation;
  const recording = obj(artifact, 'recording');

  const fields: NormalizedFields = {
    type,
    vendorEventType,
    occurredAt: isoFromMs(num(message, 'timestamp')),
    callId,
    test: false,
    account: str(call, 'orgId') ? { id: str(call, 'orgId')!, kind: 'organization' } : undefined,
    agent: compact({ id: str(call, 'assistantId') ?? str(assistant, 'id'), name: str(assistant, 'name') }),
    call: compact({
      direction,
      from: direction === 'outbound' ? ourNumber : customerNumber,
      to: direction === 'outbound' ? customerNumber : ourNumber,
      type: callType,
      status: status ?? str(call, 'status'),
      startedAt,
      endedAt,
      durationSeconds: duration !== undefined && duration >= 0 ? duration : durationBetween(startedAt, endedAt),
      endReason: str(message, 'endedReason') ?? str(call, 'endedReason'),
      cost,
      currency: cost === undefined ? undefined : 'USD',
    }),
    contact: compact({ phone: customerNumber, name: str(customer, 'name') }),
    recording: compact({
      url: str(artifact, 'recordingUrl') ?? str(message, 'recordingUrl'),
      multiChannelUrl: str(artifact, 'stereoRecordingUrl') ?? str(recording, 'stereoUrl') ?? str(message, 'stereoRecordingUrl'),
      urls: stringValues(obj(recording, 'mono')),
    }),
    transcript: vendorEventType === 'end-of-call-report' || vendorEventType === 'conversation-update' ? transcriptOf(message, artifact) : undefined,
    analytics: compact({
      summary: str(analysis, 'summary') ?? str(message, 'summary'),
      structuredData: obj(analysis, 'structuredData'),
      evaluation: evaluation === undefined || evaluation === null ? undefined : evaluation,
    }),
    fields: compact({
      metadata: obj(call, 'metadata'),
      variableValues: obj(obj(call, 'assistantOverrides'), 'variableValues'),
      structuredOutputs: obj(artifact, 'structuredOutputs'),
    }),
  };
  return { dedupKey: dedupKeyOf(d.body, callId, vendorEventType, status, message), fields: stripUndefined(fields) };
}

function dedupKeyOf(raw: Buffer, callId: string | null, vendorEventType: string, status: string | undefined, message: Json): string {
  if (callId === null) return digestKey('sha256:', raw);
  if (vendorEventType === 'status-update') return status === undefined ? joinKey(callId, vendorEventType) : joinKey(callId, vendorEventType, status);
  if (Object.prototype.hasOwnProperty.call(ONCE_PER_CALL, vendorEventType)) return joinKey(callId, vendorEventType);
  const timestamp = num(message, 'timestamp');
  return timestamp === undefined ? joinKey(callId, vendorEventType, digestKey('sha256:', raw)) : joinKey(callId, vendorEventType, String(timestamp));
}

/** The scheme of the credential `options` describe. */
export function vapiScheme(options: VapiOptions = {}): Scheme {
  const auth = options.auth ?? 'secret-header';
  if (auth === 'secret-header') return staticTokenScheme({ header: 'x-vapi-secret' });
  if (auth === 'bearer') return staticTokenScheme({ header: options.bearerHeader ?? 'authorization', prefix: options.bearerPrefix === false ? '' : 'Bearer ' });
  const plan = options.hmac ?? {};
  const timestamped = plan.includeTimestamp !== false;
  const template = plan.payloadFormat ?? (timestamped ? '{timestamp}.{body}' : '{body}');
  return hmacScheme({
    header: plan.signatureHeader ?? 'x-signature',
    algorithm: plan.algorithm ?? 'sha256',
    encoding: plan.signatureEncoding ?? 'hex',
    prefix: plan.signaturePrefix,
    template,
    timestampHeader: template.includes('{timestamp}') ? plan.timestampHeader ?? 'x-timestamp' : undefined,
    timestampUnit: plan.timestampUnit ?? 'auto',
    toleranceSeconds: options.toleranceSeconds ?? DEFAULTS.toleranceSeconds,
    secretEncoding: plan.secretIsBase64 ? 'base64' : 'utf8',
  });
}

/** Vapi: the scheme of its `auth`, and the mapping of its server messages. */
export function vapi(options: VapiOptions = {}): VendorAdapter {
  return { name: 'vapi', methods: ['POST'], ...schemeAuthentication(vapiScheme(options)), parse: parseVapi };
}
