/**
 * (d): a correctly signed delivery whose body is garbage — random bytes, broken JSON (cut, flipped or
 * inserted bytes), JSON of the wrong shape, form or multipart fragments, empty, huge — with any content
 * type, answers 200/202 (published, as vendor.other or whatever it parses to) or 400 (the raw body kept in
 * the blob store, no record, nothing published); never 5xx.
 */
import fc from 'fast-check';
import { cookiesArb, deliveryIdArb, formatArb, garbagePayloadArb, noiseArb, RequestSpec, Transport, vendorProperty } from './arbitraries';

jest.setTimeout(180_000);

vendorProperty(
  '(d) signed garbage: published or 400 with the raw body kept',
  (vut, reg) =>
    fc.record<RequestSpec>({
      vendorSegment: fc.mixedCase(fc.constant(vut.name)),
      payload: garbagePayloadArb(vut),
      auth: fc.constant({ kind: 'valid' as const }),
      transport: fc.constantFrom<Transport>('honest', 'honest-base64'),
      format: formatArb,
      noise: noiseArb(vut),
      cookies: cookiesArb,
      deliveryId: deliveryIdArb,
      limits: fc.constant({ maxBodyBytes: reg.config.maxBodyBytes, maxEventBytes: reg.config.maxEventBytes }),
    }),
  {
    allowed: [200, 202, 400, 422],
    afterRuns: (statuses, vut) => {
      if ((statuses.get(400) ?? 0) === 0) throw new Error(`${vut.name}: no garbage was refused: ${JSON.stringify([...statuses])}`);
    },
  },
);
