/**
 * The spool: the last place an authenticated delivery can be kept when the normal path cannot finish (DESIGN.md
 * §Deadlines and degraded operation) — DynamoDB failing or hanging and the bus failing too, or the bus failing
 * and the record then failing to keep the event. The event and its claim go to the payload bucket under
 * `spool/<vendor>/<sha256 of the record key>.json` (one object per vendor event: a copy overwrites the same
 * object), and the redrive (`spooledDeliveries` in redrive.ts) claims, publishes and removes it once the stores are back.
 */
import { createHash } from 'node:crypto';
import type { BlobStore, CallOptions, Claim } from './ports';
import { payloadPrefix } from '../contracts/payloads';

/** What a spool object holds. */
export interface Spooled {
  readonly spool: 1;
  readonly claim: Claim;
  /** The event as it goes on the bus (JSON), possibly still over the bus's size limit (the redrive fits it). */
  readonly event: string;
}

export function spoolKeyOf(claim: Pick<Claim, 'key' | 'vendor'>): string {
  return `${payloadPrefix('spool', claim.vendor)}${createHash('sha256').update(claim.key, 'utf8').digest('hex')}.json`;
}

/** Writes the spool object of a delivery; throws what the payload store throws. */
export async function spoolEvent(claim: Claim, eventJson: string, blobs: BlobStore, options: CallOptions = {}): Promise<string> {
  const key = spoolKeyOf(claim);
  const body: Spooled = { spool: 1, claim, event: eventJson };
  await blobs.put(key, JSON.stringify(body), 'application/json', options);
  return key;
}

/** A spool object as read back; throws TypeError when it is not one. */
export function parseSpooled(raw: Buffer): Spooled {
  const value = JSON.parse(raw.toString('utf8')) as Partial<Spooled> | null;
  const c = value?.claim;
  if (!value || value.spool !== 1 || typeof value.event !== 'string' || !c || typeof c.key !== 'string' || typeof c.vendor !== 'string' || typeof c.eventId !== 'string') {
    throw new TypeError('not a spool object');
  }
  return value as Spooled;
}
