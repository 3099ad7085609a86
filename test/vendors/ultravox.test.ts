/**
 * Ultravox: signed as Ultravox's securing-webhooks sample computes it (Ultravox has no server SDK: the oracle is
 * `hmac.new(secret, body + timestamp_header, sha256).hexdigest()`), with the ISO 8601 timestamp header as Ultravox
 * writes it, and the normalization of every fixture.
 */
import { createHmac } from 'node:crypto';
import { ParseError } from '../../lambda/core/errors';
import { parseUltravox, ultravox } from '../../lambda/vendors/ultravox';
import { fixtureBody, loadFixtures } from '../helpers/fixtures';
import { deliveryOf, describeContract } from '../helpers/platform-contract';

const adapter = ultravox();
const fixtures = loadFixtures('ultravox');
const SECRETS = ['uv-webhook-secret-6b1f0e2d9c8a', 'uv-webhook-secret-of-b-44d2a1'] as const;

/** Ultravox's timestamp header: ISO 8601 with microseconds and no offset (`2026-01-01T00:00:00.000000`). */
const ultravoxTime = (now: Date) => `${now.toISOString().slice(0, 23)}000`;
/** Ultravox's sample: hex HMAC-SHA256 of the body followed by the timestamp header's bytes. */
const sample = (body: Buffer, timestamp: string, secret: string) => createHmac('sha256', secret).update(Buffer.concat([body, Buffer.from(timestamp)])).digest('hex');

for (const fixture of fixtures) {
  describeContract(
    {
      adapter,
      secrets: SECRETS,
      sign: (body, secret, now) => {
        const timestamp = ultravoxTime(now);
        return { headers: { 'X-Ultravox-Webhook-Timestamp': timestamp, 'X-Ultravox-Webhook-Signature': sample(body, timestamp, secret) } };
      },
      staleAfterMs: 300_000,
    },
    fixture,
  );
}

describe('ultravox: verify', () => {
  const body = fixtureBody(fixtures.find((f) => f.name === 'call-ended')!);
  const NOW = new Date('2026-01-01T00:03:06Z');
  const timestamp = ultravoxTime(NOW);
  const delivery = (headers: Record<string, string>) => deliveryOf('ultravox', 'default', { headers }, body, NOW);

  it('accepts any one of several comma-separated signatures (a webhook with two secrets during a rotation)', () => {
    const header = `${sample(body, timestamp, 'the-old-secret')},${sample(body, timestamp, SECRETS[0])}`;
    expect(adapter.verify(delivery({ 'x-ultravox-webhook-timestamp': timestamp, 'x-ultravox-webhook-signature': header }), SECRETS[0], NOW)).toBe(true);
    expect(adapter.verify(delivery({ 'x-ultravox-webhook-timestamp': timestamp, 'x-ultravox-webhook-signature': header }), 'the-old-secret', NOW)).toBe(true);
  });

  it('signs over the timestamp header as sent: an offset or another precision verifies too, and reads as the right instant', () => {
    for (const ts of ['2026-01-01T00:03:05Z', '2026-01-01T01:03:05+01:00', '2026-01-01T00:03:05.5']) {
      expect(adapter.verify(delivery({ 'X-Ultravox-Webhook-Timestamp': ts, 'X-Ultravox-Webhook-Signature': sample(body, ts, SECRETS[0]) }), SECRETS[0], NOW)).toBe(true);
    }
  });

  it("signs what Ultravox's sample computes", () => {
    const headers = adapter.sign(body, SECRETS[0], NOW);
    const ts = headers['X-Ultravox-Webhook-Timestamp'] ?? headers['x-ultravox-webhook-timestamp'];
    expect(headers['X-Ultravox-Webhook-Signature'] ?? headers['x-ultravox-webhook-signature']).toBe(sample(body, ts, SECRETS[0]));
  });

  it.each([
    ['no timestamp header', { 'X-Ultravox-Webhook-Signature': sample(body, timestamp, SECRETS[0]) }],
    ['a Unix timestamp instead of ISO 8601', { 'X-Ultravox-Webhook-Timestamp': '1767225786', 'X-Ultravox-Webhook-Signature': sample(body, '1767225786', SECRETS[0]) }],
    ['the timestamp before the body', { 'X-Ultravox-Webhook-Timestamp': timestamp, 'X-Ultravox-Webhook-Signature': createHmac('sha256', SECRETS[0]).update(timestamp).update(body).digest('hex') }],
    ['a timestamp 301 s ahead', { 'X-Ultravox-Webhook-Timestamp': ultravoxTime(new Date(NOW.getTime() + 301_000)), 'X-Ultravox-Webhook-Signature': sample(body, ultravoxTime(new Date(NOW.getTime() + 301_000)), SECRETS[0]) }],
  ])('refuses %s', (_label, headers) => {
    expect(adapter.verify(delivery(headers), SECRETS[0], NOW)).toBe(false);
  });
});

describe('ultravox: normalization', () => {
  const parse = (body: unknown) => parseUltravox(deliveryOf('ultravox', 'default', { headers: {} }, Buffer.from(JSON.stringify(body)), new Date()));

  it('keeps the metadata and the short summary, and reads an outgoing SIP call\'s numbers', () => {
    const { fields } = parse({ event: 'call.joined', call: { callId: 'c1', joined: '2026-01-01T00:00:01Z', metadata: { crm: 'L-1' }, shortSummary: 's', medium: { sip: { outgoing: { to: 'sip:+14155550199@pbx.example.com', from: '+14155550100' } } } } });
    expect(fields).toMatchObject({ type: 'call.started', call: { direction: 'outbound', from: '+14155550100', to: 'sip:+14155550199@pbx.example.com', channel: 'sip' }, fields: { metadata: { crm: 'L-1' }, shortSummary: 's' } });
  });

  it('keys by callId + event: call.joined and call.ended of one call are two events, a retry of one a duplicate', () => {
    expect(parse({ event: 'call.joined', call: { callId: 'c1' } }).dedupKey).not.toBe(parse({ event: 'call.ended', call: { callId: 'c1' } }).dedupKey);
    expect(parse({ event: 'call.ended', call: { callId: 'c1', summary: 'a' } }).dedupKey).toBe(parse({ event: 'call.ended', call: { callId: 'c1', summary: 'b' } }).dedupKey);
  });

  it.each([
    ['no event', { call: { callId: 'c1' } }],
    ['no call object', { event: 'call.ended' }],
  ])('refuses %s with a ParseError', (_label, body) => {
    expect(() => parse(body)).toThrow(ParseError);
  });
});
