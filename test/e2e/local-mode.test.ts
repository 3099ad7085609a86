/**
 * The local mode end to end, as a newcomer uses it: `npm start` (the real command, in a child process)
 * answers on 127.0.0.1, publishes the signed sample once, answers its redelivery as a duplicate, keeps
 * that memory across a restart, and stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../../local/runtime';
import { fixtureBody, fixtureHeaders, loadFixtures } from '../../local/fixtures';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { startNpmStart, stopNpmStart } from '../helpers/npm-start';

const SECRET = 'whsec_' + Buffer.from('e2e local secret of 24 b').toString('base64');
const sample = loadFixtures('quarterzip').find((f) => f.name === 'call-completed')!;
const configFile = join(ROOT, 'callhooks.config.json');
let dataDir: string;

const start = () =>
  startNpmStart(dataDir, { ...process.env, PORT: '0', CALLHOOKS_DATA_DIR: join(dataDir, 'data'), CALLHOOKS_SECRET_QUARTERZIP: SECRET, CALLHOOKS_CONFIG: configFile });
const stop = stopNpmStart;

async function sendSample(url: string) {
  const res = await fetch(`${url}/webhooks/quarterzip`, {
    method: 'POST',
    headers: fixtureHeaders(sample, quarterzip(), SECRET, new Date(), 'msg_e2e_1'),
    body: fixtureBody(sample),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function events(): Array<Record<string, any>> {
  const file = join(dataDir, 'data', 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'callhooks-e2e-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start (local mode)', () => {
  it('publishes a signed sample once, answers duplicates, remembers across a restart, and stops on SIGTERM', async () => {
    // Act: first run
    const first = await start();
    const published = await sendSample(first.url);
    const duplicate = await sendSample(first.url);
    const unsigned = await fetch(`${first.url}/webhooks/quarterzip`, { method: 'POST', body: fixtureBody(sample) });
    expect(await stop(first)).toBe(0);

    // Assert: one event, shaped as a subscriber receives it
    expect(published).toEqual({ status: 200, body: { status: 'published', eventId: expect.any(String) } });
    expect(duplicate).toEqual({ status: 200, body: { status: 'duplicate', duplicate: true, eventId: published.body.eventId } });
    expect(unsigned.status).toBe(401);
    const [event, ...rest] = events();
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      source: 'callhooks.quarterzip',
      'detail-type': 'call.ended',
      detail: { eventId: published.body.eventId, callId: 'abc123', type: 'call.ended', vendorEventType: 'call.completed' },
    });
    expect(event.id).toEqual(expect.any(String));
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(first.output()).toContain(`eventId=${published.body.eventId}`);
    expect(first.output()).not.toContain(SECRET);

    // Act + Assert: a restart remembers what it has seen
    const second = await start();
    const afterRestart = await sendSample(second.url);
    expect(await stop(second)).toBe(0);
    expect(afterRestart.body).toEqual({ status: 'duplicate', duplicate: true, eventId: published.body.eventId });
    expect(events()).toHaveLength(1);

    // Every file it wrote (events, the store's LevelDB files, kept payloads, state) is for its owner only.
    const data = join(dataDir, 'data');
    const modes = [data, ...readdirSync(data, { recursive: true }).map((p) => join(data, String(p)))].map((p) => {
      const st = statSync(p);
      return { path: p.slice(dataDir.length), mode: (st.mode & 0o777).toString(8), want: st.isDirectory() ? '700' : '600' };
    });
    expect(modes.map((m) => m.path)).toEqual(expect.arrayContaining(['/data/events.jsonl', expect.stringMatching(/^\/data\/db\//)]));
    expect(modes.filter((m) => m.mode !== m.want)).toEqual([]);
  }, 90_000);

  it('stops cleanly on a SIGTERM that comes the moment it says it is ready', async () => {
    // Prepare: the server as one process (tsx as a loader, as the compiled dist/local/server.js runs: no tsx
    // wrapper relaying signals), which sends itself SIGTERM inside the write of its "ready" line
    // (test/helpers/signal-on-output.cjs).
    const preload = join(ROOT, 'test', 'helpers', 'signal-on-output.cjs');
    const loader = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const child = spawn(process.execPath, ['--import', loader, join(ROOT, 'local', 'server.ts')], {
      cwd: dataDir,
      env: {
        ...process.env,
        PORT: '0',
        CALLHOOKS_DATA_DIR: join(dataDir, 'early-stop'),
        CALLHOOKS_SECRET_QUARTERZIP: SECRET,
        CALLHOOKS_CONFIG: configFile,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim(),
        CALLHOOKS_TEST_SIGNAL_ON: 'callhooks local mode ready on',
        CALLHOOKS_TEST_SIGNAL: 'SIGTERM',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));

    // Act
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));

    // Assert: it ran its shutdown (exit 0, the state file removed), rather than dying of the signal.
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(out).toContain('callhooks local mode ready on');
    expect(out).toContain('SIGTERM: stopping');
    expect(existsSync(join(dataDir, 'early-stop', 'local.json'))).toBe(false);
  }, 60_000);
});
