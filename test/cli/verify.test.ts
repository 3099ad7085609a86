/**
 * `callhooks verify`: a captured delivery (body file + headers) checked offline with the vendor's adapter.
 * Exit 0 when it verifies; otherwise exit 1 and the reason — never the signature it expected.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureBody, loadFixtures } from '../../local/fixtures';
import { loadConfig } from '../../local/runtime';
import { createAdapters } from '../../lambda/vendors';
import { runCli, runHere } from './cli';
import { ALL_VENDORS_CONFIG_FILE } from '../helpers/configs';

jest.setTimeout(60_000); // each spawn of the real command starts Node and tsx: seconds on a busy machine

const adapters = createAdapters(loadConfig(ALL_VENDORS_CONFIG_FILE).vendors);
const QZ_SECRET = 'whsec_' + Buffer.from('verify test secret 24 by').toString('base64');
const OTHER_SECRET = 'whsec_' + Buffer.from('some other secret 24 byt').toString('base64');
const CONVERC_SECRET = 'c0ffee'.repeat(10);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'callhooks-verify-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a delivery as a capture would hold it: the body file and "Name: value" header lines. */
function capture(name: string, vendor: string, sample: string, secret: string, at = new Date(), edit?: (h: Record<string, string>) => void) {
  const f = loadFixtures(vendor).find((x) => x.name === sample)!;
  const body = fixtureBody(f);
  const headers: Record<string, string> = { ...adapters.get(vendor)!.sign(body, secret, at, `msg_${name}`) };
  if (f.contentType) headers['content-type'] = f.contentType;
  edit?.(headers);
  const bodyFile = join(dir, `${name}.body`);
  const headersFile = join(dir, `${name}.headers`);
  writeFileSync(bodyFile, body);
  writeFileSync(headersFile, `HTTP/1.1 200 OK\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n`);
  return { bodyFile, headersFile, headers, body };
}

describe('callhooks verify (the real command)', () => {
  it('exits 0 and says so when a captured Quarterzip delivery verifies', async () => {
    const c = capture('good', 'quarterzip', 'call-completed', QZ_SECRET);
    const r = await runCli(['verify', 'quarterzip', '--body', c.bodyFile, '--headers-file', c.headersFile, '--secret', QZ_SECRET]);
    expect([r.code, r.stdout]).toEqual([0, 'quarterzip/default: verifies\n']);
  });

  it('exits 1, says the signature does not match, and never prints the signature it expected', async () => {
    const c = capture('bad-secret', 'quarterzip', 'call-completed', OTHER_SECRET);
    const expected = adapters.get('quarterzip')!.sign(c.body, QZ_SECRET, new Date(), 'msg_bad-secret')['webhook-signature'].slice(3);
    const r = await runCli(['verify', 'quarterzip', '--body', c.bodyFile, '--headers-file', c.headersFile, '--secret', QZ_SECRET, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ verified: false, reason: 'signature' });
    expect(r.stdout + r.stderr).not.toContain(expected);
    expect(r.stdout + r.stderr).not.toContain(QZ_SECRET);
  });
});

describe('callhooks verify: why a delivery does not verify', () => {
  const args = (c: { bodyFile: string; headersFile: string }, ...more: string[]) => ['--body', c.bodyFile, '--headers-file', c.headersFile, '--json', ...more];

  it('names the missing header', async () => {
    const c = capture('missing', 'quarterzip', 'call-completed', QZ_SECRET, new Date(), (h) => delete h['webhook-timestamp']);
    const r = await runHere(['verify', 'quarterzip', ...args(c), '--secret', QZ_SECRET]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ reason: 'missing-header', missingHeaders: ['webhook-timestamp'] });
  });

  it('says the signature is right but the timestamp is outside the tolerance, and --at checks it as of its arrival', async () => {
    const signedAt = new Date(Date.now() - 3600_000);
    const c = capture('stale', 'converc', 'call-ended-iso', CONVERC_SECRET, signedAt);
    const stale = await runHere(['verify', 'converc', ...args(c), '--secret', CONVERC_SECRET]);
    expect(stale.code).toBe(1);
    const v = JSON.parse(stale.stdout);
    expect(v).toMatchObject({ reason: 'timestamp', signedAt: new Date(Math.floor(signedAt.getTime() / 1000) * 1000).toISOString() });
    expect(v.skewSeconds).toBeGreaterThanOrEqual(3600);
    expect(v.toleranceSeconds).toBe(300);
    const human = await runHere(['verify', 'converc', '--body', c.bodyFile, '--headers-file', c.headersFile, '--secret', CONVERC_SECRET]);
    expect(human.stdout).toMatch(/does not verify: the signature is right, but it was made at .*, 60 minutes before the time checked against .*; converc accepts 300 seconds either way/);

    const asOfArrival = await runHere(['verify', 'converc', ...args(c), '--secret', CONVERC_SECRET, '--at', new Date(signedAt.getTime() + 2000).toISOString()]);
    expect(asOfArrival.code).toBe(0);
  });

  it('says when a timestamp header is not a Unix time', async () => {
    const c = capture('ts-format', 'quarterzip', 'call-completed', QZ_SECRET, new Date(), (h) => (h['webhook-timestamp'] = 'yesterday'));
    const r = await runHere(['verify', 'quarterzip', ...args(c), '--secret', QZ_SECRET]);
    expect(JSON.parse(r.stdout)).toMatchObject({ reason: 'timestamp-format' });
  });

  it('spots a final newline that the body file gained after capture', async () => {
    const c = capture('newline', 'koeiq', 'alert-triggered', CONVERC_SECRET);
    writeFileSync(c.bodyFile, Buffer.concat([c.body, Buffer.from('\n')]));
    const r = await runHere(['verify', 'koeiq', ...args(c), '--secret', CONVERC_SECRET]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ reason: 'body-newline' });
  });

  it('says a static token does not match without showing either value (QCall)', async () => {
    const c = capture('token', 'qcall', 'end-of-call-json', 'token-the-vendor-sends');
    const r = await runHere(['verify', 'qcall', ...args(c), '--secret', 'token-configured-here']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ reason: 'token', message: 'the token in header authorization is not the secret' });
    expect(r.stdout).not.toContain('token-the-vendor-sends');
    expect(r.stdout).not.toContain('token-configured-here');
  });

  it('says when the method is one the vendor never uses', async () => {
    const c = capture('method', 'koeiq', 'alert-triggered', CONVERC_SECRET);
    const r = await runHere(['verify', 'koeiq', ...args(c), '--secret', CONVERC_SECRET, '--method', 'PUT']);
    expect(JSON.parse(r.stdout)).toMatchObject({ verified: false, reason: 'method' });
  });

  it('verifies with the previous value of a secret in rotation, and reads the secret from CALLHOOKS_SECRET_<VENDOR>', async () => {
    const c = capture('rotation', 'quarterzip', 'call-completed', OTHER_SECRET);
    const r = await runHere(['verify', 'quarterzip', ...args(c)], {
      env: { CALLHOOKS_SECRET_QUARTERZIP: JSON.stringify({ current: QZ_SECRET, previous: OTHER_SECRET }), CALLHOOKS_DATA_DIR: dir },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verified: true, secretIndex: 1 });
  });

  it('takes headers as repeated --header and as a JSON headers file, for a custom vendor too (the all-vendors example via --config)', async () => {
    const c = capture('ringly', 'ringly', 'call-completed', CONVERC_SECRET);
    const repeated = await runHere(['verify', 'ringly', '--config', ALL_VENDORS_CONFIG_FILE, '--body', c.bodyFile, '--secret', CONVERC_SECRET, ...Object.entries(c.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`])]);
    expect([repeated.code, repeated.stdout]).toEqual([0, 'ringly/default: verifies\n']);
    const jsonFile = join(dir, 'ringly.headers.json');
    writeFileSync(jsonFile, JSON.stringify(c.headers));
    const fromJson = await runHere(['verify', 'ringly', '--config', ALL_VENDORS_CONFIG_FILE, '--body', c.bodyFile, '--headers-file', jsonFile, '--secret', CONVERC_SECRET]);
    expect(fromJson.code).toBe(0);
  });

  it.each([
    [['verify', 'quarterzip', '--secret', 'x'], /pass --body <file> \(with the headers\), or --captured <file\|-> for a capture of a refused delivery/],
    [['verify', 'quarterzip', '--body', '/nonexistent/body', '--secret', 'x'], /--body \/nonexistent\/body: no such file/],
    [['verify', 'quarterzip', '--body', __filename, '-H', 'no colon here', '--secret', 'x'], /"no colon here" is not "name: value"/],
    [['verify', 'quarterzip', '--body', __filename, '--at', 'soon', '--secret', 'x'], /--at "soon" is not a date/],
  ])('exits 2 for %j', async (argv, message) => {
    const r = await runHere(argv, { env: { CALLHOOKS_DATA_DIR: dir } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
