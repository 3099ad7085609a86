/**
 * How Twilio, Vapi, Retell, ElevenLabs and Telnyx notifications become CallEvents (the pure normalization, apart
 * from verification): every fixture gives the mapping its `expect` names and a schema-valid detail; dedup keys come
 * from the signed bytes and ignore what changes between retries; messages that need a synchronous answer are
 * refused with a message naming what they are for; nothing authenticated is ever refused for its type.
 */
import { composeDetail } from '../../lambda/core/event';
import { ParseError, SynchronousMessageError } from '../../lambda/core/errors';
import { Headers } from '../../lambda/core/http';
import type { ParsedDelivery } from '../../lambda/core/vendor';
import { parseElevenLabs } from '../../lambda/vendors/elevenlabs';
import { parseRetell } from '../../lambda/vendors/retell';
import { parseTelnyx } from '../../lambda/vendors/telnyx';
import { parseTwilio } from '../../lambda/vendors/twilio';
import { parseVapi, VAPI_SYNCHRONOUS } from '../../lambda/vendors/vapi';
import { fixtureBody, loadFixtures, schemaErrors, type Fixture } from '../helpers/fixtures';

type Parse = (d: { body: Buffer; method: string; query: Record<string, string>; headers: Headers }) => ParsedDelivery;
const PARSERS: Record<string, Parse> = { twilio: parseTwilio, vapi: parseVapi, retell: parseRetell, elevenlabs: parseElevenLabs, telnyx: parseTelnyx };
const RECEIVED = new Date('2026-12-07T12:00:00Z');

function input(body: Buffer | string, contentType = 'application/json', method = 'POST', query: Record<string, string> = {}) {
  return { body: Buffer.isBuffer(body) ? body : Buffer.from(body), method, query, headers: new Headers([['content-type', contentType]]) };
}
const ofFixture = (f: Fixture) => input(fixtureBody(f), f.contentType, f.method, f.query);
const json = (o: unknown) => input(JSON.stringify(o));

describe.each(Object.keys(PARSERS))('%s fixtures', (vendor) => {
  const fixtures = loadFixtures(vendor);

  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s maps as documented and is schema-valid', (_name, f) => {
    const parsed = PARSERS[vendor](ofFixture(f));
    const detail = composeDetail(vendor, parsed.dedupKey, parsed.fields, RECEIVED);
    const { offload: _offload, ...expected } = f.expect as Record<string, unknown>;
    expect(detail).toMatchObject(expected);
    expect(schemaErrors(JSON.parse(JSON.stringify(detail)))).toEqual([]);
  });

  it('gives every fixture its own dedup key', () => {
    const keys = fixtures.map((f) => PARSERS[vendor](ofFixture(f)).dedupKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('Twilio', () => {
  const form = (fields: Record<string, string>) => input(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
  const call = { AccountSid: 'AC1', CallSid: 'CA1', From: '+14155550100', To: '+14155550199', Direction: 'inbound' };

  it.each([
    ['a Voice URL request (a call comes in)', { ...call, CallStatus: 'ringing' }, "Voice URL"],
    ['a <Gather> action', { ...call, CallStatus: 'in-progress', Digits: '1' }, '<Gather>'],
    ['a <Gather input="speech"> action', { ...call, CallStatus: 'in-progress', SpeechResult: 'yes' }, '<Gather>'],
    ['a <Dial> action', { ...call, CallStatus: 'in-progress', DialCallStatus: 'completed' }, '<Dial>'],
    ['a <Record> action', { ...call, CallStatus: 'in-progress', RecordingUrl: 'https://api.twilio.com/x', RecordingDuration: '5' }, '<Record>'],
  ])('refuses %s as a synchronous message naming it', (_what, fields, names) => {
    expect(() => parseTwilio(form(fields))).toThrow(SynchronousMessageError);
    expect(() => parseTwilio(form(fields))).toThrow(names);
  });

  it('reads a status callback without CallbackSource whose status is final as a notification', () => {
    expect(parseTwilio(form({ ...call, CallStatus: 'completed', CallDuration: '7' })).fields).toMatchObject({ type: 'call.ended', call: { durationSeconds: 7 } });
  });

  it('reads a GET callback from the query', () => {
    const parsed = parseTwilio(input('', 'text/plain', 'GET', { ...call, CallStatus: 'busy', CallbackSource: 'call-progress-events' }));
    expect(parsed.fields).toMatchObject({ type: 'call.missed', callId: 'CA1' });
  });

  it('keys call callbacks by CallSid, CallStatus and SequenceNumber', () => {
    const a = parseTwilio(form({ ...call, CallStatus: 'completed', CallbackSource: 'call-progress-events', SequenceNumber: '3' }));
    const b = parseTwilio(form({ ...call, CallStatus: 'completed', CallbackSource: 'call-progress-events', SequenceNumber: '3', Timestamp: 'Mon, 07 Dec 2026 10:00:00 +0000' }));
    const c = parseTwilio(form({ ...call, CallStatus: 'in-progress', CallbackSource: 'call-progress-events', SequenceNumber: '2' }));
    expect(a.dedupKey).toBe('CA1:completed:3');
    expect(b.dedupKey).toBe(a.dedupKey);
    expect(c.dedupKey).not.toBe(a.dedupKey);
  });

  it('publishes a callback it cannot classify as vendor.other, and a JSON body too', () => {
    expect(parseTwilio(form({ AccountSid: 'AC1', Foo: 'bar' })).fields).toMatchObject({ type: 'vendor.other', vendorEventType: '(none)' });
    expect(parseTwilio(input('[{"type":"com.twilio.voice.status-callback.call.completed","id":"e1"}]')).fields)
      .toMatchObject({ type: 'vendor.other', vendorEventType: 'com.twilio.voice.status-callback.call.completed' });
  });

  it('refuses an empty form as unparseable', () => {
    expect(() => parseTwilio(form({}))).toThrow(ParseError);
  });
});

describe('Vapi', () => {
  it.each(Object.keys(VAPI_SYNCHRONOUS))('refuses %s, naming what its answer is for', (type) => {
    const body = json({ message: { type, call: { id: 'c1' } } });
    expect(() => parseVapi(body)).toThrow(SynchronousMessageError);
    expect(() => parseVapi(body)).toThrow(new RegExp(`${type.replace(/\./g, '\\.')} expects ${VAPI_SYNCHRONOUS[type]}`));
  });

  it('keys status-updates by status, repeated messages by their timestamp', () => {
    const key = (m: Record<string, unknown>) => parseVapi(json({ message: { call: { id: 'c1' }, ...m } })).dedupKey;
    expect(key({ type: 'status-update', status: 'ringing' })).not.toBe(key({ type: 'status-update', status: 'in-progress' }));
    expect(key({ type: 'transcript', timestamp: 1 })).not.toBe(key({ type: 'transcript', timestamp: 2 }));
    expect(key({ type: 'end-of-call-report', timestamp: 1 })).toBe(key({ type: 'end-of-call-report', timestamp: 2 }));
  });

  it('publishes a message type it does not know as vendor.other', () => {
    expect(parseVapi(json({ message: { type: 'call.deleted', call: { id: 'c1' } } })).fields).toMatchObject({ type: 'vendor.other', vendorEventType: 'call.deleted', callId: 'c1' });
  });

  it('refuses a body without a message object', () => {
    expect(() => parseVapi(json({ type: 'end-of-call-report' }))).toThrow(ParseError);
  });
});

describe('Retell', () => {
  it('keys call events by call id and event; each transcript_updated by its body', () => {
    const key = (o: unknown) => parseRetell(json(o)).dedupKey;
    expect(key({ event: 'call_ended', call: { call_id: 'a', x: 1 } })).toBe(key({ event: 'call_ended', call: { call_id: 'a', x: 2 } }));
    expect(key({ event: 'transcript_updated', call: { call_id: 'a', transcript: 'A' } })).not.toBe(key({ event: 'transcript_updated', call: { call_id: 'a', transcript: 'AB' } }));
  });

  it('reads the deprecated data property as the call', () => {
    expect(parseRetell(json({ event: 'call_started', data: { call_id: 'abc' } })).fields).toMatchObject({ type: 'call.started', callId: 'abc' });
  });
});

describe('ElevenLabs', () => {
  it('hands post_call_audio\'s decoded audio to the pipeline', () => {
    const audio = Buffer.from('ID3 some mp3 bytes');
    const parsed = parseElevenLabs(json({ type: 'post_call_audio', data: { conversation_id: 'c', full_audio: audio.toString('base64') } }));
    expect(parsed.audio).toEqual({ bytes: audio, contentType: 'audio/mpeg', extension: 'mp3' });
  });

  it('refuses post_call_audio whose audio is not base64', () => {
    expect(() => parseElevenLabs(json({ type: 'post_call_audio', data: { conversation_id: 'c', full_audio: '%%%' } }))).toThrow(ParseError);
  });
});

describe('Telnyx', () => {
  it('keys by data.id, so a retry with a new meta.attempt is the same event', () => {
    const event = { data: { id: 'e1', event_type: 'call.hangup', payload: { call_leg_id: 'l1' } } };
    expect(parseTelnyx(json({ ...event, meta: { attempt: 1 } })).dedupKey).toBe('e1');
    expect(parseTelnyx(json({ ...event, meta: { attempt: 2 } })).dedupKey).toBe('e1');
  });

  it('refuses the TeXML voice URL as a synchronous message', () => {
    const body = input(new URLSearchParams({ CallSid: 'v3:x', CallStatus: 'ringing', From: '+1', To: '+2' }).toString(), 'application/x-www-form-urlencoded');
    expect(() => parseTelnyx(body)).toThrow(/Telnyx TeXML request expects the TwiML that answers a call/);
  });

  it('refuses a body without data', () => {
    expect(() => parseTelnyx(json({ meta: { attempt: 1 } }))).toThrow(ParseError);
  });
});
