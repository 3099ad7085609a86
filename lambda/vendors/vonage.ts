/**
 * Vonage Voice API callbacks, as Vonage's webhook reference, its signed-webhooks pages and `@vonage/jwt`'s
 * `verifySignature` describe them (summarised in docs/vendors/vonage.md).
 *
 * Proof of origin: `Authorization: Bearer <JWT>`, HS256 keyed with the account's signature secret, whose
 * `payload_hash` claim is the hex SHA-256 of the raw body (`@vonage/jwt` checks the signature only; callhooks also
 * checks the hash, so the body is signed too). Its `iat` must be within `toleranceSeconds` (default 300), and an
 * `exp`, when present, not passed.
 *
 * Dedup key: `uuid` + `status` of a call event (one event per leg and status); `recording_uuid` (+ `type`,
 * `status`) of a recording or transcription; without those, a SHA-256 of the body. Vonage sends a call's events
 * unordered and retries once on a timeout: a retry is a duplicate.
 *
 * The answer_url request (an NCCO is expected in the answer) and an input action's result are synchronous: they
 * are answered 422 naming what they are for, and nothing is stored or published.
 */
import type { VonageOptions } from '../config/vendors/vonage';
export type { VonageOptions } from '../config/vendors/vonage';
import { DEFAULTS } from '../contracts/defaults';
import { lookupType, type NormalizedFields, type NormalizedType } from '../core/event';
import { SynchronousMessageError } from '../core/errors';
import type { Delivery } from '../core/http';
import type { ParsedDelivery, Proof, VendorAdapter } from '../core/vendor';
import type { Scheme } from '../contracts/scheme';
import { jwtScheme } from '../schemes/jwt';
import { schemeAuthentication } from './scheme';
import { compact, digestKey, isObject, joinKey, nonNegative, parseJsonObject, str, stripUndefined, type Json } from './util';

/** Vonage call `status` → normalized type; any other status (`human`, `machine`, `disconnected`, …) is `vendor.other`. */
export const VONAGE_STATUS_TYPES: Readonly<Record<string, NormalizedType>> = {
  started: 'call.requested',
  ringing: 'call.requested',
  answered: 'call.started',
  completed: 'call.ended',
  unanswered: 'call.missed',
  busy: 'call.missed',
  timeout: 'call.missed',
  rejected: 'call.missed',
  failed: 'call.missed',
  cancelled: 'call.canceled',
};

const ANSWER_URL =
  "this is Vonage's answer_url request, which expects an NCCO in the answer: point the application's answer_url at your own app, and this URL " +
  'at its event_url (event_method POST)';
const INPUT_RESULT =
  "this is the result of an NCCO input action, which expects an NCCO in the answer: give the input action an eventUrl of your own app";

/** Why an authenticated Vonage request needs an answer callhooks cannot give; undefined for a notification. */
export function synchronousPurpose(method: string, body: Json | undefined): string | undefined {
  if (method === 'GET') return ANSWER_URL;
  if (body === undefined || str(body, 'status') !== undefined || str(body, 'recording_url') !== undefined || str(body, 'type') !== undefined) return undefined;
  if (isObject(body.dtmf) || isObject(body.speech)) return INPUT_RESULT;
  if (str(body, 'region_url') !== undefined && str(body, 'conversation_uuid') !== undefined) return ANSWER_URL;
  return undefined;
}

/** A number from Vonage's decimal strings (`"92"`, `"0.01947333"`) or a number; undefined otherwise. */
function decimal(o: Json, key: string): number | undefined {
  const v = o[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function secondsBetween(from: string | undefined, to: string | undefined): number | undefined {
  const d = (Date.parse(to ?? '') - Date.parse(from ?? '')) / 1000;
  return Number.isFinite(d) && d >= 0 ? d : undefined;
}

/** Normalizes an authenticated Vonage delivery (pure: the body, signed through payload_hash, and the JWT's claims). */
export function parseVonage(d: Delivery, proof?: Proof): ParsedDelivery {
  const body = d.method === 'GET' ? undefined : parseJsonObject(d);
  const purpose = synchronousPurpose(d.method, body);
  if (purpose !== undefined || body === undefined) throw new SynchronousMessageError(purpose ?? ANSWER_URL);
  // The claims the scheme verified (parse runs only after authentication); never the body's.
  const claims = proof?.claims;
  const apiKey = typeof claims?.api_key === 'string' && claims.api_key !== '' ? claims.api_key : undefined;
  const applicationId = typeof claims?.application_id === 'string' && claims.application_id !== '' ? claims.application_id : undefined;
  const status = str(body, 'status');
  const conversationId = str(body, 'conversation_uuid');
  const common = {
    occurredAt: str(body, 'timestamp'),
    test: false,
    account: apiKey ? { id: apiKey, kind: 'account' as const } : undefined,
    agent: compact({ id: applicationId }),
  };

  const recordingUrl = str(body, 'recording_url');
  const recordingUuid = str(body, 'recording_uuid');
  const kind = str(body, 'type');
  if (recordingUrl !== undefined || kind === 'transcription') {
    const transcription = kind === 'transcription';
    const fields: NormalizedFields = {
      ...common,
      type: transcription ? 'transcript.ready' : 'recording.ready',
      vendorEventType: transcription ? 'transcription' : 'record',
      callId: str(body, 'uuid') ?? conversationId ?? null,
      call: compact({
        conversationId,
        startedAt: str(body, 'start_time'),
        endedAt: str(body, 'end_time'),
        durationSeconds: secondsBetween(str(body, 'start_time'), str(body, 'end_time')),
      }),
      recording: transcription ? undefined : { available: true, url: recordingUrl },
      outcome: transcription ? compact({ status }) : undefined,
      fields: compact({ recording_uuid: recordingUuid, size: body.size, transcription_url: str(body, 'transcription_url') }),
    };
    const key = recordingUuid !== undefined ? joinKey(transcription ? 'transcription' : 'record', recordingUuid, status ?? '') : digestKey('sha256:', d.body);
    return { dedupKey: key, fields: stripUndefined(fields) };
  }

  const leg = str(body, 'uuid');
  const direction = str(body, 'direction');
  const fields: NormalizedFields = {
    ...common,
    type: status === undefined ? 'vendor.other' : lookupType(VONAGE_STATUS_TYPES, status),
    vendorEventType: status ?? 'event',
    callId: leg ?? null,
    call: compact({
      direction: direction === 'inbound' || direction === 'outbound' ? direction : undefined,
      from: str(body, 'from'),
      to: str(body, 'to'),
      conversationId,
      startedAt: str(body, 'start_time'),
      endedAt: str(body, 'end_time'),
      durationSeconds: nonNegative(body.duration),
      cost: decimal(body, 'price'),
    }),
    outcome: compact({ status, disposition: str(body, 'detail') }),
    fields: compact({ rate: str(body, 'rate'), network: str(body, 'network'), disconnected_by: str(body, 'disconnected_by'), sub_state: str(body, 'sub_state') }),
  };
  const key = leg !== undefined && status !== undefined ? joinKey(leg, status) : digestKey('sha256:', d.body);
  return { dedupKey: key, fields: stripUndefined(fields) };
}

/**
 * What a GET's `payload_hash` covers: Vonage hashes a compact JSON object of the query's parameters, in their order
 * (its answer_url GET has no body).
 */
function queryJson(rawQuery: string): Buffer {
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) if (!Object.prototype.hasOwnProperty.call(params, k)) params[k] = v;
  return Buffer.from(JSON.stringify(params));
}

export function vonage(options: VonageOptions = {}): VendorAdapter {
  const toleranceSeconds = options.toleranceSeconds ?? DEFAULTS.toleranceSeconds;
  const signed = jwtScheme({ bodyHashClaim: 'payload_hash', bodyHashEncoding: 'hex', toleranceSeconds });
  const scheme: Scheme = {
    ...signed,
    // A GET without a body (the answer_url) is covered through the JSON of its query; failing that (or with a
    // body), through its body, as every other request. Either way the hash is checked: nothing unsigned passes.
    verify(request, credentials, now) {
      if (request.method.toUpperCase() === 'GET' && request.body.length === 0 && request.url.rawQuery !== '') {
        const viaQuery = signed.verify({ ...request, body: queryJson(request.url.rawQuery) }, credentials, now);
        if (!(viaQuery instanceof Promise) && viaQuery.ok) return viaQuery;
      }
      return signed.verify(request, credentials, now);
    },
  };
  return { name: 'vonage', methods: ['POST', 'GET'], ...schemeAuthentication(scheme), parse: parseVonage };
}
