/**
 * The `callhooks` executable (cli/bin.js, the package's `bin`): in a clone it runs the TypeScript source
 * with tsx (every other test in this folder runs it that way); in an installed package, which ships no
 * source and no tsx, it runs the compiled dist/cli/main.js. Here, a package laid out as installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanEnv } from './cli';

let pkg: string;
beforeEach(() => {
  pkg = mkdtempSync(join(tmpdir(), 'callhooks-bin-'));
  mkdirSync(join(pkg, 'cli'));
  copyFileSync(BIN, join(pkg, 'cli', 'bin.js'));
});
afterEach(() => rmSync(pkg, { recursive: true, force: true }));

function compiledStub() {
  mkdirSync(join(pkg, 'dist', 'cli'), { recursive: true });
  writeFileSync(join(pkg, 'dist', 'cli', 'main.js'), "exports.main = () => process.stdout.write('compiled ' + process.argv.slice(2).join(' '));\n");
}

describe('cli/bin.js', () => {
  it('runs the compiled dist/cli/main.js of an installed package, with the arguments', () => {
    compiledStub();
    expect(execFileSync(process.execPath, [join(pkg, 'cli', 'bin.js'), 'send', 'quarterzip'], { env: cleanEnv() }).toString()).toBe('compiled send quarterzip');
  });

  it('runs the compiled file when the source is there but tsx is not (a clone installed without dev dependencies)', () => {
    compiledStub();
    writeFileSync(join(pkg, 'cli', 'main.ts'), 'throw new Error("the source must not run without tsx");\n');
    expect(execFileSync(process.execPath, [join(pkg, 'cli', 'bin.js'), '--help'], { env: cleanEnv() }).toString()).toBe('compiled --help');
  });

  it('says how to build it, with exit status 3, when there is neither', () => {
    const r = spawnSync(process.execPath, [join(pkg, 'cli', 'bin.js')], { env: cleanEnv() });
    expect(r.status).toBe(3);
    expect(r.stderr.toString()).toContain('run `npm run build`');
  });
});
