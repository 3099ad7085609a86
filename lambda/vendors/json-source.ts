/**
 * Ids with the digits as sent. JSON.parse reads every number as a double, so two numeric ids that differ only
 * past 2^53 (9007199254740993 and 9007199254740992) come out as the same number, and would give one dedup key.
 * For the values that identify an event, the digits are read back from the signed JSON text itself.
 *
 * Only integer literals that a double cannot hold exactly are read back; every other value comes out as
 * before (`String(number)`), so no dedup key or eventId of a delivery that was read correctly changes.
 * A body that holds no such literal costs one regular-expression test; the text is scanned (once, without
 * recursion, whatever its nesting) only when it holds a run of 16 or more digits.
 */
import { isUtf8 } from 'node:buffer';
import { isObject } from './util';

/** Resolves an RFC 6901 JSON pointer; undefined when any step is missing. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^(0|[1-9][0-9]*)$/.test(token)) cur = cur[Number(token)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, token)) cur = cur[token];
    else return undefined;
  }
  return cur;
}

/** The pointer of `key` under `parent`. */
export function childPointer(parent: string, key: string | number): string {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const INTEGER_LITERAL = /^-?\d+$/;

interface Frame {
  readonly pointer: string;
  readonly array: boolean;
  index: number;
}

/** Deeper than this, the scan stops (ids sit a few levels down; QCall refuses fields nested past 32). */
export const MAX_SCAN_DEPTH = 256;

/**
 * The text of every integer literal in a JSON document that a double cannot hold exactly, by JSON pointer.
 * Meant for a text JSON.parse has accepted: on anything else, or past MAX_SCAN_DEPTH, it stops and returns
 * what it found so far. A repeated key keeps its last value, as JSON.parse does. Linear in the text.
 */
export function unsafeIntegerLiterals(text: string): Map<string, string> {
  const found = new Map<string, string>();
  const stack: Frame[] = [];
  let i = 0;
  const skipWhitespace = () => {
    while (i < text.length && WHITESPACE.has(text[i])) i++;
  };
  /** Skips a string starting at i (a quote); returns its text with the quotes, or undefined. */
  const stringToken = (): string | undefined => {
    const start = i;
    if (text[i] !== '"') return undefined;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) return undefined;
    i++;
    return text.slice(start, i);
  };
  /** Reads `"key":` of an object member; the pointer of its value, or undefined. */
  const memberPointer = (frame: Frame): string | undefined => {
    skipWhitespace();
    const token = stringToken();
    if (token === undefined) return undefined;
    skipWhitespace();
    if (text[i] !== ':') return undefined;
    i++;
    let key: string;
    try {
      key = JSON.parse(token) as string;
    } catch {
      return undefined;
    }
    const pointer = childPointer(frame.pointer, key);
    // A repeated key: JSON.parse keeps the last value. (What an earlier object value left deeper down stays
    // in the map, but numberText uses a literal only when it is the very number JSON.parse read there.)
    found.delete(pointer);
    return pointer;
  };

  let pointer: string | undefined = '';
  for (let guard = 0; pointer !== undefined && guard <= text.length; guard++) {
    // A value at `pointer`.
    skipWhitespace();
    const c = text[i];
    if (c === '{' || c === '[') {
      const frame: Frame = { pointer, array: c === '[', index: 0 };
      i++;
      skipWhitespace();
      if (text[i] !== (frame.array ? ']' : '}')) {
        if (stack.length >= MAX_SCAN_DEPTH) break;
        stack.push(frame);
        pointer = frame.array ? childPointer(frame.pointer, 0) : memberPointer(frame);
        continue;
      }
      i++;
    } else if (c === '"') {
      if (stringToken() === undefined) break;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER_TOKEN.lastIndex = i;
      const m = NUMBER_TOKEN.exec(text);
      if (!m) break;
      i += m[0].length;
      if (INTEGER_LITERAL.test(m[0]) && !Number.isSafeInteger(Number(m[0]))) found.set(pointer, m[0]);
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
      i += 4;
    } else if (text.startsWith('false', i)) {
      i += 5;
    } else {
      break;
    }
    // After a value: the next member or element, or the end of containers.
    pointer = undefined;
    while (stack.length > 0) {
      skipWhitespace();
      const frame = stack[stack.length - 1];
      if (text[i] === ',') {
        i++;
        frame.index++;
        pointer = frame.array ? childPointer(frame.pointer, frame.index) : memberPointer(frame);
        break;
      }
      if (text[i] !== (frame.array ? ']' : '}')) break;
      i++;
      stack.pop();
    }
  }
  return found;
}

const LONG_DIGIT_RUN = /\d{16}/;
const cache = new WeakMap<Buffer, Map<string, string>>();

/** The literals of `body`, scanned once per body. */
function literalsOf(body: Buffer): Map<string, string> {
  let found = cache.get(body);
  if (found === undefined) {
    const text = body.toString('utf8');
    found = LONG_DIGIT_RUN.test(text) ? unsafeIntegerLiterals(text) : new Map<string, string>();
    cache.set(body, found);
  }
  return found;
}

/**
 * A number read from `body` at `pointer`, as text: the digits as sent when it is an integer beyond 2^53,
 * `String(value)` otherwise.
 */
export function numberText(body: Buffer, pointer: string, value: number): string {
  if (Number.isSafeInteger(value) || !Number.isFinite(value)) return String(value);
  const literal = literalsOf(body).get(pointer);
  return literal !== undefined && Number(literal) === value ? literal : String(value);
}

/**
 * `body` as text where each byte that is not part of valid UTF-8 becomes the lone surrogate U+DC00 + byte
 * ("surrogateescape"), instead of U+FFFD: two texts that differ only in such bytes stay different.
 */
export function decodeKeepingInvalidBytes(body: Buffer): string {
  let out = '';
  let start = 0;
  let i = 0;
  const cont = (at: number) => at < body.length && (body[at] & 0xc0) === 0x80;
  while (i < body.length) {
    const b = body[i];
    let n = 0;
    if (b < 0x80) n = 1;
    else if (b >= 0xc2 && b <= 0xdf && cont(i + 1)) n = 2;
    else if (b >= 0xe0 && b <= 0xef && cont(i + 1) && cont(i + 2)) {
      const b1 = body[i + 1];
      if (!(b === 0xe0 && b1 < 0xa0) && !(b === 0xed && b1 > 0x9f)) n = 3; // no overlong form, no surrogate
    } else if (b >= 0xf0 && b <= 0xf4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
      const b1 = body[i + 1];
      if (!(b === 0xf0 && b1 < 0x90) && !(b === 0xf4 && b1 > 0x8f)) n = 4; // no overlong form, nothing past U+10FFFF
    }
    if (n > 0) {
      i += n;
      continue;
    }
    out += body.toString('utf8', start, i) + String.fromCharCode(0xdc00 + b);
    i++;
    start = i;
  }
  return out + body.toString('utf8', start, i);
}

const exactDocs = new WeakMap<Buffer, unknown>();

/** `body` parsed from {@link decodeKeepingInvalidBytes}'s text (once per body); undefined when that is not JSON. */
function exactDocOf(body: Buffer): unknown {
  if (!exactDocs.has(body)) {
    let doc: unknown;
    try {
      doc = JSON.parse(decodeKeepingInvalidBytes(body));
    } catch {
      doc = undefined;
    }
    exactDocs.set(body, doc);
  }
  return exactDocs.get(body);
}

/**
 * An id at `pointer` of `doc` (the parsed `body`): a non-empty string as it is, a finite number with the
 * digits as sent; undefined for anything else. A string that holds U+FFFD in a body that is not valid UTF-8 is
 * read again with each invalid byte as its own lone surrogate ({@link decodeKeepingInvalidBytes}), so ids that
 * differ only in such bytes stay different ids; every other id is exactly what JSON.parse read.
 */
export function idAt(body: Buffer, doc: unknown, pointer: string): string | undefined {
  const v = resolvePointer(doc, pointer);
  if (typeof v === 'string' && v.includes('\ufffd') && !isUtf8(body)) {
    const exact = resolvePointer(exactDocOf(body), pointer);
    if (typeof exact === 'string' && exact !== '') return exact;
  }
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return numberText(body, pointer, v);
  return undefined;
}
