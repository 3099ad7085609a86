/**
 * `callhooks tail`: follows the local mode's events file (one JSON line per published event), printing
 * one line per event, or the raw lines with `--json`, until SIGINT/SIGTERM.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { localPaths } from '../local/runtime';
import { EXIT, ExitCode, Io } from './io';

export interface TailOptions {
  readonly file?: string;
  readonly lines: number;
  readonly follow: boolean;
  readonly json?: boolean;
  /** How often the file is looked at, in ms. */
  readonly intervalMs: number;
}

/**
 * Characters that steer a terminal rather than show: C0 controls (ESC starts ANSI/OSC sequences, CR overwrites
 * the line), DEL, C1 controls (U+009B is a one-character CSI) and the bidirectional controls (which reorder
 * what is shown). Event fields come from senders: each such character is printed as a visible `\uXXXX`.
 */
const TERMINAL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `value` as text safe to print on a terminal. */
export function printable(value: unknown): string {
  return String(value).replace(TERMINAL_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One line per event: time, source, detail-type, eventId, callId (every field made printable). */
export function formatEvent(line: string): string {
  let e: { time?: unknown; source?: unknown; 'detail-type'?: unknown; detail?: { eventId?: unknown; callId?: unknown; test?: unknown } };
  try {
    e = JSON.parse(line);
  } catch {
    return `(not a JSON event line: ${line.length} characters)`;
  }
  const d = e.detail ?? {};
  const test = d.test === true ? '  test' : '';
  return printable(`${String(e.time ?? '-')}  ${String(e.source ?? '-')}  ${String(e['detail-type'] ?? '-')}  eventId=${String(d.eventId ?? '-')}  callId=${String(d.callId ?? '-')}${test}`);
}

/**
 * What `tail` prints for one event line (without the newline): `formatEvent`, or with `json` the line itself with
 * the same escapes, which inside a JSON string mean the same characters (the line stays valid JSON).
 */
export function eventLine(line: string, json?: boolean): string {
  return json ? printable(line) : formatEvent(line);
}

/** Reads the bytes of `file` from `from` to its current end. */
function readFrom(file: string, from: number, to: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, from + read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

export async function tail(options: TailOptions, io: Io): Promise<ExitCode> {
  const file = options.file ? resolve(io.cwd, options.file) : localPaths(io.env).eventsFile;
  const print = (line: string) => io.out(`${eventLine(line, options.json)}\n`);
  let offset = 0;
  let partial = '';
  let first = true;

  const poll = () => {
    if (!existsSync(file)) {
      first = false; // a file that appears later holds only new events
      return;
    }
    const size = statSync(file).size;
    if (size < offset) {
      // The file was truncated or replaced (the data folder was cleared): start again from its beginning.
      offset = 0;
      partial = '';
    }
    if (size === offset) {
      first = false;
      return;
    }
    const text = partial + readFrom(file, offset, size).toString('utf8');
    offset = size;
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    const complete = lines.filter((l) => l.trim() !== '');
    // On the first read, only the last `lines` events already in the file are shown.
    (first ? complete.slice(Math.max(0, complete.length - options.lines)) : complete).forEach(print);
    first = false;
  };

  // Listen for Ctrl-C before the first line is printed: whoever reads it may stop the command at once.
  const stopped = options.follow ? io.untilStopped() : undefined;
  if (!existsSync(file) && options.follow && io.interactive) io.err(`waiting for ${file} (no event yet)\n`);
  poll();
  if (!stopped) return EXIT.ok;
  if (io.interactive) io.err(`following ${file} (Ctrl-C to stop)\n`);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    stopped,
    new Promise<never>((_, reject) => {
      timer = setInterval(() => {
        try {
          poll();
        } catch (err) {
          reject(err);
        }
      }, options.intervalMs);
    }),
  ]).finally(() => clearInterval(timer));
  return EXIT.ok;
}
