import { createHash, createHmac } from 'node:crypto';
import { ParseError } from '../../lambda/core/errors';
import { Delivery, Headers } from '../../lambda/core/http';
import { handleDelivery } from '../../lambda/core/pipeline';
import { atoms, directionOf } from '../../lambda/vendors/atoms';
import { Fixture, fixtureBody, loadFixtures, signedDelivery } from '../helpers/fixtures';
import { expectSchemaValidOrParseError, withValueAt, WRONG_VALUES, wrongTypeCases } from '../helpers/wrong-types';
import { memoryWorld } from '../helpers/memory';

const adapter = atoms();
const SECRET = 'atoms-signing-secret-7a6b5c4d';
const NOW = new Date('2026-11-22T14:10:00Z');
const fixtures = loadFixtures('atoms');
const fixture = (name: string): Fixture => {
  const f = fixtures.find((x) => x.name === name);
  if (!f) throw new Error(`no fixture atoms/${name}`);
  return f;
};
const bodyOf = (name: string): any => JSON.parse(JSON.stringify(fixture(name).body));

function delivery(body: string | Buffer | object, headers: Record<string, string> = {}): Delivery {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return { vendor: 'atoms', method: 'POST', headers: new Headers(Object.entries(headers)), query: {}, body: raw, receivedAt: NOW };
}

const hexMac = (body: string | Buffer, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');
const sha = (raw: string) => `sha256=${createHash('sha256').update(raw).digest('hex')}`;
const parse = (body: string | Buffer | object) => adapter.parse(delivery(body));

const AGENT = '6790e1f2a3b4c5d6e7f8a9b0';
const CALL = 'CALL-1763820412573-4f8c2a';

describe('atoms adapter: verify', () => {
  const body = fixtureBody(fixture('post-conversation'));

  it('signs X-Signature: <hex of the raw body>', () => {
    expect(adapter.sign(body, SECRET, NOW)).toEqual({ 'X-Signature': hexMac(body) });
  });

  it.each([
    ['X-Signature', hexMac(body)],
    ['x-signature', hexMac(body)],
    ['X-SIGNATURE', hexMac(body).toUpperCase()],
  ])('accepts %s: <hex>', (name, value) => {
    expect(adapter.verify(delivery(body, { [name]: value }), SECRET, NOW)).toBe(true);
  });

  it('accepts both payload formats', () => {
    for (const f of fixtures) {
      const raw = fixtureBody(f);
      expect(adapter.verify(delivery(raw, adapter.sign(raw, SECRET, NOW)), SECRET, NOW)).toBe(true);
    }
  });

  it('refuses a tampered body', () => {
    const tampered = Buffer.from(body.toString('utf8').replace('"callDuration":87.42', '"callDuration":8.742'));
    expect(adapter.verify(delivery(tampered, adapter.sign(body, SECRET, NOW)), SECRET, NOW)).toBe(false);
  });

  it('refuses a signature made with another secret', () => {
    expect(adapter.verify(delivery(body, adapter.sign(body, 'another-secret', NOW)), SECRET, NOW)).toBe(false);
  });

  it('needs no timestamp: a delivery signed long ago still verifies (dedup is the replay protection)', () => {
    expect(adapter.verify(delivery(body, adapter.sign(body, SECRET, new Date(0))), SECRET, NOW)).toBe(true);
  });

  it.each([
    ['missing header', {}],
    ['empty header', { 'X-Signature': '' }],
    ['short digest', { 'X-Signature': hexMac(body).slice(0, 63) }],
    ['long digest', { 'X-Signature': `${hexMac(body)}a` }],
    ['non-hex digest', { 'X-Signature': 'q'.repeat(64) }],
    ['sha256= prefix (not what Atoms sends)', { 'X-Signature': `sha256=${hexMac(body)}` }],
    ['base64 digest', { 'X-Signature': createHmac('sha256', SECRET).update(body).digest('base64') }],
    ['1 MB header', { 'X-Signature': '0'.repeat(1024 * 1024) }],
    ['two digests (repeated header)', { 'X-Signature': `${hexMac(body)}, ${hexMac(body)}` }],
    ['signature in another header', { 'X-KoeIQ-Signature': hexMac(body) }],
  ])('refuses without throwing: %s', (_label, headers) => {
    expect(() => adapter.verify(delivery(body, headers as Record<string, string>), SECRET, NOW)).not.toThrow();
    expect(adapter.verify(delivery(body, headers as Record<string, string>), SECRET, NOW)).toBe(false);
  });

  it('generates 32-byte hex secrets and takes POST only', () => {
    expect(adapter.generateSecret()).toMatch(/^[0-9a-f]{64}$/);
    expect(adapter.methods).toEqual(['POST']);
  });
});

describe('atoms adapter: older payload format', () => {
  it('call.start → call.started, from/to by direction', () => {
    expect(parse(fixture('older-call-start').body as object)).toEqual({
      dedupKey: 'call.start:call_xyz789',
      fields: {
        type: 'call.started',
        vendorEventType: 'call.start',
        occurredAt: '2024-07-15T14:30:00Z',
        callId: 'call_xyz789',
        test: false,
        agent: { id: 'agent_abc123', phone: '+15559876543' },
        contact: { phone: '+15551234567' },
        call: { direction: 'inbound', from: '+15551234567', to: '+15559876543' },
      },
    });
  });

  it('an outbound call.start has the agent phone as from', () => {
    const body = { ...bodyOf('older-call-start'), call_direction: 'outbound' };
    expect(parse(body).fields.call).toEqual({ direction: 'outbound', from: '+15559876543', to: '+15551234567' });
  });

  it('without a known direction, keeps the numbers on agent and contact only', () => {
    const body = { ...bodyOf('older-call-start'), call_direction: 'sideways' };
    const { fields } = parse(body);
    expect(fields.call).toBeUndefined();
    expect(fields.agent).toEqual({ id: 'agent_abc123', phone: '+15559876543' });
    expect(fields.contact).toEqual({ phone: '+15551234567' });
  });

  it('call.end → call.ended with duration, disposition, transcript and variables', () => {
    expect(parse(fixture('older-call-end').body as object)).toEqual({
      dedupKey: 'call.end:call_xyz789',
      fields: {
        type: 'call.ended',
        vendorEventType: 'call.end',
        occurredAt: '2024-07-15T14:35:00Z',
        callId: 'call_xyz789',
        test: false,
        agent: { id: 'agent_abc123' },
        call: { durationSeconds: 300 },
        outcome: { disposition: 'successful' },
        transcript: {
          turns: [
            { speaker: 'agent', text: 'Hello! How can I help?', at: '...' },
            { speaker: 'caller', text: 'I have a question...', at: '...' },
          ],
          truncated: false,
        },
        fields: { customer_name: 'Jane Smith', issue_type: 'billing' },
      },
    });
  });

  it('analytics.completed → analytics.ready with metrics as [{ name, value }]', () => {
    expect(parse(fixture('older-analytics-completed').body as object)).toEqual({
      dedupKey: 'analytics.completed:call_xyz789',
      fields: {
        type: 'analytics.ready',
        vendorEventType: 'analytics.completed',
        occurredAt: '2024-07-15T14:36:00Z',
        callId: 'call_xyz789',
        test: false,
        agent: { id: 'agent_abc123' },
        analytics: {
          metrics: [
            { name: 'satisfaction_score', value: 4 },
            { name: 'issue_resolved', value: true },
            { name: 'follow_up_needed', value: false },
            { name: 'product_discussed', value: 'Widget Pro' },
          ],
        },
      },
    });
  });

  it('keeps transcript turns of unknown roles under their own name and skips malformed ones', () => {
    const body = bodyOf('older-call-end');
    body.transcript = [{ role: 'supervisor', content: 'Joining.' }, { role: 'agent' }, 'text', null, { content: 'No role.' }];
    expect(parse(body).fields.transcript).toEqual({
      turns: [
        { speaker: 'supervisor', text: 'Joining.' },
        { speaker: 'unknown', text: 'No role.' },
      ],
      truncated: false,
    });
  });
});

describe('atoms adapter: current envelope', () => {
  it('pre-conversation → call.started', () => {
    expect(parse(fixture('pre-conversation').body as object)).toEqual({
      dedupKey: `pre-conversation:${CALL}`,
      fields: {
        type: 'call.started',
        vendorEventType: 'pre-conversation',
        callId: CALL,
        test: false,
        agent: { id: AGENT },
        call: { direction: 'inbound', from: '+12125550187', to: '+14155550142' },
      },
    });
  });

  it('post-conversation → call.ended', () => {
    expect(parse(fixture('post-conversation').body as object)).toEqual({
      dedupKey: `post-conversation:${CALL}`,
      fields: {
        type: 'call.ended',
        vendorEventType: 'post-conversation',
        callId: CALL,
        test: false,
        agent: { id: AGENT },
        call: {
          direction: 'inbound',
          from: '+12125550187',
          to: '+14155550142',
          durationSeconds: 87.42,
          answeredAt: '2026-11-22T14:06:53.120Z',
          endedAt: '2026-11-22T14:08:20.540Z',
        },
        outcome: { status: 'completed' },
        recording: { url: 'https://recordings.smallest.ai/calls/CALL-1763820412573-4f8c2a.wav' },
        transcript: {
          turns: [
            { speaker: 'agent', text: 'Thanks for calling Northwind Dental, this is Ava. How can I help?', at: '2026-11-22T14:06:54.010Z' },
            { speaker: 'caller', text: 'Hi, I need to move my cleaning on Thursday to next week.', at: '2026-11-22T14:07:01.480Z' },
            { speaker: 'agent', text: 'Sure. I can offer Tuesday at 10 am or Wednesday at 3 pm.', at: '2026-11-22T14:07:09.925Z' },
            { speaker: 'caller', text: 'Tuesday at 10 works.', at: '2026-11-22T14:07:15.300Z' },
          ],
          truncated: false,
        },
        fields: {
          call_id: CALL,
          user_number: '+12125550187',
          agent_number: '+14155550142',
          patient_name: 'Sam Lee',
          appointment_slot: '2026-11-25T10:00:00-08:00',
        },
      },
    });
  });

  it('analytics-completed → analytics.ready, both metric lists kept and told apart by kind', () => {
    expect(parse(fixture('analytics-completed').body as object)).toEqual({
      dedupKey: `analytics-completed:${CALL}`,
      fields: {
        type: 'analytics.ready',
        vendorEventType: 'analytics-completed',
        callId: CALL,
        test: false,
        agent: { id: AGENT },
        call: {
          direction: 'inbound',
          from: '+12125550187',
          to: '+14155550142',
          durationSeconds: 87.42,
          answeredAt: '2026-11-22T14:06:53.120Z',
          endedAt: '2026-11-22T14:08:20.540Z',
        },
        outcome: { status: 'completed' },
        analytics: {
          summary: 'Patient rescheduled a Thursday cleaning to Tuesday 25 November at 10 am.',
          metrics: [
            { name: 'appointment_rescheduled', value: true, kind: 'disposition:BOOLEAN', confidence: 0.97, reasoning: 'The caller accepted the Tuesday 10 am slot.' },
            { name: 'reschedule_reason', value: 'conflict', kind: 'disposition:STRING', confidence: 0.71, reasoning: 'The caller said Thursday no longer works.' },
            { name: 'caller_satisfaction', value: 4, kind: 'success:INTEGER', confidence: 0.82, reasoning: 'Polite, quick resolution, no complaints.' },
          ],
        },
      },
    });
  });

  it.each([
    ['telephony_outbound', 'telephonyInbound', 'outbound'],
    ['telephony_inbound', 'telephonyOutbound', 'inbound'],
    [undefined, 'telephonyOutbound', 'outbound'],
    [undefined, 'webCall', undefined],
  ])('direction: callDirection %s, conversationType %s → %s', (callDirection, conversationType, expected) => {
    const body = bodyOf('post-conversation');
    body.metadata.conversationType = conversationType;
    if (callDirection === undefined) delete body.metadata.callData.callDirection;
    else body.metadata.callData.callDirection = callDirection;
    expect(parse(body).fields.call?.direction).toBe(expected);
  });

  it.each([
    ['inbound', 'inbound'],
    ['outbound', 'outbound'],
    ['telephonyInbound', 'inbound'],
    ['telephonyOutbound', 'outbound'],
    ['telephony_inbound', 'inbound'],
    ['telephony_outbound', 'outbound'],
    ['INBOUND', 'inbound'],
    ['', undefined],
    ['web', undefined],
    [undefined, undefined],
  ])('directionOf(%j) → %s', (value, expected) => {
    expect(directionOf(value)).toBe(expected);
  });

  it('reads the event type from the suffix of `event` when metadata.eventType is missing', () => {
    const body = bodyOf('pre-conversation');
    delete body.metadata.eventType;
    expect(parse(body).fields).toMatchObject({ type: 'call.started', vendorEventType: 'pre-conversation' });
  });

  it('prefers metadata.eventType over the suffix of `event`', () => {
    const body = bodyOf('pre-conversation');
    body.event = `${AGENT}.something-else`;
    expect(parse(body).fields.vendorEventType).toBe('pre-conversation');
  });

  it('keeps metric values of any type and a metric without confidence, type or reasoning', () => {
    const body = bodyOf('analytics-completed');
    body.metadata.analytics.successMetrics = [{ identifier: 'booked' }, { identifier: 'slots', value: ['a', 'b'] }, { value: 1 }, 'x'];
    body.metadata.analytics.dispositionMetrics = undefined;
    expect(parse(body).fields.analytics?.metrics).toEqual([
      { name: 'booked', value: null, kind: 'success' },
      { name: 'slots', value: ['a', 'b'], kind: 'success' },
    ]);
  });

  it.each([
    ['call-transferred'],
    ['voicemail-detected'],
  ])('publishes an unknown event type %s as vendor.other', (eventType) => {
    const body = bodyOf('pre-conversation');
    body.metadata.eventType = eventType;
    body.event = `${AGENT}.${eventType}`;
    expect(parse(body).fields).toMatchObject({ type: 'vendor.other', vendorEventType: eventType, callId: CALL });
  });

  it('reads an older event that also carries a metadata object without eventType as the older format', () => {
    const body = { ...bodyOf('older-call-end'), metadata: { source: 'dashboard' } };
    expect(parse(body)).toMatchObject({ dedupKey: 'call.end:call_xyz789', fields: { type: 'call.ended', vendorEventType: 'call.end', callId: 'call_xyz789' } });
  });

  it('reads a metadata object with eventType as the current envelope, whatever `event` says', () => {
    const body = bodyOf('pre-conversation');
    body.event = 'call.start';
    expect(parse(body).fields).toMatchObject({ type: 'call.started', vendorEventType: 'pre-conversation', callId: CALL });
  });

  it('publishes an unknown event of the older format as vendor.other', () => {
    expect(parse({ ...bodyOf('older-call-start'), event: 'call.transfer' }).fields).toMatchObject({ type: 'vendor.other', vendorEventType: 'call.transfer' });
  });
});

describe('atoms adapter: dedup keys', () => {
  it('current envelope: event type + callId, the same for a copy from a second webhook configuration (another delivery id)', () => {
    const a = bodyOf('post-conversation');
    const b = bodyOf('post-conversation');
    b.id = 'another-delivery-id';
    b.metadata.recordingUrl = 'https://recordings.smallest.ai/other.wav';
    expect(parse(a).dedupKey).toBe(`post-conversation:${CALL}`);
    expect(parse(b).dedupKey).toBe(parse(a).dedupKey);
  });

  it('current envelope without callId: the envelope id', () => {
    const body = bodyOf('post-conversation');
    delete body.metadata.callId;
    expect(parse(body).dedupKey).toBe('id=6790e2fb9e8d7c6b5a4f3e2d');
  });

  it('current envelope without id nor callId: SHA-256 of the raw body', () => {
    const body = bodyOf('post-conversation');
    delete body.id;
    delete body.metadata.callId;
    const raw = JSON.stringify(body);
    expect(parse(raw)).toMatchObject({ dedupKey: sha(raw), fields: { callId: null } });
  });

  it('older format: event + call_id, the same for a redelivery with another timestamp', () => {
    const a = bodyOf('older-call-end');
    const b = { ...a, timestamp: '2024-07-15T14:35:30Z' };
    expect(parse(a).dedupKey).toBe('call.end:call_xyz789');
    expect(parse(b).dedupKey).toBe(parse(a).dedupKey);
  });

  it('older format without call_id: SHA-256 of the raw body', () => {
    const body = bodyOf('older-call-end');
    delete body.call_id;
    const raw = JSON.stringify(body);
    expect(parse(raw)).toMatchObject({ dedupKey: sha(raw), fields: { callId: null } });
  });

  it('the three events of one call have three keys in either format', () => {
    const keys = fixtures.map((f) => parse(f.body as object).dedupKey);
    expect(new Set(keys).size).toBe(fixtures.length);
  });

  it('an envelope id cannot collide with an older-format key', () => {
    const older = parse({ event: 'id', call_id: 'X' }).dedupKey;
    const envelope = parse({ id: 'X', event: `${AGENT}.pre-conversation`, metadata: { eventType: 'pre-conversation' } }).dedupKey;
    expect(envelope).toBe('id=X');
    expect(older).not.toBe(envelope);
  });
});

describe('atoms adapter: malformed bodies', () => {
  it.each([
    ['not JSON', '<xml/>'],
    ['empty', ''],
    ['an array', '[]'],
    ['a string', '"call.start"'],
    ['null', 'null'],
    ['no event and no metadata', '{"call_id":"c1"}'],
    ['older event an object', '{"event":{"name":"call.start"}}'],
    ['older event a boolean', '{"event":false}'],
    ['envelope without eventType and without a dotted event', '{"event":"abc","metadata":{"callId":"c1"},"id":"d1"}'],
    ['envelope with eventType an object and no event', '{"metadata":{"eventType":{}},"id":"d1"}'],
  ])('refuses %s with a ParseError', (_label, raw) => {
    expect(() => parse(raw)).toThrow(ParseError);
  });

  it.each(wrongTypeCases(fixtures))('%s with %s of any wrong type: a schema-valid event or a ParseError, nothing else', (name, path) => {
    for (const value of WRONG_VALUES) expectSchemaValidOrParseError('atoms', () => parse(withValueAt(fixture(name).body, path, value)), NOW);
  });
});

describe('atoms adapter: through the pipeline', () => {
  it('uses receivedAt as occurredAt for the current envelope (it carries no event time)', async () => {
    const world = memoryWorld([adapter], { atoms: SECRET });
    await handleDelivery(signedDelivery(fixture('pre-conversation'), adapter, SECRET, NOW), world.deps);
    expect(world.publisher.published[0].detail).toMatchObject({ occurredAt: NOW.toISOString(), receivedAt: NOW.toISOString() });
  });

  it('answers 400 and keeps the body when an authenticated delivery cannot be parsed', async () => {
    const world = memoryWorld([adapter], { atoms: SECRET });
    const raw = Buffer.from('[1,2,3]');
    const d = { ...delivery(raw, adapter.sign(raw, SECRET, NOW)), receivedAt: NOW };
    const r = await handleDelivery(d, world.deps);
    expect(r.statusCode).toBe(400);
    expect([...world.blobs.blobs.keys()].some((k) => k.startsWith('rejected/atoms/'))).toBe(true);
  });
});
