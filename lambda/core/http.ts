/**
 * The HTTP edge: turns an API Gateway HTTP API event (payload format 2.0, the only one the construct's API
 * sends, and the one the local mode builds) into a Delivery with the raw body bytes and case-insensitive
 * headers, and a Reply back into a proxy result.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import { DEFAULT_ENDPOINT } from '../config/endpoints';

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

export interface Delivery {
  readonly vendor: string;
  /**
   * The endpoint it arrived at: the `<endpoint>` of `/webhooks/<vendor>/<endpoint>`, `default` for the plain route.
   * @default "default"
   */
  readonly endpoint?: string;
  readonly method: string;
  readonly headers: Headers;
  /** Query parameters; a repeated parameter keeps its last value. */
  readonly query: Readonly<Record<string, string>>;
  /** The raw body bytes, exactly as the vendor sent them. */
  readonly body: Buffer;
  readonly receivedAt: Date;
  /** API Gateway's request id, for logs. */
  readonly requestId?: string;
}

export interface Reply {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, unknown>>;
}

/**
 * The vendor and endpoint of `/webhooks/{vendor}` (endpoint `default`) or `/webhooks/{vendor}/{endpoint}`: the path
 * parameters, else the path's last segments. Routes are literal paths, so API Gateway sends no parameters.
 */
function routeOf(pathParameters: Record<string, string | undefined> | null | undefined, path: string | undefined): { vendor: string; endpoint: string } {
  const fromParam = pathParameters?.vendor;
  if (fromParam) return { vendor: fromParam.toLowerCase(), endpoint: pathParameters?.endpoint || DEFAULT_ENDPOINT };
  const m = /\/webhooks\/([^/?#]+)(?:\/([^/?#]+))?\/?$/.exec(path ?? '');
  if (!m) return { vendor: '', endpoint: DEFAULT_ENDPOINT };
  return { vendor: safeDecode(m[1]).toLowerCase(), endpoint: m[2] === undefined ? DEFAULT_ENDPOINT : safeDecode(m[2]) };
}

/** decodeURIComponent that keeps a malformed escape (`%`, `%E0%A4%A`) as it is instead of throwing. */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A record without a prototype, so that `__proto__` or `constructor` are ordinary keys. */
export function plainRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function decodeBody(body: string | null | undefined, isBase64Encoded: boolean | undefined): Buffer {
  if (body === null || body === undefined) return Buffer.alloc(0);
  return isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

/** Converts an HTTP API (payload 2.0) event into a Delivery. Never throws on a well-formed Lambda event. */
export function fromApiGateway(event: APIGatewayProxyEventV2, receivedAt: Date = new Date()): Delivery {
  const headers = Headers.from(event.headers);
  if (event.cookies?.length) headers.append('cookie', event.cookies.join('; '));
  // queryStringParameters joins repeated parameters with commas, which a value may contain too: read the
  // raw query string instead (a repeated parameter keeps its last value). A literal `+` reads as a space,
  // as API Gateway's own queryStringParameters decode it.
  const query = plainRecord<string>();
  if (event.rawQueryString !== undefined) {
    for (const [k, v] of new URLSearchParams(event.rawQueryString)) query[k] = v;
  } else {
    for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  }
  const route = routeOf(event.pathParameters, event.rawPath);
  return {
    vendor: route.vendor,
    endpoint: route.endpoint,
    method: (event.requestContext?.http?.method ?? 'POST').toUpperCase(),
    headers,
    query,
    body: decodeBody(event.body, event.isBase64Encoded),
    receivedAt,
    requestId: event.requestContext?.requestId,
  };
}

export function toProxyResult(reply: Reply): APIGatewayProxyResult {
  return {
    statusCode: reply.statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...reply.headers },
    body: JSON.stringify(reply.body),
  };
}
