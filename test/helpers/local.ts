/**
 * A throwaway local mode for end-to-end tests: a temporary data folder, no redrive timer, events collected, and
 * every vendor on (examples/all-vendors/callhooks.config.json) unless `env.CALLHOOKS_CONFIG` names another file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalOptions, LocalServer, startLocal } from '../../local/server';
import type { DeliveredEvent } from '../../lambda/adapters/local/file-publisher';
import { MemoryLog } from './memory';
import { ALL_VENDORS_CONFIG_FILE } from './configs';

export interface TestLocal {
  readonly local: LocalServer;
  /** Every event the local mode published, in order. */
  readonly events: DeliveredEvent[];
  readonly dir: string;
  close(): Promise<void>;
}

export async function startTestLocal(options: Pick<LocalOptions, 'inMemory' | 'store'> & { env?: NodeJS.ProcessEnv } = {}): Promise<TestLocal> {
  const dir = mkdtempSync(join(tmpdir(), 'callhooks-test-'));
  const events: DeliveredEvent[] = [];
  const local = await startLocal({
    port: 0,
    inMemory: options.inMemory ?? true,
    store: options.store,
    redriveEveryMs: 0,
    log: new MemoryLog(),
    onEvent: (e) => events.push(e),
    env: { ...process.env, CALLHOOKS_DATA_DIR: dir, CALLHOOKS_CONFIG: ALL_VENDORS_CONFIG_FILE, ...options.env },
  });
  return {
    local,
    events,
    dir,
    close: async () => {
      await local.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
