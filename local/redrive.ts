/**
 * `npm run redrive`: publishes acknowledged events that are not on the local bus yet — the same logic
 * as the stack's scheduled redrive function. Asks the running local mode to do it when one is running
 * (it holds the on-disk store), else opens the store itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { localPaths } from './runtime';
import { startLocal } from './server';

async function main() {
  const paths = localPaths();
  if (existsSync(paths.stateFile)) {
    const { url } = JSON.parse(readFileSync(paths.stateFile, 'utf8')) as { url: string };
    try {
      const res = await fetch(`${url}/_callhooks/redrive`, { method: 'POST' });
      process.stdout.write(`${await res.text()}\n`);
      return;
    } catch {
      // Not running any more (stale state file): open the store ourselves.
    }
  }
  const local = await startLocal({ port: 0, redriveEveryMs: 0 });
  try {
    process.stdout.write(`${JSON.stringify(await local.redrive())}\n`);
  } finally {
    await local.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
