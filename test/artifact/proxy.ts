/**
 * An IAM-enforcing, recording HTTP proxy in front of moto. Every function's process gets its own access key
 * id (its logical id) and `AWS_ENDPOINT_URL` pointing here; for each request the proxy
 *
 * 1. finds the caller from the SigV4 `Authorization` header's credential and the service from its scope,
 * 2. turns the request into the IAM authorization questions AWS would ask (action, resource ARN and the
 *    condition keys the template uses: `dynamodb:LeadingKeys`, `events:source`, `events:detail-type`),
 * 3. records them, evaluates them against that caller's policies from the template, and answers
 *    `AccessDenied` (in the service's protocol) when any is denied, or forwards the request to moto.
 *
 * It can also inject faults, decided per request before forwarding: an answer of its own (a failing
 * dependency), no answer at all (a hanging one), a closed connection, or a delay (a slow one).
 */
import { IncomingMessage, request as httpRequest, ServerResponse } from 'node:http';
import { AuthzRequest, Evaluation, evaluate, Statement } from './iam';
import { LoopbackServer } from './loopback';

export interface RecordedCall extends AuthzRequest {
  /** The caller: the access key id (the function's logical id). */
  readonly principal: string;
  readonly evaluation: Evaluation;
}

/** Where a request should not reach moto: an answer the proxy gives instead. */
export interface InjectedAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

/**
 * What a fault does with a request instead of forwarding it at once: answer it itself, never answer (the socket
 * stays open until the client gives up: a hung dependency), close the connection without an answer, or
 * forward it after a delay (a slow dependency).
 */
export type FaultAction = InjectedAnswer | { readonly hang: true } | { readonly reset: true } | { readonly delayMs: number };

export type Fault = (call: { principal: string; action: string; body: Buffer }) => FaultAction | undefined;

export interface ProxyOptions {
  readonly target: string;
  readonly region: string;
  readonly accountId: string;
  /** Statements of each principal (access key id). A caller without an entry is denied everything. */
  readonly policies: ReadonlyMap<string, readonly Statement[]>;
  readonly partitionKeys: ReadonlyMap<string, string>;
  readonly secretArns: ReadonlyMap<string, string>;
}

interface Caller {
  readonly principal: string;
  readonly service: string;
}

function callerOf(req: IncomingMessage): Caller | undefined {
  const m = /Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
  return m ? { principal: m[1], service: m[2] } : undefined;
}

const JSON_TARGET_PREFIX: Record<string, string> = {
  DynamoDB_20120810: 'dynamodb',
  secretsmanager: 'secretsmanager',
  AWSEvents: 'events',
  AmazonSQS: 'sqs',
};

/** The IAM questions one request raises (several for a PutEvents with several entries). */
export function authzRequests(
  caller: Caller,
  method: string,
  url: string,
  headers: IncomingMessage['headers'],
  body: Buffer,
  opts: Pick<ProxyOptions, 'region' | 'accountId' | 'partitionKeys' | 'secretArns'>,
): AuthzRequest[] {
  const { region, accountId } = opts;
  const target = headers['x-amz-target'];
  if (caller.service === 's3') {
    const u = new URL(url, 'http://proxy');
    const [, bucket, ...rest] = u.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const resource = key ? `arn:aws:s3:::${decodeURIComponent(bucket)}/${key}` : `arn:aws:s3:::${decodeURIComponent(bucket)}`;
    const verb = method.toUpperCase();
    let action: string;
    if (!key) action = verb === 'GET' ? 's3:ListBucket' : `s3:${verb}Bucket`;
    else if (verb === 'PUT' || verb === 'POST') action = 's3:PutObject';
    else if (verb === 'GET' || verb === 'HEAD') action = 's3:GetObject';
    else if (verb === 'DELETE') action = 's3:DeleteObject';
    else throw new Error(`proxy: S3 ${verb} is not mapped to an action`);
    // A listing is asked with the prefix it lists under (the `s3:prefix` condition key; absent without one).
    if (action === 's3:ListBucket') {
      const prefix = u.searchParams.get('prefix');
      if (prefix !== null) return [{ action, resource, context: { 's3:prefix': [prefix] } }];
    }
    return [{ action, resource }];
  }
  if (typeof target !== 'string' || !target.includes('.')) {
    throw new Error(`proxy: a ${caller.service} request without X-Amz-Target (${method} ${url}) is not mapped`);
  }
  const [prefix, operation] = target.split('.');
  const service = JSON_TARGET_PREFIX[prefix];
  if (!service) throw new Error(`proxy: X-Amz-Target ${target} is not mapped`);
  const action = `${service}:${operation}`;
  const input = JSON.parse(body.toString('utf8') || '{}');

  switch (service) {
    case 'dynamodb': {
      const table: string = String(input.TableName ?? '');
      const name = table.startsWith('arn:') ? table.split(':table/')[1] : table;
      const base = `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
      const resource = input.IndexName ? `${base}/index/${input.IndexName}` : base;
      const pk = opts.partitionKeys.get(name);
      const item = input.Item ?? input.Key;
      const leading = pk && item?.[pk] ? Object.values(item[pk] as Record<string, string>).map(String) : undefined;
      return [{ action, resource, context: leading ? { 'dynamodb:LeadingKeys': leading } : {} }];
    }
    case 'secretsmanager': {
      const id = String(input.SecretId ?? '');
      const resource = id.startsWith('arn:') ? id : opts.secretArns.get(id) ?? `arn:aws:secretsmanager:${region}:${accountId}:secret:${id}`;
      return [{ action, resource }];
    }
    case 'events': {
      if (operation !== 'PutEvents') throw new Error(`proxy: events:${operation} is not mapped`);
      return (input.Entries as Array<Record<string, string>>).map((e) => {
        const bus = e.EventBusName ?? 'default';
        const resource = bus.startsWith('arn:') ? bus : `arn:aws:events:${region}:${accountId}:event-bus/${bus}`;
        return { action, resource, context: { 'events:source': [e.Source], 'events:detail-type': [e.DetailType] } };
      });
    }
    case 'sqs': {
      const queue = String(input.QueueUrl ?? '').split('/').pop();
      return [{ action, resource: `arn:aws:sqs:${region}:${accountId}:${queue}` }];
    }
    default:
      throw new Error(`proxy: ${service} is not mapped`);
  }
}

function accessDenied(caller: Caller, denied: AuthzRequest): InjectedAnswer {
  const message = `User: ${caller.principal} is not authorized to perform: ${denied.action} on resource: ${denied.resource}`;
  if (caller.service === 's3') {
    return {
      status: 403,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${message}</Message></Error>`,
    };
  }
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'AccessDeniedException' },
    body: JSON.stringify({ __type: 'AccessDeniedException', message }),
  };
}

export class EnforcingProxy {
  readonly calls: RecordedCall[] = [];
  /** Requests the proxy could not map to IAM questions (answered 500; the suite asserts there are none). */
  readonly unmapped: string[] = [];
  fault: Fault | undefined;
  /** Requests left unanswered by a `hang` fault. */
  hung = 0;
  private readonly server = new LoopbackServer((req, body, res) => this.handle(req, body, res));

  constructor(private readonly opts: ProxyOptions) {}

  get endpoint(): string {
    return this.server.url;
  }

  start(): Promise<void> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private answer(res: ServerResponse, a: InjectedAnswer): void {
    res.writeHead(a.status, { ...a.headers, 'content-length': Buffer.byteLength(a.body) });
    res.end(a.body);
  }

  private handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const caller = callerOf(req);
    if (!caller) {
      this.unmapped.push(`${req.method} ${req.url}: unsigned`);
      return this.answer(res, { status: 403, body: '{"__type":"MissingAuthenticationTokenException"}' });
    }
    let questions: AuthzRequest[];
    try {
      questions = authzRequests(caller, req.method ?? 'GET', req.url ?? '/', req.headers, body, this.opts);
    } catch (err) {
      this.unmapped.push(`${caller.principal}: ${(err as Error).message}`);
      return this.answer(res, { status: 500, body: JSON.stringify({ __type: 'InternalFailure', message: 'unmapped request' }) });
    }
    const statements = this.opts.policies.get(caller.principal) ?? [];
    let denied: AuthzRequest | undefined;
    for (const q of questions) {
      const evaluation = evaluate(statements, q);
      this.calls.push({ ...q, principal: caller.principal, evaluation });
      if (evaluation.decision !== 'allow') denied ??= q;
    }
    if (denied) return this.answer(res, accessDenied(caller, denied));
    const injected = this.fault?.({ principal: caller.principal, action: questions[0].action, body });
    if (injected && 'hang' in injected) {
      this.hung++;
      return;
    }
    if (injected && 'reset' in injected) {
      req.socket.destroy();
      return;
    }
    if (injected && 'delayMs' in injected) {
      setTimeout(() => this.forward(req, body, res), injected.delayMs);
      return;
    }
    if (injected) return this.answer(res, injected);
    this.forward(req, body, res);
  }

  private forward(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    if (res.destroyed) return;
    const target = new URL(this.opts.target);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => this.answer(res, { status: 502, body: JSON.stringify({ __type: 'BadGateway', message: err.message }) }));
    upstream.end(body);
  }
}
