/**
 * HMAC over a template: the body alone (`{body}`: KoeIQ, Atoms, Bland), or a template of the signed timestamp,
 * a delivery id, header values, the method or the URL around it (`{timestamp}.{body}`: Converc, ElevenLabs;
 * `v0:{timestamp}:{body}`: Zoom; `{body}{timestamp}`: Retell, Ultravox). SHA-1, SHA-256 or SHA-512; hex or
 * base64; an optional prefix (`sha256=`, `v0=`); one signature per header, a comma- or space-separated list
 * (rotation), or `key=value` pairs holding the timestamp and the signatures (`t=…,v1=…`).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Credential, HandshakeReply, Scheme, SchemeRequest, SignInput, Verdict, Vouches } from '../contracts/scheme';
import {
  Algorithm, anyEqual, checkFreshness, DEFAULT_SIGN_URL, defaultId, DIGEST_BYTES, decodeDigest, DigestEncoding, formatTimestamp,
  parseTimestamp, refuse, TimestampUnit, verdictOfSecrets,
} from './common';
import { urlText } from './request';

export interface HmacOptions {
  /** The header holding the signature(s). */
  readonly header: string;
  /** @default "sha256" */
  readonly algorithm?: Algorithm;
  /** How the digest is written. @default "hex" */
  readonly encoding?: DigestEncoding;
  /**
   * What is signed: `{body}` (the raw bytes), `{timestamp}` (as sent), `{id}` (the `idHeader`'s value),
   * `{header:NAME}`, `{method}`, `{url}` (as called, the query included) and literal text between them.
   * @default "{body}"
   */
  readonly template?: string;
  /**
   * How the header holds the signatures: `one` (the whole value), `comma-list` / `space-list` (several, any of
   * which may match: rotation), `pairs` (`k=v` pairs separated by commas, see `signatureKey`, `timestampKey`).
   * @default "one"
   */
  readonly signatures?: 'one' | 'comma-list' | 'space-list' | 'pairs';
  /** Text before each digest (`sha256=`, `v0=`), accepted with or without. @default "" */
  readonly prefix?: string;
  /** With `pairs`: the key of the signatures (every pair with it is tried). */
  readonly signatureKey?: string;
  /** With `pairs`: the key holding the signed timestamp. */
  readonly timestampKey?: string;
  /** The header holding the signed timestamp (when not a pair of the signature header). */
  readonly timestampHeader?: string;
  /** How the timestamp is written. @default "s" */
  readonly timestampUnit?: TimestampUnit;
  /** The header holding the delivery id of `{id}`. */
  readonly idHeader?: string;
  /** Accepted clock skew of a signed timestamp, in seconds. @default 300 */
  readonly toleranceSeconds?: number;
  /** Accepted skew into the future, when it differs. @default - toleranceSeconds */
  readonly futureToleranceSeconds?: number;
  /** How the secret's text becomes the key: its UTF-8 bytes, base64, or `whsec_` + base64. @default "utf8" */
  readonly secretEncoding?: 'utf8' | 'base64' | 'whsec';
  /** A handshake to answer: Zoom's signed `endpoint.url_validation`. */
  readonly handshake?: 'zoom-url-validation';
}

type Part =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'body' | 'timestamp' | 'id' | 'method' | 'url' }
  | { readonly kind: 'header'; readonly name: string };

const PLACEHOLDER_RE = /\{([^{}]*)\}/g;

/** The parts of a template; throws on a placeholder it does not know (the configuration refuses it earlier). */
export function parseTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER_RE)) {
    if (m.index > last) parts.push({ kind: 'text', text: template.slice(last, m.index) });
    const name = m[1];
    if (name === 'body' || name === 'timestamp' || name === 'id' || name === 'method' || name === 'url') parts.push({ kind: name });
    else if (/^header:[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) parts.push({ kind: 'header', name: name.slice('header:'.length).toLowerCase() });
    else throw new Error(`the template has an unknown placeholder {${name}} (known: {body}, {timestamp}, {id}, {method}, {url}, {header:NAME})`);
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
  return parts;
}

/** The HMAC key of a secret's text. Empty when the text decodes to nothing (never a valid key). */
export function hmacKey(secret: string, encoding: HmacOptions['secretEncoding'] = 'utf8'): Buffer {
  if (encoding === 'utf8') return Buffer.from(secret, 'utf8');
  const b64 = encoding === 'whsec' && secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  return Buffer.from(b64, 'base64');
}

/** `k=v` pairs separated by commas, each trimmed (a digest in hex or base64 never holds a comma). */
export function parsePairs(header: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    pairs.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return pairs;
}

interface Values {
  readonly timestamp?: string;
  readonly id?: string;
  readonly method: string;
  readonly url: string;
  readonly header: (name: string) => string | undefined;
}

function mac(algorithm: Algorithm, key: Buffer, parts: readonly Part[], body: Buffer, v: Values): Buffer {
  const h = createHmac(algorithm, key);
  for (const p of parts) {
    switch (p.kind) {
      case 'text': h.update(p.text); break;
      case 'body': h.update(body); break;
      case 'timestamp': h.update(v.timestamp ?? ''); break;
      case 'id': h.update(v.id ?? ''); break;
      case 'method': h.update(v.method); break;
      case 'url': h.update(v.url); break;
      case 'header': h.update(v.header(p.name) ?? ''); break;
    }
  }
  return h.digest();
}

export function hmacScheme(options: HmacOptions): Scheme {
  const algorithm = options.algorithm ?? 'sha256';
  const encoding = options.encoding ?? 'hex';
  const format = options.signatures ?? 'one';
  const prefix = options.prefix ?? '';
  const unit = options.timestampUnit ?? 's';
  const tolerance = options.toleranceSeconds ?? 300;
  const parts = parseTemplate(options.template ?? '{body}');
  const has = (kind: Part['kind']) => parts.some((p) => p.kind === kind);
  const signsTimestamp = has('timestamp');
  const signsId = has('id');
  if (format === 'pairs' && !options.signatureKey) throw new Error('signatures "pairs" needs signatureKey');
  if (signsTimestamp && !options.timestampHeader && !(format === 'pairs' && options.timestampKey)) {
    throw new Error('the template signs {timestamp}: set timestampHeader (or timestampKey with signatures "pairs")');
  }
  if (signsId && !options.idHeader) throw new Error('the template signs {id}: set idHeader');
  const headerParts = parts.flatMap((p) => (p.kind === 'header' ? [p.name] : []));
  const vouches: Vouches = {
    body: has('body'),
    headers: [
      ...(signsTimestamp && options.timestampHeader ? [options.timestampHeader.toLowerCase()] : []),
      ...(signsId && options.idHeader ? [options.idHeader.toLowerCase()] : []),
      ...headerParts,
    ],
    url: has('url'),
  };
  const bytes = DIGEST_BYTES[algorithm];

  function candidatesOf(header: string): { digests: string[]; timestamp?: string } {
    let raw: string[];
    let timestamp: string | undefined;
    if (format === 'pairs') {
      const pairs = parsePairs(header);
      raw = pairs.filter(([k]) => k === options.signatureKey).map(([, v]) => v);
      if (options.timestampKey) timestamp = pairs.find(([k]) => k === options.timestampKey)?.[1];
    } else if (format === 'comma-list') raw = header.split(',').map((s) => s.trim());
    else if (format === 'space-list') raw = header.split(/\s+/);
    else raw = [header.trim()];
    return { digests: raw.map((d) => (prefix && d.startsWith(prefix) ? d.slice(prefix.length) : d)), timestamp };
  }

  function verify(request: SchemeRequest, credentials: readonly Credential[], now: Date): Verdict {
    const header = request.headers.get(options.header);
    if (header === undefined || header.trim() === '') return refuse('missing-header');
    const found = candidatesOf(header);
    let timestamp = found.timestamp;
    if (options.timestampHeader) timestamp = request.headers.get(options.timestampHeader)?.trim();
    let signedAt: Date | undefined;
    if (signsTimestamp) {
      if (timestamp === undefined || timestamp === '') return refuse('missing-header');
      const ms = parseTimestamp(timestamp, unit);
      if (ms === undefined) return refuse('malformed-signature');
      const stale = checkFreshness(ms, now, tolerance, options.futureToleranceSeconds);
      if (stale) return refuse(stale);
      signedAt = new Date(ms);
    }
    const id = options.idHeader ? request.headers.get(options.idHeader) : undefined;
    if (signsId && (id === undefined || id === '')) return refuse('missing-header');
    for (const name of headerParts) if (request.headers.get(name) === undefined) return refuse('missing-header');
    const digests = found.digests.map((d) => decodeDigest(d, encoding, bytes)).filter((d): d is Buffer => d !== undefined);
    if (digests.length === 0) return refuse('malformed-signature');
    const values: Values = { timestamp, id, method: request.method, url: urlText(request.url), header: (n) => request.headers.get(n) };
    const matches = (secret: string) => {
      const key = hmacKey(secret, options.secretEncoding);
      return key.length > 0 && anyEqual(digests, mac(algorithm, key, parts, request.body, values));
    };
    return verdictOfSecrets(credentials, matches, vouches, { signedAt });
  }

  function handshake(request: SchemeRequest, credentials: readonly Credential[], now: Date): HandshakeReply | undefined {
    if (options.handshake !== 'zoom-url-validation') return undefined;
    let plainToken: unknown;
    try {
      const body = JSON.parse(request.body.toString('utf8')) as { event?: unknown; payload?: { plainToken?: unknown } };
      if (body?.event !== 'endpoint.url_validation') return undefined;
      plainToken = body.payload?.plainToken;
    } catch {
      return undefined;
    }
    if (typeof plainToken !== 'string' || plainToken === '') return undefined;
    // Zoom signs its challenge like any event: an unsigned one goes on to verify, and is refused there.
    const verdict = verify(request, credentials, now);
    if (!verdict.ok) return undefined;
    const secret = (credentials[verdict.credential] as { secret: string }).secret;
    const encryptedToken = createHmac('sha256', hmacKey(secret, options.secretEncoding)).update(plainToken).digest('hex');
    return { statusCode: 200, json: { plainToken, encryptedToken } };
  }

  return {
    family: 'hmac',
    credential: { kind: 'secret' },
    vouches,
    verify,
    ...(options.handshake ? { handshake } : {}),
    sign(input: SignInput, signingKey: string, now: Date) {
      const timestamp = formatTimestamp(now, unit === 'auto' ? 's' : unit);
      const id = input.id ?? defaultId(input.body);
      const given = new Map(Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const url = input.url ?? DEFAULT_SIGN_URL;
      const values: Values = { timestamp, id, method: (input.method ?? 'POST').toUpperCase(), url, header: (n) => given.get(n) };
      const digest = mac(algorithm, hmacKey(signingKey, options.secretEncoding), parts, input.body, values).toString(encoding);
      const headers: Record<string, string> = {};
      if (format === 'pairs') {
        const pairs = options.timestampKey ? [`${options.timestampKey}=${timestamp}`] : [];
        pairs.push(`${options.signatureKey}=${prefix}${digest}`);
        headers[options.header] = pairs.join(',');
      } else {
        headers[options.header] = `${prefix}${digest}`;
      }
      if (options.timestampHeader) headers[options.timestampHeader] = timestamp;
      if (options.idHeader) headers[options.idHeader] = id;
      for (const [k, v] of given) if (headerParts.includes(k)) headers[k] = v;
      return { headers };
    },
    generateCredential() {
      const secret = options.secretEncoding === 'whsec'
        ? `whsec_${randomBytes(24).toString('base64')}`
        : options.secretEncoding === 'base64' ? randomBytes(32).toString('base64') : randomBytes(32).toString('hex');
      return { secret, signingKey: secret };
    },
  };
}
