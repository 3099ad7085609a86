/**
 * The HTTP API of the template, locally: listens on 127.0.0.1, matches each request against the template's
 * routes (`ANY /webhooks/quarterzip` …), hands the route's function the API Gateway v2 event that
 * local/gateway.ts builds (lower-cased headers joined with commas, base64 for non-text bodies), and maps the
 * function's answer back as API Gateway does: `statusCode`, headers, body (decoded when `isBase64Encoded`);
 * a function error is a 500 `{"message":"Internal Server Error"}`, an unknown route a 404 `{"message":"Not Found"}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toGatewayEvent } from '../../local/gateway';
import type { Route } from './assembly';
import type { FunctionProcess } from './functions';
import { LoopbackServer } from './loopback';

export class HttpEdge {
  private readonly server = new LoopbackServer((req, body, res) => {
    this.handle(req, body, res).catch((err: Error) => send(res, 500, { message: err.message }));
  });

  constructor(
    private readonly routes: readonly Route[],
    private readonly functions: ReadonlyMap<string, FunctionProcess>,
  ) {}

  get url(): string {
    return this.server.url;
  }

  start(): Promise<void> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const event = toGatewayEvent(req, body);
    const method = event.requestContext.http.method;
    const route = this.routes.find((r) => r.path === event.rawPath && (r.method === 'ANY' || r.method === method));
    if (!route) return send(res, 404, { message: 'Not Found' });
    if (route.payloadFormatVersion !== '2.0') throw new Error(`edge: payload format ${route.payloadFormatVersion} is not served`);
    const fn = this.functions.get(route.functionLogicalId);
    if (!fn) throw new Error(`edge: no process for ${route.functionLogicalId}`);
    const routed = { ...event, routeKey: route.routeKey, requestContext: { ...event.requestContext, routeKey: route.routeKey } };
    const out = await fn.invoke<Record<string, any> | string>(routed);
    if (out.error) return send(res, 500, { message: 'Internal Server Error' });
    const r = out.result;
    if (r === null || typeof r !== 'object' || r.statusCode === undefined) {
      // Payload 2.0: an answer without statusCode is a 200 with the answer as JSON.
      return send(res, 200, r);
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(r.headers ?? {}) };
    const raw = r.body === undefined ? Buffer.alloc(0) : r.isBase64Encoded ? Buffer.from(String(r.body), 'base64') : Buffer.from(String(r.body), 'utf8');
    res.writeHead(Number(r.statusCode), { ...headers, 'content-length': raw.length });
    res.end(raw);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
