/** startLocal({ store: 'memory' }) (what `npm run load` measures): same answers, exactly once, nothing on disk but the bus file. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocal } from '../../local/server';
import { fixtureBody, fixtureHeaders, loadFixtures } from '../../local/fixtures';
import type { DeliveredEvent } from '../../lambda/adapters/local/file-publisher';
import { MemoryLog } from '../helpers/memory';

it('publishes once and answers copies as duplicates, with no store on disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'callhooks-memstore-'));
  const events: DeliveredEvent[] = [];
  const local = await startLocal({
    port: 0,
    store: 'memory',
    redriveEveryMs: 0,
    log: new MemoryLog(),
    onEvent: (e) => events.push(e),
    env: { ...process.env, CALLHOOKS_DATA_DIR: dir, CALLHOOKS_CONFIG: join(__dirname, '..', '..', 'callhooks.config.json') },
  });
  try {
    const f = loadFixtures('quarterzip')[0];
    const headers = fixtureHeaders(f, local.deps.adapters.get('quarterzip')!, local.secrets.get('quarterzip')!);
    const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(`${local.url}/webhooks/quarterzip`, { method: 'POST', headers, body: fixtureBody(f) }).then((r) => r.json() as Promise<{ status: string }>)));
    expect(answers.filter((a) => a.status === 'published')).toHaveLength(1);
    expect(answers.filter((a) => a.status === 'duplicate')).toHaveLength(7);
    expect(events).toHaveLength(1);
    expect(existsSync(join(dir, 'db'))).toBe(false);
  } finally {
    await local.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
