/**
 * (c): a delivery that is not authenticated — unsigned, signed with another secret, signed too long ago or
 * in the future, or signed and then changed in its body or its proof headers — answers 401 (or 404/405/413
 * when refused earlier), with no hint, and leaves no record, no blob and no event behind.
 */
import fc from 'fast-check';
import {
  anyPayloadArb,
  Auth,
  bodyMutationArb,
  BodyMutation,
  cookiesArb,
  deliveryIdArb,
  forgedAuthArb,
  formatArb,
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
  '(c) unauthenticated deliveries leave nothing behind',
  (vut, reg) => {
    // Signed and then changed in its body: only for vendors whose proof covers the body (not static tokens).
    const forgeries: Array<fc.Arbitrary<{ auth: Auth; bodyMutation?: BodyMutation }>> = [forgedAuthArb(vut).map((auth) => ({ auth }))];
    if (vut.coversBody) forgeries.push(bodyMutationArb.map((bodyMutation) => ({ auth: { kind: 'valid' as const }, bodyMutation })));
    return fc
      .record({
        forgery: fc.oneof(...forgeries),
        alsoMutateBody: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: bodyMutationArb, weight: 1 }),
        vendorSegment: vendorSegmentArb(vut, otherVendorNames(vut, reg), 0.9),
        payload: anyPayloadArb(vut),
        method: fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: methodArb, weight: 1 }),
        transport: fc.constantFrom<Transport>('honest', 'honest', 'honest-base64', 'lie-base64', 'lie-text'),
        format: formatArb,
        noise: noiseArb(vut),
        cookies: cookiesArb,
        deliveryId: deliveryIdArb,
        limits: fc.constantFrom({ maxBodyBytes: reg.config.maxBodyBytes, maxEventBytes: reg.config.maxEventBytes }, { maxBodyBytes: 4096, maxEventBytes: reg.config.maxEventBytes }),
      })
      .map(({ forgery, alsoMutateBody, ...rest }): RequestSpec => ({ ...rest, auth: forgery.auth, bodyMutation: forgery.bodyMutation ?? alsoMutateBody }));
  },
  {
    allowed: [401, 404, 405, 413],
    // A lying base64 flag can undo a body change (e.g. a lone NUL byte decodes to nothing): not a forgery.
    pre: (expected) => !expected.authentic,
    afterRuns: (statuses, vut) => {
      const total = [...statuses.values()].reduce((a, b) => a + b, 0);
      if ((statuses.get(401) ?? 0) < total * 0.5) throw new Error(`${vut.name}: too few 401s to mean anything: ${JSON.stringify([...statuses])}`);
    },
  },
);
