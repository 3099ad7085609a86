/**
 * `callhooks verify <vendor>`: checks a captured delivery (body file and headers) offline with the vendor's
 * own adapter, and says why it does not verify. The adapters only answer yes or no, so the reason is found
 * by asking them further questions: which headers does the vendor send (its `sign` names them), would the
 * signature verify at the time it carries (then only the clock is off), would it verify without the body
 * file's final newline. Nothing here computes or prints what the signature should have been.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { RefusedCaptureObject } from '../lambda/core/capture';
import { resolve } from 'node:path';
import { Headers, type Delivery } from '../lambda/core/http';
import { splitUrl } from '../lambda/schemes/request';
import type { VendorAdapter } from '../lambda/core/vendor';
import { localPaths } from '../local/runtime';
import { vendorsFrom, configFile, parseTarget, resolveSecret } from './context';
import { CliError, EXIT, ExitCode, Io } from './io';

export interface VerifyOptions {
  /** The raw body file (not with `captured`). */
  readonly body?: string;
  /** A capture object of a refused delivery (`refused/<vendor>/…json` of the payload bucket), or `-` for stdin. */
  readonly captured?: string;
  readonly header: string[];
  readonly headersFile?: string;
  readonly secret?: string;
  /** @default "POST" (with `captured`: the captured method) */
  readonly method?: string;
  readonly query: string[];
  readonly at?: string;
  /** The URL the vendor called, query included (URL-signing vendors). */
  readonly url?: string;
  readonly config?: string;
  readonly json?: boolean;
}

export type VerifyReason = 'missing-header' | 'method' | 'timestamp-format' | 'timestamp' | 'body-newline' | 'token' | 'signature';

export interface Verdict {
  readonly verified: boolean;
  readonly reason?: VerifyReason;
  readonly message: string;
  /** Which of the secret's values matched (0: current, 1: previous during a rotation). */
  readonly secretIndex?: number;
  readonly missingHeaders?: string[];
  readonly signedAt?: string;
  readonly skewSeconds?: number;
  readonly toleranceSeconds?: number;
}

/** `Name: value` lines (a raw HTTP header block, as `curl -D` saves it) or a JSON object of name → value. */
export function parseHeaderText(text: string, source: string): Array<[string, string]> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(trimmed);
    } catch {
      throw new CliError(`${source}: not valid JSON`);
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new CliError(`${source}: expected an object of header name → value`);
    return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, String(x)] as [string, string]));
  }
  return trimmed
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '' && !/^HTTP\/\d/i.test(line) && !/^(POST|GET|PUT|PATCH|DELETE) \S+/.test(line))
    .map((line) => parseHeaderLine(line, source));
}

export function parseHeaderLine(line: string, source = '--header'): [string, string] {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new CliError(`${source}: "${line.length > 40 ? `${line.slice(0, 40)}…` : line}" is not "name: value"`);
  return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
}

/** Signed timestamps a header may carry: a whole value of digits, or the digits of a `k=v,k=v` pair. */
function timestampsIn(value: string): number[] {
  const found: number[] = [];
  const parts = value.includes('=') ? value.split(',').map((p) => p.slice(p.indexOf('=') + 1).trim()) : [value.trim()];
  for (const p of parts) {
    if (/^[0-9]{9,10}$/.test(p)) found.push(Number(p));
    else if (/^[0-9]{13}$/.test(p)) found.push(Math.floor(Number(p) / 1000));
  }
  return found;
}

/** Headers (and `k=` keys) whose value is a timestamp in the vendor's own signing. */
function timestampSlots(signed: Record<string, string>): Array<{ header: string; key?: string }> {
  const slots: Array<{ header: string; key?: string }> = [];
  for (const [header, value] of Object.entries(signed)) {
    if (/^[0-9]{9,13}$/.test(value)) slots.push({ header });
    else if (value.includes('=')) {
      for (const part of value.split(',')) {
        const eq = part.indexOf('=');
        if (eq > 0 && /^[0-9]{9,13}$/.test(part.slice(eq + 1).trim())) slots.push({ header, key: part.slice(0, eq).trim() });
      }
    }
  }
  return slots;
}

function anyVerifies(adapter: VendorAdapter, d: Delivery, secrets: string[], at: Date): number {
  return secrets.findIndex((s) => adapter.verify(d, s, at));
}

/** The largest clock distance (seconds, up to a year) at which the signature made at `signedAt` still verifies. */
function toleranceOf(adapter: VendorAdapter, d: Delivery, secret: string, signedAt: number): number {
  let lo = 0;
  let hi = 366 * 86_400;
  if (adapter.verify(d, secret, new Date((signedAt + hi) * 1000))) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (adapter.verify(d, secret, new Date((signedAt + mid) * 1000))) lo = mid;
    else hi = mid;
  }
  return lo;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function ago(skew: number): string {
  const abs = Math.abs(skew);
  const text = abs >= 7200 ? `${Math.round(abs / 3600)} hours` : abs >= 120 ? `${Math.round(abs / 60)} minutes` : plural(abs, 'second');
  return skew >= 0 ? `${text} before` : `${text} after`;
}

/** Checks one delivery and explains a failure. Pure: everything it needs is passed in. */
export function diagnose(adapter: VendorAdapter, d: Delivery, secrets: string[], now: Date): Verdict {
  // callhooks answers 405 to a method the vendor never uses before it looks at the signature.
  if (!adapter.methods.includes(d.method)) {
    return { verified: false, reason: 'method', message: `${adapter.name} never sends ${d.method} (it sends ${adapter.methods.join(', ')}): pass --method` };
  }
  const matched = anyVerifies(adapter, d, secrets, now);
  if (matched >= 0) {
    return { verified: true, secretIndex: matched, message: matched === 0 ? 'verifies' : 'verifies with the previous secret value (rotation in progress)' };
  }
  // The headers the vendor's own signing produces are the ones a genuine delivery carries. A public-key scheme's
  // stored secret (the vendor's public key) cannot sign: a throwaway key pair names the same headers.
  let probe: Record<string, string>;
  try {
    probe = adapter.sign(d.body, secrets[0], now, 'msg_probe');
  } catch {
    probe = adapter.sign(d.body, adapter.generateSecret(), now, 'msg_probe');
  }
  const missing = Object.keys(probe).filter((name) => d.headers.get(name) === undefined);
  if (missing.length > 0) {
    return {
      verified: false,
      reason: 'missing-header',
      missingHeaders: missing,
      message: `missing header${missing.length === 1 ? '' : 's'} ${missing.join(', ')}: ${adapter.name} sends ${Object.keys(probe).join(', ')} with every delivery`,
    };
  }
  const slots = timestampSlots(probe);
  for (const slot of slots) {
    const value = d.headers.get(slot.header) ?? '';
    const present = slot.key ? value.split(',').find((p) => p.trim().startsWith(`${slot.key}=`)) : value;
    if (present === undefined) return { verified: false, reason: 'timestamp-format', message: `header ${slot.header} has no ${slot.key}= timestamp` };
    const text = slot.key ? present.slice(present.indexOf('=') + 1).trim() : present.trim();
    if (!/^[0-9]{1,16}$/.test(text)) {
      return { verified: false, reason: 'timestamp-format', message: `the timestamp in ${slot.header}${slot.key ? ` (${slot.key}=)` : ''} is not a Unix time` };
    }
  }
  const bodies: Array<{ body: Buffer; trimmed: boolean }> = [{ body: d.body, trimmed: false }];
  const withoutNewline = d.body.subarray(0, d.body.length - (d.body.subarray(-2).toString() === '\r\n' ? 2 : d.body.subarray(-1).toString() === '\n' ? 1 : 0));
  if (withoutNewline.length !== d.body.length) bodies.push({ body: withoutNewline, trimmed: true });
  const times = [...new Set(slots.flatMap((s) => timestampsIn(d.headers.get(s.header) ?? '')))];
  for (const { body, trimmed } of bodies) {
    const candidate: Delivery = { ...d, body };
    if (trimmed && anyVerifies(adapter, candidate, secrets, now) >= 0) {
      return { verified: false, reason: 'body-newline', message: 'it verifies without the final newline of the body file: the file has a newline that was not in the delivery (save the body without it)' };
    }
    for (const t of times) {
      const index = anyVerifies(adapter, candidate, secrets, new Date(t * 1000));
      if (index < 0) continue;
      const skew = Math.floor(now.getTime() / 1000) - t;
      const tolerance = toleranceOf(adapter, candidate, secrets[index], t);
      const signedAt = new Date(t * 1000).toISOString();
      const newline = trimmed ? ' (and the body file has a final newline that was not in the delivery)' : '';
      return {
        verified: false,
        reason: trimmed ? 'body-newline' : 'timestamp',
        signedAt,
        skewSeconds: skew,
        toleranceSeconds: tolerance,
        message: `the signature is right, but it was made at ${signedAt}, ${ago(skew)} the time checked against (${now.toISOString()}); ${adapter.name} accepts ${plural(tolerance, 'second')} either way${newline}. Pass --at <time received> to check a captured delivery as of when it arrived`,
      };
    }
  }
  // A scheme whose "signature" is the secret itself (a static token) says so in its own words.
  const tokenHeader = Object.entries(probe).find(([, v]) => secrets.some((s) => v.includes(s)))?.[0];
  if (tokenHeader) {
    return { verified: false, reason: 'token', message: `the token in header ${tokenHeader} is not the secret${secrets.length > 1 ? ' (neither the current nor the previous value)' : ''}` };
  }
  return {
    verified: false,
    reason: 'signature',
    message: `the signature does not match: the delivery was signed with another secret${secrets.length > 1 ? ' (neither the current nor the previous value)' : ''}, or the body file is not byte for byte what was sent (re-encoded, pretty-printed, cut)`,
  };
}

/** Reads a capture object (lambda/core/capture.ts) from a file or, for `-`, stdin; throws a CliError saying what is wrong. */
export function readCapture(source: string, io: Io, read: (fd: number) => Buffer = (fd) => readFileSync(fd)): RefusedCaptureObject {
  let text: string;
  if (source === '-') text = read(0).toString('utf8');
  else {
    const file = resolve(io.cwd, source);
    if (!existsSync(file)) throw new CliError(`--captured ${source}: no such file`);
    text = readFileSync(file, 'utf8');
  }
  const name = source === '-' ? 'stdin' : source;
  let object: Partial<RefusedCaptureObject>;
  try {
    object = JSON.parse(text) as Partial<RefusedCaptureObject>;
  } catch {
    throw new CliError(`--captured ${name}: not JSON (expected an object from refused/<vendor>/ of the payload bucket)`);
  }
  const ok = object && typeof object === 'object' && object.capture === 1 && typeof object.vendor === 'string' && typeof object.endpoint === 'string'
    && typeof object.method === 'string' && Array.isArray(object.headers) && typeof object.bodyBase64 === 'string' && typeof object.receivedAt === 'string'
    && !Number.isNaN(new Date(object.receivedAt).getTime());
  if (!ok) throw new CliError(`--captured ${name}: not a capture of a refused delivery (expected "capture": 1, vendor, endpoint, method, headers, bodyBase64, receivedAt)`);
  return object as RefusedCaptureObject;
}

/** The delivery a capture holds, as the function saw it. */
function capturedDelivery(c: RefusedCaptureObject): Delivery {
  return {
    vendor: c.vendor,
    endpoint: c.endpoint,
    method: c.method,
    url: c.url,
    headers: new Headers(c.headers.map(([k, v]) => [String(k), String(v)])),
    query: { ...(c.query ?? {}) },
    body: Buffer.from(c.bodyBase64, 'base64'),
    receivedAt: new Date(c.receivedAt),
    requestId: c.requestId,
  };
}

export function verifyCommand(vendorText: string, options: VerifyOptions, io: Io, readStdin?: (fd: number) => Buffer): ExitCode {
  if (options.captured !== undefined) return verifyCaptured(vendorText, options.captured, options, io, readStdin);
  if (options.body === undefined) throw new CliError('pass --body <file> (with the headers), or --captured <file|-> for a capture of a refused delivery');
  const target = parseTarget(vendorText, vendorsFrom(configFile(io, options.config)));
  const bodyFile = resolve(io.cwd, options.body);
  if (!existsSync(bodyFile)) throw new CliError(`--body ${options.body}: no such file`);
  const entries: Array<[string, string]> = [];
  if (options.headersFile) {
    const file = resolve(io.cwd, options.headersFile);
    if (!existsSync(file)) throw new CliError(`--headers-file ${options.headersFile}: no such file`);
    entries.push(...parseHeaderText(readFileSync(file, 'utf8'), options.headersFile));
  }
  entries.push(...options.header.map((h) => parseHeaderLine(h)));
  const query: Record<string, string> = {};
  for (const q of options.query) {
    const eq = q.indexOf('=');
    if (eq <= 0) throw new CliError(`--query "${q}" is not name=value`);
    query[q.slice(0, eq)] = q.slice(eq + 1);
  }
  const now = atOf(options.at) ?? new Date();
  const secret = resolveSecret(target, io, options.secret, true, localPaths(io.env));
  const url = options.url === undefined ? undefined : splitUrl(options.url);
  if (options.url !== undefined && url === undefined) throw new CliError(`--url "${options.url}" is not an absolute http(s) URL`);
  const delivery: Delivery = {
    vendor: target.vendor,
    endpoint: target.endpoint,
    method: (options.method ?? 'POST').toUpperCase(),
    url,
    headers: new Headers(entries),
    query,
    body: readFileSync(bodyFile),
    receivedAt: now,
  };
  return report(target, diagnose(target.adapter, delivery, secret.values, now), options, io);
}

function atOf(at: string | undefined): Date | undefined {
  if (at === undefined) return undefined;
  const now = new Date(at);
  if (Number.isNaN(now.getTime())) throw new CliError(`--at "${at}" is not a date and time (ISO 8601, e.g. 2026-12-01T10:00:00Z)`);
  return now;
}

/**
 * `--captured`: the whole request from a capture object, checked as of when it was received (`--at` to check
 * another time), with the secret found as for any delivery. The target's endpoint is the capture's unless named.
 */
function verifyCaptured(vendorText: string, source: string, options: VerifyOptions, io: Io, readStdin?: (fd: number) => Buffer): ExitCode {
  const given = [options.body !== undefined && '--body', options.header.length > 0 && '--header', options.headersFile !== undefined && '--headers-file',
    options.query.length > 0 && '--query', options.url !== undefined && '--url', options.method !== undefined && '--method'].filter(Boolean);
  if (given.length > 0) throw new CliError(`--captured holds the whole request: do not pass ${given.join(', ')} with it`);
  const capture = readCapture(source, io, readStdin);
  const vendors = vendorsFrom(configFile(io, options.config));
  const target = parseTarget(vendorText.includes('/') ? vendorText : `${vendorText}/${capture.endpoint}`, vendors);
  if (capture.vendor !== target.vendor || capture.endpoint !== target.endpoint) {
    throw new CliError(`the capture is of a delivery to ${capture.vendor}/${capture.endpoint}, not ${target.vendor}/${target.endpoint}`);
  }
  const delivery = capturedDelivery(capture);
  const now = atOf(options.at) ?? delivery.receivedAt;
  const secret = resolveSecret(target, io, options.secret, true, localPaths(io.env));
  return report(target, diagnose(target.adapter, delivery, secret.values, now), options, io, capture);
}

function report(target: { vendor: string; endpoint: string }, verdict: Verdict, options: VerifyOptions, io: Io, capture?: RefusedCaptureObject): ExitCode {
  const captured = capture ? { receivedAt: capture.receivedAt, refusedAs: capture.reason } : {};
  if (options.json) io.out(`${JSON.stringify({ vendor: target.vendor, endpoint: target.endpoint, ...captured, ...verdict })}\n`);
  else io.out(verdict.verified ? `${target.vendor}/${target.endpoint}: ${verdict.message}\n` : `${target.vendor}/${target.endpoint}: does not verify: ${verdict.message}\n`);
  return verdict.verified ? EXIT.ok : EXIT.refused;
}
