/**
 * What the vendor adapters share: small, total readers for untrusted JSON (each returns undefined unless the
 * value has the right type) and the dedup-key builders.
 */
import { createHash } from 'node:crypto';
import { ParseError } from '../core/errors';
import type { Delivery } from '../core/http';
import type { TranscriptTurn } from '../core/event';
import { isWellFormed } from '../core/well-formed';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The body as a JSON object; ParseError otherwise. */
export function parseJsonObject(delivery: Delivery): Json {
  const text = delivery.body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ParseError('the body is not valid JSON');
  }
  if (!isObject(value)) throw new ParseError('the body is not a JSON object');
  return value;
}

export function obj(o: Json | undefined, key: string): Json | undefined {
  const v = o?.[key];
  return isObject(v) ? v : undefined;
}

/** A non-empty string, or a finite number written as a string (ids sometimes arrive as numbers). */
export function str(o: Json | undefined, key: string): string | undefined {
  const v = o?.[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function num(o: Json | undefined, key: string): number | undefined {
  const v = o?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A number, null when the vendor sent null, undefined when absent or of another type. */
export function numOrNull(o: Json | undefined, key: string): number | null | undefined {
  const v = o?.[key];
  if (v === null) return null;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function bool(o: Json | undefined, key: string): boolean | undefined {
  const v = o?.[key];
  return typeof v === 'boolean' ? v : undefined;
}

export function arr(o: Json | undefined, key: string): unknown[] | undefined {
  const v = o?.[key];
  return Array.isArray(v) ? v : undefined;
}

/** Requires a non-empty string field; ParseError naming it otherwise. */
export function requireStr(o: Json | undefined, key: string, where = key): string {
  const v = str(o, key);
  if (v === undefined) throw new ParseError(`${where} is missing or not a string`);
  return v;
}

/** Drops undefined values (and returns undefined for an object left empty). */
export function compact<T extends Record<string, unknown>>(o: T): T | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? (out as T) : undefined;
}

/** Maps vendor speaker names onto `agent` / `caller`; other names are kept as they are. */
export function speakerOf(role: string): string {
  const r = role.toLowerCase();
  if (r === 'agent' || r === 'assistant' || r === 'bot' || r === 'ai') return 'agent';
  if (r === 'user' || r === 'caller' || r === 'customer' || r === 'human' || r === 'visitor') return 'caller';
  return role;
}

/** Transcript turns from an array of objects, with the vendor's key names. Malformed entries are skipped. */
export function turnsOf(list: unknown[] | undefined, keys: { speaker: string; text: string; at?: string }): TranscriptTurn[] {
  const turns: TranscriptTurn[] = [];
  for (const item of list ?? []) {
    if (!isObject(item)) continue;
    const text = item[keys.text];
    if (typeof text !== 'string') continue;
    const speaker = str(item, keys.speaker) ?? 'unknown';
    const at = keys.at ? str(item, keys.at) : undefined;
    turns.push(at === undefined ? { speaker: speakerOf(speaker), text } : { speaker: speakerOf(speaker), text, at });
  }
  return turns;
}

/** Removes keys whose value is undefined, so events carry no `"x": undefined` holes. */
export function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * `a:b:c` with each part percent-encoded, so that no two different part lists give the same key. A lone surrogate
 * (which encodeURIComponent refuses with a URIError) is written `%uXXXX`, which no well-formed text encodes to.
 */
export function joinKey(...parts: string[]): string {
  return parts.map(encodePart).join(':');
}

function encodePart(part: string): string {
  if (isWellFormed(part)) return encodeURIComponent(part);
  let out = '';
  for (const c of part) {
    const code = c.codePointAt(0)!;
    out += code >= 0xd800 && code <= 0xdfff ? `%u${code.toString(16).toUpperCase()}` : encodeURIComponent(c);
  }
  return out;
}

/**
 * The dedup key of a delivery that carries no id: the hex SHA-256 of `data` after `prefix`. The two prefixes
 * are historical and pinned, because the key decides the eventId (test/upgrade/event-ids.test.ts):
 * `sha256=` for KoeIQ, Atoms and Converc (`=` never occurs in a {@link joinKey}, so the two kinds cannot
 * collide), `sha256:` for QCall and the custom vendors.
 */
export function digestKey(prefix: 'sha256=' | 'sha256:', data: Buffer | string): string {
  return `${prefix}${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * Turns of a transcript written as lines `Speaker: text` (Retell's `transcript`, Vapi's `artifact.transcript`):
 * one turn per line that starts with a known label (`labels`: label → speaker); a line without one continues
 * the turn before it. Text before the first label is one turn of speaker `unknown`.
 */
export function labelledTurns(text: string, labels: Readonly<Record<string, string>>): TranscriptTurn[] {
  const turns: Array<{ speaker: string; text: string }> = [];
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    const label = colon > 0 ? line.slice(0, colon).trim() : undefined;
    const speaker = label !== undefined && Object.prototype.hasOwnProperty.call(labels, label) ? labels[label] : undefined;
    if (speaker !== undefined) turns.push({ speaker, text: line.slice(colon + 1).trim() });
    else if (turns.length > 0) turns[turns.length - 1].text += `\n${line}`;
    else if (line.trim() !== '') turns.push({ speaker: 'unknown', text: line });
  }
  return turns.map((t) => ({ speaker: t.speaker, text: t.text.trim() })).filter((t) => t.text !== '');
}

/** Seconds from two epoch-millisecond times, when both are numbers and the end is not before the start. */
export function secondsBetweenMs(startMs: number | undefined, endMs: number | undefined): number | undefined {
  if (startMs === undefined || endMs === undefined || !(endMs >= startMs)) return undefined;
  return (endMs - startMs) / 1000;
}

/** Seconds from `start` to `end` when both are dates and end is not before start. */
export function durationBetween(start: string | undefined, end: string | undefined): number | undefined {
  if (start === undefined || end === undefined) return undefined;
  const s = Date.parse(start);
  const e = Date.parse(end);
  if (!Number.isFinite(s) || !Number.isFinite(e) || e < s) return undefined;
  return (e - s) / 1000;
}

/** A non-negative finite number, or a text that is one (`"42"`); undefined otherwise. */
export function nonNegative(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The string values of an object (others left out); undefined when none is left. */
export function stringValues(o: Json | undefined): Record<string, string> | undefined {
  if (o === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string' && v !== '') out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

const MAX_EPOCH_MS = 253402300799999;

/** Epoch milliseconds as ISO 8601, when they are a time within the years 1970–9999. */
export function isoFromMs(ms: number | undefined): string | undefined {
  return ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > MAX_EPOCH_MS ? undefined : new Date(ms).toISOString();
}

/** Epoch seconds as ISO 8601, when they are a time within the years 1970–9999. */
export function isoFromSeconds(s: number | undefined): string | undefined {
  return s === undefined ? undefined : isoFromMs(s * 1000);
}
