/**
 * TwiML-style form callbacks (Twilio Voice, and Telnyx TeXML, which posts the same fields), read from which fields
 * they carry:
 *
 * | fields | vendorEventType | type | dedup key |
 * | --- | --- | --- | --- |
 * | `TranscriptionSid`, `TranscriptionStatus` | `TranscriptionStatus=<status>` | `transcript.ready` when completed | TranscriptionSid + status |
 * | `RecordingSid`, `RecordingStatus` | `RecordingStatus=<status>` | `recording.ready` when completed | RecordingSid + status |
 * | `CallSid`, `CallStatus` | `CallStatus=<status>` | by status (below) | CallSid + CallStatus (+ SequenceNumber) |
 *
 * CallStatus: queued / initiated / ringing → `call.requested`, in-progress → `call.started`, completed →
 * `call.ended`, busy / no-answer / failed → `call.missed`, canceled → `call.canceled`.
 *
 * Requests that expect TwiML in the response — the number's "A call comes in" URL, `<Gather>`, `<Dial>` and
 * `<Record>` action URLs — are refused 422 (SynchronousMessageError): a status callback carries
 * `CallbackSource`, a recording callback `RecordingStatus`; a voice URL request carries neither, an action URL
 * carries `Digits`, `SpeechResult` or `DialCallStatus`.
 */
import type { NormalizedFields, NormalizedType } from '../core/event';
import { ParseError, SynchronousMessageError } from '../core/errors';
import type { FormFields } from '../core/http';
import { parseUrlEncoded } from '../core/form';
import type { ParsedDelivery } from '../core/vendor';
import { compact, digestKey, joinKey, nonNegative, stripUndefined } from './util';

/** CallStatus → normalized type. */
export const TWILIO_CALL_STATUS_TYPES: Readonly<Record<string, NormalizedType>> = {
  queued: 'call.requested',
  initiated: 'call.requested',
  ringing: 'call.requested',
  'in-progress': 'call.started',
  completed: 'call.ended',
  busy: 'call.missed',
  'no-answer': 'call.missed',
  failed: 'call.missed',
  canceled: 'call.canceled',
};

const TERMINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

/** The fields of a form body (a `+` is a space, as Twilio encodes); ParseError past MAX_FORM_FIELDS. */
export function formFields(body: Buffer): FormFields {
  return parseUrlEncoded(body.toString('utf8'));
}

/** Name → value (a repeated name: its values as a list, in order). */
function byName(form: FormFields): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [k, v] of form) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** RFC 2822 (Twilio's `Timestamp`) or ISO 8601 as ISO 8601; undefined when it is not a date. */
function isoOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** Why a request expects TwiML, or undefined for a notification. */
function twimlRequest(f: (name: string) => string | undefined): string | undefined {
  // Status callbacks (call-progress-events) are notifications, whatever else they carry.
  if (f('CallbackSource') !== undefined) return undefined;
  if (f('Digits') !== undefined || f('SpeechResult') !== undefined) return 'the TwiML that follows a <Gather> (its action URL)';
  if (f('DialCallStatus') !== undefined) return 'the TwiML that follows a <Dial> (its action URL)';
  if (f('RecordingUrl') !== undefined && f('RecordingStatus') === undefined && f('TranscriptionSid') === undefined) {
    return 'the TwiML that follows a <Record> (its action URL)';
  }
  const status = f('CallStatus');
  if (f('RecordingSid') === undefined && f('TranscriptionSid') === undefined && status !== undefined && !TERMINAL.has(status)) {
    return 'the TwiML that answers a call (a phone number\'s or application\'s Voice URL)';
  }
  return undefined;
}

/**
 * The CallEvent fields and dedup key of an authenticated Twilio (or TwiML-compatible: Telnyx TeXML) callback, from
 * its form fields. `vendor` names the platform in the 422 message.
 */
export function normalizeTwilioForm(form: FormFields, vendor = 'Twilio'): ParsedDelivery {
  const all = byName(form);
  const f = (name: string): string | undefined => {
    const v = all[name];
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    return last === undefined || last === '' ? undefined : last;
  };
  const sync = twimlRequest(f);
  if (sync !== undefined) {
    throw new SynchronousMessageError(
      `this ${vendor} request expects ${sync} in the response, which callhooks does not give: it receives notifications only. ` +
      'Point your Voice URL and action URLs at your own TwiML, and the statusCallback, recordingStatusCallback and transcribeCallback URLs at callhooks.',
    );
  }
  const callSid = f('CallSid');
  const callStatus = f('CallStatus');
  const recordingSid = f('RecordingSid');
  const recordingStatus = f('RecordingStatus');
  const transcriptionSid = f('TranscriptionSid');
  const transcriptionStatus = f('TranscriptionStatus');

  let vendorEventType: string;
  let type: NormalizedType;
  let dedupKey: string;
  if (transcriptionSid !== undefined) {
    vendorEventType = `TranscriptionStatus=${transcriptionStatus ?? ''}`;
    type = transcriptionStatus === 'completed' ? 'transcript.ready' : 'vendor.other';
    dedupKey = joinKey(transcriptionSid, transcriptionStatus ?? '');
  } else if (recordingSid !== undefined && recordingStatus !== undefined) {
    vendorEventType = `RecordingStatus=${recordingStatus}`;
    type = recordingStatus === 'completed' ? 'recording.ready' : 'vendor.other';
    dedupKey = joinKey(recordingSid, recordingStatus);
  } else if (callSid !== undefined && callStatus !== undefined) {
    vendorEventType = `CallStatus=${callStatus}`;
    type = Object.prototype.hasOwnProperty.call(TWILIO_CALL_STATUS_TYPES, callStatus) ? TWILIO_CALL_STATUS_TYPES[callStatus] : 'vendor.other';
    const sequence = f('SequenceNumber');
    dedupKey = sequence === undefined ? joinKey(callSid, callStatus) : joinKey(callSid, callStatus, sequence);
  } else {
    if (form.length === 0) throw new ParseError('the body holds no form fields');
    vendorEventType = '(none)';
    type = 'vendor.other';
    // What Twilio signs: the fields sorted, a repeated name+value once (so a copy re-encoded, re-ordered or with a
    // field repeated, which carries the same signature, is the same event).
    const pairs = [...new Set(form.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))].sort();
    dedupKey = digestKey('sha256:', pairs.join('&'));
  }

  const direction = f('Direction');
  const accountSid = f('AccountSid');
  const text = f('TranscriptionText');
  const answeredBy = f('AnsweredBy');
  const fields: NormalizedFields = {
    type,
    vendorEventType,
    occurredAt: isoOf(f('Timestamp')),
    callId: callSid ?? null,
    test: false,
    account: accountSid ? { id: accountSid, kind: 'account' } : undefined,
    call: compact({
      direction: direction === 'inbound' ? 'inbound' : direction?.startsWith('outbound') ? 'outbound' : undefined,
      from: f('From'),
      to: f('To'),
      status: callStatus,
      durationSeconds: nonNegative(f('CallDuration')),
      parentCallId: f('ParentCallSid'),
    }),
    outcome: compact({
      status: callStatus !== undefined && TERMINAL.has(callStatus) ? callStatus : undefined,
      voicemail: answeredBy === undefined ? undefined : answeredBy.startsWith('machine') || answeredBy === 'fax',
    }),
    contact: compact({ name: f('CallerName') }),
    recording: compact({
      id: recordingSid,
      url: f('RecordingUrl'),
      status: recordingStatus,
      durationSeconds: nonNegative(f('RecordingDuration')),
      channels: f('RecordingChannels'),
      startedAt: f('RecordingStartTime'),
    }),
    // <Record transcribe> transcribes what the caller said.
    transcript: text === undefined ? undefined : { turns: [{ speaker: 'caller', text }], truncated: false },
    fields: all,
  };
  return { dedupKey, fields: stripUndefined(fields) };
}
