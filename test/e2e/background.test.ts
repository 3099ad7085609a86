/**
 * The local mode in the background, as the README documents it (issue 20, point 7): `npm start &` in a shell,
 * then `kill` of the pid the server writes into `.callhooks/local.json`. That pid is the server's own process
 * (not npm's, which `kill $!` would stop, orphaning the server on its port): it stops cleanly, frees the port,
 * removes local.json, and npm ends with it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../local/runtime';
import { cleanEnv } from '../cli/cli';

jest.setTimeout(90_000);

const until = async (what: string, ok: () => boolean, ms = 45_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('npm start in the background stops with kill of the pid in local.json: port free, local.json gone, npm ended', async () => {
  // Prepare: the documented line, in a shell that returns at once
  const dir = mkdtempSync(join(tmpdir(), 'callhooks-background-'));
  const env = cleanEnv({ PORT: '0', CALLHOOKS_DATA_DIR: dir });
  const shell = spawn('sh', ['-c', `npm start > "${join(dir, 'local.log')}" 2>&1 & echo $!`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let npmPid = 0;
  shell.stdout.on('data', (d: Buffer) => (npmPid = Number(String(d).trim())));
  await new Promise((resolve) => shell.once('close', resolve));
  const stateFile = join(dir, 'local.json');
  try {
    await until('local.json', () => existsSync(stateFile) && readFileSync(stateFile, 'utf8').endsWith('\n'));
    const { url, pid } = JSON.parse(readFileSync(stateFile, 'utf8')) as { url: string; pid: number };
    const port = Number(new URL(url).port);
    expect((await fetch(`${url}/_callhooks/metrics`)).status).toBe(200);

    // Act
    process.kill(pid, 'SIGTERM');

    // Assert
    await until('the server ends', () => !alive(pid));
    await until('npm ends', () => !alive(npmPid));
    expect(existsSync(stateFile)).toBe(false);
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
    probe.close();
  } finally {
    if (npmPid && alive(npmPid)) process.kill(npmPid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
