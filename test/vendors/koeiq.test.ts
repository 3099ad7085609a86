import { createHash, createHmac } from 'node:crypto';
import { ParseError } from '../../lambda/core/errors';
import { Delivery, Headers } from '../../lambda/core/http';
import { handleDelivery } from '../../lambda/core/pipeline';
import { koeiq } from '../../lambda/vendors/koeiq';
import { Fixture, fixtureBody, loadFixtures, signedDelivery } from '../helpers/fixtures';
import { expectSchemaValidOrParseError, withValueAt, WRONG_VALUES, wrongTypeCases } from '../helpers/wrong-types';
import { memoryWorld } from '../helpers/memory';

const adapter = koeiq();
const SECRET = 'koeiq-test-secret-1f2e3d4c5b6a';
const NOW = new Date('2026-11-22T12:00:00Z');
const fixtures = loadFixtures('koeiq');
const fixture = (name: string): Fixture => {
  const f = fixtures.find((x) => x.name === name);
  if (!f) throw new Error(`no fixture koeiq/${name}`);
  return f;
};
const bodyOf = (name: string) => JSON.parse(JSON.stringify(fixture(name).body)) as Record<string, unknown> & { data: Record<string, unknown> };

function delivery(body: string | Buffer | object, headers: Record<string, string> = {}): Delivery {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return { vendor: 'koeiq', method: 'POST', headers: new Headers(Object.entries(headers)), query: {}, body: raw, receivedAt: NOW };
}

function hexMac(body: string | Buffer, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

const parse = (body: string | Buffer | object) => adapter.parse(delivery(body));

describe('koeiq adapter: verify', () => {
  const body = fixtureBody(fixture('transcription-completed'));

  it('signs the prefixed form, as the payloads page shows it', () => {
    expect(adapter.sign(body, SECRET, NOW)).toEqual({ 'X-KoeIQ-Signature': `sha256=${hexMac(body)}` });
  });

  it.each([
    ['sha256=<hex> (payloads page)', () => `sha256=${hexMac(body)}`],
    ['bare <hex> (audit-export page)', () => hexMac(body)],
    ['upper-case hex', () => hexMac(body).toUpperCase()],
  ])('accepts %s', (_label, value) => {
    expect(adapter.verify(delivery(body, { 'X-KoeIQ-Signature': value() }), SECRET, NOW)).toBe(true);
  });

  it('reads the header in any case (HTTP APIs lower-case it)', () => {
    expect(adapter.verify(delivery(body, { 'x-koeiq-signature': hexMac(body) }), SECRET, NOW)).toBe(true);
  });

  it('refuses a tampered body', () => {
    const tampered = Buffer.from(body.toString('utf8').replace('"duration_seconds":342', '"duration_seconds":343'));
    expect(adapter.verify(delivery(tampered, adapter.sign(body, SECRET, NOW)), SECRET, NOW)).toBe(false);
  });

  it('refuses a signature made with another secret', () => {
    expect(adapter.verify(delivery(body, adapter.sign(body, 'another-secret', NOW)), SECRET, NOW)).toBe(false);
  });

  it('refuses the signature of the re-serialized JSON when the raw bytes differ', () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 2));
    expect(adapter.verify(delivery(pretty, adapter.sign(body, SECRET, NOW)), SECRET, NOW)).toBe(false);
  });

  it('needs no timestamp: a delivery signed long ago still verifies (dedup is the replay protection)', () => {
    expect(adapter.verify(delivery(body, adapter.sign(body, SECRET, new Date(0))), SECRET, NOW)).toBe(true);
  });

  it.each([
    ['missing header', {}],
    ['empty header', { 'X-KoeIQ-Signature': '' }],
    ['prefix only', { 'X-KoeIQ-Signature': 'sha256=' }],
    ['short digest', { 'X-KoeIQ-Signature': `sha256=${hexMac(body).slice(2)}` }],
    ['long digest', { 'X-KoeIQ-Signature': `sha256=${hexMac(body)}00` }],
    ['non-hex digest', { 'X-KoeIQ-Signature': `sha256=${'z'.repeat(64)}` }],
    ['base64 digest', { 'X-KoeIQ-Signature': `sha256=${createHmac('sha256', SECRET).update(body).digest('base64')}` }],
    ['other algorithm prefix', { 'X-KoeIQ-Signature': `sha1=${hexMac(body)}` }],
    ['1 MB header', { 'X-KoeIQ-Signature': 'f'.repeat(1024 * 1024) }],
    ['signature in another header', { 'X-Signature': hexMac(body) }],
  ])('refuses without throwing: %s', (_label, headers) => {
    // The vendor's own sample throws here (timingSafeEqual on unequal lengths; missing header).
    expect(() => adapter.verify(delivery(body, headers as Record<string, string>), SECRET, NOW)).not.toThrow();
    expect(adapter.verify(delivery(body, headers as Record<string, string>), SECRET, NOW)).toBe(false);
  });

  it('refuses everything with an empty secret', () => {
    expect(adapter.verify(delivery(body, { 'X-KoeIQ-Signature': hexMac(body, '') }), '', NOW)).toBe(false);
  });

  it('generates 32-byte hex secrets', () => {
    expect(adapter.generateSecret()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes POST only', () => {
    expect(adapter.methods).toEqual(['POST']);
  });
});

describe('koeiq adapter: mapping of the documented payloads', () => {
  it('transcription.completed → transcript.ready', () => {
    expect(parse(fixture('transcription-completed').body as object)).toEqual({
      dedupKey: 'transcription.completed:vl_xxxx',
      fields: {
        type: 'transcript.ready',
        vendorEventType: 'transcription.completed',
        occurredAt: '2026-03-17T09:00:00Z',
        callId: 'CALL-20260317-001',
        test: false,
        account: { id: 't_xxxx', kind: 'tenant' },
        agent: { operatorId: 'OP001', department: 'Support' },
        call: { durationSeconds: 342, language: 'ja-JP', date: '2026-03-17' },
        outcome: { status: 'done' },
        fields: { voicelog_id: 'vl_xxxx' },
      },
    });
  });

  it('analytics.completed → analytics.ready', () => {
    expect(parse(fixture('analytics-completed').body as object)).toEqual({
      dedupKey: 'analytics.completed:vl_xxxx',
      fields: {
        type: 'analytics.ready',
        vendorEventType: 'analytics.completed',
        occurredAt: '2026-03-17T09:01:30Z',
        callId: 'CALL-20260317-001',
        test: false,
        account: { id: 't_xxxx', kind: 'tenant' },
        analytics: {
          qualityScore: 82,
          sentiment: 0.4,
          emotion: 'neutral',
          intent: 'billing_inquiry',
          summary: 'Customer called about invoice discrepancy...',
        },
        fields: { voicelog_id: 'vl_xxxx' },
      },
    });
  });

  it('alert.triggered → alert.triggered', () => {
    expect(parse(fixture('alert-triggered').body as object)).toEqual({
      dedupKey: 'alert.triggered:vl_xxxx:ar_xxxx',
      fields: {
        type: 'alert.triggered',
        vendorEventType: 'alert.triggered',
        occurredAt: '2026-03-17T09:02:00Z',
        callId: 'CALL-20260317-001',
        test: false,
        account: { id: 't_xxxx', kind: 'tenant' },
        agent: { operatorId: 'OP001' },
        alert: { ruleId: 'ar_xxxx', ruleName: 'Low Quality Score', condition: 'quality_score_below', threshold: 60, actualValue: 45 },
        fields: { voicelog_id: 'vl_xxxx' },
      },
    });
  });

  it('keeps text thresholds and values, and text sentiment', () => {
    const alert = bodyOf('alert-triggered');
    alert.data.threshold = 'negative';
    alert.data.actual_value = 'very_negative';
    expect(parse(alert).fields.alert).toMatchObject({ threshold: 'negative', actualValue: 'very_negative' });
    const analytics = bodyOf('analytics-completed');
    analytics.data.sentiment_overall = 'positive';
    expect(parse(analytics).fields.analytics).toMatchObject({ sentiment: 'positive' });
  });

  it.each([
    ['call.recording_uploaded'],
    ['transcription.failed'],
    ['Transcription.Completed'],
  ])('publishes an unknown event %s as vendor.other, never refused', (event) => {
    const body = { ...bodyOf('transcription-completed'), event };
    const { fields, dedupKey } = parse(body);
    expect(fields).toMatchObject({ type: 'vendor.other', vendorEventType: event, callId: 'CALL-20260317-001' });
    expect(dedupKey).toBe(`${event}:vl_xxxx`);
  });

  it('has callId null and no optional groups when data is absent', () => {
    expect(parse({ event: 'tenant.updated', tenant_id: 't_1' }).fields).toEqual({
      type: 'vendor.other',
      vendorEventType: 'tenant.updated',
      callId: null,
      test: false,
      account: { id: 't_1', kind: 'tenant' },
    });
  });

  it('ignores a negative duration', () => {
    const body = bodyOf('transcription-completed');
    body.data.duration_seconds = -5;
    expect(parse(body).fields.call).toEqual({ language: 'ja-JP', date: '2026-03-17' });
  });
});

describe('koeiq adapter: dedup keys', () => {
  const sha = (raw: string) => `sha256=${createHash('sha256').update(raw).digest('hex')}`;

  it('differs between the three events of one voicelog', () => {
    const keys = fixtures.map((f) => parse(f.body as object).dedupKey);
    expect(new Set(keys).size).toBe(3);
  });

  it('ignores the delivery time: a redelivery with a new timestamp is the same event', () => {
    const a = bodyOf('analytics-completed');
    const b = { ...a, timestamp: '2026-03-17T09:05:00Z' };
    expect(parse(a).dedupKey).toBe(parse(b).dedupKey);
  });

  it('tells alerts of different rules on one voicelog apart', () => {
    const a = bodyOf('alert-triggered');
    const b = bodyOf('alert-triggered');
    b.data.alert_rule_id = 'ar_other';
    expect(parse(a).dedupKey).not.toBe(parse(b).dedupKey);
  });

  it('falls back to a SHA-256 of the raw body without voicelog_id', () => {
    const body = bodyOf('transcription-completed');
    delete body.data.voicelog_id;
    const raw = JSON.stringify(body);
    const parsed = parse(raw);
    expect(parsed.dedupKey).toBe(sha(raw));
    expect(parsed.fields.fields).toBeUndefined();
  });

  it('falls back to a SHA-256 of the raw body for an alert without alert_rule_id', () => {
    const body = bodyOf('alert-triggered');
    delete body.data.alert_rule_id;
    const raw = JSON.stringify(body);
    expect(parse(raw).dedupKey).toBe(sha(raw));
  });

  it('cannot be forged by separators inside the parts', () => {
    const a = { event: 'x:y', data: { voicelog_id: 'z' } };
    const b = { event: 'x', data: { voicelog_id: 'y:z' } };
    expect(parse(a).dedupKey).not.toBe(parse(b).dedupKey);
  });
});

describe('koeiq adapter: malformed bodies', () => {
  it.each([
    ['not JSON', 'sha256=not json'],
    ['empty', ''],
    ['an array', '[{"event":"transcription.completed"}]'],
    ['a string', '"transcription.completed"'],
    ['a number', '42'],
    ['null', 'null'],
    ['no event', '{"timestamp":"2026-03-17T09:00:00Z","data":{}}'],
    ['event null', '{"event":null}'],
    ['event empty', '{"event":""}'],
    ['event an object', '{"event":{"name":"transcription.completed"}}'],
    ['event an array', '{"event":["transcription.completed"]}'],
    ['event a boolean', '{"event":true}'],
  ])('refuses %s with a ParseError', (_label, raw) => {
    expect(() => parse(raw)).toThrow(ParseError);
  });

  it.each(wrongTypeCases(fixtures))('%s with %s of any wrong type: a schema-valid event or a ParseError, nothing else', (name, path) => {
    for (const value of WRONG_VALUES) expectSchemaValidOrParseError('koeiq', () => parse(withValueAt(fixture(name).body, path, value)), NOW);
  });
});

describe('koeiq adapter: through the pipeline', () => {
  it('keeps the vendor time as occurredAt', async () => {
    const world = memoryWorld([adapter], { koeiq: SECRET });
    await handleDelivery(signedDelivery(fixture('alert-triggered'), adapter, SECRET, NOW), world.deps);
    expect(world.publisher.published[0].detail).toMatchObject({ occurredAt: '2026-03-17T09:02:00.000Z', receivedAt: NOW.toISOString() });
  });

  it('answers 401 to a bad signature and publishes nothing', async () => {
    const world = memoryWorld([adapter], { koeiq: SECRET });
    const d = signedDelivery(fixture('alert-triggered'), adapter, 'wrong-secret', NOW);
    expect((await handleDelivery(d, world.deps)).statusCode).toBe(401);
    expect(world.publisher.published).toHaveLength(0);
  });

  it('answers 405 to GET', async () => {
    const world = memoryWorld([adapter], { koeiq: SECRET });
    const d = { ...signedDelivery(fixture('alert-triggered'), adapter, SECRET, NOW), method: 'GET' };
    expect((await handleDelivery(d, world.deps)).statusCode).toBe(405);
  });
});
