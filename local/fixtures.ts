/** The vendor fixtures of `fixtures/<vendor>/*.json` (format: fixtures/README.md), and how to sign them. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VendorAdapter } from '../lambda/core/vendor';
import { ROOT } from './runtime';

export const FIXTURES_DIR = join(ROOT, 'fixtures');

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

/**
 * The headers a genuine delivery of the fixture carries, signed with `secret`. The delivery id is fixed
 * per fixture, so sending a sample twice is a redelivery of the same message.
 */
export function fixtureHeaders(f: Fixture, adapter: VendorAdapter, secret: string, now = new Date(), id?: string): Record<string, string> {
  const headers: Record<string, string> = { ...adapter.sign(fixtureBody(f), secret, now, id ?? `msg_${f.vendor}_${f.name}`) };
  if (f.contentType) headers['content-type'] = f.contentType;
  return headers;
}
