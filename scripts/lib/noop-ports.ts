/**
 * Minimal no-op ports for measuring the core's own CPU: nothing is stored or copied, every claim
 * succeeds (the benchmark sends a new webhook-id each time), every publish succeeds.
 */
import type { BlobStore, BusEntry, Claim, ClaimResult, DedupRecord, DedupStore, EventPublisher, Log, SecretSource, StoredBlob } from '../../lambda/core/ports';

export class NoopStore implements DedupStore {
  claims = 0;
  /** Events kept for the redrive (the publisher never fails here, so this stays 0). */
  kept = 0;
  async claim(): Promise<ClaimResult> {
    this.claims++;
    return { outcome: 'claimed' };
  }
  async get(): Promise<DedupRecord | undefined> {
    return undefined;
  }
  async keepForRedrive(_claim: Claim): Promise<'kept'> {
    this.kept++;
    return 'kept';
  }
  async eventOf(): Promise<string> {
    return '{}';
  }
  async markPublished(): Promise<void> {}
  async markDead(): Promise<void> {}
  async listPending(): Promise<DedupRecord[]> {
    return [];
  }
  async lease(): Promise<DedupRecord | undefined> {
    return undefined;
  }
}

const OK = [{ ok: true as const }];

export class NoopPublisher implements EventPublisher {
  published = 0;
  last?: BusEntry;
  async publish(entries: readonly BusEntry[]) {
    this.published += entries.length;
    this.last = entries[entries.length - 1];
    return entries.length === 1 ? OK : entries.map(() => ({ ok: true as const }));
  }
}

export class NoopBlobs implements BlobStore {
  puts = 0;
  keys = new Set<string>();
  async put(key: string): Promise<StoredBlob> {
    this.puts++;
    if (this.keys.size < 16) this.keys.add(key.replace(/[0-9a-f-]{36}/, '<eventId>'));
    return { url: `noop://${key}`, key };
  }
  async get(): Promise<Buffer> {
    return Buffer.alloc(0);
  }
}

export class StaticSecret implements SecretSource {
  constructor(private readonly value: string) {}
  async fetch(): Promise<string> {
    return this.value;
  }
}

const nothing = () => undefined;
export const NOOP_LOG: Log = { debug: nothing, info: nothing, warn: nothing, error: nothing };
