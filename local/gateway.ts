/**
 * Turns a Node HTTP request into the event an API Gateway HTTP API (payload 2.0) hands to Lambda, with
 * the same quirks: lower-cased header names, repeated headers joined with commas, repeated query
 * parameters joined with commas, and the body base64-encoded unless it is text, JSON or XML.
 */
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { plainRecord, safeDecode } from '../lambda/core/http';

const TEXT_TYPES = /^(text\/[^;]+|application\/([a-z0-9.+-]*\+)?(json|xml|javascript))\s*(;|$)/i;

export function isTextContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXT_TYPES.test(contentType.trim());
}

export function toGatewayEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers = plainRecord<string>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const value = req.rawHeaders[i + 1];
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  // API Gateway adds it; the URL-signing schemes read the scheme the vendor called from it.
  headers['x-forwarded-proto'] ??= 'http';
  const query = plainRecord<string>();
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const text = isTextContentType(headers['content-type']);
  const [, vendor, endpoint] = /^\/webhooks\/([^/]+)(?:\/([^/]+))?\/?$/.exec(url.pathname) ?? [];
  const route = vendor === undefined ? '' : endpoint === undefined ? vendor : `${vendor}/${endpoint}`;
  const method = (req.method ?? 'GET').toUpperCase();
  return {
    version: '2.0',
    routeKey: `ANY /webhooks/${route}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: vendor ? { vendor: safeDecode(vendor), ...(endpoint === undefined ? {} : { endpoint: safeDecode(endpoint) }) } : undefined,
    body: body.length === 0 ? undefined : text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !text,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: 'local',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: `ANY /webhooks/${route}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  } as APIGatewayProxyEventV2;
}
