/**
 * (a) and (b): whatever reaches `/webhooks/{vendor}` — any route segment, method, body, content type, proof
 * of origin (valid, missing, forged, stale, mutated), lying `isBase64Encoded` flag, huge or repeated
 * headers, HTTP API event (with or without pathParameters) — fromApiGateway + handleDelivery never throw and never answer 5xx
 * (the memory ports do not fail here), and the answer is the one DESIGN.md's table gives.
 */
import fc from 'fast-check';
import {
  anyPayloadArb,
  bodyMutationArb,
  cookiesArb,
  deliveryIdArb,
  forgedAuthArb,
  formatArb,
  limitsArb,
  methodArb,
  noiseArb,
  otherVendorNames,
  RequestSpec,
  Transport,
  vendorProperty,
  vendorSegmentArb,
} from './arbitraries';

jest.setTimeout(180_000);

vendorProperty(
  '(a)(b) any request: no throw, no 5xx, the designed answer',
  (vut, reg) =>
    fc.record<RequestSpec>({
      vendorSegment: vendorSegmentArb(vut, otherVendorNames(vut, reg), 0.8),
      payload: anyPayloadArb(vut),
      method: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: methodArb, weight: 1 }),
      auth: fc.oneof({ arbitrary: fc.constant({ kind: 'valid' as const }), weight: 3 }, { arbitrary: forgedAuthArb(vut), weight: 2 }),
      bodyMutation: fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: bodyMutationArb, weight: 1 }),
      transport: fc.constantFrom<Transport>('honest', 'honest', 'honest', 'honest-base64', 'lie-base64', 'lie-text'),
      format: formatArb,
      noise: noiseArb(vut),
      cookies: cookiesArb,
      deliveryId: deliveryIdArb,
      limits: fc.oneof(limitsArb(reg.config), fc.constant({ maxBodyBytes: 4096, maxEventBytes: reg.config.maxEventBytes })),
    }),
  {
    allowed: [200, 202, 400, 401, 404, 405, 413, 422],
    afterRuns: (statuses, vut) => {
      // Not vacuous: the generator reaches every branch of the table.
      for (const s of [200, 400, 401, 404, 405, 413]) if (!statuses.has(s)) throw new Error(`${vut.name}: no case answered ${s}: ${JSON.stringify([...statuses])}`);
    },
  },
);
