/**
 * Runs the real `callhooks` command (cli/bin.js in a child process, as `npx callhooks` does), or
 * the same program in this process where a test makes many calls (`runHere`: no process start-up).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../local/runtime';
import { run } from '../../cli/main';
import type { Io } from '../../cli/io';

export const BIN = join(ROOT, 'cli', 'bin.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A clean environment: no secrets, URL or config from the developer's shell leak into a test. */
export function cleanEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CALLHOOKS_') && k !== 'PORT'));
  return { ...base, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env };
}

/** `input`: written to the command's stdin (else it has none). */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string | Buffer } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: cleanEnv(options.env), stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (options.input !== undefined) child.stdin!.end(options.input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`callhooks ${args.join(' ')} did not end in time:\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function runHere(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; untilStopped?: Promise<string> } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    interactive: false,
    env: cleanEnv(options.env),
    cwd: options.cwd ?? ROOT,
    untilStopped: () => options.untilStopped ?? new Promise(() => undefined),
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}
