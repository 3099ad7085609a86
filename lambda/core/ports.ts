/**
 * The ports the core needs. AWS adapters (lambda/adapters/aws) implement them for the cloud, local
 * adapters (lambda/adapters/local) for `npm start`.
 */
import type { CallEventDetail } from './event';

/** Reads a vendor's secret (the raw SecretString). */
export interface SecretSource {
  fetch(vendor: string): Promise<string>;
}

export type RecordStatus = 'PENDING' | 'PUBLISHED' | 'DEAD';

/** The durable record of one accepted vendor event. */
export interface DedupRecord {
  /** `<vendor>#<dedup key>` (hashed when long). */
  readonly key: string;
  readonly eventId: string;
  readonly vendor: string;
  readonly status: RecordStatus;
  /**
   * The event as it will be put on the bus (JSON), while not yet published; absent once published. A store
   * whose items have a size limit keeps a larger event elsewhere and sets `eventBlobKey` instead.
   */
  readonly eventJson?: string;
  /** Payload-store key of the event when the store kept it outside the record (too large for an item). */
  readonly eventBlobKey?: string;
  readonly receivedAt: string;
  /** Epoch seconds after which the record may be deleted (DynamoDB TTL). */
  readonly expiresAt: number;
  /** Epoch milliseconds until which the current holder may publish without the redrive stepping in. */
  readonly leaseUntil: number;
  /** Publish attempts made by the redrive. */
  readonly attempts: number;
}

export type ClaimResult = 'claimed' | 'duplicate';

export interface DedupStore {
  /**
   * Writes the record if no live record has this key (conditional write). Throws DependencyError when
   * the store (or, for an event too large for an item, the payload store: `context.dependency`) fails;
   * answers 'duplicate' when a record already exists and has not expired.
   */
  claim(record: DedupRecord, now: Date): Promise<ClaimResult>;
  /** Marks a record published and drops its stored event. */
  markPublished(key: string): Promise<void>;
  /** PENDING records whose lease ended before `now`, oldest lease first. */
  listPending(now: Date, limit: number): Promise<DedupRecord[]>;
  /**
   * Takes the lease of a pending record whose lease has ended and counts one attempt; undefined when
   * someone else holds it or it is no longer pending.
   */
  lease(key: string, now: Date, leaseUntil: number): Promise<DedupRecord | undefined>;
  /** Marks a record dead (it went to the dead-letter queue). */
  markDead(key: string): Promise<void>;
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
  publish(entries: readonly BusEntry[]): Promise<ReadonlyArray<{ ok: true } | { ok: false; error: string }>>;
}

export interface StoredBlob {
  readonly url: string;
  readonly bucket?: string;
  readonly key: string;
}

/** Where bulky payloads, oversized records and rejected deliveries are kept. */
export interface BlobStore {
  put(key: string, body: Buffer | string, contentType: string): Promise<StoredBlob>;
  get(key: string): Promise<Buffer>;
}

/** Where a record that failed every redrive goes. */
export interface DeadLetterQueue {
  send(record: DedupRecord, reason: string): Promise<void>;
}

/** The subset of a structured logger the core uses. Callers must never pass secrets or payload content. */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}
