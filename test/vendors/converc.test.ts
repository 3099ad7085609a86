import { createHash, createHmac } from 'node:crypto';
import { ParseError } from '../../lambda/core/errors';
import { Delivery, Headers } from '../../lambda/core/http';
import { handleDelivery } from '../../lambda/core/pipeline';
import { converc, CONVERC_UNTYPED, convercTranscript, durationBetween } from '../../lambda/vendors/converc';
import { Fixture, fixtureBody, loadFixtures, signedDelivery } from '../helpers/fixtures';
import { expectSchemaValidOrParseError, withValueAt, WRONG_VALUES, wrongTypeCases } from '../helpers/wrong-types';
import { memoryWorld } from '../helpers/memory';

const adapter = converc();
const SECRET = 'converc-endpoint-secret-0b1c2d3e';
const NOW = new Date('2026-11-22T15:10:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const fixtures = loadFixtures('converc');
const fixture = (name: string): Fixture => {
  const f = fixtures.find((x) => x.name === name);
  if (!f) throw new Error(`no fixture converc/${name}`);
  return f;
};
const bodyOf = (name: string): any => JSON.parse(JSON.stringify(fixture(name).body));

function delivery(body: string | Buffer | object, headers: Record<string, string> = {}): Delivery {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return { vendor: 'converc', method: 'POST', headers: new Headers(Object.entries(headers)), query: {}, body: raw, receivedAt: NOW };
}

/** v1 as Converc computes it: HMAC-SHA256(secret, `${t}.${raw body}`), hex. */
const v1 = (t: string | number, body: string | Buffer, secret = SECRET) =>
  createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
const sha = (raw: string) => `sha256=${createHash('sha256').update(raw).digest('hex')}`;
const parse = (body: string | Buffer | object, headers: Record<string, string> = {}) => adapter.parse(delivery(body, headers));

const ORG = '3b0f5c1e-8a47-4d2b-9c61-0f2e7d8a9b14';
const CALL = 'a7d2e9c4-51b8-4f03-8e6a-2c9d0b7f1e35';

describe('converc adapter: verify', () => {
  const body = fixtureBody(fixture('call-ended-iso'));
  const ok = (header: string) => adapter.verify(delivery(body, { 'X-IC-Signature': header }), SECRET, NOW);

  it('signs X-IC-Signature t=<seconds>,v1=<hex>, and sends X-IC-Event and X-IC-Id from the envelope', () => {
    expect(adapter.sign(body, SECRET, NOW, 'ignored-when-the-body-has-an-id')).toEqual({
      'X-IC-Signature': `t=${NOW_S},v1=${v1(NOW_S, body)}`,
      'X-IC-Event': 'call.ended',
      'X-IC-Id': 'c1e0f3a2-6b5d-4e84-9a7c-1f2e3d4c5b6a',
    });
  });

  it('signs a body that is not an envelope with the given id and no event header', () => {
    const raw = Buffer.from('not json');
    expect(adapter.sign(raw, SECRET, NOW, 'evt_1')).toEqual({ 'X-IC-Signature': `t=${NOW_S},v1=${v1(NOW_S, raw)}`, 'X-IC-Id': 'evt_1' });
  });

  it('accepts what it signs, for every fixture', () => {
    for (const f of fixtures) {
      const raw = fixtureBody(f);
      expect(adapter.verify(delivery(raw, adapter.sign(raw, SECRET, NOW)), SECRET, NOW)).toBe(true);
    }
  });

  it('reads the header in any case', () => {
    expect(adapter.verify(delivery(body, { 'x-ic-signature': `t=${NOW_S},v1=${v1(NOW_S, body)}` }), SECRET, NOW)).toBe(true);
  });

  it('refuses a tampered body', () => {
    const tampered = Buffer.from(body.toString('utf8').replace('"status":"ended"', '"status":"missed"'));
    expect(adapter.verify(delivery(tampered, adapter.sign(body, SECRET, NOW)), SECRET, NOW)).toBe(false);
  });

  it('refuses a signature made with another secret', () => {
    expect(ok(`t=${NOW_S},v1=${v1(NOW_S, body, 'another-secret')}`)).toBe(false);
  });

  it('refuses a signature moved to another timestamp', () => {
    expect(ok(`t=${NOW_S - 10},v1=${v1(NOW_S, body)}`)).toBe(false);
  });

  it('refuses a digest of the body alone (the timestamp is signed)', () => {
    expect(ok(`t=${NOW_S},v1=${createHmac('sha256', SECRET).update(body).digest('hex')}`)).toBe(false);
  });

  it.each([
    ['now', 0, true],
    ['300 s old (the default tolerance)', -300, true],
    ['300 s ahead', 300, true],
    ['301 s old (stale)', -301, false],
    ['301 s ahead (future)', 301, false],
    ['a day old', -86_400, false],
    ['a day ahead', 86_400, false],
  ])('t in seconds, %s → %s', (_label, offset, expected) => {
    const t = NOW_S + offset;
    expect(ok(`t=${t},v1=${v1(t, body)}`)).toBe(expected);
  });

  it.each([
    ['now', 0, true],
    ['299.9 s old', -299_900, true],
    ['299.9 s ahead', 299_900, true],
    ['302 s old (stale)', -302_000, false],
    ['302 s ahead (future)', 302_000, false],
  ])('t in milliseconds, %s → %s', (_label, offsetMs, expected) => {
    const t = String(NOW.getTime() + offsetMs);
    expect(t).toHaveLength(13);
    expect(ok(`t=${t},v1=${v1(t, body)}`)).toBe(expected);
  });

  it('honours toleranceSeconds from the options', () => {
    const strict = converc({ toleranceSeconds: 30 });
    const t = NOW_S - 60;
    const h = { 'X-IC-Signature': `t=${t},v1=${v1(t, body)}` };
    expect(strict.verify(delivery(body, h), SECRET, NOW)).toBe(false);
    expect(adapter.verify(delivery(body, h), SECRET, NOW)).toBe(true);
  });

  it.each([
    ['the valid entry first', () => [v1(NOW_S, body), '0'.repeat(64)]],
    ['the valid entry last', () => ['0'.repeat(64), v1(NOW_S, body, 'old-secret'), v1(NOW_S, body)]],
    ['a malformed entry before the valid one', () => ['nothex', v1(NOW_S, body)]],
  ])('accepts several v1 entries when one matches: %s', (_label, entries) => {
    expect(ok([`t=${NOW_S}`, ...entries().map((e) => `v1=${e}`)].join(','))).toBe(true);
  });

  it('refuses several v1 entries when none matches', () => {
    expect(ok(`t=${NOW_S},v1=${'0'.repeat(64)},v1=${v1(NOW_S, body, 'old-secret')}`)).toBe(false);
  });

  it('ignores v0 and other schemes', () => {
    expect(ok(`t=${NOW_S},v0=${v1(NOW_S, body)}`)).toBe(false);
  });

  it.each([
    ['missing header', null],
    ['empty header', ''],
    ['no t', `v1=${'0'.repeat(64)}`],
    ['no v1', `t=${NOW_S}`],
    ['garbage t', `t=yesterday,v1=${'0'.repeat(64)}`],
    ['negative t', `t=-${NOW_S},v1=${'0'.repeat(64)}`],
    ['decimal t', `t=${NOW_S}.25,v1=${'0'.repeat(64)}`],
    ['ISO t', `t=2026-11-22T15:10:00Z,v1=${'0'.repeat(64)}`],
    ['400-digit t', `t=${'9'.repeat(400)},v1=${'0'.repeat(64)}`],
    ['t = 0', `t=0,v1=${'0'.repeat(64)}`],
    ['short v1', `t=${NOW_S},v1=abc`],
    ['long v1', `t=${NOW_S},v1=${'0'.repeat(66)}`],
    ['non-hex v1', `t=${NOW_S},v1=${'x'.repeat(64)}`],
    ['1 MB header', `t=${NOW_S},v1=${'0'.repeat(1024 * 1024)}`],
    ['a bare digest', '0'.repeat(64)],
    ['Stripe-like spaces and semicolons', `t=${NOW_S}; v1=${'0'.repeat(64)}`],
  ])('refuses without throwing: %s', (_label, header) => {
    const headers: Record<string, string> = header === null ? {} : { 'X-IC-Signature': header };
    expect(() => adapter.verify(delivery(body, headers), SECRET, NOW)).not.toThrow();
    expect(adapter.verify(delivery(body, headers), SECRET, NOW)).toBe(false);
  });

  it.each([
    ['garbage t', 'yesterday'],
    ['t with a unit', `${NOW_S}s`],
    ['t of 16 digits (microseconds are not accepted)', `${NOW.getTime()}000`],
  ])('refuses a correctly signed %s', (_label, t) => {
    expect(ok(`t=${t},v1=${v1(t, body)}`)).toBe(false);
  });

  it('generates 32-byte hex secrets and takes POST only', () => {
    expect(adapter.generateSecret()).toMatch(/^[0-9a-f]{64}$/);
    expect(adapter.methods).toEqual(['POST']);
  });
});

const CONTACT = {
  id: 'e41c7a90-2d6b-4f85-a3c1-98b0f2d4e6a7',
  fingerprint: 'f3c9a1d27be84e06',
  email: 'dana.fox@example.com',
  name: 'Dana Fox',
  location: { city: 'Austin', region: 'TX', country: 'United States', countryCode: 'US', timezone: 'America/Chicago', latitude: 30.2672, longitude: -97.7431 },
};
const BASE_CALL = {
  channel: 'video',
  requestedAt: '2026-11-22T15:00:00.000Z',
  sessionId: '5d4c3b2a-1f0e-4d9c-8b7a-6e5f4d3c2b1a',
  siteId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
};
const ANSWERED = { answeredAt: '2026-11-22T15:00:10.250Z' };
const ENDED = { endedAt: '2026-11-22T15:04:35.750Z', durationSeconds: 265.5 };
const REP = { userId: '77e1b2c3-d4e5-4f60-8a9b-0c1d2e3f4a5b' };
const QUALIFICATION = [{ question: 'Company size', value: '11-50' }];
const NO_RECORDING = { available: false };

describe('converc adapter: mapping', () => {
  it('the page example (mangled timestamps) maps every field; the times stay as written, no duration', () => {
    expect(parse(fixture('call-ended-doc-example').body as object)).toEqual({
      dedupKey: 'event-uuid',
      fields: {
        type: 'call.ended',
        vendorEventType: 'call.ended',
        occurredAt: '2024-01-02T00: 00: 00.0002',
        callId: 'call-uuid',
        test: false,
        account: { id: 'org-uuid', kind: 'organization' },
        agent: { userId: 'user-uuid' },
        call: {
          status: 'ended',
          channel: 'video',
          requestedAt: '2024-01-02T00: 00: 00.0002',
          answeredAt: '2024-01-02T00: 00: 10.0002',
          endedAt: '2024-01-02T00: 00: 35.0002',
          sessionId: 'session-uuid',
          siteId: 'site-uuid',
        },
        contact: {
          id: 'identity-uuid',
          fingerprint: 'fp',
          email: 'visitor@example.com',
          phone: '+1 512 555 0100',
          name: 'Visitor Name',
          lastSeenAt: '2024-01-02T00: 00: 00.0002',
          location: { city: 'Austin', region: 'TX', country: 'United States', countryCode: 'US', timezone: 'America/Chicago', latitude: 30.2672, longitude: -97.7431 },
        },
        qualification: [{ question: 'Company size', value: '1-10' }],
        recording: { available: false },
      },
    });
  });

  const cases: Array<[string, Record<string, unknown>]> = [
    [
      'call-ended-iso',
      {
        type: 'call.ended',
        vendorEventType: 'call.ended',
        occurredAt: '2026-11-22T15:04:36.010Z',
        agent: REP,
        call: { status: 'ended', ...BASE_CALL, ...ANSWERED, ...ENDED },
        contact: { ...CONTACT, lastSeenAt: '2026-11-22T15:04:36.010Z' },
        recording: NO_RECORDING,
      },
    ],
    [
      'call-requested',
      {
        type: 'call.requested',
        vendorEventType: 'call.requested',
        occurredAt: '2026-11-22T15:00:00.120Z',
        call: { status: 'requested', ...BASE_CALL },
        contact: { ...CONTACT, lastSeenAt: '2026-11-22T15:00:00.120Z' },
        recording: NO_RECORDING,
      },
    ],
    [
      'call-accepted',
      {
        type: 'call.started',
        vendorEventType: 'call.accepted',
        occurredAt: '2026-11-22T15:00:10.300Z',
        agent: REP,
        call: { status: 'accepted', ...BASE_CALL, ...ANSWERED },
        contact: { ...CONTACT, lastSeenAt: '2026-11-22T15:00:10.300Z' },
        recording: NO_RECORDING,
      },
    ],
    [
      'call-canceled',
      {
        type: 'call.canceled',
        vendorEventType: 'call.canceled',
        occurredAt: '2026-11-22T15:00:41.800Z',
        call: { status: 'canceled', ...BASE_CALL, endedAt: '2026-11-22T15:00:41.700Z' },
        contact: { ...CONTACT, lastSeenAt: '2026-11-22T15:00:41.800Z' },
        recording: NO_RECORDING,
      },
    ],
    [
      'call-missed',
      {
        type: 'call.missed',
        vendorEventType: 'call.missed',
        occurredAt: '2026-11-22T15:01:00.050Z',
        call: { status: 'missed', ...BASE_CALL, endedAt: '2026-11-22T15:01:00.000Z' },
        contact: { ...CONTACT, lastSeenAt: '2026-11-22T15:01:00.050Z' },
        recording: NO_RECORDING,
      },
    ],
    [
      'call-transcript-ready',
      {
        type: 'transcript.ready',
        vendorEventType: 'call.transcript_ready',
        occurredAt: '2026-11-22T15:06:12.000Z',
        agent: REP,
        call: { status: 'ended', ...BASE_CALL, ...ANSWERED, ...ENDED },
        contact: { ...CONTACT, lastSeenAt: '2026-11-22T15:06:12.000Z' },
        recording: NO_RECORDING,
        transcript: {
          turns: [
            { speaker: 'agent', text: 'Hi Dana, thanks for reaching out. What can I help with?', at: '2026-11-22T15:00:12.400Z' },
            { speaker: 'caller', text: "We're a team of about thirty and want to see the scheduling add-on.", at: '2026-11-22T15:00:19.900Z' },
            { speaker: 'agent', text: 'Great, let me share my screen.', at: '2026-11-22T15:00:27.150Z' },
          ],
          truncated: false,
        },
      },
    ],
    [
      'call-recording-ready',
      {
        type: 'recording.ready',
        vendorEventType: 'call.recording_ready',
        occurredAt: '2026-11-22T15:07:30.000Z',
        agent: REP,
        call: { status: 'ended', ...BASE_CALL, ...ANSWERED, ...ENDED },
        contact: { ...CONTACT, lastSeenAt: '2026-11-22T15:07:30.000Z' },
        recording: {
          available: true,
          videoUrl: expect.stringMatching(/^https:\/\/media\.converc\.com\/recordings\/.+\/video\.webm\?X-Amz-/),
          audioUrl: expect.stringMatching(/^https:\/\/media\.converc\.com\/recordings\/.+\/audio\.m4a\?X-Amz-/),
          expiresInSeconds: 3600,
        },
      },
    ],
  ];

  it.each(cases)('%s', (name, expected) => {
    const { fields } = parse(fixture(name).body as object);
    expect(fields).toEqual({
      callId: CALL,
      test: false,
      account: { id: ORG, kind: 'organization' },
      qualification: QUALIFICATION,
      ...expected,
    });
  });

  it('webhook.test → webhook.test, test: true, callId null', () => {
    expect(parse(fixture('webhook-test').body as object)).toEqual({
      dedupKey: '6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d',
      fields: {
        type: 'webhook.test',
        vendorEventType: 'webhook.test',
        occurredAt: '2026-11-22T14:55:00.000Z',
        callId: null,
        test: true,
        account: { id: ORG, kind: 'organization' },
      },
    });
  });

  it.each([['call.transferred'], ['visitor.identified'], ['Call.Ended']])('publishes an unknown type %s as vendor.other', (type) => {
    const body = { ...bodyOf('call-ended-iso'), type };
    expect(parse(body).fields).toMatchObject({ type: 'vendor.other', vendorEventType: type, callId: CALL, test: false });
  });

  it('takes the type from the signed body, never from the unsigned X-IC-Event header', () => {
    const body = bodyOf('call-missed');
    expect(parse(body, { 'X-IC-Event': 'call.ended' }).fields.type).toBe('call.missed');
    delete body.type;
    // Without a type in the body, X-IC-Event (not covered by the signature) decides nothing.
    for (const header of ['call.missed', 'call.ended', 'webhook.test']) {
      expect(parse(body, { 'X-IC-Event': header }).fields).toMatchObject({ type: 'vendor.other', vendorEventType: CONVERC_UNTYPED, test: false });
    }
  });

  it('keeps a null location as null, and drops a location of another type', () => {
    const body = bodyOf('call-ended-iso');
    body.data.contact.location = null;
    expect(parse(body).fields.contact?.location).toBeNull();
    body.data.contact.location = 'Austin, TX';
    expect(parse(body).fields.contact).not.toHaveProperty('location');
  });

  it('falls back to call.visitorFingerprint when contact has no fingerprint', () => {
    const body = bodyOf('call-ended-iso');
    delete body.data.contact;
    expect(parse(body).fields.contact).toEqual({ fingerprint: 'f3c9a1d27be84e06' });
  });

  it('omits the recording URLs and expiry while they are null', () => {
    expect(parse(bodyOf('call-ended-iso')).fields.recording).toEqual({ available: false });
  });

  it('skips qualification answers without a question label or an answer, and keeps any answer value', () => {
    const body = bodyOf('call-ended-iso');
    const [good] = body.data.qualificationAnswers;
    body.data.qualificationAnswers = [
      good,
      { ...good, question: { label: 'Use cases' }, answer: { value: ['scheduling', 'billing'] } },
      { ...good, question: { label: 'Budget' }, answer: { value: null } },
      { ...good, question: {} },
      { ...good, answer: {} },
      { ...good, answer: 'x' },
      'x',
    ];
    expect(parse(body).fields.qualification).toEqual([
      { question: 'Company size', value: '11-50' },
      { question: 'Use cases', value: ['scheduling', 'billing'] },
      { question: 'Budget', value: null },
    ]);
  });
});

describe('converc adapter: duration', () => {
  it.each([
    ['ISO with Z', '2026-11-22T15:00:10.250Z', '2026-11-22T15:04:35.750Z', 265.5],
    ['the page format with the spaces removed', '2024-01-02T00:00:10.0002', '2024-01-02T00:00:35.0002', 25],
    ['the page format as written (does not parse)', '2024-01-02T00: 00: 10.0002', '2024-01-02T00: 00: 35.0002', undefined],
    ['end before start', '2026-11-22T15:04:35Z', '2026-11-22T15:00:10Z', undefined],
    ['no end', '2026-11-22T15:00:10Z', undefined, undefined],
    ['no start', undefined, '2026-11-22T15:00:10Z', undefined],
  ])('%s', (_label, start, end, expected) => {
    expect(durationBetween(start, end)).toBe(expected);
  });
});

describe('converc adapter: transcript shapes (the page shows only null)', () => {
  it.each<[string, unknown, unknown]>([
    ['null', null, {}],
    ['absent', undefined, {}],
    ['a string: one turn, speaker unknown', 'Agent: hi\nVisitor: hello', { transcript: { turns: [{ speaker: 'unknown', text: 'Agent: hi\nVisitor: hello' }], truncated: false } }],
    ['an empty string', '', { transcript: { turns: [], truncated: false } }],
    ['an empty array', [], { transcript: { turns: [], truncated: false } }],
    [
      'an array of {speaker, text, timestamp}',
      [{ speaker: 'agent', text: 'hi', timestamp: 't1' }, { speaker: 'visitor', text: 'hello', timestamp: 't2' }],
      { transcript: { turns: [{ speaker: 'agent', text: 'hi', at: 't1' }, { speaker: 'caller', text: 'hello', at: 't2' }], truncated: false } },
    ],
    [
      'an array of {role, content}',
      [{ role: 'rep', content: 'hi' }, { role: 'visitor', content: 'hello' }],
      { transcript: { turns: [{ speaker: 'rep', text: 'hi' }, { speaker: 'caller', text: 'hello' }], truncated: false } },
    ],
    [
      'an array of strings',
      ['hi', 'hello'],
      { transcript: { turns: [{ speaker: 'unknown', text: 'hi' }, { speaker: 'unknown', text: 'hello' }], truncated: false } },
    ],
    [
      'an object with segments',
      { language: 'en', segments: [{ speaker: 'agent', text: 'hi', start: 1.5 }] },
      { transcript: { turns: [{ speaker: 'agent', text: 'hi', at: '1.5' }], truncated: false } },
    ],
    ['an object with a text', { text: 'whole transcript', language: 'en' }, { transcript: { turns: [{ speaker: 'unknown', text: 'whole transcript' }], truncated: false } }],
    ['an object of unknown shape: kept raw', { url: 'https://x/t.vtt' }, { raw: { url: 'https://x/t.vtt' } }],
    ['an array of unknown objects: kept raw', [{ a: 1 }], { raw: [{ a: 1 }] }],
    ['a number: kept raw', 42, { raw: 42 }],
  ])('%s', (_label, value, expected) => {
    expect(convercTranscript(value)).toEqual(expected);
  });

  it('puts a transcript it cannot read into fields.transcript, as it came', () => {
    const body = bodyOf('call-transcript-ready');
    body.data.transcript = { url: 'https://media.converc.com/t.vtt' };
    const { fields } = parse(body);
    expect(fields.transcript).toBeUndefined();
    expect(fields.fields).toEqual({ transcript: { url: 'https://media.converc.com/t.vtt' } });
  });
});

describe('converc adapter: dedup keys', () => {
  it('is the envelope id', () => {
    for (const f of fixtures) expect(parse(f.body as object).dedupKey).toBe((f.body as { id: string }).id);
  });

  it('never takes the key from the unsigned X-IC-Id header: the body id, else a digest of the signed body', () => {
    const body = bodyOf('call-missed');
    expect(parse(body, { 'X-IC-Id': 'header-id' }).dedupKey).toBe(body.id);
    delete body.id;
    const raw = JSON.stringify(body);
    expect(parse(raw, { 'X-IC-Id': 'header-id' }).dedupKey).toBe(sha(raw));
  });

  it('falls back to a SHA-256 of the raw body without either', () => {
    const body = bodyOf('call-missed');
    delete body.id;
    const raw = JSON.stringify(body);
    expect(parse(raw).dedupKey).toBe(sha(raw));
    expect(parse(raw, { 'X-IC-Id': '   ' }).dedupKey).toBe(sha(raw));
  });
});

describe('converc adapter: malformed bodies', () => {
  it.each([
    ['not JSON', 'id=1&type=call.ended'],
    ['empty', ''],
    ['an array', '[{"type":"call.ended"}]'],
    ['a string', '"call.ended"'],
    ['type an object', '{"id":"e1","type":{"name":"call.ended"}}'],
    ['type null', '{"id":"e1","type":null}'],
  ])('refuses %s with a ParseError', (_label, raw) => {
    expect(() => parse(raw)).toThrow(ParseError);
  });

  it('publishes a body without a type as vendor.other, whatever X-IC-Event says', () => {
    for (const headers of [{}, { 'X-IC-Event': ' ' }, { 'X-IC-Event': 'call.ended' }] as Array<Record<string, string>>) {
      expect(parse('{"id":"e1","data":{}}', headers).fields).toMatchObject({ type: 'vendor.other', vendorEventType: CONVERC_UNTYPED });
    }
  });

  const names = ['call-ended-doc-example', 'call-transcript-ready', 'call-recording-ready', 'webhook-test'];
  it.each(wrongTypeCases(names.map((name) => fixture(name))))('%s with %s of any wrong type: a schema-valid event or a ParseError, nothing else', (name, path) => {
    for (const value of WRONG_VALUES) expectSchemaValidOrParseError('converc', () => parse(withValueAt(fixture(name).body, path, value)), NOW);
  });
});

describe('converc adapter: through the pipeline', () => {
  it.each([
    ['the page example: createdAt does not parse → receivedAt', 'call-ended-doc-example', NOW.toISOString()],
    ['clean ISO: createdAt', 'call-ended-iso', '2026-11-22T15:04:36.010Z'],
  ])('occurredAt, %s', async (_label, name, expected) => {
    const world = memoryWorld([adapter], { converc: SECRET });
    await handleDelivery(signedDelivery(fixture(name), adapter, SECRET, NOW), world.deps);
    expect(world.publisher.published[0].detail.occurredAt).toBe(expected);
  });

  it('answers 401 to a stale delivery and publishes nothing', async () => {
    const world = memoryWorld([adapter], { converc: SECRET });
    const signedAt = new Date(NOW.getTime() - 301_000);
    const d = { ...signedDelivery(fixture('call-ended-iso'), adapter, SECRET, signedAt), receivedAt: NOW };
    expect((await handleDelivery(d, world.deps)).statusCode).toBe(401);
    expect(world.publisher.published).toHaveLength(0);
  });
});

describe('converc adapter: the unsigned X-IC-Id / X-IC-Event headers decide nothing (review finding)', () => {
  /** One signature of `raw`, replayed with whatever unsigned headers the replayer likes. */
  const replay = (raw: string, signedAt: Date, extra: Record<string, string>): Delivery => {
    const { 'X-IC-Signature': signature } = adapter.sign(Buffer.from(raw), SECRET, signedAt);
    return { ...delivery(raw, { 'X-IC-Signature': signature, ...extra }), receivedAt: NOW };
  };

  it('one signed body without an id, replayed within the window with X-IC-Id A, B, C, is one event', async () => {
    // Prepare
    const world = memoryWorld([adapter], { converc: SECRET });
    const body = bodyOf('call-ended-iso');
    delete body.id;
    const raw = JSON.stringify(body);
    const signedAt = new Date(NOW.getTime() - 60_000);
    // Act
    const replies = [];
    for (const id of ['A', 'B', 'C']) replies.push(await handleDelivery(replay(raw, signedAt, { 'X-IC-Id': id, 'X-IC-Event': 'call.ended' }), world.deps));
    // Assert
    expect(replies.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(replies.map((r) => (r.body as { duplicate?: boolean }).duplicate === true)).toEqual([false, true, true]);
    expect(new Set(replies.map((r) => (r.body as { eventId: string }).eventId)).size).toBe(1);
    expect(world.publisher.published).toHaveLength(1);
  });

  it('a replay cannot claim the id of a genuine delivery first', async () => {
    // Prepare: a captured signed body without an id, replayed with the id of a delivery still to come.
    const world = memoryWorld([adapter], { converc: SECRET });
    const captured = bodyOf('call-missed');
    delete captured.id;
    const genuine = fixture('call-ended-iso');
    const genuineId = (genuine.body as { id: string }).id;
    // Act
    const first = await handleDelivery(replay(JSON.stringify(captured), new Date(NOW.getTime() - 60_000), { 'X-IC-Id': genuineId }), world.deps);
    const second = await handleDelivery(signedDelivery(genuine, adapter, SECRET, NOW), world.deps);
    // Assert: the genuine delivery is published, not answered "duplicate".
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect((second.body as { duplicate?: boolean }).duplicate).toBeUndefined();
    expect(world.publisher.published.map((e) => e.detail.callId)).toEqual([captured.data.call.id, CALL]);
  });

  it('a replay with another X-IC-Event does not change the published type', async () => {
    const world = memoryWorld([adapter], { converc: SECRET });
    const body = bodyOf('call-missed');
    delete body.type;
    const raw = JSON.stringify(body);
    await handleDelivery(replay(raw, NOW, { 'X-IC-Event': 'webhook.test' }), world.deps);
    expect(world.publisher.published.map((e) => [e.detail.type, e.detail.test])).toEqual([['vendor.other', false]]);
  });
});
