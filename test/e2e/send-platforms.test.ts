/**
 * Issue 18, "done when": `npx callhooks send <vendor>` for each of the ten platforms publishes an event against
 * `npm start`, with development credentials and no configuration beyond enabling the vendor. The local mode is
 * the real `npm start` (a child process) in a folder whose `callhooks.config.json` only names the ten vendors;
 * the command finds the URL and the generated secrets in the data folder, as a newcomer's would.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNpmStart, stopNpmStart, type RunningLocal } from '../helpers/npm-start';
import { runHere } from '../cli/cli';

const PLATFORMS = ['twilio', 'vapi', 'retell', 'elevenlabs', 'telnyx', 'vonage', 'openai', 'bland', 'ultravox', 'livekit'] as const;

let dir: string;
let local: RunningLocal;
const env = () => ({ CALLHOOKS_DATA_DIR: join(dir, 'data') });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'callhooks-send-platforms-'));
  writeFileSync(join(dir, 'callhooks.config.json'), JSON.stringify({ vendors: Object.fromEntries(PLATFORMS.map((v) => [v, true])) }));
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CALLHOOKS_')));
  local = await startNpmStart(dir, { ...base, PORT: '0', ...env() });
}, 60_000);
afterAll(async () => {
  if (local) await stopNpmStart(local);
  rmSync(dir, { recursive: true, force: true });
});

function events(): Array<{ source: string; 'detail-type': string; detail: { eventId: string; callId: string | null } }> {
  const file = join(dir, 'data', 'events.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

describe('callhooks send <platform> against npm start, enabling the vendor and nothing else', () => {
  it.each(PLATFORMS)('%s: its default sample is published once', async (vendor) => {
    // Act: no --url, no --secret: the local mode's local.json and dev-secrets.json
    const r = await runHere(['send', vendor], { cwd: dir, env: env() });

    // Assert
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const eventId = /200 published eventId=(\S+)/.exec(r.stdout)?.[1];
    expect(eventId).toBeDefined();
    const mine = events().filter((e) => e.detail.eventId === eventId);
    expect(mine).toHaveLength(1);
    expect(mine[0].source).toBe(`callhooks.${vendor}`);
  }, 30_000);
});
