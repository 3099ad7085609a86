/**
 * Ids that differ only in bytes that are not valid UTF-8, or in lone UTF-16 surrogates (`"\ud800"` in the JSON),
 * are different ids (issue 16, finding 11): before, decoding turned every invalid byte into U+FFFD and hashing
 * turned every lone surrogate into U+FFFD, so such ids collapsed into one dedup key and one eventId, and KoeIQ
 * and Atoms answered 400 (their key builder threw a URIError, handled as an adapter bug). Well-formed ids keep
 * their keys and eventIds exactly (test/upgrade/event-ids.test.ts).
 */
import { Delivery, Headers } from '../../lambda/core/http';
import { handleDelivery, recordKey } from '../../lambda/core/pipeline';
import { deriveEventId } from '../../lambda/core/event';
import type { VendorAdapter } from '../../lambda/core/vendor';
import { atoms } from '../../lambda/vendors/atoms';
import { converc } from '../../lambda/vendors/converc';
import { koeiq } from '../../lambda/vendors/koeiq';
import { customVendor } from '../../lambda/vendors/custom';
import { joinKey } from '../../lambda/vendors/util';
import { memoryWorld } from '../helpers/memory';

const NOW = new Date();

/** A delivery whose body is exactly `body`, signed as the vendor signs it. */
function deliveryOf(adapter: VendorAdapter, secret: string, body: Buffer): Delivery {
  const headers = new Headers(Object.entries({ 'content-type': 'application/json', ...adapter.sign(body, secret, NOW, 'msg_1') }));
  return { vendor: adapter.name, method: 'POST', headers, query: {}, body, receivedAt: NOW };
}

/** `template` with `$ID` replaced by `id`'s bytes (which may be invalid UTF-8). */
const bodyWith = (template: string, id: Buffer) => {
  const [before, after] = template.split('$ID');
  return Buffer.concat([Buffer.from(before), id, Buffer.from(after)]);
};

const VENDORS: Array<[string, () => VendorAdapter, string]> = [
  ['koeiq', koeiq, '{"event":"transcription.completed","data":{"voicelog_id":"vl_$ID"}}'],
  ['atoms', atoms, '{"event":"a.post-conversation","metadata":{"eventType":"post-conversation","callId":"CALL-$ID"}}'],
  ['converc', converc, '{"id":"evt_$ID","type":"call.ended","createdAt":"2026-11-22T12:00:00Z","data":{"call":{"id":"c1"}}}'],
  [
    'a custom vendor',
    () => customVendor({ name: 'acme', auth: { scheme: 'hmac-sha256', header: 'X-Sig' }, fields: { eventType: '/type', eventId: '/id' } }),
    '{"type":"call.ended","id":"evt_$ID"}',
  ],
];

describe.each(VENDORS)('%s: ids that differ only in ill-formed text', (_name, make, template) => {
  it.each([
    ['lone surrogates (JSON escapes)', Buffer.from('\\ud800'), Buffer.from('\\udbff'), Buffer.from('\\udc00')],
    ['bytes that are not UTF-8', Buffer.from([0xff]), Buffer.from([0xfe]), Buffer.from([0xc3, 0x28])],
  ])('%s: three ids are three published events; a redelivery of one is a duplicate', async (_label, ...ids) => {
    // Prepare
    const adapter = make();
    const w = memoryWorld([adapter], { [adapter.name]: 'secret' });

    // Act
    const replies = [];
    for (const id of ids) replies.push(await handleDelivery(deliveryOf(adapter, 'secret', bodyWith(template, id)), w.deps));
    const again = await handleDelivery(deliveryOf(adapter, 'secret', bodyWith(template, ids[0])), w.deps);

    // Assert
    expect(replies.map((r) => [r.statusCode, r.body.status])).toEqual([[200, 'published'], [200, 'published'], [200, 'published']]);
    expect(new Set(replies.map((r) => r.body.eventId)).size).toBe(3);
    expect(again.body).toEqual({ status: 'duplicate', duplicate: true, eventId: replies[0].body.eventId });
    expect(w.log.lines.filter((l) => l.message.includes('adapter failed'))).toEqual([]);
  });
});

describe('the keys of an ill-formed dedup key', () => {
  const loneA = 'evt_\ud800';
  const loneB = 'evt_\udbff';

  it('never collapse: eventIds and record keys differ, and a record key is well-formed text (DynamoDB takes only valid UTF-8)', () => {
    expect(deriveEventId('converc', loneA)).not.toBe(deriveEventId('converc', loneB));
    expect(deriveEventId('converc', loneA)).not.toBe(deriveEventId('converc', 'evt_\ufffd'));
    expect(recordKey('converc', loneA)).not.toBe(recordKey('converc', loneB));
    for (const key of [recordKey('converc', loneA), recordKey('converc', loneB, 'eu')]) {
      expect(key).toMatch(/^converc#(~eu#)?sha256:[0-9a-f]{64}$/);
    }
  });

  it('joinKey encodes a lone surrogate as %uXXXX (never produced for well-formed text) and leaves well-formed parts as before', () => {
    expect(joinKey('transcription.completed', 'vl_\ud800')).toBe('transcription.completed:vl_%uD800');
    expect(joinKey('transcription.completed', 'vl_\ufffd', 'a:b')).toBe(`transcription.completed:${encodeURIComponent('vl_\ufffd')}:a%3Ab`);
  });
});
