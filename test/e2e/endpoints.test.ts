/**
 * Several accounts per vendor in local mode (DESIGN.md §Endpoints), over HTTP against the local server: with
 * Quarterzip endpoints `eu` and `us` and Converc endpoints `default` and `org-b`, each endpoint takes its own
 * secret and refuses the other's, unknown endpoints and an unlisted plain route are 404, every event names its
 * endpoint, and dedup is per endpoint (the same id at two endpoints is two events). Then the real `npm start` and
 * `callhooks send vendor/endpoint` with the development secrets it generated per endpoint.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fixtureBody, fixtureHeaders, type Fixture } from '../../local/fixtures';
import { ROOT } from '../../local/runtime';
import type { VendorAdapter } from '../../lambda/core/vendor';
import { startTestLocal, TestLocal } from '../helpers/local';
import { CONVERC_ACCEPTED, CONVERC_CALL, QCALL_CALL, QUARTERZIP_CALL, writeEndpointsConfig } from '../helpers/endpoints';
import { cleanEnv, runCli, runHere } from '../cli/cli';

jest.setTimeout(60_000);

const EU_SECRET = 'whsec_' + Buffer.from('the eu workspace secret!').toString('base64');
let configFile: string;
let t: TestLocal;

beforeAll(async () => {
  configFile = writeEndpointsConfig();
  t = await startTestLocal({ env: { CALLHOOKS_CONFIG: configFile, CALLHOOKS_SECRET_QUARTERZIP_EU: EU_SECRET } });
});
afterAll(async () => {
  await t.close();
  rmSync(dirname(configFile), { recursive: true, force: true });
});

function adapterOf(vendor: string, endpoint: string): VendorAdapter {
  return t.local.deps.endpoints!.get(vendor)!.get(endpoint)!;
}

function secretOf(key: string): string {
  const secret = t.local.secrets.get(key);
  if (!secret) throw new Error(`no local secret ${key}`);
  return secret;
}

/** POSTs the fixture to `path`, signed by `signer` with `secret`. */
async function post(path: string, f: Fixture, signer: VendorAdapter, secret: string, id?: string) {
  const res = await fetch(`${t.local.url}${path}`, { method: 'POST', headers: fixtureHeaders(f, signer, secret, new Date(), id), body: fixtureBody(f) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('endpoints in local mode', () => {
  it.each([
    ['quarterzip', 'eu', 'quarterzip/us', '/webhooks/quarterzip/eu', QUARTERZIP_CALL],
    ['quarterzip', 'us', 'quarterzip/eu', '/webhooks/quarterzip/us', QUARTERZIP_CALL],
    ['converc', 'default', 'converc/org-b', '/webhooks/converc', CONVERC_CALL],
    // Converc's dedup key is in the body: another event, or it would be a duplicate of the one before.
    ['converc', 'org-b', 'converc', '/webhooks/converc/org-b', CONVERC_ACCEPTED],
  ] as const)("%s/%s accepts its own secret and refuses %s's (401); its event names the endpoint", async (vendor, endpoint, other, path, f) => {
    // Prepare
    const adapter = adapterOf(vendor, endpoint);
    const own = secretOf(endpoint === 'default' ? vendor : `${vendor}/${endpoint}`);
    const before = t.events.length;
    const id = `msg_own_${vendor}_${endpoint}`;

    // Act
    const refused = await post(path, f, adapter, secretOf(other), id);
    const accepted = await post(path, f, adapter, own, id);

    // Assert
    expect(refused).toEqual({ status: 401, body: { error: 'unauthorized', message: 'the delivery could not be authenticated' } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('published');
    const published = t.events.slice(before);
    expect(published).toHaveLength(1);
    expect(published[0].detail).toMatchObject({ vendor, endpoint, eventId: accepted.body.eventId });
  });

  it('takes the Quarterzip eu secret from CALLHOOKS_SECRET_QUARTERZIP_EU and generates the others per endpoint', () => {
    // Assert
    expect(secretOf('quarterzip/eu')).toBe(EU_SECRET);
    const saved = JSON.parse(readFileSync(join(t.dir, 'dev-secrets.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(saved).sort()).toEqual(['converc', 'converc/org-b', 'qcall/sales', 'qcall/support', 'quarterzip/us']);
    expect(new Set(Object.values(saved)).size).toBe(5);
  });

  it.each([
    ['an unknown endpoint', '/webhooks/quarterzip/asia', 'quarterzip/eu'],
    ['the plain route of a vendor that lists only named endpoints', '/webhooks/quarterzip', 'quarterzip/eu'],
    ['an endpoint of another vendor', '/webhooks/converc/eu', 'quarterzip/eu'],
    ['the default endpoint by name (its route is the plain one)', '/webhooks/converc/default', 'converc'],
  ])('answers %s 404, and publishes nothing', async (_name, path, key) => {
    // Prepare
    const before = t.events.length;

    // Act
    const res = await post(path, QUARTERZIP_CALL, adapterOf('quarterzip', 'eu'), secretOf(key), 'msg_404');

    // Assert
    expect(res.status).toBe(404);
    expect(t.events.length).toBe(before);
  });

  it('publishes the same webhook-id at two endpoints twice, each under its own eventId (dedup is per endpoint), and a redelivery once', async () => {
    // Prepare: two Quarterzip workspaces whose message ids happen to be equal
    const before = t.events.length;

    // Act
    const atEu = await post('/webhooks/quarterzip/eu', QUARTERZIP_CALL, adapterOf('quarterzip', 'eu'), secretOf('quarterzip/eu'), 'msg_both_workspaces');
    const atUs = await post('/webhooks/quarterzip/us', QUARTERZIP_CALL, adapterOf('quarterzip', 'us'), secretOf('quarterzip/us'), 'msg_both_workspaces');
    const usAgain = await post('/webhooks/quarterzip/us', QUARTERZIP_CALL, adapterOf('quarterzip', 'us'), secretOf('quarterzip/us'), 'msg_both_workspaces');

    // Assert
    expect([atEu.body.status, atUs.body.status]).toEqual(['published', 'published']);
    expect(atUs.body.eventId).not.toBe(atEu.body.eventId);
    expect(usAgain).toEqual({ status: 200, body: { status: 'duplicate', duplicate: true, eventId: atUs.body.eventId } });
    expect(t.events.slice(before).map((e) => [e.detail.endpoint, e.detail.eventId])).toEqual([['eu', atEu.body.eventId], ['us', atUs.body.eventId]]);
  });

  it("verifies each QCall assistant with its own options: sales' token in its own header, support's in the vendor's", async () => {
    // Prepare
    const sales = adapterOf('qcall', 'sales');
    const support = adapterOf('qcall', 'support');
    const salesHeaders = sales.sign(fixtureBody(QCALL_CALL), secretOf('qcall/sales'), new Date());
    const supportHeaders = support.sign(fixtureBody(QCALL_CALL), secretOf('qcall/support'), new Date());
    const send = async (path: string, headers: Record<string, string>) =>
      (await fetch(`${t.local.url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: fixtureBody(QCALL_CALL) })).status;

    // Act + Assert
    expect(Object.keys(salesHeaders)).toEqual(['x-sales-token']);
    expect(Object.keys(supportHeaders)).toEqual(['x-callhooks-token']);
    expect(await send('/webhooks/qcall/sales', { 'x-callhooks-token': secretOf('qcall/sales') })).toBe(401);
    expect(await send('/webhooks/qcall/sales', salesHeaders)).toBe(200);
    expect(await send('/webhooks/qcall/support', supportHeaders)).toBe(200);
  });
});

describe('callhooks send --all with endpoints (in process)', () => {
  it("sends every sample to every endpoint, each signed with that endpoint's secret and options, and each is accepted", async () => {
    // Act: the secrets of the local mode's data folder (quarterzip/eu's from its variable)
    const r = await runHere(['send', '--all', '--url', t.local.url, '--json'], {
      env: { CALLHOOKS_DATA_DIR: t.dir, CALLHOOKS_CONFIG: configFile, CALLHOOKS_SECRET_QUARTERZIP_EU: EU_SECRET },
    });

    // Assert
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { vendor: string; endpoint: string; status: number; url: string });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect([...new Set(lines.map((l) => `${l.vendor}/${l.endpoint}`))]).toEqual(['quarterzip/eu', 'quarterzip/us', 'qcall/sales', 'qcall/support', 'converc/default', 'converc/org-b']);
    expect(lines.filter((l) => l.status !== 200)).toEqual([]);
    expect(lines.find((l) => l.endpoint === 'org-b')!.url).toBe(`${t.local.url}/webhooks/converc/org-b`);
  });
});

describe('npm start and callhooks send with endpoints', () => {
  let child: ChildProcess | undefined;
  let dataDir: string;
  afterAll(() => {
    child?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints every route and a development secret per endpoint; `callhooks send quarterzip/eu` signs with it and is published', async () => {
    // Prepare
    dataDir = mkdtempSync(join(tmpdir(), 'callhooks-e2e-endpoints-'));
    const env = cleanEnv({ PORT: '0', CALLHOOKS_DATA_DIR: dataDir, CALLHOOKS_CONFIG: configFile });
    child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'local', 'server.ts')], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in 30 s:\n${out}`)), 30_000);
      child!.stdout!.on('data', () => {
        const m = /callhooks local mode ready on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*events:/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child!.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    });

    // Act
    const sent = await runCli(['send', 'quarterzip/eu'], { env: { CALLHOOKS_DATA_DIR: dataDir, CALLHOOKS_CONFIG: configFile } });
    const wrong = await runCli(['send', 'quarterzip/us', '--secret', 'whsec_' + Buffer.from('not the us secret at all').toString('base64')], { env: { CALLHOOKS_DATA_DIR: dataDir, CALLHOOKS_CONFIG: configFile } });

    // Assert
    const routes = /routes:([\s\S]*?)\n {2}events:/.exec(out)![1].split('\n').map((l) => l.trim()).filter(Boolean);
    expect(routes).toEqual([
      `${url}/webhooks/quarterzip/eu`,
      `${url}/webhooks/quarterzip/us`,
      `${url}/webhooks/qcall/sales`,
      `${url}/webhooks/qcall/support`,
      `${url}/webhooks/converc`,
      `${url}/webhooks/converc/org-b`,
    ]);
    const file = join(dataDir, 'dev-secrets.json');
    expect(out).toContain(`generated a development secret for quarterzip/eu into ${file} (set CALLHOOKS_SECRET_QUARTERZIP_EU to use your own)`);
    expect(out).toContain(`generated a development secret for converc into ${file} (set CALLHOOKS_SECRET_CONVERC to use your own)`);
    expect(out).toContain(`generated a development secret for converc/org-b into ${file} (set CALLHOOKS_SECRET_CONVERC_ORG_B to use your own)`);
    for (const secret of Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)) expect(out).not.toContain(secret);
    expect(sent.stdout).toMatch(/^quarterzip\/eu call-completed: 200 published eventId=[0-9a-f-]{36}\n$/);
    expect(wrong.stdout).toMatch(/^quarterzip\/us call-completed: 401 /);
    const events = readFileSync(join(dataDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => [e.source, e.detail.endpoint])).toEqual([['callhooks.quarterzip', 'eu']]);
  });
});
