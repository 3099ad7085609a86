/**
 * `callhooks send` end to end against a real local mode: it signs as the vendor does (the local mode
 * verifies with the vendor's adapter), publishes once, answers a resend as a duplicate, refuses a wrong
 * secret, and builds the URL and secret name of a non-default endpoint.
 */
import { createServer, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFile, endpointSecretEnvName, vendorsFrom, webhookUrl } from '../../cli/context';
import { fromApiGateway } from '../../lambda/core/http';
import { loadConfig, secretEnvName } from '../../local/runtime';
import { BUILT_IN_VENDORS, createAdapters, DEFAULT_VENDORS } from '../../lambda/vendors';
import { startTestLocal, TestLocal } from '../helpers/local';
import { startLocal } from '../../local/server';
import { runCli, runHere } from './cli';
import { ALL_VENDORS_CONFIG_FILE } from '../helpers/configs';

jest.setTimeout(60_000); // each spawn of the real command starts Node and tsx: seconds on a busy machine

let t: TestLocal;
let scratch: string;

beforeAll(async () => {
  t = await startTestLocal();
  scratch = mkdtempSync(join(tmpdir(), 'callhooks-cli-'));
});
afterAll(async () => {
  await t.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** The local mode's secrets as the CLI would find them in the environment, and its configuration (every vendor). */
function secretsEnv(): NodeJS.ProcessEnv {
  return { ...Object.fromEntries([...t.local.secrets].map(([vendor, secret]) => [secretEnvName(vendor), secret])), CALLHOOKS_CONFIG: ALL_VENDORS_CONFIG_FILE };
}
const allVendors = () => loadConfig(ALL_VENDORS_CONFIG_FILE).vendors;

describe('callhooks send (the real command)', () => {
  it('publishes a Quarterzip sample with --url and --secret, and a second send answers duplicate with the same eventId', async () => {
    const before = t.events.length;
    const first = await runCli(['send', 'quarterzip', '--url', t.local.url, '--secret', t.local.secrets.get('quarterzip')!, '--json']);
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout);
    expect(a).toMatchObject({ vendor: 'quarterzip', endpoint: 'default', sample: 'call-completed', status: 200, response: { status: 'published' } });
    expect(t.events.length).toBe(before + 1);
    expect(t.events[t.events.length - 1].detail.eventId).toBe(a.response.eventId);

    const second = await runCli(['send', 'quarterzip', '--url', t.local.url, '--secret', t.local.secrets.get('quarterzip')!]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`quarterzip/default call-completed: 200 duplicate eventId=${a.response.eventId}\n`);
    expect(t.events.length).toBe(before + 1);
  });

  it('refuses with exit status 1 and shows the 401 when the secret is wrong; nothing is published', async () => {
    const before = t.events.length;
    const r = await runCli(['send', 'koeiq', 'alert-triggered', '--url', t.local.url, '--secret', 'not-the-secret']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^koeiq\/default alert-triggered: 401 /);
    expect(t.events.length).toBe(before);
  });

  it('exits 3 and says how to start the local mode when none is running', async () => {
    const dataDir = join(scratch, 'nothing-running');
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const r = await runCli(['send', 'quarterzip', '--secret', 'whsec_AAAA'], { env: { CALLHOOKS_DATA_DIR: dataDir, PORT: String(port) } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the local mode is not running');
  });
});

describe('callhooks send (in process, many deliveries)', () => {
  it('signs every sample of every vendor, the custom vendor of examples/all-vendors included, so that each is accepted', async () => {
    const r = await runHere(['send', '--all', '--url', t.local.url, '--json'], { env: secretsEnv() });
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(new Set(lines.map((l) => l.vendor))).toEqual(new Set(allVendors().map((v) => v.name)));
    expect(lines.map((l) => l.vendor)).toContain('ringly');
    for (const l of lines) expect([l.sample, l.status]).toEqual([l.sample, 200]);
  });

  it('with the repository\'s callhooks.config.json (the quick start: no CALLHOOKS_CONFIG), sends the samples of its five vendors', async () => {
    const secrets = Object.fromEntries([...t.local.secrets].map(([vendor, secret]) => [secretEnvName(vendor), secret]));
    const r = await runHere(['send', '--all', '--url', t.local.url, '--json'], { env: secrets });
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { vendor: string; status: number });
    expect(r.code).toBe(0);
    expect([...new Set(lines.map((l) => l.vendor))].sort()).toEqual([...DEFAULT_VENDORS].sort());
    for (const l of lines) expect(l.status).toBe(200);
  });

  it('--id makes every sample of every vendor another call: a new event under a new eventId; the same --id again is a duplicate', async () => {
    // Arrange
    const send = (id: string) => runHere(['send', '--all', '--url', t.local.url, '--json', '--id', id], { env: secretsEnv() });
    const parse = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as { vendor: string; sample: string; status: number; response: { status: string; eventId: string } });
    const key = (l: { vendor: string; sample: string }) => `${l.vendor}/${l.sample}`;
    await send('seed'); // every sample once, so that a plain resend would be a duplicate
    // Act
    const first = parse((await send('run-1')).stdout);
    const again = parse((await send('run-1')).stdout);
    const other = parse((await send('run-2')).stdout);
    // Assert
    expect(new Set(first.map((l) => l.vendor))).toEqual(new Set(allVendors().map((v) => v.name)));
    for (const l of first) expect([key(l), l.status, l.response.status]).toEqual([key(l), 200, 'published']);
    for (const l of other) expect([key(l), l.status, l.response.status]).toEqual([key(l), 200, 'published']);
    const firstIds = new Map(first.map((l) => [key(l), l.response.eventId]));
    // QCall without dedupFields (as configured here) keys each delivery by its request id: every send is new.
    const qcall = allVendors().find((v) => v.name === 'qcall') as { options?: { dedupFields?: unknown } } | undefined;
    const everySendNew = (vendor: string) => vendor === 'qcall' && qcall?.options?.dedupFields === undefined;
    for (const l of again) {
      if (everySendNew(l.vendor)) expect([key(l), l.response.status]).toEqual([key(l), 'published']);
      else expect([key(l), l.response.status, l.response.eventId]).toEqual([key(l), 'duplicate', firstIds.get(key(l))]);
    }
    for (const l of other) expect([key(l), l.response.eventId === firstIds.get(key(l))]).toEqual([key(l), false]);
  });

  it('sends a JSON file byte for byte as the body, and the event carries its content', async () => {
    const file = join(scratch, 'ringly-event.json');
    writeFileSync(file, '{"type":"call.completed","id":"evt_cli_file_1","created":1764590000,"account":"acc_1","data":{"call_id":"call_from_file"}}');
    const r = await runHere(['send', 'ringly', file, '--url', t.local.url, '--json'], { env: secretsEnv() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 200, response: { status: 'published' } });
    expect(t.events[t.events.length - 1].detail).toMatchObject({ vendor: 'ringly', callId: 'call_from_file', type: 'call.ended' });
  });

  it('uses the local mode\'s development secrets when neither --secret nor the variable is given', async () => {
    const dataDir = join(scratch, 'dev-secrets');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'dev-secrets.json'), JSON.stringify({ atoms: t.local.secrets.get('atoms') }));
    const r = await runHere(['send', 'atoms', 'pre-conversation', '--url', t.local.url], { env: { CALLHOOKS_DATA_DIR: dataDir } });
    expect(r.stdout).toMatch(/^atoms\/default pre-conversation: 200 (published|duplicate) eventId=/);
    expect(r.code).toBe(0);
  });

  it.each([
    [['send', 'nope'], /vendor "nope" is not enabled/],
    [['send', 'quarterzip', 'no-such-sample', '--secret', 'x'], /no sample "no-such-sample" for quarterzip \(samples: /],
    [['send', 'quarterzip/EU!', '--secret', 'x'], /is not <vendor>\[\/<endpoint>\]/],
    [['send', 'quarterzip/eu', '--url', 'https://api.example.com'], /no secret for quarterzip\/eu: pass --secret or set CALLHOOKS_SECRET_QUARTERZIP_EU/],
    [['send', 'quarterzip', '--timeout', '0', '--secret', 'x'], /--timeout/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const r = await runHere(args, { env: { CALLHOOKS_DATA_DIR: join(scratch, 'empty') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('callhooks send: what it reads from the data folder (issue 16, finding 11)', () => {
  /** A server that records what reaches it (it must see nothing). */
  async function trap() {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { seen, port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(r)) };
  }

  it.each([
    ['a public host', 'https://hooks.attacker.example'],
    ['a private address', 'http://10.0.0.7:3000'],
    ['a name that only starts like localhost', 'http://localhost.attacker.example:3000'],
  ])('without --url, refuses a local.json that names %s, and sends nothing with the secret from the environment', async (_label, url) => {
    // Prepare: a data folder someone else wrote, a production secret in the environment
    const dataDir = join(scratch, `state-${url.replace(/\W/g, '')}`);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'local.json'), JSON.stringify({ url, pid: 1 }));

    // Act
    const r = await runHere(['send', 'quarterzip'], { env: { CALLHOOKS_DATA_DIR: dataDir, CALLHOOKS_SECRET_QUARTERZIP: 'whsec_cHJvZHVjdGlvbi1zZWNyZXQtdmFsdWU=' } });

    // Assert
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a loopback address');
    expect(r.stdout).toBe('');
  });

  it('without --url, sends to the loopback URL a running local mode wrote into local.json', async () => {
    // Prepare
    const server = await trap();
    const dataDir = join(scratch, 'state-loopback');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'local.json'), JSON.stringify({ url: `http://127.0.0.1:${server.port}`, pid: 1 }));

    // Act
    const r = await runHere(['send', 'quarterzip', '--secret', 'whsec_AAAAAAAAAAAAAAAAAAAAAAAA'], { env: { CALLHOOKS_DATA_DIR: dataDir } });
    await server.close();

    // Assert
    expect(r.code).toBe(0);
    expect(server.seen).toHaveLength(1);
  });

  it("never echoes a secret's characters when dev-secrets.json is not JSON", async () => {
    // Prepare: a dev-secrets.json that is the bare secret (someone wrote it by hand)
    const dataDir = join(scratch, 'dev-secrets-not-json');
    mkdirSync(dataDir, { recursive: true });
    const secret = 'whsec_c2VjcmV0LWNoYXJhY3RlcnMtaGVyZQ==';
    writeFileSync(join(dataDir, 'dev-secrets.json'), secret);

    // Act
    const r = await runHere(['send', 'quarterzip', '--url', 'http://127.0.0.1:9'], { env: { CALLHOOKS_DATA_DIR: dataDir } });

    // Assert
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('dev-secrets.json is not a JSON object');
    for (let i = 0; i + 4 <= secret.length; i++) expect(r.stderr).not.toContain(secret.slice(i, i + 4));
  });

  it("npm start refuses a dev-secrets.json that is not JSON without quoting any of it", async () => {
    // Prepare
    const dataDir = join(scratch, 'dev-secrets-not-json-local');
    mkdirSync(dataDir, { recursive: true });
    const secret = 'whsec_c2VjcmV0LWNoYXJhY3RlcnMtaGVyZQ==';
    writeFileSync(join(dataDir, 'dev-secrets.json'), secret);

    // Act
    const failure = await startLocal({ port: 0, inMemory: true, redriveEveryMs: 0, env: { ...process.env, CALLHOOKS_DATA_DIR: dataDir } }).then(
      async (l) => (await l.close(), undefined),
      (err: Error) => err.message,
    );

    // Assert
    expect(failure).toContain('dev-secrets.json is not a JSON object of development secrets');
    for (let i = 0; i + 4 <= secret.length; i++) expect(failure).not.toContain(secret.slice(i, i + 4));
  });

  it('says a rotation-form secret without a current value is misconfigured, without its value', async () => {
    const r = await runHere(['send', 'koeiq', '--url', 'http://127.0.0.1:9', '--secret', '{"current": "", "previous": "old-secret-value"}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the secret from --secret: the secret holds {"current", "previous"} but "current" is not a non-empty string');
    expect(r.stderr).not.toContain('old-secret-value');
  });
});

describe('the webhook URL and the secret variable of an endpoint', () => {
  it.each([
    ['http://127.0.0.1:3000', 'default', 'http://127.0.0.1:3000/webhooks/quarterzip'],
    ['http://127.0.0.1:3000/', 'eu', 'http://127.0.0.1:3000/webhooks/quarterzip/eu'],
    ['https://abc.execute-api.eu-west-1.amazonaws.com/prod', 'us-east', 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/webhooks/quarterzip/us-east'],
    ['https://hooks.example.com/webhooks/quarterzip/eu', 'eu', 'https://hooks.example.com/webhooks/quarterzip/eu'],
  ])('%s with endpoint %s sends to %s', (base, endpoint, expected) => {
    expect(webhookUrl(base, { vendor: 'quarterzip', endpoint }).toString()).toBe(expected);
  });

  it.each([
    ['quarterzip', 'default', 'CALLHOOKS_SECRET_QUARTERZIP'],
    ['quarterzip', 'eu', 'CALLHOOKS_SECRET_QUARTERZIP_EU'],
    ['my-vendor', 'us-east-2', 'CALLHOOKS_SECRET_MY_VENDOR_US_EAST_2'],
  ])('%s/%s reads its secret from %s', (vendor, endpoint, name) => {
    expect(endpointSecretEnvName({ vendor, endpoint })).toBe(name);
  });

  it("signs a non-default endpoint with that endpoint's variable and sends it to /webhooks/<vendor>/<endpoint>", async () => {
    // A recording server stands in for an API that has the endpoint (the configuration used here lists none).
    const seen: Array<{ path: string; headers: IncomingHttpHeaders; body: Buffer }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"published","eventId":"e-1"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const r = await runHere(['send', 'converc/eu', 'webhook-test', '--url', url], {
        env: { CALLHOOKS_SECRET_CONVERC: 'the-default-secret', CALLHOOKS_SECRET_CONVERC_EU: 'the-eu-secret' },
      });
      expect(r.stdout).toBe('converc/eu webhook-test: 200 published eventId=e-1\n');
      expect(seen.map((s) => s.path)).toEqual(['/webhooks/converc/eu']);
      const adapter = createAdapters(loadConfig().vendors).get('converc')!;
      const delivery = fromApiGateway({ version: '2.0', headers: seen[0].headers as Record<string, string>, body: seen[0].body.toString('utf8'), isBase64Encoded: false, rawPath: '/webhooks/converc/eu' } as never);
      expect(adapter.verify(delivery, 'the-eu-secret', new Date())).toBe(true);
      expect(adapter.verify(delivery, 'the-default-secret', new Date())).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the configuration the command reads', () => {
  it('without any configuration file (an installed package ships none), signs for every built-in vendor with its defaults', () => {
    const empty = mkdtempSync(join(scratch, 'no-config-'));
    const file = configFile({ env: {}, cwd: empty }, undefined, join(empty, 'callhooks.config.json'));

    expect(file).toBeUndefined();
    expect([...vendorsFrom(file).adapters.keys()].sort()).toEqual([...BUILT_IN_VENDORS].sort());
  });

  it('still refuses a named configuration file that does not exist', () => {
    const file = configFile({ env: { CALLHOOKS_CONFIG: 'missing.json' }, cwd: scratch });
    expect(() => vendorsFrom(file)).toThrow(/missing\.json does not exist/);
  });
});
