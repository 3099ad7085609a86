/**
 * The server side of `npm run load` in its own process: the local mode (local/server.ts startLocal) with
 * the settings the load run wants (dynalite in memory, no redrive timer, no log lines, a counter for
 * events) on 127.0.0.1. Prints `ready <url>` when it listens; closes cleanly on SIGTERM / SIGINT, so
 * that `node --cpu-prof` can write its profile.
 *
 * Environment: PORT (default 0), CALLHOOKS_DATA_DIR, CALLHOOKS_SECRET_<VENDOR>, LOAD_STORE (`memory`, the
 * default, or `dynalite`: in memory). scripts/load.ts sets them.
 */
import { startLocal } from '../../local/server';
import { NOOP_LOG } from './noop-ports';

async function main() {
  let published = 0;
  const local = await startLocal({
    port: Number(process.env.PORT || 0),
    inMemory: true,
    store: process.env.LOAD_STORE === 'dynalite' ? 'dynalite' : 'memory',
    redriveEveryMs: 0,
    log: NOOP_LOG,
    onEvent: () => {
      published++;
    },
  });
  process.stdout.write(`ready ${local.url}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`published ${published}\n`);
    local.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`load server failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
