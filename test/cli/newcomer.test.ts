/**
 * What a newcomer trips over on the command line (issue 20, point 6): a mistyped vendor gets a suggestion, a port
 * in use says which variable to set, an installed package's messages do not point to `npm start` (the local mode
 * runs from a clone), and every command's --help shows examples.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closest, localModeHint } from '../../cli/context';
import { ROOT } from '../../local/runtime';
import { cleanEnv, runHere } from './cli';

jest.setTimeout(60_000);

describe('a mistyped vendor', () => {
  it.each([
    ['quarterzp', 'quarterzip'],
    ['koiq', 'koeiq'],
    ['convrc', 'converc'],
    ['qcal', 'qcall'],
  ])('"%s" is refused with a suggestion of "%s"', async (typed, meant) => {
    const r = await runHere(['send', typed, '--secret', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`vendor "${typed}" is not enabled in the configuration — did you mean "${meant}"?`);
  });

  it('a built-in vendor the configuration leaves off is refused with how to turn it on', async () => {
    const r = await runHere(['send', 'twilio', '--secret', 'x']); // the repository's callhooks.config.json: the five default vendors
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('vendor "twilio" is not enabled in the configuration (enabled: quarterzip, qcall, koeiq, atoms, converc); it is built in: turn it on with "twilio": true under "vendors"');
  });

  it('gets no suggestion when nothing is near', () => {
    expect(closest('zzzzzzzz', ['quarterzip', 'qcall', 'koeiq'])).toBeUndefined();
  });
});

describe('every command shows examples in its --help', () => {
  it.each(['send', 'verify', 'tail', 'redrive', 'replay'])('callhooks %s --help', async (command) => {
    const r = await runHere([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Examples:\\n(  callhooks ${command} .*\\n)+`));
  });
});

describe('messages of an installed package', () => {
  it('do not point to npm start, which only a clone has', () => {
    expect(localModeHint(false)).not.toMatch(/^start it with `npm start`/);
    expect(localModeHint(false)).toContain('clone');
    expect(localModeHint(true)).toBe('start it with `npm start` in another terminal');
  });
});

describe('npm start on a port in use', () => {
  it('says which port and which variable to set, and exits 1', async () => {
    // Prepare: the port is taken
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'callhooks-port-'));

    // Act
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'local', 'server.ts')], {
      cwd: ROOT,
      env: cleanEnv({ PORT: String(port), CALLHOOKS_DATA_DIR: dir }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    blocker.close();
    rmSync(dir, { recursive: true, force: true });

    // Assert
    expect(code).toBe(1);
    expect(stderr).toContain(`port ${port} on 127.0.0.1 is in use (another local mode?): set PORT to a free one, e.g. PORT=${port + 1} npm start`);
  });
});
