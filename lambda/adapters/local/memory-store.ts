/**
 * A DedupStore in process memory with DynamoDB's conditional semantics (a claim wins only when no live record
 * has the key, or takes over one in flight whose lease ran out; the event is written only for the redrive;
 * leases only on PENDING records whose lease ended). For `startLocal({ store: 'memory' })` (the load script
 * measures callhooks rather than the DynamoDB emulator with it) and for core tests. Forgets everything when
 * the process ends: `npm start` uses dynalite on disk. Records have no size limit here.
 */
import type { Claim, ClaimResult, DedupRecord, DedupStore } from '../../core/ports';

export class MemoryDedupStore implements DedupStore {
  readonly records = new Map<string, DedupRecord>();

  async claim(claim: Claim, now: Date): Promise<ClaimResult> {
    const existing = this.records.get(claim.key);
    const live = existing !== undefined && existing.expiresAt >= Math.floor(now.getTime() / 1000);
    if (live && existing.status !== 'IN_FLIGHT') return { outcome: 'duplicate', record: existing };
    if (live && existing.leaseUntil >= now.getTime()) return { outcome: 'in-flight', record: existing };
    this.records.set(claim.key, { ...claim, status: 'IN_FLIGHT', attempts: 0 });
    return { outcome: 'claimed' };
  }

  async get(key: string): Promise<DedupRecord | undefined> {
    return this.records.get(key);
  }

  async markPublished(key: string): Promise<void> {
    const r = this.records.get(key);
    if (r) this.records.set(key, { ...r, status: 'PUBLISHED', eventJson: undefined, eventBlobKey: undefined });
  }

  async keepForRedrive(claim: Claim, eventJson: string): Promise<'kept' | 'settled'> {
    const r = this.records.get(claim.key);
    if (!r || r.status !== 'IN_FLIGHT') return 'settled';
    this.records.set(claim.key, { ...r, status: 'PENDING', eventJson });
    return 'kept';
  }

  async eventOf(record: DedupRecord): Promise<string> {
    if (record.eventJson === undefined) throw new Error('the record holds no event');
    return record.eventJson;
  }

  async markDead(key: string, expiresAt: number): Promise<void> {
    const r = this.records.get(key);
    if (r) this.records.set(key, { ...r, status: 'DEAD', expiresAt });
  }

  async listPending(now: Date, limit: number): Promise<DedupRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.status === 'PENDING' && r.leaseUntil < now.getTime())
      .sort((a, b) => a.leaseUntil - b.leaseUntil)
      .slice(0, limit);
  }

  async lease(key: string, now: Date, leaseUntil: number): Promise<DedupRecord | undefined> {
    const r = this.records.get(key);
    if (!r || r.status !== 'PENDING' || r.leaseUntil >= now.getTime()) return undefined;
    const next = { ...r, leaseUntil, attempts: r.attempts + 1 };
    this.records.set(key, next);
    return next;
  }
}
