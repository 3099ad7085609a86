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

  it('cites the vendors\' public pages, never a vendor-docs/ folder that does not travel with the repository or the package', () => {
    const shipped = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const p = join(dir, name);
        return statSync(p).isDirectory() ? shipped(p) : /\.(json|md|ts)$/.test(p) ? [p] : [];
      });
    // The fixtures, the documentation (docs/EVENTS.md, the vendor pages) and the code the package ships.
    const docs = [...shipped(join(ROOT, 'fixtures')), ...shipped(join(ROOT, 'docs')), join(ROOT, 'README.md'), ...shipped(join(ROOT, 'lambda')), ...shipped(join(ROOT, 'lib'))];
    expect(docs.filter((f) => /vendor-docs\//.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('never shows a secret typed on the command line (`--secret-string \'<secret>\'` lands in the shell history)', () => {
    const docs = [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs')).filter((n) => n.endsWith('.md')).map((n) => join(ROOT, 'docs', n)),
      ...readdirSync(join(ROOT, 'docs', 'vendors')).map((n) => join(ROOT, 'docs', 'vendors', n))];
    expect(docs.filter((f) => /--secret-string\s+['"]/.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f))).toEqual([]);
  });
});
