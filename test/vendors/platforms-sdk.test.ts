/**
 * Twilio, Vapi, Retell, ElevenLabs and Telnyx end to end through the pipeline, with each vendor's own SDK as the
 * oracle (devDependencies only): the SDK signs the delivery (Twilio `getExpectedTwilioSignature`, Retell `sign`), or
 * first verifies the test's signature (ElevenLabs `constructEvent`, Telnyx `TelnyxWebhook.verify`; Vapi has no SDK
 * helper: its HMAC is computed from the credential's documented plan). Per vendor: accepted and published with the
 * DESIGN mapping and the vendor's call id; a redelivery (re-signed later; Telnyx: a retry with a new
 * `meta.attempt`) is a duplicate with the same eventId; a tampered body, another key, a stale timestamp (where one
 * is signed) and another endpoint's secret are 401 with nothing stored or published.
 */
import { createHmac, generateKeyPairSync, sign as edSign, type KeyObject } from 'node:crypto';
import Retell from 'retell-sdk';
import twilioSdk from 'twilio';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import { resolveConfig, type CallhooksConfig } from '../../lambda/config/config';
import { Headers, type Delivery } from '../../lambda/core/http';
import { handleDelivery } from '../../lambda/core/pipeline';
import { createVendorAdapters } from '../../lambda/vendors';
import { fixtureBody, loadFixtures } from '../helpers/fixtures';
import { memoryWorld } from '../helpers/memory';

const OTHER = 'other';

interface Case {
  readonly vendor: string;
  readonly fixture: string;
  readonly config: CallhooksConfig;
  /** What the endpoint's secret stores, and what signs (they differ for a public key). */
  readonly keys: () => { stored: string; signing: unknown };
  /** Headers of a genuine delivery of `body` to `url`, signed at `now` by the vendor's SDK (or checked by it). */
  readonly sign: (body: Buffer, signing: unknown, now: Date, url: string) => Promise<Record<string, string>>;
  readonly contentType: string;
  readonly expected: { type: string; callId: string };
  /** Whether the scheme signs a timestamp (a stale one must be refused). */
  readonly timestamped: boolean;
  /** The body of a retry of `body` (Telnyx: another meta.attempt). @default - the same body */
  readonly retry?: (body: Buffer) => Buffer;
}

const hmacHex = (key: string, text: string | Buffer) => createHmac('sha256', key).update(text).digest('hex');
const secretKeys = (prefix: string) => () => ({ stored: `${prefix}_${Math.random().toString(36).slice(2)}`, signing: undefined as unknown }) as { stored: string; signing: unknown };

function ed25519Keys(): { stored: string; signing: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  // Telnyx shows the raw 32-byte public key in base64: the last 32 bytes of the SPKI DER.
  return { stored: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64'), signing: privateKey };
}

const CASES: Case[] = [
  {
    vendor: 'twilio',
    fixture: 'call-status-completed',
    config: { vendors: { twilio: { endpoints: ['default', OTHER] } } },
    keys: secretKeys('twilio_token'),
    contentType: 'application/x-www-form-urlencoded',
    async sign(body, token, _now, url) {
      const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      const signature = twilioSdk.getExpectedTwilioSignature(token as string, url, params);
      expect(twilioSdk.validateRequest(token as string, signature, url, params)).toBe(true);
      return { 'X-Twilio-Signature': signature };
    },
    expected: { type: 'call.ended', callId: 'CA9b1e4c2d7f8a3b6e5d0c1f2a9b8e7d6c' },
    timestamped: false,
  },
  {
    vendor: 'vapi',
    fixture: 'end-of-call-report',
    config: { vendors: { vapi: { auth: 'hmac', endpoints: ['default', OTHER] } } },
    keys: secretKeys('vapi_hmac'),
    contentType: 'application/json',
    // Vapi's HmacAuthenticationPlan defaults: x-signature = hex HMAC-SHA256(secretKey, `${x-timestamp}.${body}`).
    async sign(body, secret, now) {
      const timestamp = String(now.getTime());
      return { 'x-timestamp': timestamp, 'x-signature': hmacHex(secret as string, `${timestamp}.${body.toString('utf8')}`) };
    },
    expected: { type: 'call.ended', callId: 'c4f3e0b2-7a91-4d6e-8b25-3e9f1a7c2d64' },
    timestamped: true,
  },
  {
    vendor: 'retell',
    fixture: 'call-ended',
    config: { vendors: { retell: { endpoints: ['default', OTHER] } } },
    keys: secretKeys('key_webhook'),
    contentType: 'application/json',
    async sign(body, apiKey, now) {
      jest.spyOn(Date, 'now').mockReturnValue(now.getTime());
      try {
        const signature = await Retell.sign(body.toString('utf8'), apiKey as string);
        await expect(Retell.verify(body.toString('utf8'), apiKey as string, signature)).resolves.toBe(true);
        return { 'x-retell-signature': signature };
      } finally {
        jest.restoreAllMocks();
      }
    },
    expected: { type: 'call.ended', callId: 'Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6' },
    timestamped: true,
  },
  {
    vendor: 'elevenlabs',
    fixture: 'post-call-transcription',
    config: { vendors: { elevenlabs: { endpoints: ['default', OTHER] } } },
    keys: secretKeys('wsec'),
    contentType: 'application/json',
    async sign(body, secret, now) {
      const t = Math.floor(now.getTime() / 1000);
      const header = `t=${t},v0=${hmacHex(secret as string, `${t}.${body.toString('utf8')}`)}`;
      jest.spyOn(Date, 'now').mockReturnValue(now.getTime());
      try {
        await expect(new ElevenLabsClient({ apiKey: 'unused' }).webhooks.constructEvent(body.toString('utf8'), header, secret as string)).resolves.toBeDefined();
      } finally {
        jest.restoreAllMocks();
      }
      return { 'ElevenLabs-Signature': header };
    },
    expected: { type: 'call.ended', callId: 'conv_01jxk1wejhenk8x8tt9enzxw4a' },
    timestamped: true,
  },
  {
    vendor: 'telnyx',
    fixture: 'call-hangup',
    config: { vendors: { telnyx: { endpoints: ['default', OTHER] } } },
    keys: ed25519Keys,
    contentType: 'application/json',
    async sign(body, privateKey, now) {
      const timestamp = String(Math.floor(now.getTime() / 1000));
      const headers = {
        'telnyx-signature-ed25519': edSign(null, Buffer.concat([Buffer.from(`${timestamp}|`), body]), privateKey as KeyObject).toString('base64'),
        'telnyx-timestamp': timestamp,
      };
      return headers;
    },
    expected: { type: 'call.ended', callId: '428c31b6-7af4-4bcb-b7f5-5013ef9657c1' },
    timestamped: true,
    retry: (body) => {
      const parsed = JSON.parse(body.toString('utf8')) as { meta: { attempt: number } };
      parsed.meta.attempt += 1;
      return Buffer.from(JSON.stringify(parsed));
    },
  },
];

describe.each(CASES)('$vendor, signed or checked by its own SDK', (c) => {
  const body = fixtureBody(loadFixtures(c.vendor).find((f) => f.name === c.fixture)!);
  const { adapters, endpoints } = createVendorAdapters(resolveConfig(c.config).vendors);
  const own = c.keys();
  const other = c.keys();
  const signingOf = (k: { stored: string; signing: unknown }) => k.signing ?? k.stored;

  function world() {
    const w = memoryWorld([...adapters.values()], { [c.vendor]: own.stored, [`${c.vendor}/${OTHER}`]: other.stored });
    return { ...w, deps: { ...w.deps, endpoints } };
  }

  async function delivery(raw: Buffer, at: Date, opts: { endpoint?: string; signing?: unknown; signedAt?: Date; sent?: Buffer } = {}): Promise<Delivery> {
    const endpoint = opts.endpoint ?? 'default';
    const path = endpoint === 'default' ? `/webhooks/${c.vendor}` : `/webhooks/${c.vendor}/${endpoint}`;
    const url = `https://hooks.example.com${path}`;
    const headers = await c.sign(raw, opts.signing ?? signingOf(own), opts.signedAt ?? at, url);
      if (c.vendor === 'telnyx' && opts.signing === undefined) {
      // The SDK verifies the test's signature before the pipeline sees it.
      jest.spyOn(Date, 'now').mockReturnValue((opts.signedAt ?? at).getTime());
      try {
        await expect(new TelnyxWebhook(own.stored).verify(raw.toString('utf8'), headers)).resolves.toBeUndefined();
      } finally {
        jest.restoreAllMocks();
      }
    }
    return {
      vendor: c.vendor,
      endpoint,
      method: 'POST',
      url: { scheme: 'https', host: 'hooks.example.com', rawPath: path, rawQuery: '' },
      headers: new Headers([...Object.entries(headers), ['content-type', c.contentType]]),
      query: {},
      body: opts.sent ?? raw,
      receivedAt: at,
    };
  }

  const nothingStored = (w: ReturnType<typeof world>) => {
    expect(w.publisher.published).toEqual([]);
    expect(w.store.records.size).toBe(0);
    expect(w.blobs.blobs.size).toBe(0);
  };

  it('publishes the delivery with the DESIGN mapping and the vendor\'s call id; a redelivery is a duplicate with the same eventId', async () => {
    // Prepare
    const w = world();
    const now = new Date();
    const later = new Date(now.getTime() + 2000);

    // Act
    const first = await handleDelivery(await delivery(body, now), w.deps);
    const again = await handleDelivery(await delivery(c.retry ? c.retry(body) : body, later), w.deps);

    // Assert
    expect(first).toMatchObject({ statusCode: 200, body: { status: 'published' } });
    expect(w.publisher.published).toHaveLength(1);
    const [entry] = w.publisher.published;
    expect(entry.source).toBe(`callhooks.${c.vendor}`);
    expect(entry.detail).toMatchObject({ ...c.expected, vendor: c.vendor, endpoint: 'default' });
    expect(again).toMatchObject({ statusCode: 200, body: { status: 'duplicate', eventId: entry.detail.eventId } });
    expect(w.publisher.published).toHaveLength(1);
  });

  it('refuses a tampered body (401), nothing stored', async () => {
    const w = world();
    const tampered = Buffer.from(body.toString('utf8').replace(c.expected.callId, `${c.expected.callId.slice(0, -1)}X`));
    expect(tampered.equals(body)).toBe(false);
    const reply = await handleDelivery(await delivery(body, new Date(), { sent: tampered }), w.deps);
    expect(reply.statusCode).toBe(401);
    nothingStored(w);
  });

  it('refuses a delivery signed with another key (401), nothing stored', async () => {
    const w = world();
    const stranger = c.keys();
    const reply = await handleDelivery(await delivery(body, new Date(), { signing: signingOf(stranger) }), w.deps);
    expect(reply.statusCode).toBe(401);
    nothingStored(w);
  });

  it('refuses a delivery signed with another endpoint\'s key (401), nothing stored', async () => {
    const w = world();
    const reply = await handleDelivery(await delivery(body, new Date(), { endpoint: OTHER, signing: signingOf(own) }), w.deps);
    expect(reply.statusCode).toBe(401);
    nothingStored(w);
    // …and accepts it signed with its own.
    const ok = await handleDelivery(await delivery(body, new Date(), { endpoint: OTHER, signing: signingOf(other) }), w.deps);
    expect(ok.statusCode).toBe(200);
  });

  // Twilio signs no timestamp: it has no stale case (dedup is its replay protection).
  if (c.timestamped) it('refuses a stale timestamp (401), nothing stored', async () => {
    const w = world();
    const now = new Date();
    const stale = new Date(now.getTime() - 2 * 3600_000);
    const reply = await handleDelivery(await delivery(body, now, { signedAt: stale, signing: signingOf(own) }), w.deps);
    expect(reply.statusCode).toBe(401);
    nothingStored(w);
  });
});
