/**
 * The redrive: publishes events that were acknowledged (202) but are not on the bus yet: PutEvents failed and
 * the event was written into its record (PENDING). It sees only records that hold an event — a claim still in
 * flight holds none and is settled by its own copy, or taken over by the next copy once its lease ran out. It
 * takes only records whose lease has run out, each lease with a conditional write, so it never races the
 * function that kept the record nor another redrive. After `maxAttempts` leases a record goes to the
 * dead-letter queue.
 */
import type { CallEventDetail } from './event';
import type { DeadLetterQueue, DedupRecord, DedupStore, EventPublisher, Log } from './ports';
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

const BATCH = 10; // PutEvents takes at most 10 entries a call.

async function loadEvent(record: DedupRecord, store: DedupStore): Promise<{ detail: CallEventDetail; json: string }> {
  const json = await store.eventOf(record);
  return { detail: JSON.parse(json) as CallEventDetail, json };
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
  const ready: Array<{ record: DedupRecord; detail: CallEventDetail; json: string }> = [];

  for (const candidate of pending) {
    const record = await store.lease(candidate.key, now, now.getTime() + leaseMs);
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
      ready.push({ record, ...(await loadEvent(record, store)) });
    } catch (err) {
      failed++;
      log.error('stored event could not be read', { ...ctx, error: errorName(err) });
    }
  }

  for (let i = 0; i < ready.length; i += BATCH) {
    const batch = ready.slice(i, i + BATCH);
    let results: ReadonlyArray<{ ok: true } | { ok: false; error: string }>;
    try {
      results = await deps.publisher.publish(batch.map(({ detail, json }) => busEntryOf(detail, now, json)));
    } catch (err) {
      failed += batch.length;
      log.warn('redrive publish failed', { count: batch.length, error: errorName(err) });
      continue;
    }
    for (const [j, { record }] of batch.entries()) {
      const result = results[j];
      if (!result || !result.ok) {
        failed++;
        log.warn('redrive publish failed for an entry', { vendor: record.vendor, eventId: record.eventId, error: result ? result.error : 'missing' });
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
