/**
 * Vendor secrets, cached per container, one entry per endpoint (keyed by `secretKeyOf`: the vendor name for the
 * `default` endpoint, `<vendor>/<endpoint>` for the others), so that rotation and the re-read work per endpoint.
 * A secret's value is either the secret itself, or, during a rotation, JSON
 * `{"current": "...", "previous": "..."}`: deliveries made with either value verify.
 * When a signature fails, the secret is re-read (at most once per `minRefreshIntervalMs`) so that a
 * rotation takes effect at once.
 */
import type { SecretSource } from './ports';
import { DependencyError } from './errors';

export function parseSecretValue(raw: string): string[] {
  const text = raw.trim();
  if (text.startsWith('{')) {
    try {
      const obj = JSON.parse(text) as unknown;
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
        const { current, previous } = obj as Record<string, unknown>;
        const values = [current, previous].filter((v): v is string => typeof v === 'string' && v.trim() !== '');
        if (values.length > 0) return values.map((v) => v.trim());
      }
    } catch {
      // Not JSON: the whole text is the secret.
    }
  }
  return text === '' ? [] : [text];
}

export interface SecretCacheOptions {
  /** How long a read value is used before it is read again. @default 300000 (5 min) */
  readonly maxAgeMs?: number;
  /** Least time between two reads caused by failed signatures. @default 5000 */
  readonly minRefreshIntervalMs?: number;
  readonly clock?: () => number;
}

interface Entry {
  /** The secret value as stored. */
  raw: string;
  values: string[];
  fetchedAt: number;
}

export class SecretCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Entry>>();
  private readonly maxAgeMs: number;
  private readonly minRefreshIntervalMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly source: SecretSource,
    options: SecretCacheOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 300_000;
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 5_000;
    this.clock = options.clock ?? Date.now;
  }

  /** The vendor's secret values (current first). Throws DependencyError when the source fails. */
  async get(vendor: string): Promise<string[]> {
    const entry = this.entries.get(vendor);
    if (entry && this.clock() - entry.fetchedAt < this.maxAgeMs) return entry.values;
    return (await this.load(vendor)).values;
  }

  /** The secret value as stored (decoded by the vendor's scheme). Throws DependencyError when the source fails. */
  async value(key: string): Promise<string> {
    const entry = this.entries.get(key);
    if (entry && this.clock() - entry.fetchedAt < this.maxAgeMs) return entry.raw;
    return (await this.load(key)).raw;
  }

  /** As `refreshAfterFailure`, with the value as stored: the new value when it changed, else undefined. */
  async refreshValueAfterFailure(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (entry && this.clock() - entry.fetchedAt < this.minRefreshIntervalMs) return undefined;
    const before = entry?.raw;
    const fresh = await this.load(key);
    return fresh.raw === before ? undefined : fresh.raw;
  }

  /**
   * Re-reads the secret after a failed signature, unless it was read less than `minRefreshIntervalMs`
   * ago. Resolves with the new values when they differ from the cached ones, else undefined.
   */
  async refreshAfterFailure(vendor: string): Promise<string[] | undefined> {
    const entry = this.entries.get(vendor);
    if (entry && this.clock() - entry.fetchedAt < this.minRefreshIntervalMs) return undefined;
    const before = entry?.values.join('\n');
    const fresh = await this.load(vendor);
    return fresh.values.join('\n') === before ? undefined : fresh.values;
  }

  private load(vendor: string): Promise<Entry> {
    const pending = this.inFlight.get(vendor);
    if (pending) return pending;
    const p = this.source
      .fetch(vendor)
      .then((raw) => {
        const entry = { raw, values: parseSecretValue(raw), fetchedAt: this.clock() };
        this.entries.set(vendor, entry);
        return entry;
      })
      .catch((err: unknown) => {
        throw new DependencyError('the vendor secret could not be read', { cause: err, context: { vendor } });
      })
      .finally(() => this.inFlight.delete(vendor));
    this.inFlight.set(vendor, p);
    return p;
  }
}
