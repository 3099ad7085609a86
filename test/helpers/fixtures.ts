/** Loads the vendor fixtures of `fixtures/<vendor>/*.json` and turns them into signed Deliveries. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Delivery, Headers } from '../../lambda/core/http';
import type { VendorAdapter } from '../../lambda/core/vendor';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import schema from '../../schema/call-event.schema.json';

export const FIXTURES_DIR = join(__dirname, '..', '..', 'fixtures');

export interface Fixture {
  readonly vendor: string;
  readonly name: string;
  readonly description: string;
  readonly method?: string;
  readonly contentType?: string;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  readonly expect: Record<string, unknown>;
}

export function loadFixtures(vendor?: string): Fixture[] {
  const vendors = vendor ? [vendor] : readdirSync(FIXTURES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  return vendors.flatMap((v) =>
    readdirSync(join(FIXTURES_DIR, v))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => ({ vendor: v, name: f.replace(/\.json$/, ''), ...JSON.parse(readFileSync(join(FIXTURES_DIR, v, f), 'utf8')) }) as Fixture),
  );
}

export function fixtureBody(f: Fixture): Buffer {
  if (f.body === undefined) return Buffer.alloc(0);
  return Buffer.from(typeof f.body === 'string' ? f.body : JSON.stringify(f.body), 'utf8');
}

/** The fixture as a Delivery, signed with `secret` as the vendor would sign it. */
export function signedDelivery(f: Fixture, adapter: VendorAdapter, secret: string, now = new Date(), id?: string): Delivery {
  const body = fixtureBody(f);
  const headers = new Headers(Object.entries(adapter.sign(body, secret, now, id ?? `msg_${f.vendor}_${f.name}`)));
  if (f.contentType) headers.append('content-type', f.contentType);
  return { vendor: f.vendor, method: f.method ?? 'POST', headers, query: f.query ?? {}, body, receivedAt: now };
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
export const validateDetail = ajv.compile(schema);

/** Schema errors of a detail as readable lines (empty when valid). */
export function schemaErrors(detail: unknown): string[] {
  return validateDetail(detail) ? [] : (validateDetail.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
