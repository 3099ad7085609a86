/**
 * The redrive: publishes events that were acknowledged (202) but are not on the bus yet: PutEvents failed and
 * the event was written into its record (PENDING). It sees only records that hold an event — a claim still in
 * flight holds none and is settled by its own copy, or taken over by the next copy once its lease ran out. It
 * takes only records whose lease has run out, each lease with a conditional write, so it never races the
 * function that kept the record nor another redrive. After `maxAttempts` leases a record goes to the
 * dead-letter queue.
 */
import type { CallEventDetail } from './event';
import type { BusEntry, DeadLetterQueue, DedupRecord, DedupStore, EventPublisher, Log } from './ports';
import { entryBytes } from './offload';
import { busEntryOf, errorName } from './pipeline';
import { DEFAULT_REDRIVE_MAX_ATTEMPTS, LEASE_MS } from '../config/table';

export interface RedriveDeps {
  readonly store: DedupStore;
  readonly publisher: EventPublisher;
  readonly deadLetters: DeadLetterQueue;
  readonly log: Log;
  /** Leases a record may take before it goes to the dead-letter queue. @default DEFAULT_REDRIVE_MAX_ATTEMPTS */
  readonly maxAttempts?: number;
  /** How long one redrive holds a lease. @default LEASE_MS */
  readonly leaseMs?: number;
  /** Records examined per run. @default 100 */
  readonly limit?: number;
}

export interface RedriveReport {
  readonly examined: number;
  readonly published: number;
  readonly failed: number;
  readonly deadLettered: number;
  readonly skipped: number;
}

/** PutEvents takes at most 10 entries a request … */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/**
 * … and at most 256 KB in all, each entry sized as AWS sizes it ({@link entryBytes}). An entry larger than this
 * (`maxEventBytes` allows up to EventBridge's 1 MB entry limit) goes in a request of its own.
 */
export const PUT_EVENTS_MAX_REQUEST_BYTES = 256 * 1024;

/** A leased record whose stored event is ready for the bus. */
interface Ready {
  readonly record: DedupRecord;
  readonly entry: BusEntry;
  readonly bytes: number;
}

/** The stored event of a leased record as a bus entry; throws when it cannot be read or is not this record's event. */
async function prepare(record: DedupRecord, store: DedupStore, now: Date): Promise<Ready> {
  const json = await store.eventOf(record);
  const detail = JSON.parse(json) as CallEventDetail | null;
  if (typeof detail !== 'object' || detail === null || detail.eventId !== record.eventId || detail.vendor !== record.vendor || typeof detail.type !== 'string') {
    throw new TypeError('the stored event is not the event of its record');
  }
  return { record, entry: busEntryOf(detail, now, json), bytes: entryBytes(json, detail) };
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

type PublishResult = { ok: true } | { ok: false; error: string };

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

export async function redrive(deps: RedriveDeps, now: Date = new Date()): Promise<RedriveReport> {
  const { store, log } = deps;
  const maxAttempts = deps.maxAttempts ?? DEFAULT_REDRIVE_MAX_ATTEMPTS;
  const leaseMs = deps.leaseMs ?? LEASE_MS;
  const pending = await store.listPending(now, deps.limit ?? 100);
  let published = 0;
  let failed = 0;
  let deadLettered = 0;
  let skipped = 0;
  const ready: Ready[] = [];

  // Each record on its own: a lease, a dead letter or a stored event that fails is that record's failure only.
  for (const candidate of pending) {
    let record: DedupRecord | undefined;
    try {
      record = await store.lease(candidate.key, now, now.getTime() + leaseMs);
    } catch (err) {
      failed++;
      log.warn('redrive could not lease a record', { vendor: candidate.vendor, eventId: candidate.eventId, error: errorName(err) });
      continue;
    }
    if (!record) {
      skipped++;
      continue;
    }
    const ctx = { vendor: record.vendor, eventId: record.eventId, attempts: record.attempts };
    if (record.attempts > maxAttempts) {
      try {
        await deps.deadLetters.send(record, `not published after ${maxAttempts} attempts`);
        await store.markDead(record.key);
        deadLettered++;
        log.error('event sent to the dead-letter queue', ctx);
      } catch (err) {
        failed++;
        log.error('dead-letter queue unavailable', { ...ctx, error: errorName(err) });
      }
      continue;
    }
    try {
      ready.push(await prepare(record, store, now));
    } catch (err) {
      failed++;
      log.error('stored event could not be read', { ...ctx, error: errorName(err) });
    }
  }

  for (const request of requestsOf(ready)) {
    const results = await publishIsolated(request.map((r) => r.entry), deps);
    for (const [i, { record }] of request.entries()) {
      const result = results[i];
      if (!result.ok) {
        failed++;
        log.warn('redrive publish failed for an entry', { vendor: record.vendor, eventId: record.eventId, error: result.error });
        continue;
      }
      published++;
      try {
        await store.markPublished(record.key);
      } catch (err) {
        log.warn('redriven, but the record could not be marked published', { vendor: record.vendor, eventId: record.eventId, error: errorName(err) });
      }
    }
  }
  const report = { examined: pending.length, published, failed, deadLettered, skipped };
  if (pending.length > 0) log.info('redrive finished', { ...report });
  return report;
}
