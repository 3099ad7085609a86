/**
 * The request as a vendor made it, and the answer it gets: plain shared contracts with no dependency, read by
 * every layer above (core, schemes, vendors, handlers, local mode, command line).
 */

/** Header lookup by any case. Repeated headers are joined with ", " (as HTTP APIs do). */
export class Headers {
  private readonly map = new Map<string, string>();

  constructor(entries: Iterable<[string, string | string[] | undefined]> = []) {
    for (const [name, value] of entries) {
      if (value === undefined) continue;
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) this.append(name, String(v));
    }
  }

  static from(record: Record<string, string | string[] | undefined> | null | undefined): Headers {
    return new Headers(Object.entries(record ?? {}));
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const prev = this.map.get(key);
    this.map.set(key, prev === undefined ? value : `${prev}, ${value}`);
  }

  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase());
  }

  /** Names and values, with names lower-cased. */
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

/**
 * The URL as the vendor called it, in the pieces a URL-signing scheme needs exactly as they were sent: nothing
 * decoded, nothing re-encoded, the query in its original order.
 */
export interface RequestUrl {
  /** `https` (API Gateway serves nothing else), `http` in the local mode. */
  readonly scheme: string;
  /** The Host the vendor called, with a port when it named one (`hooks.example.com`, `127.0.0.1:3000`). */
  readonly host: string;
  /** The path as sent, percent-escapes kept (`/webhooks/twilio`). */
  readonly rawPath: string;
  /** The query after `?` as sent, `""` when there is none. */
  readonly rawQuery: string;
}

/** Form fields in the order they came, a repeated name once per value. */
export type FormFields = ReadonlyArray<readonly [name: string, value: string]>;

export interface Delivery {
  readonly vendor: string;
  /**
   * The endpoint it arrived at: the `<endpoint>` of `/webhooks/<vendor>/<endpoint>`, `default` for the plain route.
   * @default "default"
   */
  readonly endpoint?: string;
  readonly method: string;
  /**
   * The URL the request arrived at.
   * @default - `https://localhost` + the route's path, no query (a delivery built by hand in a test)
   */
  readonly url?: RequestUrl;
  readonly headers: Headers;
  /** Query parameters; a repeated parameter keeps its last value. */
  readonly query: Readonly<Record<string, string>>;
  /** The raw body bytes, exactly as the vendor sent them. */
  readonly body: Buffer;
  readonly receivedAt: Date;
  /**
   * API Gateway's request id (the local mode's gateway makes one too): for logs, and QCall's dedup key without
   * `dedupFields` (every delivery its own event), so whatever keeps a delivery to handle it later must keep it.
   */
  readonly requestId?: string;
}

/**
 * The answer to a delivery. `body` is sent as JSON, unless `text` is set: then `text` is sent as it is (with
 * the `content-type` of `headers`, `text/plain` by default) and `body` only describes the answer to the logs
 * and metrics.
 */
export interface Reply {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, unknown>>;
  readonly text?: string;
}
