/**
 * LiveKit: deliveries signed by livekit-server-sdk's AccessToken (with the sha256 claim, as LiveKit's server signs
 * webhooks) and checked by its WebhookReceiver, and the normalization of every fixture.
 */
import { createHash } from 'node:crypto';
import { AccessToken, WebhookReceiver } from 'livekit-server-sdk';
import { ParseError } from '../../lambda/core/errors';
import { livekit, livekitTime, parseLivekit } from '../../lambda/vendors/livekit';
import { fixtureBody, loadFixtures } from '../helpers/fixtures';
import { deliveryOf, describeContract } from '../helpers/platform-contract';

const adapter = livekit();
const fixtures = loadFixtures('livekit');
const SECRETS = [
  JSON.stringify({ key: 'APIq7dT3xVbN2Lm', secret: 'k3XyPqS9vR2tLm8nB4wZ6cF1hJ0dG5aE7uY' }),
  JSON.stringify({ key: 'APIw2Ht8cQz5Rk', secret: 'Zp4Vn7Qx1Ls9Td3Hc6Bm2Wy8Kf5Rg0Ja4E' }),
] as const;
const ALL_BUT_DATE = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback',
  'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;

/** What LiveKit's server sends: an AccessToken of the key pair, made at `now`, carrying the body's base64 SHA-256. */
async function sdkToken(body: Buffer, secret: string, now: Date, ttl = '5m'): Promise<string> {
  const { key, secret: apiSecret } = JSON.parse(secret) as { key: string; secret: string };
  jest.useFakeTimers({ now, doNotFake: [...ALL_BUT_DATE] });
  try {
    const at = new AccessToken(key, apiSecret, { ttl });
    at.sha256 = createHash('sha256').update(body).digest('base64');
    return await at.toJwt();
  } finally {
    jest.useRealTimers();
  }
}

for (const fixture of fixtures) {
  describeContract(
    {
      adapter,
      secrets: SECRETS,
      sign: async (body, secret, now) => ({ headers: { Authorization: await sdkToken(body, secret, now) } }),
      // The token lives 5 minutes (LiveKit's default is 6 h); past exp + 10 s it is refused, as by the SDK.
      staleAfterMs: 300_000 + 10_000,
    },
    fixture,
  );
}

describe('livekit: verify', () => {
  const body = fixtureBody(fixtures.find((f) => f.name === 'sip-participant-joined')!);
  const { key, secret } = JSON.parse(SECRETS[0]) as { key: string; secret: string };

  it("WebhookReceiver accepts the SDK's token, and so does callhooks, with the secret as JSON or alone with apiKey", async () => {
    const now = new Date();
    const token = await sdkToken(body, SECRETS[0], now);
    await expect(new WebhookReceiver(key, secret).receive(body.toString('utf8'), token)).resolves.toMatchObject({ event: 'participant_joined' });
    const d = deliveryOf('livekit', 'default', { headers: { authorization: token } }, body, now);
    expect(adapter.verify(d, SECRETS[0], now)).toBe(true);
    expect(livekit({ apiKey: key }).verify(d, secret, now)).toBe(true);
    expect(livekit().verify(d, secret, now)).toBe(true);
  });

  it('refuses a token of another API key (iss pinned), as WebhookReceiver does', async () => {
    const now = new Date();
    const token = await sdkToken(body, JSON.stringify({ key: 'APIother', secret }), now);
    await expect(new WebhookReceiver(key, secret).receive(body.toString('utf8'), token)).rejects.toThrow();
    const d = deliveryOf('livekit', 'default', { headers: { authorization: token } }, body, now);
    expect(adapter.verify(d, SECRETS[0], now)).toBe(false);
    expect(livekit({ apiKey: key }).verify(d, secret, now)).toBe(false);
  });

  it("signs what WebhookReceiver accepts (the local mode's and callhooks send's deliveries)", async () => {
    const now = new Date();
    const headers = adapter.sign(body, SECRETS[0], now);
    await expect(new WebhookReceiver(key, secret).receive(body.toString('utf8'), headers.authorization ?? headers.Authorization)).resolves.toMatchObject({ id: 'EV_5ZD3fGx6sQwe' });
  });

  it('refuses a token without the body hash, and one the SDK made for another body', async () => {
    const now = new Date();
    jest.useFakeTimers({ now, doNotFake: [...ALL_BUT_DATE] });
    const bare = await new AccessToken(key, secret, { ttl: '5m' }).toJwt().finally(() => jest.useRealTimers());
    const other = await sdkToken(Buffer.from('{"event":"room_started"}'), SECRETS[0], now);
    for (const token of [bare, other]) expect(adapter.verify(deliveryOf('livekit', 'default', { headers: { authorization: token } }, body, now), SECRETS[0], now)).toBe(false);
  });
});

describe('livekit: normalization', () => {
  const parse = (body: unknown) => parseLivekit(deliveryOf('livekit', 'default', { headers: {} }, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), new Date()));

  it('reads the proto field names too (snake_case), as the SDK does', () => {
    const { fields } = parse({ event: 'egress_ended', id: 'EV_1', created_at: '1767225874', egress_info: { room_id: 'RM_1', status: 'EGRESS_COMPLETE', file_results: [{ location: 's3://b/k.ogg', duration: '2000000000' }] } });
    expect(fields).toMatchObject({ type: 'recording.ready', occurredAt: '2026-01-01T00:04:34.000Z', call: { conversationId: 'RM_1', durationSeconds: 2 }, recording: { available: true, url: 's3://b/k.ogg' } });
  });

  it('takes the proto enum number 3 as a SIP participant', () => {
    expect(parse({ event: 'participant_joined', id: 'EV_2', participant: { kind: 3, sid: 'PA_1', attributes: { 'sip.callID': 'SCL_1' } } }).fields).toMatchObject({ type: 'call.started', callId: 'SCL_1' });
  });

  it('keys events by their id, and a body without one by its bytes', () => {
    expect(parse({ event: 'room_started', id: 'EV_3' }).dedupKey).toBe('EV_3');
    expect(parse({ event: 'room_started' }).dedupKey).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    ['1767225600', 's', '2026-01-01T00:00:00.000Z'],
    ['1767225600120', 'ms', '2026-01-01T00:00:00.120Z'],
    ['1767225601900000000', 'ns', '2026-01-01T00:00:01.900Z'],
    ['0', 's', undefined],
    ['-1', 's', undefined],
    ['12a', 's', undefined],
  ] as const)('reads the int64 time %s (%s)', (value, unit, iso) => {
    expect(livekitTime(value, unit)).toBe(iso);
  });

  it('refuses a body without an event with a ParseError', () => {
    expect(() => parse({ id: 'EV_4' })).toThrow(ParseError);
  });
});
