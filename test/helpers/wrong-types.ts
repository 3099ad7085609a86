/** Table-driven "wrong type in every field" checks for the vendor adapters. */
import { composeDetail } from '../../lambda/core/event';
import { ParseError } from '../../lambda/core/errors';
import type { ParsedDelivery } from '../../lambda/core/vendor';
import { schemaErrors } from './fixtures';

/** A value of every JSON type, and edge values of the types a field usually has. */
export const WRONG_VALUES: readonly unknown[] = [null, true, 0, -1, 1.5, 1e308, '', 'x', [], [1], {}, { a: 1 }];

/** A key as a path step: `~` and `.` escaped as `~0` and `~1` (LiveKit's attributes are named `sip.callID`). */
const step = (key: string) => key.replace(/~/g, '~0').replace(/\./g, '~1');
const unstep = (text: string) => text.replace(/~1/g, '.').replace(/~0/g, '~');

/** Every path (object keys and array indexes) in a JSON value, joined with dots (a dot inside a key as `~1`). */
export function jsonPaths(o: unknown, prefix: string[] = []): string[] {
  const entries: Array<[string, unknown]> = Array.isArray(o) ? o.map((v, i) => [String(i), v]) : o !== null && typeof o === 'object' ? Object.entries(o) : [];
  return entries.flatMap(([k, v]) => [[...prefix, step(k)].join('.'), ...jsonPaths(v, [...prefix, step(k)])]);
}

/** A deep copy of `body` with `value` at the dotted `path`. */
export function withValueAt(body: unknown, path: string, value: unknown): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(body));
  const keys = path.split('.').map(unstep);
  let target = copy;
  for (const k of keys.slice(0, -1)) target = target[k];
  target[keys[keys.length - 1]] = value;
  return copy;
}

/** `[fixture name, path]` for every path of every given fixture body. */
export function wrongTypeCases(bodies: ReadonlyArray<{ name: string; body?: unknown }>): Array<readonly [string, string]> {
  return bodies.flatMap((f) => jsonPaths(f.body).map((p) => [f.name, p] as const));
}

/** The adapter either refuses with a ParseError or yields an event that validates against the schema. */
export function expectSchemaValidOrParseError(vendor: string, parse: () => ParsedDelivery, now: Date): void {
  let parsed: ParsedDelivery;
  try {
    parsed = parse();
  } catch (err) {
    expect(err).toBeInstanceOf(ParseError);
    return;
  }
  expect(schemaErrors(JSON.parse(JSON.stringify(composeDetail(vendor, parsed.dedupKey, parsed.fields, now))))).toEqual([]);
}
