/** startLocal({ store: 'memory' }) (what `npm run load` measures): same answers, exactly once, nothing on disk but the bus file. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureBody, fixtureHeaders, loadFixtures } from '../../local/fixtures';
import { startTestLocal } from '../helpers/local';

it('publishes once and answers copies as duplicates, with no store on disk', async () => {
  const { local, events, dir, close } = await startTestLocal({ store: 'memory' });
  try {
    const f = loadFixtures('quarterzip')[0];
    const headers = fixtureHeaders(f, local.deps.adapters.get('quarterzip')!, local.secrets.get('quarterzip')!);
    const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(`${local.url}/webhooks/quarterzip`, { method: 'POST', headers, body: fixtureBody(f) }).then((r) => r.json() as Promise<{ status: string }>)));
    expect(answers.filter((a) => a.status === 'published')).toHaveLength(1);
    expect(answers.filter((a) => a.status === 'duplicate')).toHaveLength(7);
    expect(events).toHaveLength(1);
    expect(existsSync(join(dir, 'db'))).toBe(false);
  } finally {
    await close();
  }
});
