/**
 * `multipart/form-data` bodies (QCall), in a module of their own so that only the bundles that read them hold
 * busboy.
 */
import type busboy from 'busboy';
import { ParseError } from './errors';

export interface MultipartLimits {
  readonly maxFields: number;
  readonly maxFieldBytes: number;
  /** The refusal of a value over `maxFieldBytes`, given its position (from 0). */
  readonly tooLarge: (index: number) => ParseError;
}

/**
 * `multipart/form-data`, read synchronously. busboy is a Writable stream, but with no `file` listener
 * every step of one `end(buffer)` call runs before it returns: `field` events are emitted during the
 * write, a malformed part header is emitted as `error` during the write, and `_final` runs at once —
 * on success it emits `prefinish`, on a truncated form it sets `errored` (the `error` event itself
 * follows on the next tick, and is swallowed by the listener that stays attached). A form counts as read
 * only when `prefinish` was seen: if some future busboy or Node version finished later, deliveries would
 * be refused (ParseError), never read half-way. File parts are skipped unread: a `file` listener would
 * make the end wait for the file streams, which end asynchronously. A repeated name keeps its last value.
 */
export function parseMultipart(body: Buffer, contentType: string, limits: MultipartLimits): Map<string, string> {
  const entries = new Map<string, string>();
  let problem: string | undefined;
  let finished = false;
  let bb: busboy.Busboy;
  try {
    // Required here, not at the top: the bundles of vendors that never read multipart leave busboy out
    // entirely, and no function pays for loading it before a multipart delivery arrives.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const createBusboy = require('busboy') as typeof busboy;
    bb = createBusboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      limits: { fields: limits.maxFields, fieldSize: limits.maxFieldBytes },
    });
  } catch {
    throw new ParseError('the multipart Content-Type is malformed or has no boundary');
  }
  bb.on('field', (name: string | undefined, value: string, info: busboy.FieldInfo) => {
    if (name === undefined) return; // a part without a name cannot be a field
    entries.set(name, value);
    if (info.valueTruncated) problem ??= limits.tooLarge([...entries.keys()].indexOf(name)).message;
  });
  bb.on('fieldsLimit', () => {
    problem ??= `the delivery has more than ${limits.maxFields} fields`;
  });
  bb.on('error', () => {
    problem ??= 'the multipart body is malformed';
  });
  bb.on('prefinish', () => {
    finished = true;
  });
  try {
    bb.end(body);
  } catch {
    problem ??= 'the multipart body is malformed';
  }
  if (problem === undefined && bb.errored) problem = 'the multipart body is incomplete';
  if (problem === undefined && !finished) problem = 'the multipart body is incomplete';
  if (problem !== undefined) throw new ParseError(problem);
  return entries;
}
