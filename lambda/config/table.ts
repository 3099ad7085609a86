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

/** Publish attempts the redrive makes for one record before it goes to the dead-letter queue. */
export const DEFAULT_REDRIVE_MAX_ATTEMPTS = 10;
