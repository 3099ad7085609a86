/**
 * The delivery pipeline, the same in Lambda and in local mode:
 *
 *   vendor (404) → method (405) → size (413) → authentication (401) → parsing (400, raw kept)
 *   → normalize → fit under the size limit → claim (duplicate: 200; in flight: wait, then 200 or 409)
 *   → publish → mark published (200) | keep for the redrive (202) | nothing durable (503).
 *
 * Deadlines and fallbacks (DESIGN.md §Deadlines and degraded operation): the answer comes within the answer
 * deadline (`limits.answerDeadlineMs`, never past what the function has left), each dependency call is
 * abandoned when its share is spent, and the last part of the budget is kept for the fallback write:
 *   claim failed or hung → publish anyway with the deterministic eventId (200), or, the bus failing too, spool
 *   the event to the payload bucket (202);
 *   publish failed or hung → keep the event in the record (202), or, that failing too, spool it (202);
 *   the payload store failed while fitting an event too large for the bus → claim, and keep it whole in the
 *   record for the redrive to fit and publish (202).
 * A 5xx only when nothing could be made durable anywhere.
 *
 * Record life (DESIGN.md §Record life and cost): the claim is a small record, IN_FLIGHT under a lease longer
 * than the function's timeout, without the event. After PutEvents succeeds it is marked PUBLISHED: the event
 * is never written. Only when PutEvents fails is the event written into the record (PENDING, or into the
 * payload store with a pointer when too big for an item) and the answer 202; the redrive publishes it. If
 * that write fails too, nothing is durable: 503, and the claim stays for a retry to take over once its lease
 * has run out. A copy that finds the record in flight waits for it (bounded) and answers as a duplicate, or
 * 409 with Retry-After while it is still open; it never gets a 2xx for an open outcome.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Delivery, Reply } from './http';
import type { ParsedDelivery, Proof, VendorAdapter } from './vendor';
import type { RefusalReason } from '../contracts/scheme';
import { authenticate, type Authentication } from './authenticate';
import { outcomeOf, type Outcome } from './outcome';
import type { BlobStore, BusEntry, CallOptions, Claim, ClaimResult, DedupStore, EventPublisher, Log } from './ports';
import type { SecretCache } from './secrets';
import { composeDetail, CallEventDetail, sourceOf } from './event';
import { FitResult, FittedEvent, fitEvent, offloadAudio } from './offload';
import { DependencyError, ParseError, SynchronousMessageError } from './errors';
import { Budget, DEFAULT_ANSWER_DEADLINE_MS, within } from './deadline';
import { spoolEvent } from './spool';
import { LEASE_MS, recordKeyPrefix } from '../contracts/table';
import { payloadPrefix } from '../contracts/payloads';
import { DEFAULT_ENDPOINT, secretKeyOf } from '../contracts/endpoints';
import { illFormedBytes, isWellFormed } from './well-formed';
import { RefusedCapture, refusedCaptureOf } from './capture';

export interface Limits {
  /** Largest accepted body, in bytes. */
  readonly maxBodyBytes: number;
  /** Largest bus entry, in bytes. */
  readonly maxEventBytes: number;
  /** Days a dedup record lives. */
  readonly retentionDays: number;
  /**
   * How long the copy that claimed a record has to settle it before another copy may take it over (and the
   * redrive's wait before it publishes a stored event); longer than the function's timeout. @default LEASE_MS
   */
  readonly leaseMs?: number;
  /** How long a copy waits for another copy of the same delivery that is in flight. @default IN_FLIGHT_WAIT_MS */
  readonly inFlightWaitMs?: number;
  /** Time from the start of a delivery to its answer, whatever a dependency does. @default DEFAULT_ANSWER_DEADLINE_MS (6 s) */
  readonly answerDeadlineMs?: number;
}

/**
 * Each step's share of the answer deadline, and what it leaves for the steps after it (fractions of the
 * deadline). A secret read leaves most of the budget to the rest; a claim or a publish at most a third each;
 * keeping the event in the record leaves time for the spool; the spool and the mark take what is left.
 */
const SHARE = {
  secretRead: 1 / 4,
  secretRefresh: 1 / 6,
  offload: 1 / 3,
  claim: 1 / 3,
  publish: 1 / 3,
  keep: 1 / 6,
  /** Left for the spool after a publish (a keep and the spool after it). */
  afterPublish: 1 / 4,
  /** Left for the spool after the keep, or after the publish that stands in for a failed claim. */
  spool: 1 / 8,
} as const;
/** Kept for answering once the last write is abandoned. */
const ANSWER_MARGIN_MS = 50;

/** The time source of the in-flight wait (tests give their own). */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** Default in-flight wait: well inside the vendors' 8 s timeout, and longer than a healthy publish takes. */
export const IN_FLIGHT_WAIT_MS = 3000;
/** The polls of the in-flight wait: 50 ms, doubling, at most 800 ms apart. */
const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 800;

export interface PipelineDeps {
  /** The vendors served, by name: each one's adapter with the vendor's own options. */
  readonly adapters: ReadonlyMap<string, VendorAdapter>;
  /**
   * Vendor name → its endpoints' adapters (each with the endpoint's options), by endpoint name. A delivery
   * to an endpoint that is not listed answers 404.
   * @default - each vendor of `adapters` has the one endpoint `default`, served by that adapter
   */
  readonly endpoints?: ReadonlyMap<string, ReadonlyMap<string, VendorAdapter>>;
  readonly secrets: SecretCache;
  readonly store: DedupStore;
  readonly publisher: EventPublisher;
  readonly blobs: BlobStore;
  readonly log: Log;
  readonly limits: Limits;
  /** @default - the real clock */
  readonly clock?: Clock;
  /**
   * Captures refused (401) deliveries to the blob store as received, within its rate limit
   * (lambda/core/capture.ts). @default - none captured
   */
  readonly captureRefused?: RefusedCapture;
}

const MAX_KEY_BYTES = 1024;

/**
 * The first character of a named endpoint's part of a record key (`<vendor>#~<endpoint>#<dedup key>`). A
 * `default`-endpoint key that begins with it is written `~~…`, so no delivery at one endpoint can claim another
 * endpoint's record (endpoint names never begin with `~`).
 */
const ENDPOINT_MARK = '~';

/**
 * The dedup record's key: `<vendor>#<dedup key>` at the `default` endpoint (as it always was), and
 * `<vendor>#~<endpoint>#<dedup key>` at a named one (DESIGN.md §Endpoints: dedup is per endpoint). Every key of
 * a vendor starts with `recordKeyPrefix(vendor)`, whatever its endpoint. A key over 1024 bytes keeps its
 * prefix and endpoint and hashes the dedup key (`sha256:<hex>`); so does a dedup key that is not well-formed text
 * (a lone surrogate, which DynamoDB cannot store), over {@link illFormedBytes}.
 */
export function recordKey(vendor: string, dedupKey: string, endpoint: string = DEFAULT_ENDPOINT): string {
  const scope = endpoint === DEFAULT_ENDPOINT
    ? recordKeyPrefix(vendor) + (dedupKey.startsWith(ENDPOINT_MARK) ? ENDPOINT_MARK : '')
    : `${recordKeyPrefix(vendor)}${ENDPOINT_MARK}${endpoint}#`;
  const key = `${scope}${dedupKey}`;
  const wellFormed = isWellFormed(dedupKey);
  if (wellFormed && Buffer.byteLength(key, 'utf8') <= MAX_KEY_BYTES) return key;
  const hashed = createHash('sha256').update(wellFormed ? Buffer.from(dedupKey, 'utf8') : illFormedBytes(dedupKey)).digest('hex');
  return `${endpoint === DEFAULT_ENDPOINT ? recordKeyPrefix(vendor) : scope}sha256:${hashed}`;
}

const reply = (statusCode: number, body: Record<string, unknown>, headers?: Record<string, string>): Reply => ({
  statusCode,
  body,
  headers,
});

export const UNAUTHORIZED: Reply = reply(401, { error: 'unauthorized', message: 'the delivery could not be authenticated' });
const UNAVAILABLE: Reply = reply(503, { error: 'unavailable', message: 'temporarily unable to store the delivery; retry later' }, { 'retry-after': '5' });

/** The adapter of the delivery's vendor and endpoint, or undefined when either is not served. */
function adapterOf(delivery: Delivery, endpoint: string, deps: PipelineDeps): VendorAdapter | undefined {
  const vendor = deps.adapters.get(delivery.vendor);
  if (!vendor) return undefined;
  const endpoints = deps.endpoints?.get(delivery.vendor);
  if (endpoints) return endpoints.get(endpoint);
  return endpoint === DEFAULT_ENDPOINT ? vendor : undefined;
}

/**
 * Keeps an authenticated delivery that could not be parsed, so that nothing a vendor sent is dropped: its body,
 * and beside it what it came with — method, query (a GET or DELETE carries every field there), header names.
 * Each delivery gets its own key (`<day>/<sha256 of request id, time, method, query and body>`), so two refusals
 * of one day never overwrite each other.
 */
async function keepRejected(delivery: Delivery, adapter: VendorAdapter, endpoint: string, reason: string, deps: PipelineDeps): Promise<string> {
  const receivedAt = delivery.receivedAt.toISOString();
  const digest = createHash('sha256')
    .update(JSON.stringify([delivery.requestId ?? randomUUID(), receivedAt, delivery.method, delivery.query]))
    .update(delivery.body)
    .digest('hex');
  const base = `${payloadPrefix('rejected', adapter.name)}${receivedAt.slice(0, 10)}/${digest}`;
  const headerNames = [...delivery.headers.entries()].map(([name]) => name);
  await deps.blobs.put(`${base}.body`, delivery.body, 'application/octet-stream');
  await deps.blobs.put(
    `${base}.json`,
    JSON.stringify({ vendor: adapter.name, endpoint, method: delivery.method, receivedAt, reason, query: delivery.query, headerNames, bodyBytes: delivery.body.length }),
    'application/json',
  );
  return base;
}

export function busEntryOf(detail: CallEventDetail, time: Date, detailJson?: string): BusEntry {
  return { source: sourceOf(detail.vendor), detailType: detail.type, detail, detailJson, time };
}

/** What the parse step gives: the event to store and publish, or why not. */
type Prepared =
  /**
   * `unfitted`: the event is over the bus's limit and the payload store failed while offloading its bulk: it is
   * kept whole in its record (not published) for the redrive to fit and publish.
   */
  | { readonly kind: 'event'; readonly fitted: FittedEvent; readonly dedupKey: string; readonly unfitted?: boolean }
  /**
   * Authenticated, but refused (400, DESIGN.md's "authenticated but unparseable"): the raw delivery is kept for
   * inspection and the vendor told why. `tooLarge`: it parsed, but its event does not fit the bus even bare.
   */
  | { readonly kind: 'refused'; readonly tooLarge: boolean; readonly error: string; readonly message: string }
  /** The payload store failed while offloading: nothing was stored. */
  | { readonly kind: 'unavailable' }
  /** A message that expects a synchronous answer (a TwiML voice URL, Vapi's assistant-request): 422, nothing kept. */
  | { readonly kind: 'synchronous'; readonly message: string };

const unparseable = (message: string): Prepared => ({ kind: 'refused', tooLarge: false, error: 'bad_request', message });

/** The blob store with `options` (the step's signal) passed to every put and get. */
function blobsWith(blobs: BlobStore, options: CallOptions): BlobStore {
  return {
    put: (key, body, contentType) => blobs.put(key, body, contentType, options),
    get: (key) => blobs.get(key, options),
  };
}

/** Parses an authenticated delivery, composes its event and fits it under the bus's size limit. */
async function prepare(adapter: VendorAdapter, endpoint: string, delivery: Delivery, deps: PipelineDeps, ctx: Record<string, unknown>, budget: Budget, proof?: Proof): Promise<Prepared> {
  let parsed: ParsedDelivery;
  try {
    parsed = adapter.parse(delivery, proof);
  } catch (err) {
    if (err instanceof ParseError) return unparseable(err.message);
    if (err instanceof SynchronousMessageError) return { kind: 'synchronous', message: err.message };
    // An adapter must only throw ParseError; anything else is our bug, and the delivery is still kept.
    deps.log.error('adapter failed on an authenticated delivery', { ...ctx, error: errorName(err) });
    return unparseable('the delivery could not be parsed');
  }
  let detail = composeDetail(adapter.name, parsed.dedupKey, parsed.fields, delivery.receivedAt, endpoint);
  if (parsed.audio) {
    try {
      const audio = parsed.audio;
      const before = detail;
      detail = await within(budget.signal(budget.share(SHARE.offload), budget.share(1 / 2)), (o) => offloadAudio(before, audio, blobsWith(deps.blobs, o)), 'the audio offload');
    } catch (err) {
      deps.log.error('payload store unavailable; nothing stored', { ...ctx, error: errorName(err) });
      return { kind: 'unavailable' };
    }
  }
  let json: string;
  try {
    json = JSON.stringify(detail);
  } catch {
    // JSON.parse takes nesting that JSON.stringify then overflows the stack on.
    return unparseable('the payload is nested too deeply');
  }
  let fitted: FitResult;
  try {
    const whole = detail;
    fitted = await within(budget.signal(budget.share(SHARE.offload), budget.share(1 / 2)), (o) => fitEvent(whole, json, deps.limits.maxEventBytes, blobsWith(deps.blobs, o)), 'the offload');
  } catch (err) {
    // The event is kept whole in its record instead (the redrive fits it once the payload store is back).
    deps.log.warn('payload store unavailable while offloading; the event will be kept whole in its record', { ...ctx, error: errorName(err) });
    return { kind: 'event', fitted: { detail, json }, dedupKey: parsed.dedupKey, unfitted: true };
  }
  if (fitted.tooLarge) {
    return { kind: 'refused', tooLarge: true, error: 'event_too_large', message: `the event's identifiers alone are larger than ${deps.limits.maxEventBytes} bytes` };
  }
  return { kind: 'event', fitted, dedupKey: parsed.dedupKey };
}

/** What became of a delivery: the answer, its outcome (for the metrics) and, for a refusal, why (never sent). */
export interface Handled {
  readonly reply: Reply;
  readonly outcome: Outcome;
  readonly refusal?: RefusalReason;
}

/** Handles one delivery and answers it. Never throws for anything a vendor can send. */
export async function handleDelivery(delivery: Delivery, deps: PipelineDeps, options: HandleOptions = {}): Promise<Reply> {
  return (await handle(delivery, deps, options)).reply;
}

export interface HandleOptions {
  /**
   * The time this delivery has. @default - `limits.answerDeadlineMs` (6 s) from now; the Lambda handler bounds
   * it by the function's remaining time too
   */
  readonly budget?: Budget;
}

/**
 * Handles one delivery: route (404) → method (405) → size (413) → handshake (the scheme's answer) → verify (401;
 * captured as received when `captureRefused` is on and its rate allows) → the rest (`afterAuthentication`).
 * Returns the answer with its outcome. Never throws for anything a vendor can send.
 */
export async function handle(delivery: Delivery, deps: PipelineDeps, options: HandleOptions = {}): Promise<Handled> {
  const { log, limits } = deps;
  const budget = options.budget ?? new Budget(limits.answerDeadlineMs ?? DEFAULT_ANSWER_DEADLINE_MS);
  const endpoint = delivery.endpoint ?? DEFAULT_ENDPOINT;
  const adapter = adapterOf(delivery, endpoint, deps);
  if (!adapter) {
    return { reply: reply(404, { error: deps.adapters.has(delivery.vendor) ? 'unknown_endpoint' : 'unknown_vendor', message: 'no such webhook endpoint' }), outcome: 'not_found' };
  }
  if (!adapter.methods.includes(delivery.method)) {
    const answer = reply(405, { error: 'method_not_allowed', message: `use ${adapter.methods.join(', ')}` }, { allow: adapter.methods.join(', ') });
    return { reply: answer, outcome: 'method_not_allowed' };
  }
  if (delivery.body.length > limits.maxBodyBytes) {
    return { reply: reply(413, { error: 'payload_too_large', message: `the body is larger than ${limits.maxBodyBytes} bytes` }), outcome: 'too_large' };
  }
  const ctx = { vendor: adapter.name, endpoint, requestId: delivery.requestId };

  let auth: Authentication;
  try {
    auth = await authenticate(adapter, secretKeyOf(adapter.name, endpoint), delivery, deps, ctx, {
      read: () => budget.signal(budget.share(SHARE.secretRead), ANSWER_MARGIN_MS),
      refresh: () => budget.signal(budget.share(SHARE.secretRefresh), budget.share(1 / 2)),
    });
  } catch (err) {
    log.error('secret unavailable', { ...ctx, error: errorName(err) });
    return { reply: UNAVAILABLE, outcome: 'unavailable' };
  }
  if (auth.kind === 'handshake') {
    log.info('handshake answered', ctx);
    const { statusCode, headers, json, text } = auth.reply;
    return { reply: { statusCode, headers, body: json ?? {}, text: json === undefined ? text ?? '' : undefined }, outcome: 'handshake' };
  }
  if (auth.kind === 'refused') {
    log.warn('delivery refused: authentication failed', { ...ctx, reason: auth.reason });
    await captureRefused(delivery, adapter.name, endpoint, auth.reason, deps, ctx, budget);
    return { reply: UNAUTHORIZED, outcome: 'unauthorized', refusal: auth.reason };
  }
  const answer = await afterAuthentication(adapter, endpoint, delivery, deps, ctx, auth.proof, budget);
  return { reply: answer, outcome: outcomeOf(answer) };
}

/**
 * Keeps a refused delivery as received when the capture is on and its rate limit allows, within a sixth of the
 * deadline. A failure is logged (its class only) and changes nothing: the answer is the same 401.
 */
async function captureRefused(delivery: Delivery, vendor: string, endpoint: string, reason: RefusalReason, deps: PipelineDeps, ctx: Record<string, unknown>, budget: Budget): Promise<void> {
  if (!deps.captureRefused?.take((deps.clock ?? REAL_CLOCK).now())) return;
  try {
    const { key, json } = refusedCaptureOf(delivery, vendor, endpoint, reason);
    await within(budget.signal(budget.share(1 / 6)), (o) => deps.blobs.put(key, json, 'application/json', o), 'capturing the refused delivery');
    deps.log.info('refused delivery captured', { ...ctx, captured: key });
  } catch (err) {
    deps.log.warn('refused delivery could not be captured', { ...ctx, error: errorName(err) });
  }
}

/** An authenticated delivery: parse (400, raw kept) → normalize → fit → claim → publish → settle. */
async function afterAuthentication(
  adapter: VendorAdapter,
  endpoint: string,
  delivery: Delivery,
  deps: PipelineDeps,
  ctx: { vendor: string; endpoint: string; requestId?: string },
  proof: Proof | undefined,
  budget: Budget,
): Promise<Reply> {
  const { log, limits } = deps;
  const prepared = await prepare(adapter, endpoint, delivery, deps, ctx, budget, proof);
  if (prepared.kind === 'unavailable') return UNAVAILABLE;
  if (prepared.kind === 'synchronous') {
    log.warn('authenticated message expects a synchronous answer; refused, nothing stored', ctx);
    return reply(422, { error: 'synchronous_message', message: prepared.message });
  }
  if (prepared.kind === 'refused') {
    try {
      const kept = await within(budget.signal(budget.left(), ANSWER_MARGIN_MS), (o) => keepRejected(delivery, adapter, endpoint, prepared.message, { ...deps, blobs: blobsWith(deps.blobs, o) }), 'keeping the refused delivery');
      log.warn(prepared.tooLarge ? 'authenticated event too large; kept for inspection' : 'authenticated delivery could not be parsed; kept for inspection', { ...ctx, reason: prepared.message, kept });
    } catch (keepErr) {
      log.error('authenticated delivery refused, and could not be kept', { ...ctx, error: errorName(keepErr) });
      return UNAVAILABLE;
    }
    return reply(400, { error: prepared.error, message: prepared.message });
  }

  const { fitted, dedupKey, unfitted } = prepared;
  const { detail } = fitted;
  const { eventId } = detail;
  const logCtx = { ...ctx, eventId, type: detail.type, vendorEventType: detail.vendorEventType };
  const claim = claimOf(recordKey(adapter.name, dedupKey, endpoint), detail, delivery.receivedAt, limits);

  let claimed: ClaimResult;
  try {
    claimed = await within(budget.signal(budget.share(SHARE.claim), budget.share(SHARE.afterPublish)), (o) => deps.store.claim(claim, delivery.receivedAt, o), 'the claim');
  } catch (err) {
    log.error(`${dependencyOf(err, 'dedup store')} unavailable; publishing without a record`, { ...logCtx, error: errorName(err) });
    return withoutRecord(claim, fitted, unfitted === true, delivery, deps, logCtx, budget);
  }
  if (claimed.outcome === 'in-flight') {
    try {
      claimed = await awaitInFlight(claim, delivery.receivedAt, deps, budget);
    } catch (err) {
      // The copy that holds the claim settles it; this one is told to come back, and nothing is lost.
      log.warn(`${dependencyOf(err, 'dedup store')} unavailable while waiting for another copy in flight`, { ...logCtx, error: errorName(err) });
    }
  }
  if (claimed.outcome === 'duplicate') {
    log.info('duplicate delivery', logCtx);
    return reply(200, { status: 'duplicate', duplicate: true, eventId });
  }
  if (claimed.outcome === 'in-flight') {
    const retryAfter = Math.max(1, Math.ceil((claimed.record.leaseUntil - nowOf(delivery.receivedAt, deps)) / 1000));
    log.warn('another copy of the delivery is still in flight', logCtx);
    return reply(409, { error: 'in_flight', message: 'another copy of this delivery is still being handled; retry later', eventId }, { 'retry-after': String(Math.min(retryAfter, 60)) });
  }

  // Ours: publish, then settle the record. An event still over the bus's limit (the payload store failed) is
  // kept whole in its record instead.
  if (unfitted) {
    log.warn('event over the bus limit kept whole in its record; the redrive offloads and publishes it', logCtx);
    return keepForRedrive(claim, fitted.json, deps, logCtx, budget);
  }
  try {
    await publishEvent(fitted, delivery.receivedAt, deps, budget.signal(budget.share(SHARE.publish), budget.share(SHARE.afterPublish)));
  } catch (err) {
    log.warn('publish failed; keeping the event for the redrive', { ...logCtx, error: errorName(err) });
    return keepForRedrive(claim, fitted.json, deps, logCtx, budget);
  }
  try {
    await within(budget.signal(budget.left(), ANSWER_MARGIN_MS), (o) => deps.store.markPublished(claim.key, o), 'marking the record published');
  } catch (err) {
    // The event is on the bus. The claim stays in flight: a copy arriving after its lease takes it over and
    // publishes again, with the same eventId.
    log.warn('published, but the record could not be marked published', { ...logCtx, error: errorName(err) });
  }
  log.info('delivery published', logCtx);
  return reply(200, { status: 'published', eventId });
}

/** Puts the event on the bus within `signal`; throws when the call fails or its entry is refused. */
async function publishEvent(fitted: FittedEvent, receivedAt: Date, deps: PipelineDeps, signal: AbortSignal): Promise<void> {
  const [result] = await within(signal, (o) => deps.publisher.publish([busEntryOf(fitted.detail, receivedAt, fitted.json)], o), 'the publish');
  if (!result || !result.ok) throw new Error(result ? result.error : 'no result for the entry');
}

/**
 * The dedup store failed or hung on the claim: publish anyway under the deterministic eventId (a later copy may
 * publish it again, with the same eventId: at least once), or, where the bus fails too or the event is over its
 * limit, spool it to the payload bucket for the redrive (202). 503 only when the spool fails as well.
 */
async function withoutRecord(claim: Claim, fitted: FittedEvent, unfitted: boolean, delivery: Delivery, deps: PipelineDeps, logCtx: Record<string, unknown>, budget: Budget): Promise<Reply> {
  if (!unfitted) {
    try {
      await publishEvent(fitted, delivery.receivedAt, deps, budget.signal(budget.share(SHARE.publish), budget.share(SHARE.spool)));
      deps.log.warn('published without a dedup record (the dedup store is unavailable)', logCtx);
      return reply(200, { status: 'published', eventId: claim.eventId });
    } catch (err) {
      deps.log.warn('publish failed too; spooling the event for the redrive', { ...logCtx, error: errorName(err) });
    }
  }
  return spool(claim, fitted.json, deps, logCtx, budget);
}

/** After a failed publish: the event into the record for the redrive (202), or into the spool (202), or 503. */
async function keepForRedrive(claim: Claim, json: string, deps: PipelineDeps, logCtx: Record<string, unknown>, budget: Budget): Promise<Reply> {
  try {
    const kept = await within(budget.signal(budget.share(SHARE.keep), budget.share(SHARE.spool)), (o) => deps.store.keepForRedrive(claim, json, o), 'keeping the event');
    if (kept === 'settled') {
      // Another copy took the claim over (ours outlived its lease) and settled it.
      deps.log.info('duplicate delivery', logCtx);
      return reply(200, { status: 'duplicate', duplicate: true, eventId: claim.eventId });
    }
    deps.log.warn('publish failed; the stored event will be redriven', logCtx);
    return reply(202, { status: 'accepted', eventId: claim.eventId, published: false });
  } catch (err) {
    // The claim is left in flight: the spool's redrive takes it over once its lease ends.
    deps.log.warn(`${dependencyOf(err, 'dedup store')} unavailable after a failed publish; spooling the event`, { ...logCtx, error: errorName(err) });
    return spool(claim, json, deps, logCtx, budget);
  }
}

/** The last resort: the event and its claim to the payload bucket's spool (202), or nothing durable (503). */
async function spool(claim: Claim, json: string, deps: PipelineDeps, logCtx: Record<string, unknown>, budget: Budget): Promise<Reply> {
  try {
    await within(budget.signal(budget.left(), ANSWER_MARGIN_MS), (o) => spoolEvent(claim, json, deps.blobs, o), 'the spool');
    deps.log.warn('event spooled to the payload bucket; the redrive will publish it', logCtx);
    return reply(202, { status: 'accepted', eventId: claim.eventId, published: false });
  } catch (err) {
    // Nothing is durable: the vendor must retry (a claim, if any, is taken over once its lease ends).
    deps.log.error('nothing could be stored: the dedup store, the bus and the payload store all failed', { ...logCtx, error: errorName(err) });
    return UNAVAILABLE;
  }
}

/** Now on the delivery's clock: its arrival time plus the real time spent since (the in-flight wait). */
function nowOf(receivedAt: Date, deps: PipelineDeps, startedAt?: number): number {
  const clock = deps.clock ?? REAL_CLOCK;
  return receivedAt.getTime() + (startedAt === undefined ? 0 : clock.now() - startedAt);
}

/**
 * Waits for the copy that holds the record in flight, polling with backoff for at most `inFlightWaitMs`:
 * answers `duplicate` once it is settled, `claimed` when its lease ran out (or it vanished) and this copy took
 * it over, and `in-flight` when it is still open at the end of the wait.
 */
async function awaitInFlight(claim: Claim, receivedAt: Date, deps: PipelineDeps, answer: Budget): Promise<ClaimResult> {
  const clock = deps.clock ?? REAL_CLOCK;
  const startedAt = clock.now();
  // Never past the part of the answer deadline a publish and its fallbacks need.
  const budget = Math.min(deps.limits.inFlightWaitMs ?? IN_FLIGHT_WAIT_MS, Math.max(0, answer.left() - answer.share(SHARE.publish + SHARE.afterPublish)));
  const call = <T>(work: (o: CallOptions) => Promise<T>) => within(answer.signal(answer.share(SHARE.claim), answer.share(SHARE.afterPublish)), work, 'a read while waiting');
  let pause = FIRST_POLL_MS;
  let last: ClaimResult = { outcome: 'in-flight', record: { ...claim, status: 'IN_FLIGHT', attempts: 0 } };
  for (;;) {
    const left = budget - (clock.now() - startedAt);
    if (left <= 0) return last;
    await clock.sleep(Math.min(pause, left));
    pause = Math.min(pause * 2, MAX_POLL_MS);
    const now = new Date(nowOf(receivedAt, deps, startedAt));
    const record = await call((o) => deps.store.get(claim.key, o));
    if (record && record.status !== 'IN_FLIGHT') return { outcome: 'duplicate', record };
    if (record && record.leaseUntil >= now.getTime()) {
      last = { outcome: 'in-flight', record };
      continue;
    }
    // Its holder died (lease ran out) or the record is gone: take it over, as a new claim would.
    last = await call((o) => deps.store.claim({ ...claim, leaseUntil: now.getTime() + (deps.limits.leaseMs ?? LEASE_MS) }, now, o));
    if (last.outcome !== 'in-flight') return last;
  }
}

function claimOf(key: string, detail: CallEventDetail, receivedAt: Date, limits: Limits): Claim {
  const nowMs = receivedAt.getTime();
  return {
    key,
    eventId: detail.eventId,
    vendor: detail.vendor,
    receivedAt: detail.receivedAt,
    expiresAt: Math.floor(nowMs / 1000) + limits.retentionDays * 86_400,
    leaseUntil: nowMs + (limits.leaseMs ?? LEASE_MS),
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
