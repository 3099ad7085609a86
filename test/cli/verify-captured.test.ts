/**
 * `callhooks verify --captured`: a refused delivery captured by the pipeline (captureRefused on) is read back
 * whole, from a file or stdin, and checked as of when it was received: a forgery does not verify, the same
 * capture verifies with the secret it was signed with, and a stale signature shows as a clock problem.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handle } from '../../lambda/core/pipeline';
import { RefusedCapture } from '../../lambda/core/capture';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { Headers } from '../../lambda/core/http';
import { signStandardWebhook } from '../helpers/standard-webhooks';
import { memoryWorld } from '../helpers/memory';
import { runCli, runHere } from './cli';

jest.setTimeout(60_000);

const SECRET = 'whsec_' + Buffer.from('captured verify secret!!').toString('base64');
const OTHER = 'whsec_' + Buffer.from('an old rotated secret 24').toString('base64');
const RECEIVED = new Date('2026-11-22T12:00:00Z');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'callhooks-captured-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a delivery signed with `signWith` at `signedAt` through the pipeline with capture on; returns the capture file. */
async function captureOf(name: string, signWith: string, signedAt = RECEIVED): Promise<{ file: string; text: string }> {
  const w = memoryWorld([quarterzip()], { quarterzip: SECRET });
  Object.assign(w.deps, { captureRefused: new RefusedCapture(5) });
  const body = Buffer.from(JSON.stringify({ type: 'call.completed', timestamp: '2026-11-22T11:59:00Z', data: { call_id: name } }));
  const headers = new Headers([['content-type', 'application/json'], ...Object.entries(signStandardWebhook(body, signWith, signedAt, `msg_${name}`))]);
  const handled = await handle({ vendor: 'quarterzip', method: 'POST', headers, query: {}, body, receivedAt: RECEIVED, requestId: name }, w.deps);
  expect(handled.reply.statusCode).toBe(401);
  const objects = [...w.blobs.blobs.entries()].filter(([k]) => k.startsWith('refused/quarterzip/2026-11-22/'));
  expect(objects).toHaveLength(1);
  const file = join(dir, `${name}.json`);
  const text = objects[0][1].toString('utf8');
  writeFileSync(file, text);
  return { file, text };
}

describe('callhooks verify --captured', () => {
  it('says a forged delivery does not verify, and the same capture verifies with the secret it was signed with', async () => {
    const c = await captureOf('forged', OTHER);
    const refused = await runHere(['verify', 'quarterzip', '--captured', c.file, '--secret', SECRET, '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ vendor: 'quarterzip', endpoint: 'default', verified: false, reason: 'signature', refusedAs: 'no-key-matched', receivedAt: RECEIVED.toISOString() });
    const old = await runHere(['verify', 'quarterzip', '--captured', c.file, '--secret', OTHER]);
    expect([old.code, old.stdout]).toEqual([0, 'quarterzip/default: verifies\n']);
  });

  it('checks as of the time received: a signature an hour old is a clock problem of an hour, whenever verify runs', async () => {
    const c = await captureOf('stale', SECRET, new Date(RECEIVED.getTime() - 3600_000));
    const r = await runHere(['verify', 'quarterzip', '--captured', c.file, '--secret', SECRET, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ verified: false, reason: 'timestamp', skewSeconds: 3600, refusedAs: 'stale-timestamp' });
    // --at still checks another time: at the signing time it verifies.
    const at = await runHere(['verify', 'quarterzip', '--captured', c.file, '--secret', SECRET, '--at', new Date(RECEIVED.getTime() - 3600_000).toISOString()]);
    expect(at.code).toBe(0);
  });

  it('reads the capture from stdin with - (aws s3 cp … - | callhooks verify … --captured -), in the real command', async () => {
    const c = await captureOf('piped', OTHER);
    const r = await runCli(['verify', 'quarterzip', '--captured', '-', '--secret', OTHER], { input: c.text });
    expect([r.code, r.stdout]).toEqual([0, 'quarterzip/default: verifies\n']);
    const no = await runCli(['verify', 'quarterzip', '--captured', '-', '--secret', SECRET], { input: c.text });
    expect(no.code).toBe(1);
    expect(no.stdout).toMatch(/^quarterzip\/default: does not verify: the signature does not match/);
    expect(no.stdout + no.stderr).not.toContain(SECRET);
  });

  it('refuses what is not a capture, a capture of another vendor, and --captured with the parts of a request', async () => {
    const notCapture = join(dir, 'not.json');
    writeFileSync(notCapture, '{"vendor":"quarterzip"}');
    const r = await runHere(['verify', 'quarterzip', '--captured', notCapture, '--secret', SECRET]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not a capture of a refused delivery/);
    const c = await captureOf('other-vendor', OTHER);
    const wrong = await runHere(['verify', 'koeiq', '--captured', c.file, '--secret', SECRET]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/the capture is of a delivery to quarterzip\/default, not koeiq\/default/);
    const mixed = await runHere(['verify', 'quarterzip', '--captured', c.file, '--body', c.file, '--secret', SECRET]);
    expect(mixed.stderr).toMatch(/--captured holds the whole request: do not pass --body/);
  });
});
