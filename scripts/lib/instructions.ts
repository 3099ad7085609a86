/**
 * Module init counted in instructions, not seconds: `valgrind --tool=callgrind` runs `node -e "require(bundle)"`
 * and reports the instructions the process executed, a figure that hardly moves with what else the machine does.
 * The count of `node -e ""` under the same flags is subtracted, so what is left is the cost of requiring the bundle.
 *
 * node runs with `--single-threaded` (V8 then compiles, collects garbage and parses on the main thread, the work it
 * would otherwise hand to its helper threads: the same work, one thread) and fixed `--hash-seed` / `--random-seed`.
 * Without those flags V8's idle helper threads add a varying amount (under valgrind, about ±1 % of an empty
 * `node -e ""` from one run to the next); with them `node -e ""` repeats to a few thousand instructions, and a
 * bundle's count to within about 1 % (V8 still decides some work by the clock). An instruction is not a nanosecond
 * (cache misses, page faults and I/O are not counted), so this measures the work, which is what a bundle adds; a
 * run under callgrind takes 10–25 s.
 */
import { spawn, spawnSync } from 'node:child_process';

/** node's flags for every counted run. */
export const NODE_FLAGS = ['--single-threaded', '--hash-seed=1', '--random-seed=1'] as const;

/** `valgrind-3.19.0`, or undefined when valgrind is not on the PATH or cannot run callgrind. */
export function callgrindVersion(): string | undefined {
  const r = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Instructions executed by `node -e "require(file)"` (or `node -e ""` without a file), the whole process. */
export function countInstructions(file: string | undefined, env: Record<string, string>): Promise<number> {
  const script = file === undefined ? '' : `require(${JSON.stringify(file)})`;
  const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...NODE_FLAGS, '-e', script];
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /Collected\s*:\s*(\d+)/.exec(stderr);
      if (code !== 0 || !m) reject(new Error(`callgrind of ${file ?? 'node -e ""'} failed (exit ${code}): ${stderr.slice(-500)}`));
      else resolve(Number(m[1]));
    });
  });
}

/** Runs `jobs` at most `concurrency` at a time (the counts do not depend on it); results in the order of `jobs`. */
export async function inTurn<T>(jobs: ReadonlyArray<() => Promise<T>>, concurrency: number): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return results;
}
