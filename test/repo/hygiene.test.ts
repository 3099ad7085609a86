/**
 * Repository habits that a linter would otherwise enforce: no focused or skipped test is left behind, and
 * the Lambda runtime code logs only through the structured logger (never `console`, which would bypass the
 * rule that no secret or payload content is logged).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('repository hygiene', () => {
  it('has no focused or skipped tests', () => {
    const offenders = files(join(ROOT, 'test')).filter((f) =>
      /\b(it|test|describe)\.(only|skip)\(|\bx(it|describe)\(|\bf(it|describe)\(/.test(readFileSync(f, 'utf8').replace(/^\s*(\/\/|\*).*$/gm, '')),
    );
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('never uses console or writes to stdout in the Lambda runtime code', () => {
    const offenders = files(join(ROOT, 'lambda')).filter((f) => /\bconsole\.|process\.stdout\.write/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
