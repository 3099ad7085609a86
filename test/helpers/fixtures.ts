/** Fixtures as signed Deliveries, and the CallEvent JSON Schema validator. */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Delivery, Headers } from '../../lambda/core/http';
import type { VendorAdapter } from '../../lambda/core/vendor';
import { Fixture, fixtureBody, fixtureHeaders } from '../../local/fixtures';
import schema from '../../schema/call-event.schema.json';

export { FIXTURES_DIR, Fixture, fixtureBody, loadFixtures } from '../../local/fixtures';

/** The fixture as a Delivery, signed with `secret` as the vendor would sign it. */
export function signedDelivery(f: Fixture, adapter: VendorAdapter, secret: string, now = new Date(), id?: string): Delivery {
  const headers = new Headers(Object.entries(fixtureHeaders(f, adapter, secret, now, id)));
  return { vendor: f.vendor, method: f.method ?? 'POST', headers, query: f.query ?? {}, body: fixtureBody(f), receivedAt: now };
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
export const validateDetail = ajv.compile(schema);

/** Schema errors of a detail as readable lines (empty when valid). */
export function schemaErrors(detail: unknown): string[] {
  return validateDetail(detail) ? [] : (validateDetail.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
