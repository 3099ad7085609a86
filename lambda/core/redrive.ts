/**
 * The redrive: publishes events that were acknowledged (202) but are not on the bus yet. It drains every place
 * an accepted event can be kept — a {@link KeptEventSource} each, drained in parallel within one run's time:
 * the PENDING records of the dedup table ({@link pendingRecords}) and the spool of deliveries in the payload
 * bucket that neither the table nor the bus could take ({@link spooledDeliveries}, `spool.ts`).
 *
 * The PENDING records: PutEvents failed and the event was written into its record. The redrive sees only
 * records that hold an event — a claim still in flight holds none and is settled by its own copy, or taken
 * over by the next copy once its lease ran out. It takes only records whose lease has run out, each lease with
 * a conditional write, so it never races the function that kept the record nor another redrive.
 *
 * - **Drains as fast as a backlog grows**: page after page until nothing is left or the run's time is nearly
 *   out, several leases, reads and PutEvents requests in flight (each request within 10 entries / 256 KB).
 * - **Backs off by attempt and gives up by age**: a record's lease is its backoff (1, 2, 4, 8, then every 15
 *   leases' worth of minutes: {@link backoffMs}); an event goes to the dead-letter queue only when it still
 *   cannot be published once it is older than `maxAgeMs` (default 24 h), never after a number of runs — a bus
 *   outage of half an hour kills nothing.
 * - **Publishes a record only under its own vendor**: a record whose key is not under its vendor's prefix
 *   (`<vendor>#`), or whose vendor is not a configured one, is refused and dead-lettered, so a vendor function
 *   that wrote another vendor's name into a record it may write cannot publish through the redrive.
 * - **Keeps what a human needs**: a DEAD record keeps its event and lives at least {@link DEAD_RETENTION_MS}
 *   (as long as the dead-letter queue keeps its message); the message names the record key and where the event
 *   is ({@link deadLetterOf}); {@link republishDead} publishes them again (`callhooks redrive --dead`).
 */
import type { CallEventDetail } from './event';
import type { BlobStore, BusEntry, DeadLetter, DeadLetterQueue, DedupRecord, DedupStore, EventPublisher, Log } from './ports';
import { entryBytes, fitEvent } from './offload';
import { parseSpooled, spoolKeyOf } from './spool';
import { payloadPrefix, PAYLOAD_KINDS } from '../contracts/payloads';
import { EVENTBRIDGE_MAX_ENTRY_BYTES } from '../contracts/defaults';
import { busEntryOf, errorName } from './pipeline';
import { DEAD_RETENTION_MS, DEFAULT_REDRIVE_MAX_AGE_MS, LEASE_MS, MAX_BACKOFF_MS, recordKeyPrefix } from '../contracts/table';

export { DEAD_RETENTION_MS, DEFAULT_REDRIVE_MAX_AGE_MS, MAX_BACKOFF_MS };

export interface RedriveDeps {
  readonly store: DedupStore;
  readonly publisher: EventPublisher;
  readonly deadLetters: DeadLetterQueue;
  readonly log: Log;
  /**
   * The configured vendors: a record of any other vendor is refused and dead-lettered (the redrive's role may
   * publish only their sources anyway).
   * @default - every vendor (the record's key must still be under its vendor's prefix)
   */
  readonly vendors?: readonly string[];
  /** Age (from `receivedAt`) after which an event that still cannot be published is dead-lettered. @default DEFAULT_REDRIVE_MAX_AGE_MS (24 h) */
  readonly maxAgeMs?: number;
  /** The first lease, and the unit of the backoff (see {@link backoffMs}). @default LEASE_MS */
  readonly leaseMs?: number;
  /** Records listed per page. @default 250 */
  readonly pageSize?: number;
  /** Leases, event reads and record updates in flight at once. @default 16 */
  readonly concurrency?: number;
  /** PutEvents requests in flight at once. @default 4 */
  readonly requestsInFlight?: number;
  /**
   * Time this run has left, in ms (Lambda's `getRemainingTimeInMillis`): no page after the first is started
   * with less than `reserveMs` left.
   * @default - no limit: drain until nothing is left
   */
  readonly timeLeftMs?: () => number;
  /** @default 10000 */
  readonly reserveMs?: number;
  /**
   * Where accepted events wait for the bus, drained in parallel.
   * @default - the pending records and the spool ({@link spooledDeliveries}, when `blobs` can list)
   */
  readonly sources?: readonly KeptEventSource[];
  /**
   * The payload store: the spool is drained from it, and an event kept while it was down (too large for the bus,
   * kept whole in its record) is fitted with it before it is published.
   * @default - none: no spool, and no fitting
   */
  readonly blobs?: BlobStore;
  /** The bus's entry limit for events (`maxEventBytes`): a kept event over it is fitted first. @default 262144 */
  readonly maxEventBytes?: number;
}

export interface RedriveReport {
  readonly examined: number;
  readonly published: number;
  readonly failed: number;
  readonly deadLettered: number;
  readonly skipped: number;
}

/** A place where accepted events wait for the bus: the redrive drains each within one run. */
export interface KeptEventSource {
  readonly name: string;
  drain(deps: RedriveDeps, now: Date): Promise<RedriveReport>;
}

const EMPTY: RedriveReport = { examined: 0, published: 0, failed: 0, deadLettered: 0, skipped: 0 };

export function addReports(...reports: readonly RedriveReport[]): RedriveReport {
  return reports.reduce((a, b) => ({
    examined: a.examined + b.examined,
    published: a.published + b.published,
    failed: a.failed + b.failed,
    deadLettered: a.deadLettered + b.deadLettered,
    skipped: a.skipped + b.skipped,
  }), EMPTY);
}

/** PutEvents takes at most 10 entries a request … */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/**
 * … and at most 256 KB in all, each entry sized as AWS sizes it ({@link entryBytes}). An entry larger than this
 * (`maxEventBytes` allows up to EventBridge's 1 MB entry limit) goes in a request of its own.
 */
export const PUT_EVENTS_MAX_REQUEST_BYTES = 256 * 1024;

/**
 * How long a lease taken for the `attempt`-th time lasts, which is also how long the record waits before the
 * next attempt when this one fails: `leaseMs` for the first, then doubling, at most {@link MAX_BACKOFF_MS}.
 */
export function backoffMs(attempt: number, leaseMs: number = LEASE_MS): number {
  const doubled = leaseMs * 2 ** Math.max(0, Math.min(attempt - 1, 20));
  return Math.max(leaseMs, Math.min(doubled, Math.max(MAX_BACKOFF_MS, leaseMs)));
}

/** True when the record's key is under its own vendor's prefix, and the vendor is a configured one. */
export function belongsToVendor(record: Pick<DedupRecord, 'key' | 'vendor'>, vendors?: readonly string[]): boolean {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(record.vendor)) return false;
  if (vendors && !vendors.includes(record.vendor)) return false;
  return record.key.startsWith(recordKeyPrefix(record.vendor));
}

/** What a dead-letter message says: the record key, and where its event is, which is what republishing needs. */
export function deadLetterOf(record: DedupRecord, reason: string): DeadLetter {
  return {
    reason,
    key: record.key,
    vendor: record.vendor,
    eventId: record.eventId,
    receivedAt: record.receivedAt,
    attempts: record.attempts,
    event: record.eventBlobKey !== undefined ? { in: 'payload-bucket', key: record.eventBlobKey } : { in: 'record' },
    republish: 'callhooks redrive --dead',
  };
}

/** A unit of work per item, at most `limit` at once, results in order. */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** A leased record whose stored event is ready for the bus. */
interface Ready {
  readonly record: DedupRecord;
  readonly entry: BusEntry;
  readonly bytes: number;
}

/**
 * A kept event as a bus entry. An event kept while the payload store was down can be over the bus's limit: it is
 * fitted now (its bulk offloaded, as the webhook would have), which needs `deps.blobs`.
 */
async function entryOf(detail: CallEventDetail, json: string, deps: Pick<RedriveDeps, 'blobs' | 'maxEventBytes'>, now: Date): Promise<{ entry: BusEntry; bytes: number }> {
  const limit = Math.min(deps.maxEventBytes ?? 256 * 1024, EVENTBRIDGE_MAX_ENTRY_BYTES);
  if (entryBytes(json, detail) > limit && deps.blobs) {
    const fitted = await fitEvent(detail, json, limit, deps.blobs);
    if (fitted.tooLarge) throw new RangeError('the kept event does not fit the bus even bare');
    return { entry: busEntryOf(fitted.detail, now, fitted.json), bytes: entryBytes(fitted.json, fitted.detail) };
  }
  return { entry: busEntryOf(detail, now, json), bytes: entryBytes(json, detail) };
}

/** The stored event of a record as a bus entry; throws when it cannot be read or is not this record's event. */
async function prepare(record: DedupRecord, deps: RedriveDeps, now: Date): Promise<Ready> {
  const json = await deps.store.eventOf(record);
  const detail = JSON.parse(json) as CallEventDetail | null;
  if (typeof detail !== 'object' || detail === null || detail.eventId !== record.eventId || detail.vendor !== record.vendor || typeof detail.type !== 'string') {
    throw new TypeError('the stored event is not the event of its record');
  }
  return { record, ...(await entryOf(detail, json, deps, now)) };
}

/** Consecutive groups of at most {@link PUT_EVENTS_MAX_ENTRIES} entries and {@link PUT_EVENTS_MAX_REQUEST_BYTES}. */
export function requestsOf<T extends { readonly bytes: number }>(entries: readonly T[]): T[][] {
  const requests: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const e of entries) {
    if (current.length > 0 && (current.length === PUT_EVENTS_MAX_ENTRIES || bytes + e.bytes > PUT_EVENTS_MAX_REQUEST_BYTES)) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += e.bytes;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

export type PublishResult = { ok: true } | { ok: false; error: string };

/** The bus itself failed (an AWS server fault, or a throttle): the same call entry by entry would fail too. */
function busFault(err: unknown): boolean {
  const e = err as { $fault?: string; $retryable?: unknown } | undefined;
  return e?.$fault === 'server' || Boolean(e?.$retryable);
}

/**
 * Publishes one request. When PutEvents refuses it as a whole for what is in it (the call throws, e.g. a
 * ValidationException for one bad entry), each entry is published alone, so that only the bad one fails.
 */
async function publishIsolated(entries: readonly BusEntry[], deps: RedriveDeps): Promise<readonly PublishResult[]> {
  try {
    const results = await deps.publisher.publish(entries);
    return entries.map((_, i) => results[i] ?? { ok: false, error: 'missing' });
  } catch (err) {
    if (entries.length === 1 || busFault(err)) return entries.map(() => ({ ok: false, error: errorName(err) }));
    deps.log.warn('redrive publish failed for a whole request; publishing its entries one by one', { count: entries.length, error: errorName(err) });
    const alone: PublishResult[] = [];
    for (const entry of entries) alone.push(...(await publishIsolated([entry], deps)));
    return alone;
  }
}

/**
 * Publishes prepared items in requests within PutEvents' limits, `requestsInFlight` requests at once; one result
 * per item, in order. For any {@link KeptEventSource}.
 */
export async function publishAll<T extends { readonly entry: BusEntry; readonly bytes: number }>(items: readonly T[], deps: RedriveDeps): Promise<PublishResult[]> {
  const requests = requestsOf(items);
  const results = await inParallel(requests, deps.requestsInFlight ?? 4, (request) => publishIsolated(request.map((r) => r.entry), deps));
  return results.flat();
}

/** True once the record is older than the redrive's `maxAgeMs` (a record without a readable receivedAt counts as old). */
function agedOut(record: DedupRecord, now: Date, maxAgeMs: number): boolean {
  const received = Date.parse(record.receivedAt);
  return !Number.isFinite(received) || now.getTime() - received >= maxAgeMs;
}

type Counts = { examined: number; published: number; failed: number; deadLettered: number; skipped: number };

async function deadLetter(record: DedupRecord, reason: string, deps: RedriveDeps, now: Date, counts: Counts): Promise<void> {
  const ctx = { vendor: record.vendor, eventId: record.eventId, attempts: record.attempts, reason };
  try {
    await deps.deadLetters.send(deadLetterOf(record, reason));
    // A DEAD record keeps its event and lives at least as long as the dead-letter queue keeps its message.
    await deps.store.markDead(record.key, Math.max(record.expiresAt, Math.ceil((now.getTime() + DEAD_RETENTION_MS) / 1000)));
    counts.deadLettered++;
    deps.log.error('event sent to the dead-letter queue', ctx);
  } catch (err) {
    counts.failed++;
    deps.log.error('dead-letter queue unavailable', { ...ctx, error: errorName(err) });
  }
}

/** A failure of a leased record: it waits out its lease (the backoff), or goes to the dead-letter queue once too old. */
async function failed(record: DedupRecord, why: string, deps: RedriveDeps, now: Date, counts: Counts): Promise<void> {
  const maxAgeMs = deps.maxAgeMs ?? DEFAULT_REDRIVE_MAX_AGE_MS;
  if (agedOut(record, now, maxAgeMs)) {
    await deadLetter(record, `not published within ${Math.round(maxAgeMs / 60_000)} minutes of its receipt (last error: ${why}, ${record.attempts} attempts)`, deps, now, counts);
    return;
  }
  counts.failed++;
}

/** One page: lease, check, read, publish, mark. */
async function drainPage(candidates: readonly DedupRecord[], deps: RedriveDeps, now: Date, counts: Counts): Promise<void> {
  const { store, log } = deps;
  const leaseMs = deps.leaseMs ?? LEASE_MS;
  const concurrency = deps.concurrency ?? 16;

  const prepared = await inParallel(candidates, concurrency, async (candidate): Promise<Ready | undefined> => {
    let record: DedupRecord | undefined;
    try {
      record = await store.lease(candidate.key, now, now.getTime() + backoffMs(candidate.attempts + 1, leaseMs));
    } catch (err) {
      counts.failed++;
      log.warn('redrive could not lease a record', { vendor: candidate.vendor, eventId: candidate.eventId, error: errorName(err) });
      return undefined;
    }
    if (!record) {
      counts.skipped++;
      return undefined;
    }
    if (!belongsToVendor(record, deps.vendors)) {
      log.error('record refused: its key is not under its vendor\'s prefix, or its vendor is not configured', { vendor: record.vendor, eventId: record.eventId });
      await deadLetter(record, 'refused: the record key does not belong to its vendor, or the vendor is not configured', deps, now, counts);
      return undefined;
    }
    try {
      return await prepare(record, deps, now);
    } catch (err) {
      log.error('stored event could not be read', { vendor: record.vendor, eventId: record.eventId, attempts: record.attempts, error: errorName(err) });
      await failed(record, errorName(err), deps, now, counts);
      return undefined;
    }
  });

  const ready = prepared.filter((r): r is Ready => r !== undefined);
  const results = await publishAll(ready, deps);
  await inParallel(ready.map((r, i) => ({ r, result: results[i] })), concurrency, async ({ r: { record }, result }) => {
    if (!result.ok) {
      log.warn('redrive publish failed for an entry', { vendor: record.vendor, eventId: record.eventId, attempts: record.attempts, error: result.error });
      await failed(record, result.error, deps, now, counts);
      return;
    }
    counts.published++;
    try {
      await store.markPublished(record.key);
    } catch (err) {
      log.warn('redriven, but the record could not be marked published', { vendor: record.vendor, eventId: record.eventId, error: errorName(err) });
    }
  });
}

/** The PENDING records of the dedup table whose lease has run out, page after page. */
export const pendingRecords: KeptEventSource = {
  name: 'pending records',
  async drain(deps: RedriveDeps, now: Date): Promise<RedriveReport> {
    const counts: Counts = { ...EMPTY };
    const timeLeft = deps.timeLeftMs ?? (() => Number.POSITIVE_INFINITY);
    const reserve = deps.reserveMs ?? 10_000;
    const seen = new Set<string>();
    // A record failed or skipped in this run is not listed again (its lease moved on), but an index that lags
    // its items can list it once more: a page with nothing new ends the run. The first page is always taken.
    for (let first = true; first || timeLeft() > reserve; first = false) {
      const page = (await deps.store.listPending(now, deps.pageSize ?? 250)).filter((r) => !seen.has(r.key));
      if (page.length === 0) break;
      for (const r of page) seen.add(r.key);
      counts.examined += page.length;
      await drainPage(page, deps, now, counts);
    }
    return counts;
  },
};

/**
 * The spool as a source of kept events. Each object: its claim is made in the dedup store (a record already
 * there — published, kept or dead — means the normal path has the event: the object is removed); a claim won
 * is published and marked, or, when the bus still fails, kept in the record for the pending-records path; then
 * the object is removed. An object whose claim another copy holds waits for a later run. An object under one
 * vendor's prefix that names another vendor, or a record key not of its vendor, is refused and left for a human.
 */
export const spooledDeliveries: KeptEventSource = {
  name: 'spool',
  async drain(deps: RedriveDeps, now: Date): Promise<RedriveReport> {
    const blobs = deps.blobs;
    if (!blobs?.list || !blobs.delete) return addReports();
    const counts = { examined: 0, published: 0, failed: 0, deadLettered: 0, skipped: 0 };
    const timeLeft = deps.timeLeftMs ?? (() => Number.POSITIVE_INFINITY);
    const reserve = deps.reserveMs ?? 10_000;
    let after: string | undefined;
    for (let first = true; first || timeLeft() > reserve; first = false) {
      const keys = await blobs.list(`${PAYLOAD_KINDS.spool}/`, deps.pageSize ?? 250, after);
      if (keys.length === 0) break;
      after = keys[keys.length - 1];
      counts.examined += keys.length;
      await inParallel(keys, deps.concurrency ?? 16, async (objectKey) => {
        try {
          const outcome = await drainOne(objectKey, deps, blobs, now);
          counts[outcome]++;
        } catch (err) {
          counts.failed++;
          deps.log.warn('redrive could not drain a spooled delivery', { object: objectKey, error: errorName(err) });
        }
      });
    }
    return counts;
  },
};

async function drainOne(objectKey: string, deps: RedriveDeps, blobs: BlobStore, now: Date): Promise<'published' | 'skipped' | 'failed'> {
  const spooled = parseSpooled(await blobs.get(objectKey));
  const { claim } = spooled;
  if (!objectKey.startsWith(payloadPrefix('spool', claim.vendor)) || spoolKeyOf(claim) !== objectKey || !belongsToVendor(claim, deps.vendors)) {
    deps.log.error('spooled delivery refused: it is not under its vendor\'s prefix, or its vendor is not configured', { object: objectKey });
    return 'failed';
  }
  const detail = JSON.parse(spooled.event) as CallEventDetail | null;
  if (!detail || detail.eventId !== claim.eventId || detail.vendor !== claim.vendor) {
    deps.log.error('spooled delivery refused: its event is not the event of its claim', { object: objectKey });
    return 'failed';
  }
  const ctx = { vendor: claim.vendor, eventId: claim.eventId };
  const claimed = await deps.store.claim({ ...claim, leaseUntil: now.getTime() + (deps.leaseMs ?? LEASE_MS) }, now);
  if (claimed.outcome === 'in-flight') return 'skipped';
  if (claimed.outcome === 'duplicate') {
    await blobs.delete!(objectKey);
    return 'skipped';
  }
  const [published] = await publishIsolated([(await entryOf(detail, spooled.event, deps, now)).entry], deps);
  if (published.ok) {
    await deps.store.markPublished(claim.key).catch((err: unknown) => deps.log.warn('redriven, but the record could not be marked published', { ...ctx, error: errorName(err) }));
    await blobs.delete!(objectKey);
    deps.log.info('spooled delivery published', ctx);
    return 'published';
  }
  // The bus still fails: the record keeps the event from now on (the pending-records path, with its backoff).
  await deps.store.keepForRedrive(claim, spooled.event);
  await blobs.delete!(objectKey);
  deps.log.warn('spooled delivery kept in its record: the bus still fails', { ...ctx, error: published.error });
  return 'failed';
}

/** One run: every source of kept events drained in parallel; the counts added up. */
export async function redrive(deps: RedriveDeps, now: Date = new Date()): Promise<RedriveReport> {
  const sources = deps.sources ?? [pendingRecords, spooledDeliveries];
  const reports = await Promise.all(sources.map(async (source) => {
    try {
      return await source.drain(deps, now);
    } catch (err) {
      // One source failing (its listing threw) does not hold the others back; the run still fails.
      deps.log.error('redrive source failed', { source: source.name, error: errorName(err) });
      throw err;
    }
  }));
  const report = addReports(...reports);
  if (report.examined > 0) deps.log.info('redrive finished', { ...report });
  return report;
}

/**
 * Publishes the dead-lettered events again (`callhooks redrive --dead`): reads the dead-letter queue, and for
 * each message whose record is still DEAD and belongs to its vendor, publishes the kept event under its
 * eventId, marks the record PUBLISHED and removes the message. A message whose record is gone or no longer
 * DEAD is removed too; one that fails stays for a later try. Reads until the queue is empty or `max` messages.
 */
export async function republishDead(deps: RedriveDeps, now: Date = new Date(), max = 10_000): Promise<RedriveReport> {
  const counts: Counts = { ...EMPTY };
  const timeLeft = deps.timeLeftMs ?? (() => Number.POSITIVE_INFINITY);
  const reserve = deps.reserveMs ?? 10_000;
  const concurrency = deps.concurrency ?? 16;
  const handled = new Set<string>();
  for (let first = true; counts.examined < max && (first || timeLeft() > reserve); first = false) {
    const letters = (await deps.deadLetters.receive(Math.min(10, max - counts.examined))).filter((l) => !handled.has(l.handle));
    if (letters.length === 0) break;
    for (const l of letters) handled.add(l.handle);
    counts.examined += letters.length;
    const prepared = await inParallel(letters, concurrency, async (letter): Promise<(Ready & { handle: string }) | 'done' | undefined> => {
      try {
        const record = await deps.store.get(letter.letter.key);
        if (!record || record.status !== 'DEAD') return 'done';
        if (!belongsToVendor(record, deps.vendors)) {
          deps.log.error('dead record refused: its key is not under its vendor\'s prefix, or its vendor is not configured', { vendor: record.vendor, eventId: record.eventId });
          return undefined;
        }
        return { ...(await prepare(record, deps, now)), handle: letter.handle };
      } catch (err) {
        deps.log.error('dead record could not be read', { key: letter.letter.key, error: errorName(err) });
        return undefined;
      }
    });
    const done = letters.filter((_, i) => prepared[i] === 'done').map((l) => l.handle);
    counts.skipped += done.length;
    counts.failed += prepared.filter((p) => p === undefined).length;
    const ready = prepared.filter((p): p is Ready & { handle: string } => typeof p === 'object');
    const results = await publishAll(ready, deps);
    await inParallel(ready.map((r, i) => ({ r, result: results[i] })), concurrency, async ({ r, result }) => {
      if (!result.ok) {
        counts.failed++;
        deps.log.warn('republish failed for a dead event', { vendor: r.record.vendor, eventId: r.record.eventId, error: result.error });
        return;
      }
      counts.published++;
      done.push(r.handle);
      try {
        await deps.store.markPublished(r.record.key);
      } catch (err) {
        deps.log.warn('republished, but the record could not be marked published', { vendor: r.record.vendor, eventId: r.record.eventId, error: errorName(err) });
      }
    });
    if (done.length > 0) await deps.deadLetters.remove(done);
  }
  if (counts.examined > 0) deps.log.info('republish of dead events finished', { ...counts });
  return counts;
}
