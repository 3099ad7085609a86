/**
 * A DedupStore in process memory with DynamoDB's conditional semantics (claim only when no live record has
 * the key; leases only on PENDING records whose lease ended). For `startLocal({ store: 'memory' })` (the load
 * script measures callhooks rather than the DynamoDB emulator with it) and for core tests. Forgets
 * everything when the process ends: `npm start` uses dynalite on disk.
 */
import type { ClaimResult, DedupRecord, DedupStore } from '../../core/ports';

export class MemoryDedupStore implements DedupStore {
  readonly records = new Map<string, DedupRecord>();

  async claim(record: DedupRecord, now: Date): Promise<ClaimResult> {
    const existing = this.records.get(record.key);
    if (existing && existing.expiresAt >= Math.floor(now.getTime() / 1000)) return 'duplicate';
    this.records.set(record.key, { ...record });
    return 'claimed';
  }

  async markPublished(key: string): Promise<void> {
    const r = this.records.get(key);
    if (r) this.records.set(key, { ...r, status: 'PUBLISHED', eventJson: undefined });
  }

  async markDead(key: string): Promise<void> {
    const r = this.records.get(key);
    if (r) this.records.set(key, { ...r, status: 'DEAD' });
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
