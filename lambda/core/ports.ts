/**
 * The ports the core needs. AWS adapters (lambda/adapters/aws) implement them for the cloud, local
 * adapters (lambda/adapters/local) for `npm start`.
 */
import type { CallEventDetail } from './event';
import type { CallOptions } from './deadline';

export type { CallOptions };

/** Reads an endpoint's secret (the raw SecretString) by its key: the vendor name for `default`, else `<vendor>/<endpoint>`. */
export interface SecretSource {
  /** `options.signal` abandons the read (DESIGN.md §Deadlines). */
  fetch(key: string, options?: CallOptions): Promise<string>;
}

/**
 * Where a record is in its life (DESIGN.md §Record life and cost):
 * - `IN_FLIGHT`: claimed by the copy of a delivery that is publishing it now; a small record without the event,
 *   under a lease longer than the function's timeout;
 * - `PENDING`: the publish failed, the event is stored in the record (or in the payload store, pointed to) and
 *   the redrive will publish it;
 * - `PUBLISHED`: on the bus; the event is not (or no longer) in the record;
 * - `DEAD`: the redrive gave up and sent it to the dead-letter queue; the event is kept.
 */
export type RecordStatus = 'IN_FLIGHT' | 'PENDING' | 'PUBLISHED' | 'DEAD';

/** The durable record of one vendor event. */
export interface DedupRecord {
  /** `<vendor>#<dedup key>` (hashed when long). */
  readonly key: string;
  readonly eventId: string;
  readonly vendor: string;
  readonly status: RecordStatus;
  /** The event as it will be put on the bus (JSON): only while PENDING or DEAD, and only when it fits the record. */
  readonly eventJson?: string;
  /** Payload-store key of the event when the store kept it outside the record (too large for an item). */
  readonly eventBlobKey?: string;
  readonly receivedAt: string;
  /** Epoch seconds after which the record may be deleted (DynamoDB TTL). */
  readonly expiresAt: number;
  /**
   * Epoch milliseconds until which the current holder (the copy that claimed it, or a redrive) may publish it
   * without anyone stepping in.
   */
  readonly leaseUntil: number;
  /** Publish attempts made by the redrive. */
  readonly attempts: number;
}

/** What a claim writes: the small record of a delivery in flight, without its event. */
export type Claim = Pick<DedupRecord, 'key' | 'eventId' | 'vendor' | 'receivedAt' | 'expiresAt' | 'leaseUntil'>;

export type ClaimResult =
  /** The claim is ours: no live record had the key, or the one there was in flight with its lease run out. */
  | { readonly outcome: 'claimed' }
  /** The outcome is settled (published, stored for the redrive, or dead): a duplicate. */
  | { readonly outcome: 'duplicate'; readonly record: DedupRecord }
  /** Another copy holds the record in flight, under a live lease. */
  | { readonly outcome: 'in-flight'; readonly record: DedupRecord };

/**
 * The dedup store. The calls the webhook path makes take {@link CallOptions}: an adapter passes the signal to its
 * client so that a request past its deadline is really abandoned.
 */
export interface DedupStore {
  /**
   * Writes the claim if no live record has its key, or takes over a record still in flight whose lease ended
   * before `now` (one conditional write). Otherwise answers what is there. Throws DependencyError when the
   * store fails.
   */
  claim(claim: Claim, now: Date, options?: CallOptions): Promise<ClaimResult>;
  /** The record as it is now (a strongly consistent read), or undefined. */
  get(key: string, options?: CallOptions): Promise<DedupRecord | undefined>;
  /** Marks a record published (and drops any stored event). */
  markPublished(key: string, options?: CallOptions): Promise<void>;
  /**
   * After a failed publish: writes the event into the record still in flight, which turns it PENDING for the
   * redrive. A store whose items have a size limit keeps a larger event elsewhere and points to it. Answers
   * `settled` when the record is no longer in flight (another copy took it over and settled it). Throws
   * DependencyError (`context.dependency` names the store or the payload store) when nothing was written.
   */
  keepForRedrive(claim: Claim, eventJson: string, options?: CallOptions): Promise<'kept' | 'settled'>;
  /** The stored event of a PENDING or DEAD record (from the record, or from where the store kept it). */
  eventOf(record: DedupRecord): Promise<string>;
  /** PENDING records whose lease ended before `now`, oldest lease first. */
  listPending(now: Date, limit: number): Promise<DedupRecord[]>;
  /**
   * Takes the lease of a pending record whose lease has ended and counts one attempt; undefined when
   * someone else holds it or it is no longer pending.
   */
  lease(key: string, now: Date, leaseUntil: number): Promise<DedupRecord | undefined>;
  /**
   * Marks a record dead (it went to the dead-letter queue); its event is kept, and the record lives until
   * `expiresAt` (epoch seconds) at least, so that someone can act on it.
   */
  markDead(key: string, expiresAt: number): Promise<void>;
}

/** One entry for the bus. */
export interface BusEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: CallEventDetail;
  /** `detail` already serialized, when the caller has it (saves serializing a large event again). */
  readonly detailJson?: string;
  readonly time: Date;
}

export interface EventPublisher {
  /**
   * Puts the entries on the bus; resolves with one result per entry, in order. Throws when the call
   * itself failed (every entry then counts as failed).
   */
  publish(entries: readonly BusEntry[], options?: CallOptions): Promise<ReadonlyArray<{ ok: true } | { ok: false; error: string }>>;
}

export interface StoredBlob {
  readonly url: string;
  readonly bucket?: string;
  readonly key: string;
}

/** Where bulky payloads, oversized records and rejected deliveries are kept. */
export interface BlobStore {
  put(key: string, body: Buffer | string, contentType: string, options?: CallOptions): Promise<StoredBlob>;
  get(key: string, options?: CallOptions): Promise<Buffer>;
  /** Up to `max` keys under `prefix`, in key order, starting after `after`: what the redrive drains the spool with. */
  list?(prefix: string, max: number, after?: string): Promise<string[]>;
  /** Removes an object (nothing when it is not there). */
  delete?(key: string): Promise<void>;
}

/**
 * A dead-letter message: what republishing the event needs — the record key (the event stays in the record,
 * marked DEAD) and where the event is kept — never the event itself.
 */
export interface DeadLetter {
  readonly reason: string;
  /** The record's key in the dedup table (`pk`). */
  readonly key: string;
  readonly vendor: string;
  readonly eventId: string;
  readonly receivedAt: string;
  readonly attempts: number;
  /** Where the event is: in the record itself, or in the payload bucket under `key` (an event too large for an item). */
  readonly event: { readonly in: 'record' } | { readonly in: 'payload-bucket'; readonly key: string };
  /** The command that publishes dead events again. */
  readonly republish: string;
}

/** A dead-letter message as read back, with the handle that removes it. */
export interface ReceivedDeadLetter {
  readonly letter: DeadLetter;
  readonly handle: string;
}

/** Where an event the redrive gave up on is announced, and read back to republish it. */
export interface DeadLetterQueue {
  send(letter: DeadLetter): Promise<void>;
  /** Up to `max` messages not yet removed (nor handed out by this reader). */
  receive(max: number): Promise<readonly ReceivedDeadLetter[]>;
  /** Removes messages read with {@link receive}. */
  remove(handles: readonly string[]): Promise<void>;
}

/** The subset of a structured logger the core uses. Callers must never pass secrets or payload content. */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}
