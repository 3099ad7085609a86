/**
 * QCall adapter: static-token authentication, the four methods, the three body types plus query
 * parameters, the mapping of the recommended Body Parameters, "" as "not extracted", the dedup key, and
 * ParseError (never anything else) for whatever an authenticated sender can put in a delivery.
 */
import fc from 'fast-check';
import { ParseError } from '../../lambda/core/errors';
import { Delivery, Headers } from '../../lambda/core/http';
import { handleDelivery } from '../../lambda/core/pipeline';
import type { VendorAdapter } from '../../lambda/core/vendor';
import { parseMultipart, qcall } from '../../lambda/vendors/qcall';
import { schemaErrors } from '../helpers/fixtures';
import { memoryWorld } from '../helpers/memory';

const TOKEN = 'f3a1c9e0b7d54e2a8c6f1d0e9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b';
const NOW = new Date('2026-04-24T10:15:00Z');

/** The documented example (QCall's public end-of-call webhook page, section 5). */
const SAMPLE = {
  first_name: 'Kapil',
  last_name: 'Karda',
  phone_number: '+919876543210',
  email_address: 'kapil@example.com',
  order_id: 'ORD-2026-00123',
  call_date: '2026-04-24',
  call_duration: 184,
  call_cost: 0.42,
  product_name: 'Premium Wireless Earbuds',
  quantity: 2,
  order_value: 3998,
  address: '42, Green Park, New Delhi',
  pincode: '110016',
  sentiment_analysis: 'Positive',
  call_outcome: 'Order Placed',
  call_summary: 'Customer confirmed order of 2 premium wireless earbuds for delivery to Green Park. Payment on delivery agreed.',
  recording_url: 'https://cdn.qcall.ai/recordings/cs_abc123.mp3',
};
const SAMPLE_STRINGS: Record<string, string> = Object.fromEntries(Object.entries(SAMPLE).map(([k, v]) => [k, String(v)]));

/** What the sample normalizes to, whatever the transport. */
const NORMALIZED = {
  type: 'call.ended',
  vendorEventType: 'end-of-call',
  callId: null,
  test: false,
  contact: {
    name: 'Kapil Karda',
    firstName: 'Kapil',
    lastName: 'Karda',
    phone: '+919876543210',
    email: 'kapil@example.com',
    address: '42, Green Park, New Delhi',
    postalCode: '110016',
  },
  order: { id: 'ORD-2026-00123', product: 'Premium Wireless Earbuds', quantity: 2, value: 3998 },
  call: { date: '2026-04-24', durationSeconds: 184, cost: 0.42 },
  analytics: { sentiment: 'Positive', summary: SAMPLE.call_summary },
  outcome: { disposition: 'Order Placed' },
  recording: { url: 'https://cdn.qcall.ai/recordings/cs_abc123.mp3' },
};

const BOUNDARY = '----qcallTestBoundary';

function multipartBody(fields: Record<string, string>, boundary = BOUNDARY, extraParts = ''): string {
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  return parts.join('') + extraParts + `--${boundary}--\r\n`;
}

interface DeliveryInit {
  method?: string;
  headers?: Record<string, string>;
  contentType?: string;
  query?: Record<string, string>;
  body?: string | Buffer;
  auth?: boolean;
}

function delivery(init: DeliveryInit = {}): Delivery {
  const headers = new Headers(Object.entries(init.headers ?? {}));
  if (init.auth !== false) headers.append('authorization', `Bearer ${TOKEN}`);
  if (init.contentType !== undefined) headers.append('content-type', init.contentType);
  const body = init.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body, 'utf8');
  return { vendor: 'qcall', method: init.method ?? 'POST', headers, query: init.query ?? {}, body, receivedAt: NOW };
}

const jsonDelivery = (body: unknown, init: DeliveryInit = {}) =>
  delivery({ contentType: 'application/json', body: JSON.stringify(body), ...init });

/** Every way QCall can deliver the documented example. */
const TRANSPORTS: ReadonlyArray<readonly [string, Delivery]> = [
  ['POST application/json', jsonDelivery(SAMPLE)],
  ['POST application/json; charset=utf-8', jsonDelivery(SAMPLE, { contentType: 'application/json; charset=utf-8' })],
  ['POST Application/JSON (media type in another case)', jsonDelivery(SAMPLE, { contentType: 'Application/JSON' })],
  ['PUT application/json', jsonDelivery(SAMPLE, { method: 'PUT' })],
  ['POST x-www-form-urlencoded', delivery({ contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(SAMPLE_STRINGS).toString() })],
  [
    'POST x-www-form-urlencoded; charset=UTF-8',
    delivery({ contentType: 'application/x-www-form-urlencoded; charset=UTF-8', body: new URLSearchParams(SAMPLE_STRINGS).toString() }),
  ],
  ['POST multipart/form-data', delivery({ contentType: `multipart/form-data; boundary=${BOUNDARY}`, body: multipartBody(SAMPLE_STRINGS) })],
  ['PUT multipart/form-data, quoted boundary', delivery({ method: 'PUT', contentType: `multipart/form-data; boundary="${BOUNDARY}"`, body: multipartBody(SAMPLE_STRINGS) })],
  ['GET with query parameters', delivery({ method: 'GET', query: SAMPLE_STRINGS })],
  ['DELETE with query parameters', delivery({ method: 'DELETE', query: SAMPLE_STRINGS })],
  ['POST with an empty body and query parameters (Enable Body off)', delivery({ query: SAMPLE_STRINGS })],
  ['POST JSON without Content-Type', delivery({ body: JSON.stringify(SAMPLE) })],
  ['POST JSON as text/plain', delivery({ contentType: 'text/plain', body: JSON.stringify(SAMPLE) })],
  ['POST form pairs without Content-Type', delivery({ body: new URLSearchParams(SAMPLE_STRINGS).toString() })],
];

describe('qcall adapter', () => {
  const adapter = qcall();

  describe('verify', () => {
    it.each<[string, Record<string, string>, Parameters<typeof qcall>[0], boolean]>([
      ['the configured token', { authorization: `Bearer ${TOKEN}` }, {}, true],
      ['the header name in any case', { AUTHORIZATION: `Bearer ${TOKEN}` }, {}, true],
      ['a wrong token of the same length', { authorization: `Bearer ${'0'.repeat(TOKEN.length)}` }, {}, false],
      ['a token of a different length', { authorization: `Bearer ${TOKEN}x` }, {}, false],
      ['a very long header', { authorization: `Bearer ${'a'.repeat(100_000)}` }, {}, false],
      ['no header', {}, {}, false],
      ['an empty header', { authorization: '' }, {}, false],
      ['the token without its prefix', { authorization: TOKEN }, {}, false],
      ['another prefix', { authorization: `Token ${TOKEN}` }, {}, false],
      ['the token in another header', { 'x-api-key': TOKEN }, {}, false],
      ['a configured header with no prefix', { 'x-qcall-token': TOKEN }, { tokenHeader: 'X-QCall-Token', tokenPrefix: '' }, true],
      ['Authorization when another header is configured', { authorization: `Bearer ${TOKEN}` }, { tokenHeader: 'x-qcall-token', tokenPrefix: '' }, false],
      ['a configured prefix', { authorization: `ApiKey ${TOKEN}` }, { tokenPrefix: 'ApiKey ' }, true],
      ['the default prefix when another is configured', { authorization: `Bearer ${TOKEN}` }, { tokenPrefix: 'ApiKey ' }, false],
    ])('%s', (_label, headers, options, expected) => {
      // Prepare
      const d = { ...delivery({ auth: false, contentType: 'application/json', body: JSON.stringify(SAMPLE) }), headers: new Headers(Object.entries(headers)) };
      const subject = qcall(options);

      // Act
      const act = () => subject.verify(d, TOKEN, NOW);

      // Assert
      expect(act).not.toThrow();
      expect(act()).toBe(expected);
    });

    it('refuses everything when the secret is empty', () => {
      expect(adapter.verify(delivery({ headers: { authorization: 'Bearer ' }, auth: false }), '', NOW)).toBe(false);
    });

    it.each<[string, Parameters<typeof qcall>[0], Record<string, string>]>([
      ['defaults', {}, { authorization: `Bearer ${TOKEN}` }],
      ['configured header and prefix', { tokenHeader: 'x-qcall-token', tokenPrefix: 'Key ' }, { 'x-qcall-token': `Key ${TOKEN}` }],
    ])('sign() makes the headers verify() accepts: %s', (_label, options, expected) => {
      // Prepare
      const subject = qcall(options);

      // Act
      const signed = subject.sign(Buffer.alloc(0), TOKEN, NOW);
      const d = { ...delivery({ auth: false }), headers: new Headers(Object.entries(signed)) };

      // Assert
      expect(signed).toEqual(expected);
      expect(subject.verify(d, TOKEN, NOW)).toBe(true);
    });

    it('generates 32 random bytes as hex', () => {
      const a = adapter.generateSecret();
      const b = adapter.generateSecret();
      expect(a).toMatch(/^[0-9a-f]{64}$/);
      expect(b).not.toBe(a);
    });
  });

  describe('methods', () => {
    it.each([
      ['POST', true],
      ['PUT', true],
      ['GET', true],
      ['DELETE', true],
      ['PATCH', false],
      ['HEAD', false],
      ['OPTIONS', false],
    ])('%s allowed: %s', (method, allowed) => {
      expect(adapter.methods.includes(method)).toBe(allowed);
    });

    it('answers a PATCH with 405 before authentication', async () => {
      // Prepare
      const world = memoryWorld([adapter], { qcall: TOKEN });

      // Act
      const res = await handleDelivery(jsonDelivery(SAMPLE, { method: 'PATCH' }), world.deps);

      // Assert
      expect(res.statusCode).toBe(405);
      expect(res.headers?.allow).toBe('POST, PUT, GET, DELETE');
      expect(world.publisher.published).toHaveLength(0);
    });
  });

  describe('every transport of the documented example', () => {
    it.each(TRANSPORTS)('%s → the same normalized event', (_label, d) => {
      // Act
      const parsed = adapter.parse(d);

      // Assert
      const { fields, ...normalized } = parsed.fields;
      expect(normalized).toEqual(NORMALIZED);
      expect(Object.keys(fields ?? {}).sort()).toEqual(Object.keys(SAMPLE).sort());
    });

    it('keeps JSON values as they came (numbers stay numbers)', () => {
      expect(adapter.parse(jsonDelivery(SAMPLE)).fields.fields).toEqual(SAMPLE);
    });

    it.each(TRANSPORTS.filter(([label]) => !label.includes('JSON') && !label.includes('json')))(
      '%s keeps values as the strings that came',
      (_label, d) => {
        expect(adapter.parse(d).fields.fields).toEqual(SAMPLE_STRINGS);
      },
    );

    it('publishes one schema-valid event per delivery: the same values delivered again as a form are a second call', async () => {
      // Prepare
      const world = memoryWorld([adapter], { qcall: TOKEN });
      const asForm = { ...delivery({ contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(SAMPLE_STRINGS).toString() }), requestId: 'req-2' };

      // Act
      const first = await handleDelivery({ ...jsonDelivery(SAMPLE), requestId: 'req-1' }, world.deps);
      const second = await handleDelivery(asForm, world.deps);

      // Assert
      expect(first).toMatchObject({ statusCode: 200, body: { status: 'published' } });
      expect(second).toMatchObject({ statusCode: 200, body: { status: 'published' } });
      expect(second.body.eventId).not.toBe(first.body.eventId);
      expect(world.publisher.published).toHaveLength(2);
      const [entry] = world.publisher.published;
      expect(entry.source).toBe('callhooks.qcall');
      expect(entry.detailType).toBe('call.ended');
      expect(entry.detail.occurredAt).toBe(NOW.toISOString());
      expect(schemaErrors(JSON.parse(JSON.stringify(entry.detail)))).toEqual([]);
    });

    it('refuses a wrong token through the pipeline with 401 and publishes nothing', async () => {
      const world = memoryWorld([adapter], { qcall: TOKEN });
      const res = await handleDelivery(jsonDelivery(SAMPLE, { auth: false, headers: { authorization: 'Bearer nope' } }), world.deps);
      expect(res.statusCode).toBe(401);
      expect(world.publisher.published).toHaveLength(0);
    });
  });

  describe('missing values ("")', () => {
    const MISSING = { ...SAMPLE, email_address: '', order_id: '', call_cost: '', product_name: '', quantity: '', order_value: '', recording_url: '', last_name: '  ' };
    const MISSING_STRINGS: Record<string, string> = Object.fromEntries(Object.entries(MISSING).map(([k, v]) => [k, String(v)]));

    it.each([
      ['JSON', jsonDelivery(MISSING)],
      ['form', delivery({ contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(MISSING_STRINGS).toString() })],
      ['multipart', delivery({ contentType: `multipart/form-data; boundary=${BOUNDARY}`, body: multipartBody(MISSING_STRINGS) })],
      ['query', delivery({ method: 'GET', query: MISSING_STRINGS })],
    ])('%s: left out of the normalized event, kept in fields', (_label, d) => {
      // Act
      const { fields } = adapter.parse(d);

      // Assert
      expect(fields.contact).toEqual({ name: 'Kapil', firstName: 'Kapil', phone: '+919876543210', address: SAMPLE.address, postalCode: '110016' });
      expect(fields.order).toBeUndefined();
      expect(fields.recording).toBeUndefined();
      expect(fields.call).toEqual({ date: '2026-04-24', durationSeconds: 184 });
      expect(fields.fields).toMatchObject({ email_address: '', order_id: '', call_cost: '', quantity: '', recording_url: '', last_name: '  ' });
    });

    it('leaves out a whole group when all of it is missing', () => {
      const { fields } = adapter.parse(jsonDelivery({ first_name: '', last_name: '', call_outcome: '', call_summary: 'x' }));
      expect(fields.contact).toBeUndefined();
      expect(fields.outcome).toBeUndefined();
      expect(fields.analytics).toEqual({ summary: 'x' });
    });
  });

  describe('numeric fields', () => {
    it.each<[string, unknown, number | undefined]>([
      ['a JSON number', 184, 184],
      ['a numeric string', '184', 184],
      ['a padded numeric string', ' 184 ', 184],
      ['a decimal string', '184.5', 184.5],
      ['an exponent', '1.84e2', 184],
      ['an empty string', '', undefined],
      ['words', '184 seconds', undefined],
      ['hex', '0x10', undefined],
      ['Infinity', 'Infinity', undefined],
      ['a negative duration', '-5', undefined],
      ['a boolean', true, undefined],
      ['null', null, undefined],
      ['an array', [184], undefined],
    ])('call_duration as %s', (_label, value, expected) => {
      const { fields } = adapter.parse(jsonDelivery({ call_duration: value }));
      expect(fields.call?.durationSeconds).toBe(expected);
      expect(fields.fields).toEqual({ call_duration: value });
    });

    it('reads quantity, order_value and call_cost from strings, negative values included', () => {
      const { fields } = adapter.parse(jsonDelivery({ quantity: '3', order_value: '-10.5', call_cost: '0.42' }));
      expect(fields.order).toEqual({ quantity: 3, value: -10.5 });
      expect(fields.call).toEqual({ cost: 0.42 });
    });
  });

  describe('fields of other types and names', () => {
    it('keeps nested, boolean and null values as they came and ignores them in the mapping', () => {
      // Prepare
      const body = { first_name: ['Kapil'], last_name: { v: 'Karda' }, phone_number: 919876543210, interested: true, notes: null, extra: { a: [1, { b: 2 }] } };

      // Act
      const { fields } = adapter.parse(jsonDelivery(body));

      // Assert
      expect(fields.fields).toEqual(body);
      expect(fields.contact).toEqual({ phone: '919876543210' });
    });

    it.each([
      ['JSON', jsonDelivery(JSON.parse('{"__proto__":"x","first_name":"Kapil"}'))],
      ['JSON text', delivery({ contentType: 'application/json', body: '{"__proto__":{"polluted":true},"first_name":"Kapil"}' })],
      ['form', delivery({ contentType: 'application/x-www-form-urlencoded', body: '__proto__=x&first_name=Kapil' })],
      [
        'multipart',
        delivery({
          contentType: `multipart/form-data; boundary=${BOUNDARY}`,
          body: multipartBody({ first_name: 'Kapil' }, BOUNDARY, `--${BOUNDARY}\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\nx\r\n`),
        }),
      ],
    ])('a "__proto__" field (%s) stays a plain field', (_label, d) => {
      const { fields } = adapter.parse(d);
      expect(Object.getPrototypeOf(fields.fields)).toBe(Object.prototype);
      expect(Object.keys(fields.fields ?? {})).toEqual(expect.arrayContaining(['__proto__', 'first_name']));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('keeps the last value of a repeated form field', () => {
      const { fields } = adapter.parse(delivery({ contentType: 'application/x-www-form-urlencoded', body: 'first_name=A&first_name=Kapil' }));
      expect(fields.fields).toEqual({ first_name: 'Kapil' });
    });

    it('skips multipart file parts and reads the fields around them', () => {
      // Prepare
      const file = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nFILE DATA\r\n`;
      const d = delivery({ contentType: `multipart/form-data; boundary=${BOUNDARY}`, body: multipartBody({ first_name: 'Kapil' }, BOUNDARY, file) });

      // Act
      const { fields } = adapter.parse(d);

      // Assert
      expect(fields.fields).toEqual({ first_name: 'Kapil' });
    });

    it('reads multipart values as UTF-8', () => {
      const d = delivery({ contentType: `multipart/form-data; boundary=${BOUNDARY}`, body: multipartBody({ first_name: 'Kāpil', address: 'नई दिल्ली' }) });
      expect(adapter.parse(d).fields.contact).toEqual({ name: 'Kāpil', firstName: 'Kāpil', address: 'नई दिल्ली' });
    });

    it('decodes invalid UTF-8 leniently instead of throwing', () => {
      const body = Buffer.concat([Buffer.from('{"first_name":"K'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
      const { fields } = adapter.parse(delivery({ contentType: 'application/json', body }));
      expect(fields.contact?.firstName).toBe('K\ufffd\ufffd');
    });

    it.each([
      ['call_id', { call_id: 'cs_abc123' }, 'cs_abc123'],
      ['a numeric call_id', { call_id: 42 }, '42'],
      ['an empty call_id', { call_id: '' }, null],
      ['no call_id', { first_name: 'Kapil' }, null],
    ])('callId from %s', (_label, body, expected) => {
      expect(adapter.parse(jsonDelivery(body)).fields.callId).toBe(expected);
    });
  });

  describe('dedup key', () => {
    const keyOf = (a: VendorAdapter, d: Delivery) => a.parse(d).dedupKey;

    it("is, without dedupFields, the request's own id, whatever the values", () => {
      expect(keyOf(adapter, { ...jsonDelivery(SAMPLE), requestId: 'JJ9bQhP8IAMEMeQ=' })).toBe('request:JJ9bQhP8IAMEMeQ=');
      expect(keyOf(adapter, { ...delivery({ method: 'GET', query: SAMPLE_STRINGS }), requestId: 'JJ9bQhP8IAMEMeQ=' })).toBe('request:JJ9bQhP8IAMEMeQ=');
    });

    it('is a fresh random one for a delivery without a request id (never merged either)', () => {
      const keys = [keyOf(adapter, jsonDelivery(SAMPLE)), keyOf(adapter, jsonDelivery(SAMPLE))];
      expect(keys[0]).toMatch(/^request:[0-9a-f-]{36}$/);
      expect(keys[1]).not.toBe(keys[0]);
    });

    it('never merges two calls whose extracted values are equal (two unanswered calls to one number on one day): both are published', async () => {
      // Prepare: QCall fires once per call and never retries; nothing was extracted but the number and the date
      const world = memoryWorld([adapter], { qcall: TOKEN });
      const unanswered = { phone_number: '+919876543210', call_date: '2026-04-24', call_outcome: 'No Answer', call_summary: '' };

      // Act
      const morning = await handleDelivery({ ...jsonDelivery(unanswered), requestId: 'req-morning' }, world.deps);
      const evening = await handleDelivery({ ...jsonDelivery(unanswered), requestId: 'req-evening' }, world.deps);

      // Assert
      expect([morning.body.status, evening.body.status]).toEqual(['published', 'published']);
      expect(evening.body.eventId).not.toBe(morning.body.eventId);
      expect(world.publisher.published).toHaveLength(2);
    });

    describe('with dedupFields', () => {
      const byOrder = qcall({ dedupFields: ['order_id', 'phone_number', 'call_date'] });

      it.each(TRANSPORTS)('%s → the configured values in order', (_label, d) => {
        expect(keyOf(byOrder, d)).toBe('fields:["ORD-2026-00123","+919876543210","2026-04-24"]');
      });

      it('ignores the other fields', () => {
        expect(keyOf(byOrder, jsonDelivery({ ...SAMPLE, call_summary: 'a second webhook tool with other text' }))).toBe(keyOf(byOrder, jsonDelivery(SAMPLE)));
      });

      it('reads numbers as the strings a form carries', () => {
        const byDuration = qcall({ dedupFields: ['call_duration'] });
        expect(keyOf(byDuration, jsonDelivery(SAMPLE))).toBe('fields:["184"]');
      });

      it('refuses a delivery without a configured field, naming it', () => {
        const { order_id: _omitted, ...without } = SAMPLE;
        expect(() => byOrder.parse(jsonDelivery(without))).toThrow(new ParseError('dedup field "order_id" is missing from the delivery'));
      });

      it('falls back to the request\'s own key when a configured field is "" (never merges unrelated calls)', () => {
        // Prepare: two calls with the same values, order_id not extracted
        const a = { ...jsonDelivery({ ...SAMPLE, order_id: '' }), requestId: 'req-a' };
        const b = { ...jsonDelivery({ ...SAMPLE, order_id: '' }), requestId: 'req-b' };

        // Act
        const [ka, kb] = [keyOf(byOrder, a), keyOf(byOrder, b)];

        // Assert
        expect([ka, kb]).toEqual(['request:req-a', 'request:req-b']);
      });

      it('dedups two deliveries of one call on those values, whatever their transport and request', async () => {
        // Prepare: two webhook tools post the same call, one as JSON, one as a form
        const world = memoryWorld([byOrder], { qcall: TOKEN });
        const asForm = { ...delivery({ contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(SAMPLE_STRINGS).toString() }), requestId: 'req-2' };

        // Act
        const first = await handleDelivery({ ...jsonDelivery(SAMPLE), requestId: 'req-1' }, world.deps);
        const second = await handleDelivery(asForm, world.deps);

        // Assert
        expect(second.body).toEqual({ status: 'duplicate', duplicate: true, eventId: first.body.eventId });
        expect(world.publisher.published).toHaveLength(1);
      });
    });
  });

  describe('malformed deliveries', () => {
    const deep = (n: number) => '{"x":'.repeat(n) + '1' + '}'.repeat(n);
    const manyFields = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`f${i}`, 'v']));
    const big = 'x'.repeat(1024 * 1024 + 1);
    const mp = `multipart/form-data; boundary=${BOUNDARY}`;

    it.each<[string, Delivery]>([
      ['invalid JSON', delivery({ contentType: 'application/json', body: '{"first_name":' })],
      ['a JSON array', delivery({ contentType: 'application/json', body: '[{"first_name":"Kapil"}]' })],
      ['a JSON string', delivery({ contentType: 'application/json', body: '"Kapil"' })],
      ['JSON null', delivery({ contentType: 'application/json', body: 'null' })],
      ['an empty JSON object', delivery({ contentType: 'application/json', body: '{}' })],
      ['form pairs labelled as JSON', delivery({ contentType: 'application/json', body: 'first_name=Kapil' })],
      ['an empty POST without query parameters', delivery({ contentType: 'application/json' })],
      ['a GET without query parameters', delivery({ method: 'GET' })],
      ['a DELETE without query parameters', delivery({ method: 'DELETE' })],
      ['an empty form', delivery({ contentType: 'application/x-www-form-urlencoded', body: '&&' })],
      ['text/plain prose', delivery({ contentType: 'text/plain', body: 'the call went well = yes' })],
      ['no Content-Type, binary', delivery({ body: Buffer.from([0, 1, 2, 0xff, 0x80]) })],
      ['no Content-Type, a JSON array', delivery({ body: '[1,2]' })],
      ['multipart without a boundary', delivery({ contentType: 'multipart/form-data', body: multipartBody({ a: 'b' }) })],
      ['multipart with another boundary', delivery({ contentType: 'multipart/form-data; boundary=other', body: multipartBody({ a: 'b' }) })],
      ['multipart cut short', delivery({ contentType: mp, body: multipartBody({ first_name: 'Kapil', last_name: 'Karda' }).slice(0, -20) })],
      ['multipart with a malformed part header', delivery({ contentType: mp, body: `--${BOUNDARY}\r\nContent-Disposition form-data\r\n\r\nx\r\n--${BOUNDARY}--\r\n` })],
      ['multipart with no parts', delivery({ contentType: mp, body: `--${BOUNDARY}--\r\n` })],
      ['multipart garbage', delivery({ contentType: mp, body: 'hello' })],
      ['1001 JSON fields', jsonDelivery(manyFields)],
      ['1001 form fields', delivery({ contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(manyFields).toString() })],
      ['1001 multipart fields', delivery({ contentType: mp, body: multipartBody(manyFields) })],
      ['1001 query parameters', delivery({ method: 'GET', query: manyFields })],
      ['a JSON field over 1 MiB', jsonDelivery({ call_summary: big })],
      ['a form field over 1 MiB', delivery({ contentType: 'application/x-www-form-urlencoded', body: `call_summary=${big}` })],
      ['a multipart field over 1 MiB', delivery({ contentType: mp, body: multipartBody({ call_summary: big }) })],
      ['JSON nested 33 levels', delivery({ contentType: 'application/json', body: `{"extra":${deep(33)}}` })],
      ['JSON nested 300,000 levels', delivery({ contentType: 'application/json', body: `{"extra":${deep(300_000)}}` })],
    ])('%s → ParseError', (_label, d) => {
      expect(() => adapter.parse(d)).toThrow(ParseError);
    });

    it('accepts nesting up to 32 levels', () => {
      expect(() => adapter.parse(delivery({ contentType: 'application/json', body: `{"extra":${deep(32)}}` }))).not.toThrow();
    });

    it('leaves no stray error behind after a cut-short multipart body (busboy reports it on the next tick)', async () => {
      // Act
      expect(() => parseMultipart(Buffer.from(multipartBody({ a: 'b' }).slice(0, -10)), mp)).toThrow(ParseError);
      await new Promise((resolve) => setImmediate(resolve));

      // Assert: reaching here without an uncaught 'error' event is the test.
      expect(true).toBe(true);
    });

    it('reads multipart synchronously', () => {
      const result = parseMultipart(Buffer.from(multipartBody({ a: 'b', c: '' })), mp);
      expect(result).toEqual({ a: 'b', c: '' });
    });

    it('throws only ParseError for arbitrary bytes under any Content-Type and method', () => {
      fc.assert(
        fc.property(
          fc.constantFrom('POST', 'PUT', 'GET', 'DELETE'),
          fc.constantFrom(undefined, 'application/json', 'application/x-www-form-urlencoded', mp, 'multipart/form-data', 'text/plain', 'application/xml', ';;', ''),
          fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.string({ maxLength: 400 }).map((s) => Buffer.from(s, 'utf8'))),
          fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 5 }),
          (method, contentType, bytes, query) => {
            const d = delivery({ method, contentType, body: Buffer.from(bytes), query });
            try {
              const parsed = adapter.parse(d);
              JSON.stringify(parsed);
            } catch (err) {
              if (!(err instanceof ParseError)) throw err;
            }
          },
        ),
        { numRuns: 500 },
      );
    });

    it('maps any JSON object without throwing, and the result serializes', () => {
      fc.assert(
        fc.property(fc.dictionary(fc.constantFrom(...Object.keys(SAMPLE), 'call_id', 'other'), fc.jsonValue({ maxDepth: 4 })), (body) => {
          try {
            const parsed = qcall({ dedupFields: ['call_id'] }).parse(jsonDelivery(body));
            expect(() => JSON.stringify(parsed)).not.toThrow();
          } catch (err) {
            if (!(err instanceof ParseError)) throw err;
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
