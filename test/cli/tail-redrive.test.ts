/**
 * `callhooks tail` follows the local events file as events are published and stops on SIGINT;
 * `callhooks redrive` publishes what the local mode accepted while its bus was failing — through the
 * running local mode, or on its data folder when none runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventPublisher } from '../../lambda/core/ports';
import { ROOT, secretEnvName } from '../../local/runtime';
import { LocalServer, startLocal } from '../../local/server';
import { formatEvent } from '../../cli/tail';
import { startTestLocal, TestLocal } from '../helpers/local';
import { MemoryLog } from '../helpers/memory';
import { FileDeadLetterQueue } from '../../lambda/adapters/local/file-dead-letters';
import { deadLetterOf } from '../../lambda/core/redrive';
import { BIN, cleanEnv, runCli, runHere } from './cli';

jest.setTimeout(60_000); // each spawn of the real command starts Node and tsx: seconds on a busy machine

const CONFIG = join(ROOT, 'callhooks.config.json');

/** A bus that refuses every entry while `down` is true. */
function flakyBus(real: EventPublisher) {
  const state = { down: true };
  const publisher: EventPublisher = {
    publish: (entries) => (state.down ? Promise.resolve(entries.map(() => ({ ok: false as const, error: 'bus down' }))) : real.publish(entries)),
  };
  return { state, publisher };
}

/**
 * A local mode on `dataDir` whose bus is down and whose claims hold no lease (as if the function that
 * claimed them had long timed out), so that the redrive may take them at once.
 */
async function localWithFailingBus(dataDir: string, inMemory: boolean): Promise<{ local: LocalServer; bus: { down: boolean } }> {
  let bus = { down: true };
  const local = await startLocal({
    port: 0,
    inMemory,
    redriveEveryMs: 0,
    log: new MemoryLog(),
    onEvent: () => undefined,
    env: { ...cleanEnv(), CALLHOOKS_DATA_DIR: dataDir, CALLHOOKS_CONFIG: CONFIG },
    override: (deps) => {
      const flaky = flakyBus(deps.publisher);
      bus = flaky.state;
      return { ...deps, publisher: flaky.publisher, limits: { ...deps.limits, leaseMs: 0 } };
    },
  });
  return { local, bus };
}

function eventsIn(file: string): Array<{ detail: { eventId: string } }> {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

describe('callhooks tail', () => {
  let t: TestLocal;
  beforeAll(async () => {
    t = await startTestLocal();
  });
  afterAll(() => t.close());

  it('prints one line per event as the local mode publishes it, and stops with status 0 on SIGINT', async () => {
    const child = spawn(process.execPath, [BIN, 'tail', '--interval', '50'], { cwd: ROOT, env: cleanEnv({ CALLHOOKS_DATA_DIR: t.dir }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      // Give the command time to start before the event is published, so that it follows rather than reads.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const sent = await runHere(['send', 'converc', 'call-ended-iso', '--url', t.local.url, '--json'], {
        env: { [secretEnvName('converc')]: t.local.secrets.get('converc')! },
      });
      const eventId = JSON.parse(sent.stdout).response.eventId as string;
      const deadline = Date.now() + 15_000;
      while (!out.includes(eventId) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(out).toMatch(new RegExp(`^\\S+Z  callhooks\\.converc  call\\.ended  eventId=${eventId}  callId=\\S+\\n$`, 'm'));
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it('stops with status 0 on a Ctrl-C that comes the moment it prints the first event', async () => {
    // Prepare: an events file with one event; the command sends itself SIGINT inside the write of that event's
    // line (test/helpers/signal-on-output.cjs).
    const dir = mkdtempSync(join(tmpdir(), 'callhooks-tail-'));
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, JSON.stringify({ time: '2026-12-01T00:00:00Z', source: 'callhooks.converc', 'detail-type': 'call.ended', detail: { eventId: 'evt-first', callId: 'c1' } }) + '\n');
    const env = cleanEnv({
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(ROOT, 'test', 'helpers', 'signal-on-output.cjs')}`.trim(),
      CALLHOOKS_TEST_SIGNAL_ON: 'eventId=evt-first',
      CALLHOOKS_TEST_SIGNAL: 'SIGINT',
    });

    // Act
    const child = spawn(process.execPath, [BIN, 'tail', '--file', file, '--interval', '50'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
    rmSync(dir, { recursive: true, force: true });

    // Assert
    expect(out).toContain('eventId=evt-first');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('--no-follow --json prints the last -n raw lines, as a subscriber receives them, and ends', async () => {
    for (const sample of ['call-missed', 'call-canceled']) {
      await runHere(['send', 'converc', sample, '--url', t.local.url], { env: { [secretEnvName('converc')]: t.local.secrets.get('converc')! } });
    }
    const r = await runHere(['tail', '--no-follow', '--json', '-n', '2'], { env: { CALLHOOKS_DATA_DIR: t.dir } });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => e['detail-type'])).toEqual(['call.missed', 'call.canceled']);
    expect(lines[0]).toMatchObject({ source: 'callhooks.converc', detail: { vendor: 'converc' } });
  });
});

describe('callhooks tail: terminal control sequences in event fields (issue 16, finding 11)', () => {
  it.each([
    ['an ANSI escape sequence (clear the screen, move the cursor)', '\u001b[2J\u001b[H'],
    ['an OSC sequence (set the window title, a hyperlink)', '\u001b]0;pwned\u0007'],
    ['a C1 control (CSI as one character)', '\u009b31m'],
    ['a carriage return that would overwrite the line', '\rfake line'],
    ['a bidirectional override', '\u202egnp.exe'],
  ])('never prints %s from an event field', (_label, hostile) => {
    // Prepare: a line as the events file holds it, with the sequence in fields a sender controls
    const line = JSON.stringify({ time: '2026-11-22T12:00:00Z', source: 'callhooks.acme', 'detail-type': 'call.ended', detail: { eventId: 'e1', callId: `c1${hostile}` } });

    // Act
    const printed = formatEvent(line);

    // Assert: no control character of C0, DEL, C1 or the bidirectional controls is left; the rest is shown
    expect(printed).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(printed).toContain('callId=c1');
  });

  it('--json escapes them as JSON does, so the line still parses to the same event', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'callhooks-tail-controls-'));
    const event = { source: 'callhooks.acme', detail: { eventId: 'e1', callId: 'c\u009b31m\u202e' } };
    writeFileSync(join(dir, 'events.jsonl'), `${JSON.stringify(event)}\n`);

    // Act
    const r = await runHere(['tail', '--no-follow', '--json'], { env: { CALLHOOKS_DATA_DIR: dir } });
    rmSync(dir, { recursive: true, force: true });

    // Assert
    expect(r.stdout).not.toMatch(/[\u0080-\u009f\u202a-\u202e]/);
    expect(JSON.parse(r.stdout)).toEqual(event);
  });

  it('shows a control character as a visible escape', () => {
    const line = JSON.stringify({ detail: { eventId: 'e1', callId: 'a\u001bb' } });
    expect(formatEvent(line)).toContain('callId=a\\u001bb');
  });
});

describe('callhooks redrive (local mode)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callhooks-redrive-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('asks the running local mode to publish what it accepted while the bus was down (the real command)', async () => {
    const { local, bus } = await localWithFailingBus(dir, true);
    try {
      const secret = local.secrets.get('koeiq')!;
      const sent = await runHere(['send', 'koeiq', 'analytics-completed', '--url', local.url, '--json'], { env: { [secretEnvName('koeiq')]: secret } });
      expect(JSON.parse(sent.stdout)).toMatchObject({ status: 202, response: { status: 'accepted' } });
      expect(eventsIn(join(dir, 'events.jsonl'))).toEqual([]);

      bus.down = false;
      const r = await runCli(['redrive', '--url', local.url]);
      expect(r.stdout).toBe(`redrive (${local.url}): examined 1, published 1, failed 0, dead-lettered 0, skipped 0 (lease not ended)\n`);
      expect(r.code).toBe(0);
      expect(eventsIn(join(dir, 'events.jsonl')).map((e) => e.detail.eventId)).toEqual([JSON.parse(sent.stdout).response.eventId]);
    } finally {
      await local.close();
    }
  });

  it('--dead republishes the dead-lettered events of the running local mode and empties its dead-letters file (the real command)', async () => {
    const { local, bus } = await localWithFailingBus(dir, true);
    try {
      const sent = await runHere(['send', 'koeiq', 'analytics-completed', '--url', local.url, '--json'], { env: { [secretEnvName('koeiq')]: local.secrets.get('koeiq')! } });
      const eventId = JSON.parse(sent.stdout).response.eventId as string;
      // The redrive gave up on it (as after 24 hours): the record DEAD, its message in dead-letters.jsonl.
      const [pending] = await local.deps.store.listPending(new Date(Date.now() + 1000), 10);
      const leased = (await local.deps.store.lease(pending.key, new Date(Date.now() + 1000), Date.now() + 60_000))!;
      await new FileDeadLetterQueue(join(dir, 'dead-letters.jsonl')).send(deadLetterOf(leased, 'not published within 1440 minutes'));
      await local.deps.store.markDead(leased.key, Math.floor(Date.now() / 1000) + 86_400);

      bus.down = false;
      const r = await runCli(['redrive', '--dead', '--url', local.url]);
      expect(r.stdout).toBe(`republish of dead events (${local.url}): examined 1 dead-letter messages, republished 1, failed 0 (kept for a later try), 0 no longer dead (removed)\n`);
      expect(r.code).toBe(0);
      expect(eventsIn(join(dir, 'events.jsonl')).map((e) => e.detail.eventId)).toEqual([eventId]);
      expect(readFileSync(join(dir, 'dead-letters.jsonl'), 'utf8')).toBe('');
      expect((await local.deps.store.get(leased.key))?.status).toBe('PUBLISHED');
    } finally {
      await local.close();
    }
  });

  it('exits 1 when the bus still fails', async () => {
    const { local } = await localWithFailingBus(dir, true);
    try {
      await runHere(['send', 'atoms', 'post-conversation', '--url', local.url], { env: { [secretEnvName('atoms')]: local.secrets.get('atoms')! } });
      const r = await runHere(['redrive', '--url', local.url, '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ examined: 1, published: 0, failed: 1 });
    } finally {
      await local.close();
    }
  });

  it('opens the data folder itself when no local mode runs, and publishes into its events file', async () => {
    const { local } = await localWithFailingBus(dir, false);
    let eventId: string;
    try {
      const sent = await runHere(['send', 'quarterzip', '--url', local.url, '--json'], { env: { [secretEnvName('quarterzip')]: local.secrets.get('quarterzip')! } });
      eventId = JSON.parse(sent.stdout).response.eventId;
    } finally {
      await local.close();
    }
    const r = await runHere(['redrive', '--json'], { env: { CALLHOOKS_DATA_DIR: dir, CALLHOOKS_CONFIG: CONFIG, PORT: '1' } });
    expect(JSON.parse(r.stdout)).toMatchObject({ where: dir, examined: 1, published: 1 });
    expect(r.code).toBe(0);
    expect(eventsIn(join(dir, 'events.jsonl')).map((e) => e.detail.eventId)).toEqual([eventId]);
  });

  it('has nothing to do, and says so in one JSON line, on a data folder the local mode never used', async () => {
    const r = await runCli(['redrive', '--json'], { env: { CALLHOOKS_DATA_DIR: join(dir, 'never-used'), PORT: '1' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ where: join(dir, 'never-used'), examined: 0, published: 0, failed: 0, deadLettered: 0, skipped: 0 });
    expect(existsSync(join(dir, 'never-used'))).toBe(false);
  });
});
