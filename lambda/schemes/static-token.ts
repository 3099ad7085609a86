/**
 * A static token, compared in constant time (no cryptography: whoever holds it could send any request, so a
 * verified delivery vouches for all of it): in a header (QCall `Authorization: Bearer …`, Vapi `X-Vapi-Secret`,
 * Deepgram `dg-token`), in a JSON body field (Aircall's `token`), or as HTTP Basic auth (Bandwidth, Twilio's
 * optional Basic auth), whose first request without credentials gets the `WWW-Authenticate` challenge.
 */
import { randomBytes } from 'node:crypto';
import type { Credential, HandshakeReply, Scheme, SchemeRequest, SignInput, Verdict, Vouches } from '../contracts/scheme';
import { safeEqual } from '../core/crypto';
import { refuse, verdictOfSecrets } from './common';

export interface StaticTokenOptions {
  /** Where the token is. @default "header" */
  readonly in?: 'header' | 'body' | 'basic';
  /** With `header`: the header holding it. @default "authorization" */
  readonly header?: string;
  /** With `header`: the text before the token, compared exactly (e.g. `"Bearer "`). @default "" */
  readonly prefix?: string;
  /** With `body`: the JSON pointer of the body field holding it (`/token`). */
  readonly field?: string;
  /** With `basic`: the realm of the `WWW-Authenticate` challenge. @default "callhooks" */
  readonly realm?: string;
  /**
   * A header whose value is echoed back in the same header, answered 200 without storing anything (RingCentral's
   * `Validation-Token` when a subscription is created).
   */
  readonly echoHeader?: string;
}

const VOUCHES: Vouches = { body: true, headers: 'all', url: true };

/** The value at a JSON pointer (RFC 6901) of a parsed body; undefined when absent. */
export function pointerValue(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  if (!pointer.startsWith('/')) return undefined;
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function staticTokenScheme(options: StaticTokenOptions = {}): Scheme {
  const where = options.in ?? 'header';
  const header = options.header ?? 'authorization';
  const prefix = options.prefix ?? '';
  if (where === 'body' && !options.field?.startsWith('/')) throw new Error('a token in the body needs field, a JSON pointer ("/token")');

  function presented(request: SchemeRequest): string | undefined | null {
    if (where === 'header') return request.headers.get(header)?.trim();
    if (where === 'basic') {
      const value = request.headers.get('authorization')?.trim();
      if (value === undefined) return undefined;
      const m = /^basic\s+([A-Za-z0-9+/=]+)$/i.exec(value);
      return m ? Buffer.from(m[1], 'base64').toString('utf8') : null;
    }
    let body: unknown;
    try {
      body = JSON.parse(request.body.toString('utf8'));
    } catch {
      return undefined;
    }
    const v = pointerValue(body, options.field!);
    return typeof v === 'string' ? v : v === undefined ? undefined : null;
  }

  const expectedOf = (secret: string) => (where === 'header' ? `${prefix}${secret}`.trim() : secret);

  return {
    family: 'static-token',
    credential: { kind: 'secret' },
    vouches: VOUCHES,
    verify(request: SchemeRequest, credentials: readonly Credential[]): Verdict {
      const token = presented(request);
      if (token === undefined || token === '') return refuse('missing-header');
      if (token === null) return refuse('malformed-signature');
      return verdictOfSecrets(credentials, (secret) => safeEqual(token, expectedOf(secret)), VOUCHES);
    },
    ...(where === 'basic' || options.echoHeader
      ? {
          handshake(request: SchemeRequest): HandshakeReply | undefined {
            const echo = options.echoHeader ? request.headers.get(options.echoHeader) : undefined;
            if (echo !== undefined && echo !== '') return { statusCode: 200, headers: { [options.echoHeader!]: echo }, json: {} };
            if (where === 'basic' && request.headers.get('authorization') === undefined) {
              const realm = (options.realm ?? 'callhooks').replace(/["\\]/g, '');
              return {
                statusCode: 401,
                headers: { 'www-authenticate': `Basic realm="${realm}", charset="UTF-8"` },
                json: { error: 'unauthorized', message: 'the delivery could not be authenticated' },
              };
            }
            return undefined;
          },
        }
      : {}),
    sign(input: SignInput, signingKey: string): { headers: Record<string, string>; body?: Buffer } {
      if (where === 'header') return { headers: { [header]: `${prefix}${signingKey}` } };
      if (where === 'basic') return { headers: { authorization: `Basic ${Buffer.from(signingKey, 'utf8').toString('base64')}` } };
      // The token goes into the body's field (a top-level one: the body must be a JSON object).
      const body = JSON.parse(input.body.toString('utf8')) as Record<string, unknown>;
      const path = options.field!.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
      let node = body;
      for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
      node[path[path.length - 1]] = signingKey;
      return { headers: {}, body: Buffer.from(JSON.stringify(body)) };
    },
    generateCredential() {
      const secret = where === 'basic' ? `callhooks:${randomBytes(16).toString('hex')}` : randomBytes(32).toString('hex');
      return { secret, signingKey: secret };
    },
  };
}
