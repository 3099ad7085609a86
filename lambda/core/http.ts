/**
 * The HTTP edge: turns an API Gateway HTTP API event (payload format 2.0, the only one the construct's API
 * sends, and the one the local mode builds) into a Delivery with the raw body bytes and case-insensitive
 * headers, and a Reply back into a proxy result.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import { DEFAULT_ENDPOINT } from '../contracts/endpoints';

import type { Delivery, Reply, RequestUrl } from '../contracts/request';
import { Headers } from '../contracts/request';

export { Headers } from '../contracts/request';
export type { Delivery, FormFields, Reply, RequestUrl } from '../contracts/request';

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
    url: urlOf(event, headers),
    headers,
    query,
    body: decodeBody(event.body, event.isBase64Encoded),
    receivedAt,
    requestId: event.requestContext?.requestId,
  };
}

/**
 * The URL the request arrived at: `x-forwarded-proto` (API Gateway sets it; `https` without it), the Host header
 * (else the API's domain name), the raw path and the raw query string as sent.
 */
function urlOf(event: APIGatewayProxyEventV2, headers: Headers): RequestUrl {
  const proto = headers.get('x-forwarded-proto')?.split(',')[0].trim().toLowerCase();
  return {
    scheme: proto === 'http' || proto === 'https' ? proto : 'https',
    host: headers.get('host') ?? event.requestContext?.domainName ?? 'localhost',
    rawPath: event.rawPath ?? '/',
    rawQuery: event.rawQueryString ?? '',
  };
}

export function toProxyResult(reply: Reply): APIGatewayProxyResult {
  if (reply.text !== undefined) {
    return { statusCode: reply.statusCode, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...reply.headers }, body: reply.text };
  }
  return {
    statusCode: reply.statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...reply.headers },
    body: JSON.stringify(reply.body),
  };
}
