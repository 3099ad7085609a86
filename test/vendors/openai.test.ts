/**
 * OpenAI: Standard Webhooks signatures made by the `standardwebhooks` package (what the `openai` SDK's
 * `webhooks.unwrap` accepts; that SDK needs Node 22), the vector of vendor-docs/real-platform-vectors.json, and the
 * normalization of every fixture.
 */
import { Webhook } from 'standardwebhooks';
import { Headers } from '../../lambda/core/http';
import { ParseError } from '../../lambda/core/errors';
import { openai, parseOpenai, sipUser } from '../../lambda/vendors/openai';
import { fixtureBody, loadFixtures } from '../helpers/fixtures';
import { deliveryOf, describeContract } from '../helpers/platform-contract';

const adapter = openai();
const fixtures = loadFixtures('openai');
const SECRETS = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD'] as const;

/** The three headers, signed by the reference package (each delivery of a fixture keeps its fixed webhook-id). */
function sdkSign(body: Buffer, secret: string, now: Date, id: string): Record<string, string> {
  const signature = new Webhook(secret).sign(id, now, body.toString('utf8'));
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature };
}

describe('openai: the known-good vector (vendor-docs/real-platform-vectors.json)', () => {
  const vector = {
    secret: 'whsec_AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB',
    id: 'wh_123',
    timestamp: 1767225600,
    body: '{"id":"evt_1","object":"event","created_at":1767225600,"type":"realtime.call.incoming","data":{"call_id":"rtc_1","sip_headers":[]}}',
    signature: 'v1,rPelVuoxhXJa9k7fa6yQa5VTXD9AsS/xY36YBT6MUj8=',
  };
  const at = new Date(vector.timestamp * 1000);
  const headers = (signature: string) => ({ 'webhook-id': vector.id, 'webhook-timestamp': String(vector.timestamp), 'webhook-signature': signature });
  const delivery = (signature: string) => deliveryOf('openai', 'default', { headers: headers(signature) }, Buffer.from(vector.body), at);

  it('is what the reference package signs, and verifies alone and inside a rotation list', () => {
    expect(new Webhook(vector.secret).sign(vector.id, at, vector.body)).toBe(vector.signature);
    expect(adapter.verify(delivery(vector.signature), vector.secret, at)).toBe(true);
    expect(adapter.verify(delivery(`v1,AAAA ${vector.signature}`), vector.secret, at)).toBe(true);
    expect(adapter.sign(Buffer.from(vector.body), vector.secret, at, vector.id)).toEqual(headers(vector.signature));
  });

  it('refuses it 301 s before or after its timestamp (the SDK tolerance, 300 s both ways)', () => {
    expect(adapter.verify(delivery(vector.signature), vector.secret, new Date(at.getTime() + 300_000))).toBe(true);
    expect(adapter.verify(delivery(vector.signature), vector.secret, new Date(at.getTime() + 301_000))).toBe(false);
    expect(adapter.verify(delivery(vector.signature), vector.secret, new Date(at.getTime() - 301_000))).toBe(false);
  });

  it('a signature callhooks makes is one the reference package verifies', () => {
    const now = new Date();
    const signed = adapter.sign(Buffer.from(vector.body), SECRETS[0], now, 'wh_local');
    expect(new Webhook(SECRETS[0]).verify(vector.body, signed)).toMatchObject({ type: 'realtime.call.incoming' });
  });
});

for (const fixture of fixtures) {
  describeContract(
    {
      adapter,
      secrets: SECRETS,
      sign: (body, secret, now) => ({ headers: sdkSign(body, secret, now, `wh_${fixture.name}`) }),
      staleAfterMs: 300_000,
    },
    fixture,
  );
}

describe('openai: normalization', () => {
  const incoming = fixtures.find((f) => f.name === 'realtime-call-incoming')!;
  const parse = (body: unknown, id = 'wh_1') =>
    parseOpenai(deliveryOf('openai', 'default', { headers: { 'webhook-id': id } }, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), new Date()));

  it('keeps every SIP header as sent, and the media security', () => {
    const { fields } = parse(incoming.body);
    expect(fields.fields).toEqual({
      sip_headers: (incoming.body as { data: { sip_headers: unknown } }).data.sip_headers,
      sip_media_security: 'srtp',
    });
  });

  it('dedups on the signed webhook-id: the same event id under another webhook-id is another delivery key', () => {
    expect(parse(incoming.body, 'wh_a').dedupKey).toBe('wh_a');
    expect(parse(incoming.body, 'wh_b').dedupKey).toBe('wh_b');
  });

  it.each([
    ['"Dana Fox" <sip:+14155550100@sip.telnyx.com>;tag=7pD', '+14155550100'],
    ['<sip:+14155550199@sip.api.openai.com;transport=tls>', '+14155550199'],
    ['sips:alice@example.com', 'alice'],
    ['<tel:+442071234567>', '+442071234567'],
    ['anonymous', 'anonymous'],
  ])('reads the user of the SIP header %s', (value, user) => {
    expect(sipUser(value)).toBe(user);
  });

  it('publishes a call without SIP headers with what it has', () => {
    const { fields } = parse({ object: 'event', id: 'evt_2', type: 'realtime.call.incoming', created_at: 1767225600, data: { call_id: 'rtc_2' } });
    expect(fields).toMatchObject({ type: 'call.requested', callId: 'rtc_2', call: { direction: 'inbound', channel: 'sip' } });
    expect(fields.call).not.toHaveProperty('from');
  });

  it('publishes an event type OpenAI adds later as vendor.other, its data kept', () => {
    const { fields } = parse({ object: 'event', id: 'evt_3', type: 'live.transport.incoming', created_at: 1767225600, data: { transport_id: 'lt_1' } });
    expect(fields).toMatchObject({ type: 'vendor.other', vendorEventType: 'live.transport.incoming', callId: null, fields: { transport_id: 'lt_1' } });
  });

  it.each([
    ['no webhook-id', () => parseOpenai({ vendor: 'openai', method: 'POST', headers: new Headers(), query: {}, body: fixtureBody(incoming), receivedAt: new Date() })],
    ['not JSON', () => parse('{')],
    ['no type', () => parse({ object: 'event', data: {} })],
  ])('refuses %s with a ParseError', (_label, run) => {
    expect(run).toThrow(ParseError);
  });
});
