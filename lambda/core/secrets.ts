/**
 * Vendor secrets, cached per container, one entry per endpoint (keyed by `secretKeyOf`: the vendor name for the
 * `default` endpoint, `<vendor>/<endpoint>` for the others), so that rotation and the re-read work per endpoint.
 * A secret's value is either the secret itself, or, during a rotation, JSON
 * `{"current": "...", "previous": "..."}`: deliveries made with either value verify.
 * When a signature fails, the secret is re-read (at most once per `minRefreshIntervalMs`) so that a
 * rotation takes effect at once.
 */
import type { CallOptions, SecretSource } from './ports';
import { within } from './deadline';
import { CallhooksError, DependencyError } from './errors';

/**
 * A secret value that is misconfigured: the rotation form (a JSON object with `current` or `previous`) whose
 * `current` is not a non-empty string. Its message never holds any of the value.
 */
export class SecretValueError extends CallhooksError {}

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/**
 * The values a secret holds, current first: the rotation form's `current` and `previous` (an empty `previous` is
 * left out), or the whole text. Throws SecretValueError for the rotation form without a usable `current`
 * (`{"current": ""}`, `null`, a number, only `previous`): its JSON text must never become the key, which anyone
 * could guess.
 */
export function parseSecretValue(raw: string): string[] {
  const text = raw.trim();
  if (text.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(text) as unknown;
    } catch {
      // Not JSON: the whole text is the secret.
    }
    if (obj && typeof obj === 'object' && !Array.isArray(obj) && ('current' in obj || 'previous' in obj)) {
      const { current, previous } = obj as Record<string, unknown>;
      if (!isText(current)) throw new SecretValueError('the secret holds {"current", "previous"} but "current" is not a non-empty string');
      return [current, previous].filter(isText).map((v) => v.trim());
    }
  }
  return text === '' ? [] : [text];
}

/**
 * The string values of a secret for an adapter without a scheme: none when the rotation form is misconfigured, so
 * that nothing verifies with it (a scheme decodes the value as stored itself, `credentials.ts`, and refuses it as
 * an unusable credential).
 */
function valuesOf(raw: string): string[] {
  try {
    return parseSecretValue(raw);
  } catch (err) {
    if (err instanceof SecretValueError) return [];
    throw err;
  }
}

export interface SecretCacheOptions {
  /** How long a read value is used before it is read again. @default 300000 (5 min) */
  readonly maxAgeMs?: number;
  /** Least time between two reads caused by failed signatures. @default 5000 */
  readonly minRefreshIntervalMs?: number;
  /**
   * Stale-if-error (DESIGN.md §Deadlines): while the source fails, a value read before is still used for up to
   * this long after its read, and the source is asked again at most every `retryStaleAfterMs`.
   * @default 86400000 (24 h)
   */
  readonly staleIfErrorMs?: number;
  /** While a stale value is used, the least time between two attempts to read the source. @default 30000 */
  readonly retryStaleAfterMs?: number;
  /** Called each time a stale value is used because the source failed (for the log and the metrics). */
  readonly onStale?: (key: string, ageMs: number) => void;
  readonly clock?: () => number;
}

interface Entry {
  /** The secret value as stored. */
  raw: string;
  values: string[];
  fetchedAt: number;
  /** While the source fails: not before this time is it asked again (epoch ms). */
  retryAt?: number;
}

/**
 * An endpoint's secret, cached. Reads honour `options.signal` (the step's deadline); a read that fails or is
 * abandoned falls back to the value read before, if it is younger than `staleIfErrorMs`.
 */
export class SecretCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Entry>>();
  private readonly maxAgeMs: number;
  private readonly minRefreshIntervalMs: number;
  private readonly staleIfErrorMs: number;
  private readonly retryStaleAfterMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly source: SecretSource,
    private readonly options: SecretCacheOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 300_000;
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 5_000;
    this.staleIfErrorMs = options.staleIfErrorMs ?? 86_400_000;
    this.retryStaleAfterMs = options.retryStaleAfterMs ?? 30_000;
    this.clock = options.clock ?? Date.now;
  }

  /**
   * True when a failed signature may re-read the entry: it was read at least `minRefreshIntervalMs` ago, and the
   * source is not in its stale-if-error pause.
   */
  private refreshable(entry: Entry): boolean {
    const now = this.clock();
    return now - entry.fetchedAt >= this.minRefreshIntervalMs && !(entry.retryAt !== undefined && now < entry.retryAt);
  }

  /** A cached entry young enough to use without reading, or one in its stale-if-error window between retries. */
  private usable(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = this.clock();
    if (now - entry.fetchedAt < this.maxAgeMs) return entry;
    if (entry.retryAt !== undefined && now < entry.retryAt && now - entry.fetchedAt < this.staleIfErrorMs) {
      this.options.onStale?.(key, now - entry.fetchedAt);
      return entry;
    }
    return undefined;
  }

  /** The vendor's secret values (current first). Throws DependencyError when the source fails and nothing usable is cached. */
  async get(vendor: string, options: CallOptions = {}): Promise<string[]> {
    return (this.usable(vendor) ?? (await this.load(vendor, options))).values;
  }

  /** The secret value as stored (decoded by the vendor's scheme). Throws DependencyError when the source fails and nothing usable is cached. */
  async value(key: string, options: CallOptions = {}): Promise<string> {
    return (this.usable(key) ?? (await this.load(key, options))).raw;
  }

  /** As `refreshAfterFailure`, with the value as stored: the new value when it changed, else undefined. */
  async refreshValueAfterFailure(key: string, options: CallOptions = {}): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (entry && !this.refreshable(entry)) return undefined;
    const before = entry?.raw;
    const fresh = await this.load(key, options);
    return fresh.raw === before ? undefined : fresh.raw;
  }

  /**
   * Re-reads the secret after a failed signature, unless it was read less than `minRefreshIntervalMs`
   * ago. Resolves with the new values when they differ from the cached ones, else undefined.
   */
  async refreshAfterFailure(vendor: string, options: CallOptions = {}): Promise<string[] | undefined> {
    const entry = this.entries.get(vendor);
    if (entry && !this.refreshable(entry)) return undefined;
    const before = entry?.values.join('\n');
    const fresh = await this.load(vendor, options);
    return fresh.values.join('\n') === before ? undefined : fresh.values;
  }

  /**
   * Reads the source (one read at a time per key). When it fails or is abandoned, an entry younger than
   * `staleIfErrorMs` is used instead, and the source is not asked again for `retryStaleAfterMs`.
   */
  private load(key: string, options: CallOptions): Promise<Entry> {
    // Read once: a caller may make the signal lazily (and so its timer) when it is asked for.
    const signal = options.signal;
    const pending = this.inFlight.get(key);
    if (pending) return signal ? within(signal, () => pending, 'the secret read').catch((err: unknown) => this.staleOr(key, err)) : pending;
    const read = signal ? within(signal, (o) => this.source.fetch(key, o), 'the secret read') : this.source.fetch(key);
    const p = read
      .then((raw) => {
        const entry = { raw, values: valuesOf(raw), fetchedAt: this.clock() };
        this.entries.set(key, entry);
        return entry;
      })
      .catch((err: unknown) => this.staleOr(key, err))
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  /** After a failed read: the entry read before while it is younger than `staleIfErrorMs`, else DependencyError. */
  private staleOr(key: string, err: unknown): Entry {
    const stale = this.entries.get(key);
    const now = this.clock();
    if (stale && now - stale.fetchedAt < this.staleIfErrorMs) {
      stale.retryAt = now + this.retryStaleAfterMs;
      this.options.onStale?.(key, now - stale.fetchedAt);
      return stale;
    }
    throw new DependencyError('the vendor secret could not be read', { cause: err, context: { vendor: key } });
  }
}
