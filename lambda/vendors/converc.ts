/**
 * Converc, as its public pages describe it (the events-and-payload page, and the signature scheme from its
 * other pages; summarised in docs/vendors/converc.md).
 *
 * Proof of origin: `X-IC-Signature: t=<timestamp>,v1=<hex>`, v1 = HMAC-SHA256(secret, `${t}.${raw body}`).
 * The unit of `t` is not published: Unix seconds, or milliseconds when it has 13 digits or more
 * (the HMAC scheme's `timestampUnit: 'auto'`). A `t` more than `toleranceSeconds` (default 300) away from now, in either
 * direction, is refused. Every `v1` entry of the header is tried.
 *
 * Only signed bytes decide the event type and the dedup key. Converc also sends `X-IC-Event` (the type) and
 * `X-IC-Id` (the envelope id), but the signature does not cover them: anyone replaying a captured delivery
 * within the tolerance window could set them to anything, so they are never read. Event type: body `type`;
 * a body without one is published as `vendor.other` with vendorEventType `(none)`. Dedup key: body `id`
 * ("Use the id field (or X-IC-Id) to dedupe events"), else a SHA-256 of the raw (signed) body.
 */
import { lookupType } from '../core/event';
import { randomUUID } from 'node:crypto';
import { DEFAULTS } from '../contracts/defaults';
import type { ConvercOptions } from '../config/vendors/converc';
export type { ConvercOptions } from '../config/vendors/converc';
import { ParseError } from '../core/errors';
import type { CallEventDetail, NormalizedFields, NormalizedType, TranscriptTurn } from '../core/event';
import { hmacScheme } from '../schemes/hmac';
import { schemeAuthentication } from './scheme';
import { idAt } from './json-source';
import type { VendorAdapter } from '../core/vendor';
import { arr, bool, compact, digestKey, durationBetween, isObject, Json, num, obj, parseJsonObject, str, stripUndefined, turnsOf } from './util';

/** Converc event type → normalized type; any other type is published as `vendor.other`. */
export const CONVERC_TYPES: Readonly<Record<string, NormalizedType>> = {
  'call.requested': 'call.requested',
  'call.accepted': 'call.started',
  'call.canceled': 'call.canceled',
  'call.missed': 'call.missed',
  'call.ended': 'call.ended',
  'call.transcript_ready': 'transcript.ready',
  'call.recording_ready': 'recording.ready',
  'webhook.test': 'webhook.test',
};

export const CONVERC_SIGNATURE_HEADER = 'X-IC-Signature';
export const CONVERC_EVENT_HEADER = 'X-IC-Event';
export const CONVERC_ID_HEADER = 'X-IC-Id';
/** vendorEventType of a body without a `type` (the unsigned X-IC-Event header is not read). */
export const CONVERC_UNTYPED = '(none)';

type Qualification = NonNullable<CallEventDetail['qualification']>[number];

export { durationBetween } from './util';

/** `{ question: question.label, value: answer.value }` per answer; entries without a label are skipped. */
function qualificationOf(list: unknown[] | undefined): Qualification[] | undefined {
  if (list === undefined) return undefined;
  const out: Qualification[] = [];
  for (const item of list) {
    if (!isObject(item)) continue;
    const question = str(obj(item, 'question'), 'label');
    const answer = obj(item, 'answer');
    if (question === undefined || answer === undefined || !('value' in answer)) continue;
    out.push({ question, value: answer.value });
  }
  return out;
}

const TURN_LISTS = ['turns', 'segments', 'messages', 'entries', 'utterances'];
const SPEAKER_KEYS = ['speaker', 'role', 'from', 'author', 'participant'];
const TEXT_KEYS = ['text', 'content', 'message', 'body'];
const AT_KEYS = ['at', 'timestamp', 'time', 'createdAt', 'startedAt', 'start'];

/** Reads the first key of `keys` that the turns use (the first object that has any of them decides). */
function keyUsed(list: unknown[], keys: string[]): string | undefined {
  for (const item of list) {
    if (!isObject(item)) continue;
    const k = keys.find((key) => key in item);
    if (k !== undefined) return k;
  }
  return undefined;
}

function turnsOfList(list: unknown[]): TranscriptTurn[] {
  const textKey = keyUsed(list, TEXT_KEYS) ?? 'text';
  const speakerKey = keyUsed(list, SPEAKER_KEYS) ?? 'speaker';
  const atKey = keyUsed(list, AT_KEYS);
  const fromObjects = turnsOf(list, { speaker: speakerKey, text: textKey, at: atKey });
  // Plain strings in the list: one turn each, speaker unknown.
  const fromStrings = list.filter((x): x is string => typeof x === 'string').map((t) => ({ speaker: 'unknown', text: t }));
  return fromObjects.length > 0 ? fromObjects : fromStrings;
}

/**
 * The transcript. Converc's page shows it only as `null` ("null until a transcript is available"), so its
 * shape is a guess: a string is one turn of speaker `unknown`; an array holds turns (objects with a
 * speaker/role and text/content key, or plain strings); an object holds such an array under `turns`,
 * `segments`, `messages`, `entries` or `utterances`, or a `text` string. `raw` is set when the value held
 * something but no turn could be read from it, so that it can be kept as it came.
 */
export function convercTranscript(value: unknown): { transcript?: NormalizedFields['transcript']; raw?: unknown } {
  if (value === null || value === undefined) return {};
  let turns: TranscriptTurn[] = [];
  let empty = false;
  if (typeof value === 'string') {
    empty = value.trim() === '';
    turns = empty ? [] : [{ speaker: 'unknown', text: value }];
  } else if (Array.isArray(value)) {
    empty = value.length === 0;
    turns = turnsOfList(value);
  } else if (isObject(value)) {
    const listKey = TURN_LISTS.find((k) => Array.isArray(value[k]));
    if (listKey !== undefined) {
      const list = value[listKey] as unknown[];
      empty = list.length === 0;
      turns = turnsOfList(list);
    } else {
      const whole = str(value, 'text');
      if (whole !== undefined) turns = [{ speaker: 'unknown', text: whole }];
    }
  }
  if (turns.length === 0 && !empty) return { raw: value };
  return { transcript: { turns, truncated: false } };
}

export function converc(options: ConvercOptions = {}): VendorAdapter {
  const scheme = hmacScheme({
    header: CONVERC_SIGNATURE_HEADER,
    signatures: 'pairs',
    signatureKey: 'v1',
    timestampKey: 't',
    timestampUnit: 'auto',
    template: '{timestamp}.{body}',
    toleranceSeconds: options.toleranceSeconds ?? DEFAULTS.toleranceSeconds,
  });
  const authentication = schemeAuthentication(scheme);
  return {
    name: 'converc',
    methods: ['POST'],
    ...authentication,
    sign(body, secret, now, id) {
      // Converc also sends the event type and the envelope id in headers: take them from the body.
      let envelope: Json | undefined;
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        envelope = isObject(parsed) ? parsed : undefined;
      } catch {
        envelope = undefined;
      }
      const headers = authentication.sign(body, secret, now);
      headers[CONVERC_ID_HEADER] = str(envelope, 'id') ?? id ?? randomUUID();
      const type = str(envelope, 'type');
      if (type !== undefined) headers[CONVERC_EVENT_HEADER] = type;
      return headers;
    },
    parse(d) {
      const body = parseJsonObject(d);
      // X-IC-Event and X-IC-Id are not signed: only the body decides the type and the key.
      const vendorEventType = Object.prototype.hasOwnProperty.call(body, 'type') ? str(body, 'type') : CONVERC_UNTYPED;
      if (vendorEventType === undefined) throw new ParseError('type is not a non-empty string');
      const type = lookupType(CONVERC_TYPES, vendorEventType);
      // Numeric ids keep their digits as sent (idAt): past 2^53 a double would merge different ids.
      const dedupKey = idAt(d.body, body, '/id') ?? digestKey('sha256=', d.body);

      const data = obj(body, 'data');
      const call = obj(data, 'call');
      const contact = obj(data, 'contact');
      const recording = obj(data, 'recording');
      const organizationId = str(body, 'organizationId');
      const acceptedAt = str(call, 'acceptedAt');
      const endedAt = str(call, 'endedAt');
      const location = contact?.location;
      const { transcript, raw } = convercTranscript(data?.transcript);
      const fields: NormalizedFields = {
        type,
        vendorEventType,
        occurredAt: str(body, 'createdAt'),
        callId: idAt(d.body, body, '/data/call/id') ?? null,
        test: type === 'webhook.test',
        account: organizationId ? { id: organizationId, kind: 'organization' } : undefined,
        agent: compact({ userId: str(call, 'acceptedBy') }),
        call: compact({
          status: str(call, 'status'),
          channel: str(call, 'mediaType'),
          requestedAt: str(call, 'requestedAt'),
          answeredAt: acceptedAt,
          endedAt,
          durationSeconds: durationBetween(acceptedAt, endedAt),
          sessionId: str(call, 'sessionId'),
          siteId: str(call, 'siteId'),
        }),
        contact: compact({
          id: str(contact, 'identityId'),
          fingerprint: str(contact, 'fingerprint') ?? str(call, 'visitorFingerprint'),
          email: str(contact, 'email'),
          phone: str(contact, 'phone'),
          name: str(contact, 'name'),
          lastSeenAt: str(contact, 'lastSeenAt'),
          location: isObject(location) || location === null ? location : undefined,
        }),
        recording: compact({
          available: bool(recording, 'available'),
          videoUrl: str(recording, 'videoUrl'),
          audioUrl: str(recording, 'audioUrl'),
          expiresInSeconds: num(recording, 'expiresInSeconds'),
        }),
        qualification: qualificationOf(arr(data, 'qualificationAnswers')),
        transcript,
        fields: raw !== undefined ? { transcript: raw } : undefined,
      };
      return { dedupKey, fields: stripUndefined(fields) };
    },
  };
}
