/**
 * (e): every fixture of the vendor, correctly signed, with wrong types in its fields (a random path set to
 * null, a number, an array, an object, a huge or Unicode string, a date-like string; deleted; or new keys,
 * `__proto__` included) answers 200 with an event that validates against schema/call-event.schema.json,
 * or 400 with the raw body kept; never 5xx. Small event limits make the offload path part of it.
 */
import fc from 'fast-check';
import { cookiesArb, deliveryIdArb, formatArb, limitsArb, noiseArb, RequestSpec, Transport, vendorProperty, wrongTypesPayloadArb } from './arbitraries';

jest.setTimeout(180_000);

vendorProperty(
  '(e) wrong types in every field: published events validate against the schema',
  (vut, reg) =>
    fc.record<RequestSpec>({
      vendorSegment: fc.mixedCase(fc.constant(vut.name)),
      payload: wrongTypesPayloadArb(vut),
      auth: fc.constant({ kind: 'valid' as const }),
      transport: fc.constantFrom<Transport>('honest', 'honest-base64'),
      format: formatArb,
      noise: noiseArb(vut),
      cookies: cookiesArb,
      deliveryId: deliveryIdArb,
      limits: limitsArb(reg.config),
    }),
  {
    allowed: [200, 202, 400, 422],
    afterRuns: (statuses, vut) => {
      const published = (statuses.get(200) ?? 0) + (statuses.get(202) ?? 0);
      const total = [...statuses.values()].reduce((a, b) => a + b, 0);
      // Most mutated fixtures still parse: the schema check must have run on a good share of them.
      if (published < total * 0.3) throw new Error(`${vut.name}: only ${published} of ${total} published: ${JSON.stringify([...statuses])}`);
    },
  },
);
