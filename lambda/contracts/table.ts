/**
 * The dedup table's shape and the record-life constants, defined once for the construct (which creates the
 * table), the DynamoDB adapter (which reads and writes it) and the local mode (which creates it in dynalite or
 * an external DynamoDB). Pure data: importing it pulls no SDK into a bundle.
 */
export const TABLE = {
  /** Partition key: `<vendor>#<dedup key>` (hashed when long). */
  partitionKey: 'pk',
  /** Epoch seconds after which DynamoDB's TTL may delete the record. */
  ttlAttribute: 'expiresAt',
  /** The sparse index of records not on the bus yet, read by the redrive. */
  pendingIndex: {
    name: 'pending',
    /** Set (to {@link PENDING_SHARD}) only while a record waits for the redrive. */
    partitionKey: 'pendingShard',
    /** Epoch milliseconds until which the current holder may publish. */
    sortKey: 'leaseUntil',
  },
} as const;

/**
 * Every record key of a vendor starts with this (`<vendor>#<dedup key>`): the construct lets each vendor's
 * function write only the keys under its own prefix (`dynamodb:LeadingKeys`).
 */
export function recordKeyPrefix(vendor: string): string {
  return `${vendor}#`;
}

/** The one value of the pending index's partition key. */
export const PENDING_SHARD = 'P';

/** How long the holder of a record (the webhook function that claimed it, or a redrive) has to publish it. */
export const LEASE_MS = 60_000;

/**
 * How old (since it was received) an event that still cannot be published must be before the redrive sends it
 * to the dead-letter queue: a day, so that an outage of the bus of hours kills nothing.
 */
export const DEFAULT_REDRIVE_MAX_AGE_MS = 24 * 3_600_000;

/** The longest wait between two redrive attempts on one record (the backoff doubles from the lease up to this). */
export const MAX_BACKOFF_MS = 15 * 60_000;

/**
 * A DEAD record lives at least this long (its TTL is pushed out when it dies): as long as the dead-letter queue
 * keeps its message, 14 days, so the event is there when someone acts on the message.
 */
export const DEAD_RETENTION_MS = 14 * 86_400_000;
