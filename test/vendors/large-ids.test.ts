/**
 * Review finding: ids beyond 2^53 collapsed. JSON.parse reads every number as a double, so numeric ids that
 * differ only past 2^53 (9007199254740993 and 9007199254740992) gave one dedup key, and the second event was
 * answered "duplicate" and never published. Ids must keep the digits as sent, for every vendor.
 */
import { createHmac } from 'node:crypto';
import { Delivery, Headers } from '../../lambda/core/http';
import { handleDelivery } from '../../lambda/core/pipeline';
import type { VendorAdapter } from '../../lambda/core/vendor';
import { atoms } from '../../lambda/vendors/atoms';
import { converc } from '../../lambda/vendors/converc';
import { customVendor } from '../../lambda/vendors/custom';
import { koeiq } from '../../lambda/vendors/koeiq';
import { qcall } from '../../lambda/vendors/qcall';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { memoryWorld } from '../helpers/memory';

const NOW = new Date('2026-11-22T15:10:00Z');
/** 2^53 + 1 and 2^53: the same double. */
const A = '9007199254740993';
const B = '9007199254740992';
/** Twenty digits, far past 2^53, differing in the last one. */
const C = '12345678901234567891';
const D = '12345678901234567892';

const ringly = customVendor({
  name: 'ringly',
  auth: { scheme: 'hmac-sha256', header: 'Ringly-Signature', signatureKey: 'v1', timestampKey: 't', signedPayload: 'timestamp.body' },
  fields: { eventType: '/type', eventId: '/id', callId: '/data/call_id', accountId: '/account' },
});

/** A delivery whose body is `text` exactly (numbers as written), signed as the vendor signs it. */
function deliveryOf(adapter: VendorAdapter, secret: string, text: string, extra: Record<string, string> = {}): Delivery {
  const body = Buffer.from(text, 'utf8');
  const headers = new Headers(Object.entries({ 'content-type': 'application/json', ...adapter.sign(body, secret, NOW, 'msg_1'), ...extra }));
  return { vendor: adapter.name, method: 'POST', headers, query: {}, body, receivedAt: NOW };
}

interface Case {
  readonly adapter: VendorAdapter;
  /** A body with `$ID` where the numeric id goes (as a bare JSON number). */
  readonly template: string;
  /** The dedup key expected for id `$ID`. */
  readonly key: (id: string) => string;
  readonly callId?: (id: string) => string;
}

const CASES: Record<string, Case> = {
  'converc id': { adapter: converc(), template: '{"id":$ID,"type":"call.ended","data":{"call":{"id":"c1"}}}', key: (id) => id },
  'converc data.call.id (callId)': {
    adapter: converc(),
    template: '{"id":"e-$ID","type":"call.ended","data":{"call":{"id":$ID}}}',
    key: (id) => `e-${id}`,
    callId: (id) => id,
  },
  'koeiq data.voicelog_id': {
    adapter: koeiq(),
    template: '{"event":"transcription.completed","data":{"voicelog_id":$ID,"call_id":$ID}}',
    key: (id) => `transcription.completed:${id}`,
    callId: (id) => id,
  },
  'koeiq data.alert_rule_id': {
    adapter: koeiq(),
    template: '{"event":"alert.triggered","data":{"voicelog_id":"vl_1","alert_rule_id":$ID}}',
    key: (id) => `alert.triggered:vl_1:${id}`,
  },
  'atoms metadata.callId': {
    adapter: atoms(),
    template: '{"event":"a1.post-conversation","id":"d1","metadata":{"eventType":"post-conversation","callId":$ID}}',
    key: (id) => `post-conversation:${id}`,
    callId: (id) => id,
  },
  'atoms envelope id': { adapter: atoms(), template: '{"event":"a1.pre-conversation","id":$ID,"metadata":{"eventType":"pre-conversation"}}', key: (id) => `id=${id}` },
  'atoms older call_id': { adapter: atoms(), template: '{"event":"call.end","call_id":$ID}', key: (id) => `call.end:${id}`, callId: (id) => id },
  'custom vendor eventId and callId pointers': {
    adapter: ringly,
    template: '{"id":$ID,"type":"call.completed","data":{"call_id":$ID}}',
    key: (id) => id,
    callId: (id) => id,
  },
};

describe('numeric ids beyond 2^53 keep their digits', () => {
  it('the ids of the test collapse as doubles (the test is not vacuous)', () => {
    expect(JSON.parse(A)).toBe(JSON.parse(B));
    expect(JSON.parse(C)).toBe(JSON.parse(D));
  });

  it.each(Object.entries(CASES))('%s: the dedup key (and callId) holds the digits as sent', (_label, c) => {
    const secret = c.adapter.generateSecret();
    for (const id of [A, B, C, D, `-${C}`]) {
      const parsed = c.adapter.parse(deliveryOf(c.adapter, secret, c.template.replace(/\$ID/g, id)));
      expect(parsed.dedupKey).toBe(c.key(id));
      if (c.callId) expect(parsed.fields.callId).toBe(c.callId(id));
    }
  });

  it.each(Object.entries(CASES))('%s: two events whose ids differ past 2^53 are both published', async (_label, c) => {
    // Prepare
    const secret = c.adapter.generateSecret();
    const world = memoryWorld([c.adapter], { [c.adapter.name]: secret });
    // Act
    const replies = [];
    for (const id of [A, B, C, D, A]) replies.push(await handleDelivery(deliveryOf(c.adapter, secret, c.template.replace(/\$ID/g, id)), world.deps));
    // Assert
    expect(replies.map((r) => (r.body as { status: string }).status)).toEqual(['published', 'published', 'published', 'published', 'duplicate']);
    expect(new Set(replies.map((r) => (r.body as { eventId: string }).eventId)).size).toBe(4);
  });

  it.each([
    ['a safe integer', '12345', '12345'],
    ['a safe negative integer', '-42', '-42'],
    ['a fraction', '1.5', '1.5'],
    ['an exponent (not an integer literal)', '1e21', '1e+21'],
    ['a string of digits', '"9007199254740993"', '9007199254740993'],
  ])('an id that is %s is read as before', (_label, literal, key) => {
    const adapter = converc();
    expect(adapter.parse(deliveryOf(adapter, 's', `{"id":${literal},"type":"call.ended"}`)).dedupKey).toBe(key);
  });

  it('reads the value JSON.parse reads when a key is repeated (the last one)', () => {
    const adapter = converc();
    expect(adapter.parse(deliveryOf(adapter, 's', `{"id":${A},"type":"call.ended","id":${C}}`)).dedupKey).toBe(C);
    expect(adapter.parse(deliveryOf(adapter, 's', `{"data":{"id":${A}},"type":"call.ended","\\u0069d":${D}}`)).dedupKey).toBe(D);
  });

  it('koeiq keeps the digits of voicelog_id in detail.fields', () => {
    const adapter = koeiq();
    expect(adapter.parse(deliveryOf(adapter, 's', `{"event":"analytics.completed","data":{"voicelog_id":${A}}}`)).fields.fields).toEqual({ voicelog_id: A });
  });

  it('quarterzip keeps the digits of data.call_id', () => {
    const adapter = quarterzip();
    const secret = adapter.generateSecret();
    expect(adapter.parse(deliveryOf(adapter, secret, `{"type":"call.completed","data":{"call_id":${A}}}`)).fields.callId).toBe(A);
  });
});

describe('QCall: numeric fields beyond 2^53 in a JSON body', () => {
  const body = (orderId: string) => `{"order_id":${orderId},"call_summary":"x"}`;
  const token = 'qcall-token';
  const deliver = (orderId: string): Delivery => ({
    vendor: 'qcall',
    method: 'POST',
    headers: new Headers(Object.entries({ 'content-type': 'application/json', authorization: `Bearer ${token}` })),
    query: {},
    body: Buffer.from(body(orderId)),
    receivedAt: NOW,
  });

  it('dedupFields: two orders that differ past 2^53 are two events', () => {
    const adapter = qcall({ dedupFields: ['order_id'] });
    expect(adapter.parse(deliver(A)).dedupKey).not.toBe(adapter.parse(deliver(B)).dedupKey);
    expect(adapter.parse(deliver(C)).dedupKey).not.toBe(adapter.parse(deliver(D)).dedupKey);
  });

  it('dedupFields: the key holds the digits as sent, as a form body would', () => {
    const adapter = qcall({ dedupFields: ['order_id'] });
    const form: Delivery = { ...deliver(A), headers: new Headers(Object.entries({ 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token}` })), body: Buffer.from(`order_id=${A}&call_summary=x`) };
    expect(adapter.parse(deliver(A)).dedupKey).toBe(`fields:${JSON.stringify([A])}`);
    expect(adapter.parse(form).dedupKey).toBe(adapter.parse(deliver(A)).dedupKey);
  });
});

describe('a signed ringly body (HMAC check of the helper above)', () => {
  it('verifies', () => {
    const d = deliveryOf(ringly, 'k', `{"id":${A},"type":"call.completed"}`);
    const t = /t=(\d+)/.exec(d.headers.get('ringly-signature') ?? '')![1];
    expect(d.headers.get('ringly-signature')).toContain(createHmac('sha256', 'k').update(`${t}.`).update(d.body).digest('hex'));
    expect(ringly.verify(d, 'k', NOW)).toBe(true);
  });
});
