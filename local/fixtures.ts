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
 * The authentication headers `adapter`'s vendor sends with a request, signed with `secret`. A URL-signing vendor
 * (Twilio) signs the URL the request goes to and its form fields: `url` is that URL, query included.
 */
export function signedHeaders(
  adapter: VendorAdapter,
  request: { readonly body: Buffer; readonly url: string; readonly method?: string; readonly contentType?: string; readonly id?: string },
  secret: string,
  now: Date,
): Record<string, string> {
  if (adapter.scheme?.family === 'url-signing') {
    const { body, url, method, contentType, id } = request;
    return { ...adapter.scheme.sign({ body, url, method, contentType, id }, secret, now).headers };
  }
  return { ...adapter.sign(request.body, secret, now, request.id) };
}

/** The URL a delivery built without one is taken to have arrived at (`https://localhost/webhooks/<vendor>` + query). */
export function fixtureUrl(f: Fixture, base = `https://localhost/webhooks/${f.vendor}`): string {
  const query = new URLSearchParams(f.query ?? {}).toString();
  return query === '' ? base : `${base}${base.includes('?') ? '&' : '?'}${query}`;
}

/**
 * The headers a genuine delivery of the fixture carries, signed with `secret`. The delivery id is fixed
 * per fixture, so sending a sample twice is a redelivery of the same message. `url`: where it is sent, query
 * included (what a URL-signing vendor signs). @default fixtureUrl(f)
 */
export function fixtureHeaders(f: Fixture, adapter: VendorAdapter, secret: string, now = new Date(), id?: string, url = fixtureUrl(f)): Record<string, string> {
  const body = fixtureBody(f);
  const headers = signedHeaders(adapter, { body, url, method: f.method, contentType: f.contentType, id: id ?? `msg_${f.vendor}_${f.name}` }, secret, now);
  if (f.contentType) headers['content-type'] = f.contentType;
  return headers;
}

/** Names of the fields that identify a call or an event (`id`, `call_id`, `callId`, `CallSid`, `voicelog_id`, …). */
const ID_FIELD_RE = /^(id|uuid|sid)$|(_id|Id|ID|_uuid|Uuid|Sid|SID)$/;

/** `value` of the field `key` as the fresh call's: an identifying field that is not empty gets `-<id>` appended. */
function freshField(key: string | undefined, value: string, id: string): string {
  return key !== undefined && ID_FIELD_RE.test(key) && value !== '' ? `${value}-${id}` : value;
}

function freshValue(value: unknown, id: string, key?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => freshValue(v, id));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, freshValue(v, id, k)]));
  }
  return typeof value === 'string' ? freshField(key, value, id) : value;
}

function freshForm(text: string, id: string): string {
  const out = new URLSearchParams();
  for (const [k, v] of new URLSearchParams(text)) out.append(k, freshField(k, v, id));
  return out.toString();
}

/**
 * The fixture as another call or event: every identifying field (`id`, `call_id`, `callId`, `CallSid`, …) of its
 * body and query gets `-<id>` appended, so that whatever a vendor's dedup key is made of, the delivery is new —
 * and the same `id` again is a redelivery of it (`callhooks send <vendor> --id …`).
 */
export function withFreshIds(f: Fixture, id: string): Fixture {
  let body = f.body;
  if (typeof body === 'string') {
    if ((f.contentType ?? '').startsWith('application/x-www-form-urlencoded')) body = freshForm(body, id);
    else {
      try {
        body = JSON.stringify(freshValue(JSON.parse(body), id));
      } catch {
        // Not JSON: the body stays; the delivery id still changes.
      }
    }
  } else if (body !== undefined) body = freshValue(body, id);
  const query = f.query && (Object.fromEntries(Object.entries(f.query).map(([k, v]) => [k, freshField(k, v, id)])) as Record<string, string>);
  return { ...f, body, query };
}
