/**
 * `npm start` as a newcomer runs it: local/server.ts under tsx, in a child process. Run as
 * `node --import tsx local/server.ts` (what `tsx local/server.ts` does, without the tsx CLI's wrapper process): the
 * wrapper relays SIGTERM and SIGKILLs the server when it has not acknowledged within 30 ms, which on a loaded
 * machine turns a clean stop into exit code 143.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../../local/runtime';

export interface RunningLocal {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

/** Starts `npm start` in `cwd` with `env` and resolves once it says it is ready (30 s at most). */
export function startNpmStart(cwd: string, env: NodeJS.ProcessEnv): Promise<RunningLocal> {
  const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, join(ROOT, 'local', 'server.ts')], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 30 s:\n${out}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /callhooks local mode ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
}

/** Sends SIGTERM and resolves with the exit code. */
export function stopNpmStart(r: RunningLocal): Promise<number | null> {
  return new Promise((resolve) => {
    r.child.once('exit', (code) => resolve(code));
    r.child.kill('SIGTERM');
  });
}
