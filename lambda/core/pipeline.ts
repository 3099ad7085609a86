/**
 * The delivery pipeline, the same in Lambda and in local mode:
 *
 *   vendor (404) → method (405) → size (413) → authentication (401) → parsing (400, raw kept)
 *   → normalize → fit under the size limit → claim the dedup record (duplicate: 200) → publish → answer.
 *
 * Record life: the claim writes the record PENDING with the event in it, before anything is published,
 * so an acknowledged event is durable. A successful PutEvents turns it PUBLISHED (and drops the stored
 * event). When PutEvents fails, the record stays PENDING, the vendor still gets a 2xx (202), and the
 * redrive publishes it once the claim's lease has run out.
 */
import { createHash } from 'node:crypto';
import type { Delivery, Reply } from './http';
import type { ParsedDelivery, VendorAdapter } from './vendor';
import type { BlobStore, BusEntry, DedupRecord, DedupStore, EventPublisher, Log } from './ports';
import type { SecretCache } from './secrets';
import { composeDetail, CallEventDetail, sourceOf } from './event';
import { FitResult, FittedEvent, fitEvent } from './offload';
import { DependencyError, ParseError } from './errors';
import { LEASE_MS, recordKeyPrefix } from '../config/table';
import { payloadPrefix } from '../config/payloads';

export interface Limits {
  /** Largest accepted body, in bytes. */
  readonly maxBodyBytes: number;
  /** Largest bus entry, in bytes. */
  readonly maxEventBytes: number;
  /** Days a dedup record lives. */
  readonly retentionDays: number;
  /** How long the function that claimed a record has to publish it before the redrive may. @default LEASE_MS */
  readonly leaseMs?: number;
}

export interface PipelineDeps {
  readonly adapters: ReadonlyMap<string, VendorAdapter>;
  readonly secrets: SecretCache;
  readonly store: DedupStore;
  readonly publisher: EventPublisher;
  readonly blobs: BlobStore;
  readonly log: Log;
  readonly limits: Limits;
}

const MAX_KEY_BYTES = 1024;

export function recordKey(vendor: string, dedupKey: string): string {
  const key = `${recordKeyPrefix(vendor)}${dedupKey}`;
  if (Buffer.byteLength(key, 'utf8') <= MAX_KEY_BYTES) return key;
  return `${recordKeyPrefix(vendor)}sha256:${createHash('sha256').update(dedupKey, 'utf8').digest('hex')}`;
}

const reply = (statusCode: number, body: Record<string, unknown>, headers?: Record<string, string>): Reply => ({
  statusCode,
  body,
  headers,
});

export const UNAUTHORIZED: Reply = reply(401, { error: 'unauthorized', message: 'the delivery could not be authenticated' });
const UNAVAILABLE: Reply = reply(503, { error: 'unavailable', message: 'temporarily unable to store the delivery; retry later' }, { 'retry-after': '5' });

async function authenticate(adapter: VendorAdapter, delivery: Delivery, deps: PipelineDeps): Promise<boolean> {
  const now = delivery.receivedAt;
  const matches = (secrets: readonly string[]) => secrets.some((s) => adapter.verify(delivery, s, now));
  if (matches(await deps.secrets.get(adapter.name))) return true;
  // A rotation may just have happened: re-read the secret (rate-limited) before refusing.
  const fresh = await deps.secrets.refreshAfterFailure(adapter.name);
  return fresh !== undefined && matches(fresh);
}

/** Keeps an authenticated delivery that could not be parsed, so that nothing a vendor sent is dropped. */
async function keepRejected(delivery: Delivery, adapter: VendorAdapter, reason: string, deps: PipelineDeps): Promise<string> {
  const digest = createHash('sha256').update(delivery.body).digest('hex');
  const day = delivery.receivedAt.toISOString().slice(0, 10);
  const base = `${payloadPrefix('rejected', adapter.name)}${day}/${digest}`;
  const headerNames = [...delivery.headers.entries()].map(([name]) => name);
  await deps.blobs.put(`${base}.body`, delivery.body, 'application/octet-stream');
  await deps.blobs.put(
    `${base}.json`,
    JSON.stringify({ vendor: adapter.name, method: delivery.method, receivedAt: delivery.receivedAt.toISOString(), reason, headerNames, bodyBytes: delivery.body.length }),
    'application/json',
  );
  return base;
}

export function busEntryOf(detail: CallEventDetail, time: Date, detailJson?: string): BusEntry {
  return { source: sourceOf(detail.vendor), detailType: detail.type, detail, detailJson, time };
}

/** What the parse step gives: the event to store and publish, or why not. */
type Prepared =
  | { readonly kind: 'event'; readonly fitted: FittedEvent; readonly dedupKey: string }
  /**
   * Authenticated, but refused (400, DESIGN.md's "authenticated but unparseable"): the raw delivery is kept for
   * inspection and the vendor told why. `tooLarge`: it parsed, but its event does not fit the bus even bare.
   */
  | { readonly kind: 'refused'; readonly tooLarge: boolean; readonly error: string; readonly message: string }
  /** The payload store failed while offloading: nothing was stored. */
  | { readonly kind: 'unavailable' };

const unparseable = (message: string): Prepared => ({ kind: 'refused', tooLarge: false, error: 'bad_request', message });

/** Parses an authenticated delivery, composes its event and fits it under the bus's size limit. */
async function prepare(adapter: VendorAdapter, delivery: Delivery, deps: PipelineDeps, ctx: Record<string, unknown>): Promise<Prepared> {
  let parsed: ParsedDelivery;
  try {
    parsed = adapter.parse(delivery);
  } catch (err) {
    if (err instanceof ParseError) return unparseable(err.message);
    // An adapter must only throw ParseError; anything else is our bug, and the delivery is still kept.
    deps.log.error('adapter failed on an authenticated delivery', { ...ctx, error: errorName(err) });
    return unparseable('the delivery could not be parsed');
  }
  const detail = composeDetail(adapter.name, parsed.dedupKey, parsed.fields, delivery.receivedAt);
  let json: string;
  try {
    json = JSON.stringify(detail);
  } catch {
    // JSON.parse takes nesting that JSON.stringify then overflows the stack on.
    return unparseable('the payload is nested too deeply');
  }
  let fitted: FitResult;
  try {
    fitted = await fitEvent(detail, json, deps.limits.maxEventBytes, deps.blobs);
  } catch (err) {
    deps.log.error('payload store unavailable; nothing stored', { ...ctx, error: errorName(err) });
    return { kind: 'unavailable' };
  }
  if (fitted.tooLarge) {
    return { kind: 'refused', tooLarge: true, error: 'event_too_large', message: `the event's identifiers alone are larger than ${deps.limits.maxEventBytes} bytes` };
  }
  return { kind: 'event', fitted, dedupKey: parsed.dedupKey };
}

/** Handles one delivery and answers it. Never throws for anything a vendor can send. */
export async function handleDelivery(delivery: Delivery, deps: PipelineDeps): Promise<Reply> {
  const { log, limits } = deps;
  const adapter = deps.adapters.get(delivery.vendor);
  if (!adapter) return reply(404, { error: 'unknown_vendor', message: 'no such webhook endpoint' });
  if (!adapter.methods.includes(delivery.method)) {
    return reply(405, { error: 'method_not_allowed', message: `use ${adapter.methods.join(', ')}` }, { allow: adapter.methods.join(', ') });
  }
  if (delivery.body.length > limits.maxBodyBytes) {
    return reply(413, { error: 'payload_too_large', message: `the body is larger than ${limits.maxBodyBytes} bytes` });
  }
  const ctx = { vendor: adapter.name, requestId: delivery.requestId };

  try {
    if (!(await authenticate(adapter, delivery, deps))) {
      log.warn('delivery refused: authentication failed', ctx);
      return UNAUTHORIZED;
    }
  } catch (err) {
    log.error('secret unavailable', { ...ctx, error: errorName(err) });
    return UNAVAILABLE;
  }

  const prepared = await prepare(adapter, delivery, deps, ctx);
  if (prepared.kind === 'unavailable') return UNAVAILABLE;
  if (prepared.kind === 'refused') {
    try {
      const kept = await keepRejected(delivery, adapter, prepared.message, deps);
      log.warn(prepared.tooLarge ? 'authenticated event too large; kept for inspection' : 'authenticated delivery could not be parsed; kept for inspection', { ...ctx, reason: prepared.message, kept });
    } catch (keepErr) {
      log.error('authenticated delivery refused, and could not be kept', { ...ctx, error: errorName(keepErr) });
      return UNAVAILABLE;
    }
    return reply(400, { error: prepared.error, message: prepared.message });
  }

  const { fitted, dedupKey } = prepared;
  const { detail } = fitted;
  const { eventId } = detail;
  const key = recordKey(adapter.name, dedupKey);
  const logCtx = { ...ctx, eventId, type: detail.type, vendorEventType: detail.vendorEventType };
  try {
    const claim = await deps.store.claim(buildRecord(key, fitted, delivery.receivedAt, deps), delivery.receivedAt);
    if (claim === 'duplicate') {
      log.info('duplicate delivery', logCtx);
      return reply(200, { status: 'duplicate', duplicate: true, eventId });
    }
  } catch (err) {
    log.error(`${dependencyOf(err, 'dedup store')} unavailable; nothing stored`, { ...logCtx, error: errorName(err) });
    return UNAVAILABLE;
  }

  // Durable from here on: whatever happens next, the vendor gets a 2xx and the event reaches the bus.
  try {
    const [result] = await deps.publisher.publish([busEntryOf(detail, delivery.receivedAt, fitted.json)]);
    if (!result || !result.ok) throw new Error(result ? result.error : 'no result for the entry');
  } catch (err) {
    log.warn('publish failed; the stored event will be redriven', { ...logCtx, error: errorName(err) });
    return reply(202, { status: 'accepted', eventId, published: false });
  }
  try {
    await deps.store.markPublished(key);
  } catch (err) {
    // The event is on the bus; the redrive may publish it again later with the same eventId.
    log.warn('published, but the record could not be marked published', { ...logCtx, error: errorName(err) });
  }
  log.info('delivery published', logCtx);
  return reply(200, { status: 'published', eventId });
}

function buildRecord(key: string, { detail, json }: FittedEvent, receivedAt: Date, deps: PipelineDeps): DedupRecord {
  const nowMs = receivedAt.getTime();
  return {
    key,
    eventId: detail.eventId,
    vendor: detail.vendor,
    status: 'PENDING',
    eventJson: json,
    receivedAt: detail.receivedAt,
    expiresAt: Math.floor(nowMs / 1000) + deps.limits.retentionDays * 86_400,
    leaseUntil: nowMs + (deps.limits.leaseMs ?? LEASE_MS),
    attempts: 0,
  };
}

/** Which dependency a DependencyError names (`context.dependency`), else `fallback`. */
function dependencyOf(err: unknown, fallback: string): string {
  const named = err instanceof DependencyError ? err.context.dependency : undefined;
  return typeof named === 'string' ? named : fallback;
}

/** The error's class name only: error messages from SDKs can echo request content. */
export function errorName(err: unknown): string {
  if (err instanceof Error) return err.name;
  return typeof err;
}
