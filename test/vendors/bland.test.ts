/**
 * Bland AI: signed as Bland's webhook-signing tutorial computes it (Bland publishes no server SDK: the oracle is
 * that sample's `crypto.createHmac('sha256', secret).update(body).digest('hex')`), and the normalization of every
 * fixture.
 */
import { createHmac } from 'node:crypto';
import { ParseError } from '../../lambda/core/errors';
import { bland, parseBland } from '../../lambda/vendors/bland';
import { fixtureBody, loadFixtures } from '../helpers/fixtures';
import { deliveryOf, describeContract } from '../helpers/platform-contract';

const adapter = bland();
const fixtures = loadFixtures('bland');
const SECRETS = ['bland-signing-secret-7c1e0f9a2b4d', 'bland-signing-secret-of-org-b-51aa'] as const;
const NOW = new Date('2026-01-02T00:00:00Z');

/** Bland's own sample: hex HMAC-SHA256 of the body with the signing secret. */
const blandSample = (body: Buffer, secret: string) => createHmac('sha256', secret).update(body).digest('hex');

for (const fixture of fixtures) {
  describeContract(
    { adapter, secrets: SECRETS, sign: (body, secret) => ({ headers: { 'X-Webhook-Signature': blandSample(body, secret) } }) },
    fixture,
  );
}

describe('bland: verify', () => {
  const body = fixtureBody(fixtures[0]);
  const delivery = (headers: Record<string, string>, raw = body) => deliveryOf('bland', 'default', { headers }, raw, NOW);

  it("signs as Bland's sample does, and reads the header in any case", () => {
    expect(adapter.sign(body, SECRETS[0], NOW)).toEqual({ 'X-Webhook-Signature': blandSample(body, SECRETS[0]) });
    expect(adapter.verify(delivery({ 'x-webhook-signature': blandSample(body, SECRETS[0]) }), SECRETS[0], NOW)).toBe(true);
  });

  it('needs no timestamp: a delivery signed long ago still verifies (dedup is the replay protection)', () => {
    expect(adapter.verify(delivery(adapter.sign(body, SECRETS[0], new Date(0))), SECRETS[0], NOW)).toBe(true);
  });

  it('refuses the signature of the re-serialized JSON when the raw bytes differ', () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 2));
    expect(adapter.verify(delivery({ 'X-Webhook-Signature': blandSample(body, SECRETS[0]) }, pretty), SECRETS[0], NOW)).toBe(false);
  });

  it.each([
    ['missing header', {}],
    ['empty header', { 'X-Webhook-Signature': '' }],
    ['short digest', { 'X-Webhook-Signature': blandSample(body, SECRETS[0]).slice(2) }],
    ['base64 digest', { 'X-Webhook-Signature': createHmac('sha256', SECRETS[0]).update(body).digest('base64') }],
    ['a prefix Bland does not send', { 'X-Webhook-Signature': `sha1=${blandSample(body, SECRETS[0])}` }],
  ])('refuses without throwing: %s', (_label, headers) => {
    expect(adapter.verify(delivery(headers), SECRETS[0], NOW)).toBe(false);
  });
});

describe('bland: normalization', () => {
  const completed = fixtures.find((f) => f.name === 'post-call-completed')!;
  const parse = (body: unknown) => parseBland(deliveryOf('bland', 'default', { headers: {} }, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), NOW));

  it('keeps every transcript turn with its speaker and time, agent actions under their own name', () => {
    const { fields } = parse(completed.body);
    expect(fields.transcript?.turns).toEqual([
      { speaker: 'agent', text: 'Hi, this is Ava from Acme Insurance. Am I speaking with Dana?', at: '2026-01-01T00:00:05.000Z' },
      { speaker: 'caller', text: "Yes, that's me.", at: '2026-01-01T00:00:09.000Z' },
      { speaker: 'agent', text: "Great! I'm calling about your policy renewal on March 3. Would you like to book a quick review call?", at: '2026-01-01T00:00:12.000Z' },
      { speaker: 'caller', text: 'Sure, Tuesday at 10 works.', at: '2026-01-01T00:00:20.000Z' },
      { speaker: 'agent', text: "Perfect, you're booked for Tuesday at 10 am. Have a great day!", at: '2026-01-01T00:00:24.000Z' },
      { speaker: 'agent-action', text: 'Ended call', at: '2026-01-01T00:01:31.000Z' },
    ]);
  });

  it('keeps the variables, metadata and analysis as sent', () => {
    const body = completed.body as Record<string, unknown>;
    expect(parse(body).fields.fields).toMatchObject({
      variables: body.variables,
      metadata: body.metadata,
      analysis: body.analysis,
      call_ended_by: 'ASSISTANT',
      pathway_id: '5b1b0a96-6a4d-4b48-bf0a-5d8ab2f49c3e',
      completed: true,
    });
  });

  it.each([
    ['corrected_duration (seconds)', { corrected_duration: '75', call_length: 2 }, 75],
    ['end_at − started_at', { started_at: '2026-01-01T00:00:00Z', end_at: '2026-01-01T00:00:42.5Z', call_length: 2 }, 42.5],
    ['call_length, in minutes', { call_length: 1.5 }, 90],
  ])('reads the duration from %s', (_label, extra, seconds) => {
    expect(parse({ call_id: 'c1', ...extra }).fields.call?.durationSeconds).toBe(seconds);
  });

  it('leaves the duration out when call_length in seconds is beyond a number (1e308 minutes), never null', () => {
    const call = parse({ call_id: 'c1', call_length: 1e308, from: '+12125550142' }).fields.call;
    expect(call).toMatchObject({ from: '+12125550142' });
    expect(call).not.toHaveProperty('durationSeconds');
  });

  it('keys the event by call_id, so a resend of the webhook is a duplicate', () => {
    expect(parse({ call_id: 'c1', status: 'completed' }).dedupKey).toBe(parse({ call_id: 'c1', status: 'completed', summary: 'resent' }).dedupKey);
  });

  it('publishes a body without call_id (never refused), keyed by its bytes', () => {
    const { dedupKey, fields } = parse({ status: 'completed' });
    expect(fields).toMatchObject({ type: 'call.ended', callId: null });
    expect(dedupKey).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('refuses a body that is not a JSON object with a ParseError', () => {
    expect(() => parse('[1]')).toThrow(ParseError);
  });
});
