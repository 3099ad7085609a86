/**
 * Custom vendors: what an unsigned header may decide. Only signed bytes may decide the dedup key
 * (`fields.eventId`) and the event type (`fields.eventType`); a `header:` source for either is refused at
 * configuration time unless the vendor's scheme signs that header.
 */
import { createHmac } from 'node:crypto';
import { ConfigError, CustomVendorConfig, resolveConfig } from '../../lambda/config/config';
import { Delivery, Headers } from '../../lambda/core/http';
import { handleDelivery } from '../../lambda/core/pipeline';
import { customVendor } from '../../lambda/vendors/custom';
import { memoryWorld } from '../helpers/memory';

const NOW = new Date('2026-11-22T15:10:00Z');
const hmac: CustomVendorConfig['auth'] = { scheme: 'hmac-sha256', header: 'X-Sig' };
const hmacWithTimestampHeader: CustomVendorConfig['auth'] = {
  scheme: 'hmac-sha256',
  header: 'X-Sig',
  signedPayload: 'timestamp.body',
  timestampHeader: 'X-Sig-Time',
};

const vendor = (auth: CustomVendorConfig['auth'], fields: Partial<CustomVendorConfig['fields']>): CustomVendorConfig => ({
  name: 'acme',
  auth,
  fields: { eventType: '/type', ...fields },
});
const configOf = (def: CustomVendorConfig) => resolveConfig({ vendors: { quarterzip: false, qcall: false, koeiq: false, atoms: false, converc: false }, customVendors: [def] });

describe('custom vendor: header sources for the dedup key and the type', () => {
  it.each<[string, CustomVendorConfig, string]>([
    ['hmac-sha256, eventId from a header', vendor(hmac, { eventId: 'header:X-Event-Id' }),
      'fields\\.eventId "header:X-Event-Id" reads a header that the hmac-sha256 scheme does not sign: the dedup key must come from signed bytes \\(a JSON pointer into the body\\)$'],
    ['hmac-sha256, eventType from a header', vendor(hmac, { eventType: 'header:X-Event' }),
      'fields\\.eventType "header:X-Event" reads a header that the hmac-sha256 scheme does not sign: the event type must come from signed bytes'],
    ['hmac-sha256, eventId from the signature header itself', vendor(hmac, { eventId: 'header:x-sig' }), 'fields\\.eventId "header:x-sig" reads a header that the hmac-sha256 scheme does not sign'],
    ['hmac-sha256 over "<timestamp>.<body>", eventId from another header than the timestamp', vendor(hmacWithTimestampHeader, { eventId: 'header:X-Event-Id' }),
      'fields\\.eventId "header:X-Event-Id" reads a header that the hmac-sha256 scheme does not sign: the dedup key must come from signed bytes \\(a JSON pointer into the body, or header:x-sig-time\\)$'],
    ['standard-webhooks, eventType from an unsigned header', vendor({ scheme: 'standard-webhooks' }, { eventType: 'header:X-Event' }),
      'fields\\.eventType "header:X-Event" reads a header that the standard-webhooks scheme does not sign: the event type must come from signed bytes \\(a JSON pointer into the body, or header:webhook-id, header:webhook-timestamp\\)$'],
  ])('refuses %s', (_label, def, tail) => {
    expect(() => configOf(def)).toThrow(ConfigError);
    expect(() => configOf(def)).toThrow(new RegExp(`^customVendors\\[0\\]\\.${tail}`));
    // Built directly (not through the configuration), the adapter refuses it too.
    expect(() => customVendor(def)).toThrow(new RegExp(`^custom vendor "acme": ${tail}`));
  });

  it.each<[string, CustomVendorConfig]>([
    ['standard-webhooks, eventId from webhook-id (signed)', vendor({ scheme: 'standard-webhooks' }, { eventId: 'header:Webhook-Id' })],
    ['hmac-sha256 over "<timestamp>.<body>", eventId from the signed timestamp header', vendor(hmacWithTimestampHeader, { eventId: 'header:x-sig-time' })],
    ['static-token: nothing is signed, the token vouches for the whole request', vendor({ scheme: 'static-token', header: 'X-Token' }, { eventId: 'header:X-Event-Id', eventType: 'header:X-Event' })],
    ['descriptive fields from unsigned headers', vendor(hmac, { callId: 'header:X-Call', occurredAt: 'header:X-Time', accountId: 'header:X-Account' })],
  ])('accepts %s', (_label, def) => {
    expect(() => configOf(def)).not.toThrow();
    expect(() => customVendor(def)).not.toThrow();
  });
});

describe('custom vendor: a replayed signed body is one event whatever its unsigned headers', () => {
  it('hmac-sha256 with a descriptive field from a header: replays with other header values are duplicates', async () => {
    // Prepare
    const def = vendor(hmac, { eventId: '/id', callId: 'header:X-Call' });
    const adapter = customVendor(def);
    const world = memoryWorld([adapter], { acme: 'acme-secret' });
    const body = Buffer.from('{"id":"evt_1","type":"call.ended"}');
    const signature = createHmac('sha256', 'acme-secret').update(body).digest('hex');
    const deliver = (call: string): Delivery => ({
      vendor: 'acme',
      method: 'POST',
      headers: new Headers(Object.entries({ 'X-Sig': signature, 'X-Call': call })),
      query: {},
      body,
      receivedAt: NOW,
    });
    // Act
    const replies = [];
    for (const call of ['c1', 'c2', 'c3']) replies.push(await handleDelivery(deliver(call), world.deps));
    // Assert
    expect(replies.map((r) => (r.body as { status: string }).status)).toEqual(['published', 'duplicate', 'duplicate']);
    expect(world.publisher.published.map((e) => e.detail.callId)).toEqual(['c1']);
  });
});

describe('custom vendor with methods ["GET"] (issue 16, finding 11)', () => {
  const token = 'a-static-token';
  const getVendor = (fields: Partial<CustomVendorConfig['fields']>): CustomVendorConfig => ({
    name: 'ringer',
    auth: { scheme: 'static-token', header: 'X-Token' },
    methods: ['GET'],
    fields: { eventType: '/event', ...fields },
    typeMap: { 'call.ended': 'call.ended' },
  });
  const get = (query: Record<string, string>, method = 'GET'): Delivery => ({
    vendor: 'ringer',
    method,
    headers: new Headers([['x-token', token]]),
    query,
    body: Buffer.alloc(0),
    receivedAt: NOW,
  });

  it('reads the fields from the query, which the token vouches for, and publishes; a redelivery is a duplicate', async () => {
    // Prepare
    const adapter = customVendor(getVendor({ eventId: '/id', callId: '/call' }));
    const w = memoryWorld([adapter], { ringer: token });

    // Act
    const first = await handleDelivery(get({ event: 'call.ended', id: 'e1', call: 'c1' }), w.deps);
    const again = await handleDelivery(get({ event: 'call.ended', id: 'e1', call: 'c1' }), w.deps);

    // Assert
    expect(first).toMatchObject({ statusCode: 200, body: { status: 'published' } });
    expect(again.body).toEqual({ status: 'duplicate', duplicate: true, eventId: first.body.eventId });
    expect(w.publisher.published.map((e) => [e.detail.type, e.detail.callId, e.detail.fields])).toEqual([['call.ended', 'c1', { event: 'call.ended', id: 'e1', call: 'c1' }]]);
  });

  it('without eventId, dedups on the whole query: two different queries are two events, whatever their order', async () => {
    // Prepare
    const adapter = customVendor(getVendor({}));
    const w = memoryWorld([adapter], { ringer: token });

    // Act
    const a = await handleDelivery(get({ event: 'call.ended', call: 'c1' }), w.deps);
    const b = await handleDelivery(get({ event: 'call.ended', call: 'c2' }), w.deps);
    const aAgain = await handleDelivery(get({ call: 'c1', event: 'call.ended' }), w.deps);

    // Assert
    expect([a.body.status, b.body.status, aAgain.body.status]).toEqual(['published', 'published', 'duplicate']);
    expect(aAgain.body.eventId).toBe(a.body.eventId);
  });

  it('refuses (400) a bodiless GET to a vendor whose scheme signs only the body: its query is not signed', async () => {
    // Prepare
    const def: CustomVendorConfig = { name: 'ringer', auth: { scheme: 'hmac-sha256', header: 'X-Sig' }, methods: ['GET'], fields: { eventType: '/event' } };
    const adapter = customVendor(def);
    const w = memoryWorld([adapter], { ringer: 'k' });
    const d: Delivery = { ...get({ event: 'call.ended' }), headers: new Headers([['x-sig', createHmac('sha256', 'k').update('').digest('hex')]]) };

    // Act
    const reply = await handleDelivery(d, w.deps);

    // Assert
    expect(reply).toMatchObject({ statusCode: 400, body: { message: 'the delivery has no body, and the query is not signed by the hmac-sha256 scheme' } });
    expect(w.publisher.published).toHaveLength(0);
  });
});
