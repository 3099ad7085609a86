/**
 * `npm run crash` reads its command line strictly (issue 16, finding 11): `--help` prints the options and runs
 * nothing, an unknown or malformed option is an error (exit 2) instead of being ignored while the rounds run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../local/runtime';

jest.setTimeout(60_000);

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
/** Runs scripts/crash.ts with `args`; a run that starts rounds is cut off after 20 s (and fails the test). */
function crash(...args: string[]) {
  const r = spawnSync(TSX, [join(ROOT, 'scripts', 'crash.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000, env: { ...process.env, CRASH_MAX_SECONDS: '10' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run crash -- <options>', () => {
  it.each([['--help'], ['-h']])('%s prints the options and exits 0 without starting anything', (flag) => {
    const r = crash(flag);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: npm run crash -- [options]');
    expect(r.stdout).toContain('--retry-unanswered');
    expect(r.stdout).not.toContain('round 1');
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--round', '2'], "Unknown option '--round'"],
    [['--rounds'], "Option '--rounds <value>' argument missing"],
    [['--rounds', 'two'], '--rounds must be an integer of at least 1'],
    [['extra'], "Unexpected argument 'extra'"],
  ])('%j is an error: exit 2, the message and a pointer to --help', (args, message) => {
    const r = crash(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('npm run crash -- --help');
  });
});
