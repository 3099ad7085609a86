/**
 * In-memory ports for core tests: the local in-memory DedupStore with scriptable failures, a recording
 * publisher whose failures can be scripted, a blob map and a dead-letter list.
 */
import type { BlobStore, BusEntry, Claim, ClaimResult, DeadLetter, DeadLetterQueue, DedupRecord, EventPublisher, Log, SecretSource } from '../../lambda/core/ports';
import { MemoryDedupStore } from '../../lambda/adapters/local/memory-store';
import { SecretCache } from '../../lambda/core/secrets';
import type { PipelineDeps } from '../../lambda/core/pipeline';
import type { VendorAdapter } from '../../lambda/core/vendor';

/** The local mode's in-memory store, with failures that a test can script per operation. */
export class MemoryStore extends MemoryDedupStore {
  failNext: Partial<Record<'claim' | 'get' | 'markPublished' | 'keepForRedrive' | 'listPending' | 'lease' | 'markDead', Error>> = {};

  private fail(op: keyof MemoryStore['failNext']) {
    const err = this.failNext[op];
    if (err) {
      delete this.failNext[op];
      throw err;
    }
  }

  async claim(claim: Claim, now: Date): Promise<ClaimResult> {
    this.fail('claim');
    return super.claim(claim, now);
  }

  async get(key: string): Promise<DedupRecord | undefined> {
    this.fail('get');
    return super.get(key);
  }

  async keepForRedrive(claim: Claim, eventJson: string): Promise<'kept' | 'settled'> {
    this.fail('keepForRedrive');
    return super.keepForRedrive(claim, eventJson);
  }

  async markPublished(key: string): Promise<void> {
    this.fail('markPublished');
    return super.markPublished(key);
  }

  async markDead(key: string, expiresAt: number): Promise<void> {
    this.fail('markDead');
    return super.markDead(key, expiresAt);
  }

  async listPending(now: Date, limit: number): Promise<DedupRecord[]> {
    this.fail('listPending');
    return super.listPending(now, limit);
  }

  async lease(key: string, now: Date, leaseUntil: number): Promise<DedupRecord | undefined> {
    this.fail('lease');
    return super.lease(key, now, leaseUntil);
  }
}

/** Bytes AWS counts for a PutEvents entry ("Calculating PutEvents event entry size"): Time 14, Source, DetailType and Detail as UTF-8. */
export function awsEntryBytes(e: BusEntry): number {
  return 14 + Buffer.byteLength(e.source, 'utf8') + Buffer.byteLength(e.detailType, 'utf8') + Buffer.byteLength(e.detailJson ?? JSON.stringify(e.detail), 'utf8');
}

/** What PutEvents refuses as a whole (the call throws ValidationException): more than 10 entries, or more than 256 KB in all. */
export function beyondPutEventsLimits(entries: readonly BusEntry[]): string | undefined {
  const total = entries.reduce((sum, e) => sum + awsEntryBytes(e), 0);
  return entries.length > 10 || total > 256 * 1024 ? 'ValidationException' : undefined;
}

export class MemoryPublisher implements EventPublisher {
  readonly published: BusEntry[] = [];
  /** Every call's entries, in order (also the refused ones). */
  readonly requests: BusEntry[][] = [];
  /** Each call shifts one behaviour: 'throw', 'fail' (FailedEntryCount > 0) or 'ok'. */
  script: Array<'throw' | 'fail' | 'ok'> = [];
  /** When it gives an error (or an error's name), the whole call throws it, as PutEvents does for a request it refuses. */
  refuse?: (entries: readonly BusEntry[]) => string | Error | undefined;

  async publish(entries: readonly BusEntry[]) {
    this.requests.push([...entries]);
    const refused = this.refuse?.(entries);
    if (refused) throw typeof refused === 'string' ? Object.assign(new Error('refused'), { name: refused }) : refused;
    const mode = this.script.shift() ?? 'ok';
    if (mode === 'throw') throw Object.assign(new Error('simulated'), { name: 'InternalException' });
    if (mode === 'fail') return entries.map(() => ({ ok: false as const, error: 'InternalFailure' }));
    this.published.push(...entries);
    return entries.map(() => ({ ok: true as const }));
  }
}

export class MemoryBlobs implements BlobStore {
  readonly blobs = new Map<string, Buffer>();
  failNext?: Error;
  /** While set, every put fails with it (an outage, not one failure). */
  failPuts?: Error;
  async put(key: string, body: Buffer | string) {
    if (this.failNext || this.failPuts) {
      const e = (this.failNext ?? this.failPuts)!;
      this.failNext = undefined;
      throw e;
    }
    this.blobs.set(key, Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));
    return { url: `mem://${key}`, key };
  }
  async get(key: string) {
    const b = this.blobs.get(key);
    if (!b) throw new Error(`no blob ${key}`);
    return b;
  }
  async list(prefix: string, max: number, after?: string) {
    return [...this.blobs.keys()].filter((k) => k.startsWith(prefix) && (after === undefined || k > after)).sort().slice(0, max);
  }
  async delete(key: string) {
    this.blobs.delete(key);
  }
  /** The keys under `prefix`. */
  keys(prefix: string): string[] {
    return [...this.blobs.keys()].filter((k) => k.startsWith(prefix));
  }
}

export class MemoryDeadLetters implements DeadLetterQueue {
  readonly sent: DeadLetter[] = [];
  private readonly removed = new Set<number>();
  private handedOut = 0;
  async send(letter: DeadLetter) {
    this.sent.push(letter);
  }
  /** The messages not removed yet. */
  get waiting(): DeadLetter[] {
    return this.sent.filter((_, i) => !this.removed.has(i));
  }
  async receive(max: number) {
    const out = [];
    for (; this.handedOut < this.sent.length && out.length < max; this.handedOut++) {
      if (!this.removed.has(this.handedOut)) out.push({ letter: this.sent[this.handedOut], handle: String(this.handedOut) });
    }
    return out;
  }
  async remove(handles: readonly string[]) {
    for (const h of handles) this.removed.add(Number(h));
  }
  /** A new reader: every message not removed is handed out again. */
  rewind() {
    this.handedOut = 0;
  }
}

export class MapSecrets implements SecretSource {
  fetches = 0;
  failNext?: Error;
  /** While true, every read fails (with `failNext` the first time, then a generic error): an outage. */
  failAll = false;
  constructor(public values: Record<string, string>) {}
  async fetch(vendor: string) {
    this.fetches++;
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    if (this.failAll) throw Object.assign(new Error('unavailable'), { name: 'InternalServiceError' });
    const v = this.values[vendor];
    if (v === undefined) throw new Error(`no secret for ${vendor}`);
    return v;
  }
}

/** A Log that keeps every line, for asserting what was (not) logged. */
export class MemoryLog implements Log {
  readonly lines: Array<{ level: string; message: string; extra?: Record<string, unknown> }> = [];
  debug(message: string, extra?: Record<string, unknown>) { this.lines.push({ level: 'debug', message, extra }); }
  info(message: string, extra?: Record<string, unknown>) { this.lines.push({ level: 'info', message, extra }); }
  warn(message: string, extra?: Record<string, unknown>) { this.lines.push({ level: 'warn', message, extra }); }
  error(message: string, extra?: Record<string, unknown>) { this.lines.push({ level: 'error', message, extra }); }
}

export interface MemoryWorld {
  deps: PipelineDeps;
  store: MemoryStore;
  publisher: MemoryPublisher;
  blobs: MemoryBlobs;
  secrets: MapSecrets;
  log: MemoryLog;
}

export function memoryWorld(adapters: VendorAdapter[], secrets: Record<string, string>, limits: Partial<PipelineDeps['limits']> = {}): MemoryWorld {
  const store = new MemoryStore();
  const publisher = new MemoryPublisher();
  const blobs = new MemoryBlobs();
  const source = new MapSecrets(secrets);
  const log = new MemoryLog();
  return {
    store,
    publisher,
    blobs,
    secrets: source,
    log,
    deps: {
      adapters: new Map(adapters.map((a) => [a.name, a])),
      secrets: new SecretCache(source, { minRefreshIntervalMs: 0 }),
      store,
      publisher,
      blobs,
      log,
      limits: { maxBodyBytes: 2 * 1024 * 1024, maxEventBytes: 256 * 1024, retentionDays: 30, ...limits },
    },
  };
}
