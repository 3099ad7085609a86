/**
 * Vendor secrets, cached per container, one entry per endpoint (keyed by `secretKeyOf`: the vendor name for the
 * `default` endpoint, `<vendor>/<endpoint>` for the others), so that rotation and the re-read work per endpoint.
 * A secret's value is either the secret itself, or, during a rotation, JSON
 * `{"current": "...", "previous": "..."}`: deliveries made with either value verify.
 * When a signature fails, the secret is re-read (at most once per `minRefreshIntervalMs`) so that a
 * rotation takes effect at once.
 */
import type { SecretSource } from './ports';
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
      .catch((err: unknown) => {
        throw new DependencyError('the vendor secret could not be read', { cause: err, context: { vendor } });
      })
      .then((raw) => {
        const entry = { raw, values: valuesOf(raw), fetchedAt: this.clock() };
        this.entries.set(vendor, entry);
        return entry;
      })
      .finally(() => this.inFlight.delete(vendor));
    this.inFlight.set(vendor, p);
    return p;
  }
}
