/**
 * `npm run load`: a bounded load generator against the local mode, on 127.0.0.1 only.
 *
 * It pre-signs every delivery before the clock starts (a pool of distinct vendor events, each sent
 * 1/(1-duplicates) times on average, shuffled so that copies of one event race each other), sends them
 * over keep-alive connections from a fixed number of workers, stops by itself, and checks exactly-once:
 * every distinct event published once, none twice (from the bus file the local mode writes, as a
 * subscriber would see it). Exit 0 when exactly-once holds (whatever the speed), 1 when it does not,
 * 2 when the run could not be made.
 *
 * Without --url the server is its own node process (scripts/lib/load-server.ts: startLocal with the --store,
 * no redrive timer, no log lines, a temporary CALLHOOKS_DATA_DIR, never the user's .callhooks), so the
 * generator and the server each get a core.
 *
 * Options (flag, or environment variable):
 *   --deliveries N     LOAD_DELIVERIES   deliveries to send (20000)
 *   --duplicates R     LOAD_DUPLICATES   share of deliveries that repeat an event already in the pool (0.75)
 *   --concurrency N    LOAD_CONCURRENCY  workers, each with one request in flight (32)
 *   --vendor NAME      LOAD_VENDOR       (quarterzip)
 *   --body-bytes N     LOAD_BODY_BYTES   size of each Quarterzip body (2048)
 *   --max-seconds S    LOAD_MAX_SECONDS  hard stop of the sending phase (60); the whole run is stopped at S + 60
 *   --store STORE      LOAD_STORE        the dedup store of the server: memory (default: the same conditional
 *                                        semantics in a Map, so the run measures callhooks) or dynalite (the
 *                                        DynamoDB emulator in memory through the real SDK, as npm start)
 *   --url URL          LOAD_URL          use a local mode already running at URL (127.0.0.1 / localhost only)
 *                                        instead of starting one;
 *                                        its secret from --secret, CALLHOOKS_SECRET_<VENDOR> or the data folder's
 *                                        dev-secrets.json; its bus file from --events-file or the data folder
 *   --seed N           LOAD_SEED         shuffle seed (1)
 *   --profile                            run the server under --cpu-prof and summarise where its time went
 *   --write                              write the results into the `load` section of docs/BENCHMARKS.md
 *   --keep                               keep the temporary data folder
 */
import { Agent, request } from 'node:http';
import { spawn, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, closeSync, readSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { loadConfig, localPaths, secretEnvName } from '../local/runtime';
import { createAdapters } from '../lambda/vendors';
import { loadFixtures } from '../local/fixtures';
import { Headers, Delivery } from '../lambda/core/http';
import { deriveEventId } from '../lambda/core/event';
import type { VendorAdapter } from '../lambda/core/vendor';
import { callCompletedBody } from './lib/payloads';
import { flag, fmt, fmtInt, machine, option, percentile, prng, ROOT, table, today, writeSection } from './lib/report';
import { componentTable, profileTables, summarize } from './lib/profile';

const argv = process.argv.slice(2);

/** Targets on the 2-core machine (reported, never the exit code). */
const TARGET_RATE = 1500;
const TARGET_P99_MS = 50;

class UsageError extends Error {}

function num(name: string, env: string, fallback: string, check: (n: number) => boolean, what: string): number {
  const raw = option(argv, name, env, fallback);
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be ${what}, got ${JSON.stringify(raw)}`);
  return n;
}

interface Options {
  readonly deliveries: number;
  readonly duplicates: number;
  readonly concurrency: number;
  readonly vendor: string;
  readonly bodyBytes: number;
  readonly maxSeconds: number;
  readonly server: 'child' | 'url';
  readonly store: 'memory' | 'dynalite';
  readonly url?: string;
  readonly seed: number;
  readonly profile: boolean;
  readonly write: boolean;
  readonly keep: boolean;
}

function options(): Options {
  const url = option(argv, 'url', 'LOAD_URL');
  const server = url ? 'url' : 'child';
  if (url) {
    const u = new URL(url);
    if (u.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(u.hostname)) throw new UsageError('--url must be http://127.0.0.1:<port> (the load generator only targets this machine)');
  }
  const o: Options = {
    deliveries: num('deliveries', 'LOAD_DELIVERIES', '20000', (n) => Number.isInteger(n) && n > 0 && n <= 5_000_000, 'a positive integer'),
    duplicates: num('duplicates', 'LOAD_DUPLICATES', '0.75', (n) => n >= 0 && n < 1, 'a share in [0, 1)'),
    concurrency: num('concurrency', 'LOAD_CONCURRENCY', '32', (n) => Number.isInteger(n) && n > 0 && n <= 1024, 'an integer 1–1024'),
    vendor: option(argv, 'vendor', 'LOAD_VENDOR', 'quarterzip'),
    bodyBytes: num('body-bytes', 'LOAD_BODY_BYTES', '2048', (n) => Number.isInteger(n) && n >= 512 && n <= 4 * 1024 * 1024, 'an integer 512–4194304'),
    maxSeconds: num('max-seconds', 'LOAD_MAX_SECONDS', '60', (n) => n > 0 && n <= 3600, 'a number of seconds 0–3600'),
    server: server as Options['server'],
    store: option(argv, 'store', 'LOAD_STORE', 'memory') as Options['store'],
    url,
    seed: num('seed', 'LOAD_SEED', '1', Number.isInteger, 'an integer'),
    profile: flag(argv, 'profile'),
    write: flag(argv, 'write'),
    keep: flag(argv, 'keep'),
  };
  if (o.store !== 'memory' && o.store !== 'dynalite') throw new UsageError(`--store must be memory or dynalite, got ${String(o.store)}`);
  if (o.profile && o.server !== 'child') throw new UsageError('--profile profiles the server this run starts: not with --url');
  return o;
}

// ───────────────────────────── deliveries ─────────────────────────────

interface Prepared {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | number>;
  readonly body: Buffer;
  readonly eventId: string;
}

/** How to make the i-th distinct event of a vendor (its body, and what else the request needs). */
interface Template {
  readonly description: string;
  readonly method: string;
  readonly query: Record<string, string>;
  readonly contentType?: string;
  body(i: number): Buffer;
}

const ID_KEY = /(^id$|_id$|Id$|^uuid$|_uuid$)/;

/** A copy of a JSON value whose string ids (keys such as id, call_id, callId) end with `suffix`. */
function withIds(v: unknown, suffix: string, key?: string): unknown {
  if (Array.isArray(v)) return v.map((x) => withIds(x, suffix));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withIds(x, suffix, k)]));
  if (typeof v === 'string' && key !== undefined && ID_KEY.test(key) && v !== '') return `${v}${suffix}`;
  return v;
}

function deliveryOf(t: Template, adapter: VendorAdapter, body: Buffer, headers: Record<string, string>, at: Date): Delivery {
  return { vendor: adapter.name, method: t.method, headers: new Headers(Object.entries(headers)), query: t.query, body, receivedAt: at };
}

function signedHeaders(t: Template, adapter: VendorAdapter, secret: string, body: Buffer, at: Date, id: string): Record<string, string> {
  const h: Record<string, string> = { ...adapter.sign(body, secret, at, id) };
  if (t.contentType) h['content-type'] = t.contentType;
  return h;
}

function templateFor(adapter: VendorAdapter, secret: string, bodyBytes: number, run: string): Template {
  if (adapter.name === 'quarterzip') {
    return {
      description: `call.completed of ${fmtInt(bodyBytes)} bytes (its transcript sized to fit), new call_id and webhook-id per event`,
      method: 'POST',
      query: {},
      contentType: 'application/json',
      body: (i) => callCompletedBody({ bytes: bodyBytes, callId: `load-${run}-${i}`, seed: i + 1 }),
    };
  }
  // Another vendor: one of its fixtures, with its ids made unique per event, as long as the adapter then
  // sees distinct dedup keys and accepts the signature.
  const now = new Date();
  for (const f of loadFixtures(adapter.name)) {
    if (f.body === undefined || typeof f.body !== 'object') continue;
    const t: Template = {
      description: `fixture ${f.vendor}/${f.name} with its string ids suffixed per event`,
      method: (f.method ?? 'POST').toUpperCase(),
      query: f.query ?? {},
      contentType: f.contentType ?? 'application/json',
      body: (i) => Buffer.from(JSON.stringify(withIds(f.body, `-${run}-${i}`)), 'utf8'),
    };
    try {
      const keys = [0, 1].map((i) => {
        const body = t.body(i);
        const d = deliveryOf(t, adapter, body, signedHeaders(t, adapter, secret, body, now, `msg_${run}_${i}`), now);
        if (!adapter.verify(d, secret, now)) throw new Error('signature not accepted');
        return adapter.parse(d).dedupKey;
      });
      if (keys[0] !== keys[1]) return t;
    } catch {
      // Try the next fixture.
    }
  }
  throw new UsageError(`--vendor ${adapter.name}: no fixture under fixtures/${adapter.name}/ can be made into distinct events (a JSON body whose string ids decide the dedup key)`);
}

/** The pool of distinct events, and the order of the deliveries (indices into the pool). */
function prepare(o: Options, adapter: VendorAdapter, secret: string): { pool: Prepared[]; order: Uint32Array; template: Template } {
  const run = randomBytes(4).toString('hex');
  const template = templateFor(adapter, secret, o.bodyBytes, run);
  const distinct = Math.max(1, Math.min(o.deliveries, Math.round(o.deliveries * (1 - o.duplicates))));
  const now = new Date();
  const qs = new URLSearchParams(template.query).toString();
  const path = `/webhooks/${encodeURIComponent(adapter.name)}${qs ? `?${qs}` : ''}`;
  const pool: Prepared[] = [];
  for (let i = 0; i < distinct; i++) {
    const body = template.body(i);
    const signed = signedHeaders(template, adapter, secret, body, now, `msg_load_${run}_${i}`);
    const { dedupKey } = adapter.parse(deliveryOf(template, adapter, body, signed, now));
    pool.push({ method: template.method, path, headers: { ...signed, 'content-length': body.length }, body, eventId: deriveEventId(adapter.name, dedupKey) });
  }
  // Every event once, the rest spread at random over the pool, then all shuffled.
  const rand = prng(o.seed);
  const order = new Uint32Array(o.deliveries);
  for (let i = 0; i < o.deliveries; i++) order[i] = i < distinct ? i : Math.floor(rand() * distinct);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return { pool, order, template };
}

// ───────────────────────────── the server ─────────────────────────────

interface Target {
  readonly url: string;
  readonly mode: string;
  /** The bus file, and where this run's events start in it. */
  readonly eventsFile?: string;
  readonly eventsOffset: number;
  readonly pid?: number;
  stop(): Promise<void>;
}

/** CPU seconds a process has used (Linux /proc), or undefined. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The server child, so that the hard stop can take it down too. */
let serverChild: ChildProcess | undefined;

async function startChild(o: Options, dataDir: string, env: NodeJS.ProcessEnv, profileDir: string): Promise<Target> {
  const entry = 'scripts/lib/load-server.ts';
  const ready = /^ready (http:\/\/\S+)/m;
  const logFile = join(dataDir, 'server.log');
  const out = openSync(logFile, 'a');
  const args = [...(o.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), '--import', 'tsx', entry];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env, PORT: '0', LOAD_STORE: o.store }, stdio: ['ignore', out, out] });
  closeSync(out);
  serverChild = child;
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!url) {
    if (exited) throw new Error(`the server exited before it was ready:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the server was not ready within 60 s');
    }
    await new Promise((r) => setTimeout(r, 50));
    url = ready.exec(readFileSync(logFile, 'utf8'))?.[1];
  }
  const eventsFile = localPaths(env).eventsFile;
  return {
    url,
    mode: `child process: \`node --import tsx scripts/lib/load-server.ts\` (startLocal, ${o.store === 'memory' ? 'in-memory dedup store' : 'dynalite in memory'}, no log lines)`,
    eventsFile,
    eventsOffset: 0,
    pid: child.pid,
    stop: async () => {
      if (!exited) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

async function startTarget(o: Options, dataDir: string, profileDir: string, adapters: Map<string, VendorAdapter>): Promise<{ target: Target; secret: string }> {
  if (o.server === 'url') {
    const paths = localPaths();
    const saved = existsSync(paths.devSecretsFile) ? (JSON.parse(readFileSync(paths.devSecretsFile, 'utf8')) as Record<string, string>) : {};
    const secret = option(argv, 'secret', secretEnvName(o.vendor)) ?? saved[o.vendor];
    if (!secret) throw new UsageError(`no secret for ${o.vendor}: pass --secret, set ${secretEnvName(o.vendor)}, or run the local mode with CALLHOOKS_DATA_DIR pointing at its data folder`);
    const eventsFile = option(argv, 'events-file', 'CALLHOOKS_EVENTS_FILE', paths.eventsFile);
    return {
      secret,
      target: {
        url: o.url!.replace(/\/$/, ''),
        mode: `a running local mode at ${o.url}`,
        eventsFile,
        eventsOffset: existsSync(eventsFile) ? statSync(eventsFile).size : 0,
        stop: async () => undefined,
      },
    };
  }
  // Fresh secrets for every configured vendor, so that nothing is generated or printed.
  const env: NodeJS.ProcessEnv = { CALLHOOKS_DATA_DIR: dataDir };
  for (const [name, adapter] of adapters) env[secretEnvName(name)] = adapter.generateSecret();
  const secret = env[secretEnvName(o.vendor)]!;
  return { secret, target: await startChild(o, dataDir, env, profileDir) };
}

// ───────────────────────────── sending ─────────────────────────────

interface Answer {
  readonly status: number;
  readonly body: string;
}

function send(agent: Agent, port: number, d: Prepared): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: d.method, path: d.path, headers: d.headers, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(d.body);
  });
}

interface RunResult {
  readonly attempted: number;
  readonly completed: number;
  readonly wallMs: number;
  readonly latencies: Float64Array;
  readonly statuses: Map<string, number>;
  /** Per pool event: requests sent, and answers that claimed it (published / accepted). */
  readonly sentPerEvent: Uint32Array;
  readonly claimsPerEvent: Uint32Array;
  readonly ackedPerEvent: Uint32Array;
  /** Requests sent while another copy of the same event was in flight. */
  readonly races: number;
  readonly stoppedByClock: boolean;
}

async function run(o: Options, target: Target, pool: Prepared[], order: Uint32Array): Promise<RunResult> {
  const port = Number(new URL(target.url).port);
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency, maxFreeSockets: o.concurrency });
  const latencies = new Float64Array(order.length);
  const statuses = new Map<string, number>();
  const sentPerEvent = new Uint32Array(pool.length);
  const claimsPerEvent = new Uint32Array(pool.length);
  const ackedPerEvent = new Uint32Array(pool.length);
  const inFlight = new Uint16Array(pool.length);
  let races = 0;
  let next = 0;
  let completed = 0;
  let stopped = false;
  const count = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);

  const worker = async () => {
    while (!stopped && next < order.length) {
      const ev = order[next++];
      const d = pool[ev];
      sentPerEvent[ev]++;
      if (inFlight[ev]++ > 0) races++;
      const t0 = performance.now();
      try {
        const a = await send(agent, port, d);
        latencies[completed++] = performance.now() - t0;
        let status = '';
        try {
          status = String((JSON.parse(a.body) as { status?: unknown }).status ?? '');
        } catch {
          // Not JSON: counted by HTTP status alone.
        }
        count(status ? `${a.status} ${status}` : String(a.status));
        if (a.status >= 200 && a.status < 300) ackedPerEvent[ev]++;
        if (status === 'published' || status === 'accepted') claimsPerEvent[ev]++;
      } catch (err) {
        count(`error ${(err as { code?: string }).code ?? (err as Error).name}`);
      } finally {
        inFlight[ev]--;
      }
    }
  };

  const start = performance.now();
  let stoppedByClock = false;
  const clock = setTimeout(() => {
    stoppedByClock = true;
    stopped = true;
    // Whatever is still in flight two seconds after the stop is cut off.
    setTimeout(() => agent.destroy(), 2000).unref();
  }, o.maxSeconds * 1000);
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const wallMs = performance.now() - start;
  clearTimeout(clock);
  agent.destroy();
  return { attempted: next, completed, wallMs, latencies: latencies.subarray(0, completed).sort(), statuses, sentPerEvent, claimsPerEvent, ackedPerEvent, races, stoppedByClock };
}

// ───────────────────────────── exactly-once ─────────────────────────────

interface Verdict {
  readonly ok: boolean;
  readonly distinctSent: number;
  readonly published: number;
  readonly publishedSource: string;
  readonly publishedTwice: number;
  readonly missing: number;
  readonly claimedTwice: number;
  readonly strangers: number;
  readonly lines: string[];
}

/** eventId → times published, from the bus file lines written since `offset`. */
function readBus(file: string, offset: number): Map<string, number> {
  const counts = new Map<string, number>();
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size - offset;
    const buf = Buffer.alloc(Math.max(0, size));
    readSync(fd, buf, 0, buf.length, offset);
    for (const line of buf.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      const id = (JSON.parse(line) as { detail?: { eventId?: string } }).detail?.eventId;
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  } finally {
    closeSync(fd);
  }
  return counts;
}

function verdict(r: RunResult, pool: Prepared[], target: Target): Verdict {
  const lines: string[] = [];
  let distinctSent = 0;
  let claimedTwice = 0;
  for (let i = 0; i < pool.length; i++) {
    if (r.sentPerEvent[i] > 0) distinctSent++;
    if (r.claimsPerEvent[i] > 1) claimedTwice++;
  }
  const complete = !r.stoppedByClock && r.completed === r.attempted;
  if (!target.eventsFile || !existsSync(target.eventsFile)) {
    // Only the answers can tell: each event claimed (published/accepted) by exactly one delivery.
    let unclaimed = 0;
    for (let i = 0; i < pool.length; i++) if (r.ackedPerEvent[i] > 0 && r.claimsPerEvent[i] === 0) unclaimed++;
    lines.push('no bus file to read: judged from the answers only (each event claimed by exactly one delivery)');
    const ok = claimedTwice === 0 && unclaimed === 0 && (!complete || r.statuses.size > 0);
    return { ok, distinctSent, published: NaN, publishedSource: 'answers', publishedTwice: NaN, missing: unclaimed, claimedTwice, strangers: 0, lines };
  }
  const bus = readBus(target.eventsFile, target.eventsOffset);
  const index = new Map(pool.map((p, i) => [p.eventId, i]));
  let published = 0;
  let publishedTwice = 0;
  let strangers = 0;
  let notSent = 0;
  for (const [id, n] of bus) {
    const i = index.get(id);
    if (i === undefined) {
      strangers++;
      continue;
    }
    published++;
    if (n > 1) publishedTwice++;
    if (r.sentPerEvent[i] === 0) notSent++;
  }
  // An event some delivery of which was answered 2xx must be on the bus (the redrive is off, so a 202
  // "accepted" that never got published counts as missing too).
  let missing = 0;
  for (let i = 0; i < pool.length; i++) if (r.ackedPerEvent[i] > 0 && !bus.has(pool[i].eventId)) missing++;
  const countsMatch = complete ? published === distinctSent : published <= distinctSent;
  const ok = publishedTwice === 0 && missing === 0 && claimedTwice === 0 && notSent === 0 && countsMatch;
  if (!complete) lines.push(`the run was cut short (${r.attempted - r.completed} deliveries unanswered): published may be below distinct sent, but every answered event must be published once`);
  if (strangers > 0) lines.push(`${strangers} other events on the bus (not from this run) were ignored`);
  if (notSent > 0) lines.push(`${notSent} events published that were never sent`);
  return { ok, distinctSent, published, publishedSource: 'bus file (events.jsonl)', publishedTwice, missing, claimedTwice, strangers, lines };
}

// ───────────────────────────── main ─────────────────────────────

function report(o: Options, target: Target, template: Template, r: RunResult, v: Verdict, cpu: { client: number; server?: number }, load: number[]): string {
  const rate = r.completed / (r.wallMs / 1000);
  const p = (q: number) => percentile(r.latencies, q);
  const statusRows = [...r.statuses].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, fmtInt(n)]);
  const results = table(
    ['measure', 'value', 'target', 'verdict'],
    [
      ['deliveries sent (answered / attempted)', `${fmtInt(r.completed)} / ${fmtInt(r.attempted)} of ${fmtInt(o.deliveries)}`, '', r.stoppedByClock ? `stopped at --max-seconds ${o.maxSeconds}` : ''],
      ['wall time', `${fmt(r.wallMs / 1000, 2)} s`, '', ''],
      ['throughput', `${fmtInt(rate)} deliveries/s`, `≥ ${fmtInt(TARGET_RATE)}/s`, rate >= TARGET_RATE ? 'PASS' : 'MISS'],
      ['latency p50', `${fmt(p(50), 2)} ms`, '', ''],
      ['latency p90', `${fmt(p(90), 2)} ms`, '', ''],
      ['latency p99', `${fmt(p(99), 2)} ms`, `< ${TARGET_P99_MS} ms`, p(99) < TARGET_P99_MS ? 'PASS' : 'MISS'],
      ['latency max', `${fmt(r.latencies[r.latencies.length - 1] ?? NaN, 2)} ms`, '', ''],
      ['distinct events sent', fmtInt(v.distinctSent), '', ''],
      [`events published (${v.publishedSource})`, Number.isNaN(v.published) ? 'n/a' : fmtInt(v.published), `= ${fmtInt(v.distinctSent)}`, ''],
      ['eventIds published twice', Number.isNaN(v.publishedTwice) ? 'n/a' : fmtInt(v.publishedTwice), '0', ''],
      ['answered events missing from the bus', fmtInt(v.missing), '0', ''],
      ['events claimed by two deliveries', fmtInt(v.claimedTwice), '0', ''],
      ['exactly-once', v.ok ? 'holds' : 'FAILS', '', v.ok ? 'PASS' : 'FAIL'],
      ['copies sent while another copy was in flight (races)', fmtInt(r.races), '', ''],
      ['CPU: generator process', `${fmt(cpu.client, 2)} s (${fmt((cpu.client * 1e6) / Math.max(1, r.completed), 0)} µs/delivery)`, '', ''],
      ...(cpu.server !== undefined ? [['CPU: server process', `${fmt(cpu.server, 2)} s (${fmt((cpu.server * 1e6) / Math.max(1, r.completed), 0)} µs/delivery, ${fmt((100 * cpu.server) / (r.wallMs / 1000), 0)} % of one core)`, '', '']] : []),
    ],
    ['l', 'r', 'l', 'l'],
  );
  return [
    `Measured ${today()} on ${machine()}; load average before / after: ${load.map((x) => fmt(x, 2)).join(' / ')}.`,
    `\`npm run load -- --deliveries ${o.deliveries} --duplicates ${o.duplicates} --concurrency ${o.concurrency} --vendor ${o.vendor}${o.store !== 'memory' ? ` --store ${o.store}` : ''}\`: ${fmtInt(r.sentPerEvent.length)} distinct events (${template.description}), each sent ${fmt(o.deliveries / r.sentPerEvent.length, 2)} times on average, shuffled (seed ${o.seed}), pre-signed before the clock; ${o.concurrency} workers over keep-alive connections.`,
    `Server: ${target.mode}.`,
    '',
    results,
    '',
    'Answers:',
    '',
    table(['HTTP status and body status', 'count'], statusRows, ['l', 'r']),
    ...(v.lines.length ? ['', ...v.lines.map((l) => `- ${l}`)] : []),
  ].join('\n');
}

async function main(): Promise<number> {
  const o = options();
  const watchdog = setTimeout(() => {
    process.stderr.write(`load: hard stop after ${o.maxSeconds + 60} s\n`);
    serverChild?.kill('SIGKILL');
    process.exit(2);
  }, (o.maxSeconds + 60) * 1000);
  watchdog.unref();

  const adapters = createAdapters(loadConfig(process.env.CALLHOOKS_CONFIG || undefined).vendors);
  const adapter = adapters.get(o.vendor);
  if (!adapter) throw new UsageError(`--vendor ${o.vendor} is not configured (configured: ${[...adapters.keys()].join(', ')})`);
  const dataDir = mkdtempSync(join(tmpdir(), 'callhooks-load-'));
  const profileDir = join(dataDir, 'profile');
  let target: Target | undefined;
  try {
    process.stderr.write(`load: starting the server (${o.server})…\n`);
    const started = await startTarget(o, dataDir, profileDir, adapters);
    target = started.target;
    process.stderr.write(`load: ${target.url}; pre-signing ${fmtInt(o.deliveries)} deliveries…\n`);
    const { pool, order, template } = prepare(o, adapter, started.secret);
    process.stderr.write(`load: sending (concurrency ${o.concurrency}, at most ${o.maxSeconds} s)…\n`);
    const load0 = loadavg()[0];
    const server0 = target.pid ? processCpuSeconds(target.pid) : undefined;
    const client0 = process.cpuUsage();
    const result = await run(o, target, pool, order);
    const c = process.cpuUsage(client0);
    const server1 = target.pid ? processCpuSeconds(target.pid) : undefined;
    const load1 = loadavg()[0];
    // Cut-off requests may still be in the server: give it a moment before reading the bus.
    if (result.completed !== result.attempted) await new Promise((r) => setTimeout(r, 1000));
    await target.stop();
    const stoppedTarget = target;
    target = undefined;
    const v = verdict(result, pool, stoppedTarget);
    const cpu = { client: (c.user + c.system) / 1e6, server: server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined };
    let md = report(o, stoppedTarget, template, result, v, cpu, [load0, load1]);
    if (o.profile) {
      const files = existsSync(profileDir) ? readdirSync(profileDir).map((f) => join(profileDir, f)) : [];
      const largest = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
      md += largest
        ? `\n\nServer CPU profile (--cpu-prof, whole server life including start-up), by component:\n\n${componentTable(largest)}\n\n${profileTables(summarize(largest), 15)}`
        : '\n\n(no CPU profile was written)';
    }
    process.stdout.write(md + '\n');
    if (o.write) {
      const section = `load-${o.server}${o.store === 'dynalite' && o.server === 'child' ? '-dynalite' : ''}`;
      writeSection(section, md);
      process.stderr.write(`load: wrote the ${section} section of docs/BENCHMARKS.md\n`);
    }
    return v.ok ? 0 : 1;
  } finally {
    await target?.stop().catch(() => undefined);
    if (o.keep) process.stderr.write(`load: kept ${dataDir}\n`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`load could not run: ${err instanceof UsageError ? err.message : err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(2);
  },
);
