/**
 * `npm run crash`: crash consistency of the local mode (issue 9.5), bounded, on 127.0.0.1 only.
 *
 * It starts `npm start` (the real command, in its own process group, PORT=0 so the system picks a free port,
 * a temporary CALLHOOKS_DATA_DIR), streams distinct signed deliveries into it (Quarterzip and Converc, each
 * with its own id) from a few concurrent senders, and part-way through each round `kill -9`s the whole
 * process group (npm, the shell, tsx and node). It then starts `npm start` again on the same data folder,
 * runs `npm run redrive` (which asks the running local mode to redrive), and streams the next round into it.
 * With the record life of DESIGN.md, a delivery answered 200 is on the bus before its answer, and one answered
 * 202 is PENDING in the store, which the redrive publishes once its lease has run out: so after the last round
 * it waits out that lease only when some delivery was answered 202, and redrives again. A claim orphaned by a
 * kill (a delivery in flight, never answered) holds no event: the redrive never sees it, the vendor's retry takes
 * it over once its lease has run out; `--retry-unanswered` waits out that lease and resends each unanswered
 * delivery once, as such a vendor would (each must then be answered 2xx). Then it stops the server with SIGTERM
 * and checks:
 *
 * - every delivery answered 2xx is in the events file exactly once, by eventId (a violation: exit 1); with
 *   `--retry-unanswered`, every resent delivery is answered 2xx and in the file at least once;
 * - no event in the file is one that was never sent (a violation);
 * - every file of the data folder is 0600 and every folder 0700, after the kills too (a violation);
 * - reported, never failed: how many unanswered deliveries (in flight at a kill) appear 0, 1 or more
 *   times, deliveries answered with a non-2xx status, and the records the store still holds IN_FLIGHT
 *   (orphaned claims) or PENDING (with and without their entry in the `pending` index, which dynalite writes
 *   separately from the item; the local mode's redrive does not depend on it).
 *
 * Options (flag, or environment variable):
 *   --rounds N         CRASH_ROUNDS        rounds, one kill each (3)
 *   --deliveries N     CRASH_DELIVERIES    deliveries per round (100)
 *   --concurrency N    CRASH_CONCURRENCY   senders, each with one request in flight (8)
 *   --lease-wait-ms N  CRASH_LEASE_WAIT_MS wait before the last redrive (default: until the lease of the last
 *                                          202 answer has run out, none when there was none); 0 skips it
 *   --retry-unanswered CRASH_RETRY=1       wait out the leases of orphaned claims, resend each unanswered delivery
 *   --seed N           CRASH_SEED          where in each round the kill falls (random)
 *   --max-seconds S    CRASH_MAX_SECONDS   hard stop of the whole run (300): exit 2
 *   --keep                                 keep the temporary data folder
 *   --help, -h                             print these options and exit
 * Exit 0 when every check holds, 1 on a violation, 2 when the run could not be made (or an option is unknown).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { startLocalDynamo, LOCAL_TABLE } from '../lambda/adapters/local/dynalite-store';
import { LEASE_MS, TABLE } from '../lambda/contracts/table';
import { deriveEventId } from '../lambda/core/event';
import type { VendorAdapter } from '../lambda/core/vendor';
import { converc } from '../lambda/vendors/converc';
import { quarterzip } from '../lambda/vendors/quarterzip';
import { loadFixtures } from '../local/fixtures';
import { secretEnvName } from '../local/runtime';
import { fmtInt, machine, prng, ROOT, table } from './lib/report';

const USAGE = `Usage: npm run crash -- [options]

kill -9 of npm start's process tree mid-stream, restart, redrive; checks that every delivery answered 2xx is
published exactly once (docs/CRASH.md). Each option may also come from its environment variable.

  --rounds N          CRASH_ROUNDS         rounds, one kill each (3)
  --deliveries N      CRASH_DELIVERIES     deliveries per round (100, at least 10)
  --concurrency N     CRASH_CONCURRENCY    senders, each with one request in flight (8)
  --lease-wait-ms N   CRASH_LEASE_WAIT_MS  wait before the last redrive (default: as needed; 0 skips it)
  --retry-unanswered  CRASH_RETRY=1        resend each unanswered delivery once its claim's lease ran out
  --seed N            CRASH_SEED           where in each round the kill falls (random)
  --max-seconds S     CRASH_MAX_SECONDS    hard stop of the whole run (300): exit 2
  --keep                                   keep the temporary data folder
  --help, -h                               this help

Exit 0 when every check holds, 1 on a violation, 2 when the run could not be made or an option is wrong.
`;

/** The command line, read strictly: an unknown or malformed option ends the script (exit 2), never is ignored. */
function readArgs() {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options: {
        rounds: { type: 'string' },
        deliveries: { type: 'string' },
        concurrency: { type: 'string' },
        'lease-wait-ms': { type: 'string' },
        'retry-unanswered': { type: 'boolean' },
        seed: { type: 'string' },
        'max-seconds': { type: 'string' },
        keep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`crash: ${err instanceof Error ? err.message : String(err)} (see npm run crash -- --help)\n`);
    process.exit(2);
  }
}
const args = readArgs();
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const int = (name: 'rounds' | 'deliveries' | 'concurrency' | 'lease-wait-ms' | 'seed' | 'max-seconds', env: string, fallback: number, min: number): number => {
  const text = args[name] ?? (process.env[env] || undefined) ?? String(fallback);
  const v = Number(text);
  if (text.trim() === '' || !Number.isInteger(v) || v < min) {
    process.stderr.write(`crash: --${name} must be an integer of at least ${min} (see npm run crash -- --help)\n`);
    process.exit(2);
  }
  return v;
};
const ROUNDS = int('rounds', 'CRASH_ROUNDS', 3, 1);
const PER_ROUND = int('deliveries', 'CRASH_DELIVERIES', 100, 10);
const CONCURRENCY = int('concurrency', 'CRASH_CONCURRENCY', 8, 1);
/** -1: as needed (until the lease of the last 202 answer has run out). */
const LEASE_WAIT_MS = int('lease-wait-ms', 'CRASH_LEASE_WAIT_MS', -1, -1);
const RETRY = args['retry-unanswered'] === true || process.env.CRASH_RETRY === '1';
const SEED = int('seed', 'CRASH_SEED', Date.now() % 1_000_000, 0);
const MAX_SECONDS = int('max-seconds', 'CRASH_MAX_SECONDS', 300, 10);
const KEEP = args.keep === true;

// ---------------------------------------------------------------------------------------------------------
// The deliveries: distinct vendor events, each with the eventId it must be published under
// ---------------------------------------------------------------------------------------------------------

interface Vendor {
  readonly adapter: VendorAdapter;
  readonly secret: string;
  /** The body of delivery `n` and the dedup key the adapter reads from it. */
  body(n: number): { body: Buffer; dedupKey: string; id?: string };
}

const qzFixture = loadFixtures('quarterzip').find((f) => f.name === 'call-completed')!;
const cvFixture = loadFixtures('converc').find((f) => f.name === 'call-ended-iso')!;
const RUN = randomBytes(4).toString('hex');

const VENDORS: readonly Vendor[] = [
  {
    adapter: quarterzip(),
    secret: `whsec_${randomBytes(24).toString('base64')}`,
    body: (n) => {
      const body = structuredClone(qzFixture.body) as { data: { call_id: string } };
      body.data.call_id = `crash-${RUN}-${n}`;
      return { body: Buffer.from(JSON.stringify(body)), dedupKey: `msg_crash_${RUN}_${n}`, id: `msg_crash_${RUN}_${n}` };
    },
  },
  {
    adapter: converc(),
    secret: randomBytes(32).toString('hex'),
    body: (n) => {
      const body = structuredClone(cvFixture.body) as { id: string; data: { call: { id: string } } };
      body.id = `crash-${RUN}-${n}`;
      body.data.call.id = `crash-call-${RUN}-${n}`;
      return { body: Buffer.from(JSON.stringify(body)), dedupKey: body.id };
    },
  },
];

type Outcome = 'answered' | 'refused' | 'unanswered';

interface Sent {
  readonly n: number;
  readonly round: number;
  readonly vendor: string;
  readonly eventId: string;
  outcome?: Outcome;
  status?: number;
  /** When a 202 came (its event is PENDING: the redrive takes it once its lease has run out). */
  acceptedAt?: number;
  /** The status of the resend (`--retry-unanswered`). */
  retryStatus?: number;
}

/** Sends delivery `n` signed now; resolves with the status, after checking the eventId of a 2xx answer. */
async function deliver(url: string, s: Sent): Promise<number> {
  const vendor = VENDORS.find((v) => v.adapter.name === s.vendor)!;
  const { body, id } = vendor.body(s.n);
  const res = await fetch(`${url}/webhooks/${vendor.adapter.name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...vendor.adapter.sign(body, vendor.secret, new Date(), id) },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const answer = (await res.json()) as { eventId?: string };
  if (res.status >= 200 && res.status < 300 && answer.eventId !== s.eventId) {
    throw new Error(`delivery ${s.n} was answered with eventId ${answer.eventId}, expected ${s.eventId}`);
  }
  return res.status;
}

// ---------------------------------------------------------------------------------------------------------
// npm start, in its own process group
// ---------------------------------------------------------------------------------------------------------

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<void>;
}

let current: ChildProcess | undefined;

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startServer(env: NodeJS.ProcessEnv, log: string[]): Promise<Server> {
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  current = child;
  let out = '';
  const collect = (d: Buffer) => {
    out += d.toString();
    if (out.length > 100_000) out = out.slice(-50_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = Date.now();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /callhooks local mode ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(m[1]);
      } else if (child.exitCode !== null || Date.now() - started > 90_000) {
        clearInterval(timer);
        reject(new Error(`npm start was not ready (exit ${child.exitCode}):\n${out.slice(-2000)}`));
      }
    }, 50);
  });
  log.push(`started npm start (pid ${child.pid}) on ${url} in ${fmtInt(Date.now() - started)} ms`);
  return { child, url, exited };
}

/** SIGKILL to the whole process group; resolves once no process of the group is left. */
async function killGroup(server: Server): Promise<void> {
  const pid = server.child.pid!;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
  await server.exited;
  const deadline = Date.now() + 10_000;
  while (groupAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process group ${pid} still alive 10 s after SIGKILL`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stopServer(server: Server): Promise<void> {
  const pid = server.child.pid!;
  process.kill(-pid, 'SIGTERM');
  const timer = setTimeout(() => groupAlive(pid) && process.kill(-pid, 'SIGKILL'), 15_000);
  await server.exited;
  while (groupAlive(pid)) await new Promise((r) => setTimeout(r, 20));
  clearTimeout(timer);
}

/** `npm run redrive`, as a user runs it: it asks the running local mode (found through its state file). */
function runRedrive(env: NodeJS.ProcessEnv): Promise<{ published: number; raw: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'redrive'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`npm run redrive exited ${code}: ${out.slice(-1000)}`));
      // `callhooks redrive` prints "… examined N, published N, …" (older versions printed the report as JSON).
      const line = out.trim().split('\n').pop() ?? '';
      const m = /"?published"?[:\s]+(\d+)/.exec(line);
      resolve({ published: m ? Number(m[1]) : NaN, raw: line });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// One round: stream deliveries, kill the process group part-way
// ---------------------------------------------------------------------------------------------------------

async function streamRound(server: Server, round: number, first: number, killAfter: number, sent: Sent[]): Promise<void> {
  let next = first;
  const end = first + PER_ROUND;
  let answered = 0;
  let killed: Promise<void> | undefined;
  const sender = async () => {
    while (next < end && !killed) {
      const n = next++;
      const vendor = VENDORS[n % VENDORS.length];
      const record: Sent = { n, round, vendor: vendor.adapter.name, eventId: deriveEventId(vendor.adapter.name, vendor.body(n).dedupKey) };
      sent.push(record);
      try {
        record.status = await deliver(server.url, record);
        record.outcome = record.status >= 200 && record.status < 300 ? 'answered' : 'refused';
        if (record.status === 202) record.acceptedAt = Date.now();
        if (record.outcome === 'answered' && ++answered === killAfter) killed = killGroup(server);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('delivery ')) throw err;
        record.outcome = 'unanswered';
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  // A round whose deliveries all went through before the kill point still ends with a kill.
  await (killed ?? killGroup(server));
}

// ---------------------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------------------

function eventIdsInFile(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(file)) return counts;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const id = (JSON.parse(line) as { detail: { eventId: string } }).detail.eventId;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

function modeViolations(dir: string): string[] {
  const out: string[] = [];
  for (const p of [dir, ...readdirSync(dir, { recursive: true }).map((x) => join(dir, String(x)))]) {
    const st = statSync(p);
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o777) !== want) out.push(`${p.slice(dir.length) || '/'} is ${(st.mode & 0o777).toString(8)}, not ${want.toString(8)}`);
  }
  return out;
}

/** Records the store still holds IN_FLIGHT, and PENDING (with and without their entry in the pending index). */
async function storeRecords(dbDir: string): Promise<{ inFlight: number; pending: number; notIndexed: number }> {
  const dynamo = await startLocalDynamo(dbDir);
  try {
    let inFlight = 0;
    let pending = 0;
    let notIndexed = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.client.send(new ScanCommand({ TableName: LOCAL_TABLE, ExclusiveStartKey: start as never }));
      for (const item of page.Items ?? []) {
        if (item.status?.S === 'IN_FLIGHT') inFlight++;
        if (item.status?.S !== 'PENDING') continue;
        pending++;
        if (item[TABLE.pendingIndex.partitionKey] === undefined) notIndexed++;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return { inFlight, pending, notIndexed };
  } finally {
    await dynamo.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  // This process reads the store at the end with the SDK: its Node 20 notice is no finding.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'callhooks-crash-'));
  const configFile = join(dataDir, 'callhooks.config.json');
  writeFileSync(configFile, JSON.stringify({ vendors: { quarterzip: true, converc: true } }));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    CALLHOOKS_DATA_DIR: join(dataDir, 'data'),
    CALLHOOKS_CONFIG: configFile,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (const v of VENDORS) env[secretEnvName(v.adapter.name)] = v.secret;
  const log: string[] = [];
  const rand = prng(SEED);
  const sent: Sent[] = [];
  const redrives: string[] = [];
  let lastKill = 0;
  try {
    let server = await startServer(env, log);
    for (let round = 1; round <= ROUNDS; round++) {
      const killAfter = Math.max(1, Math.floor(PER_ROUND * (0.2 + 0.6 * rand())));
      await streamRound(server, round, (round - 1) * PER_ROUND, killAfter, sent);
      lastKill = Date.now();
      const inRound = sent.filter((s) => s.round === round);
      log.push(`round ${round}: kill -9 of the process group after ${killAfter} answers; ${inRound.filter((s) => s.outcome === 'answered').length} answered, ${inRound.filter((s) => s.outcome === 'unanswered').length} unanswered`);
      server = await startServer(env, log);
      const r = await runRedrive(env);
      redrives.push(`after round ${round}: ${r.published}`);
    }
    // The last 202's event is PENDING until its lease has run out; with --retry-unanswered, the orphaned
    // claims (the last of them made at the last kill) must have run out too.
    const lastAccepted = Math.max(0, ...sent.map((s) => s.acceptedAt ?? 0));
    const until = Math.max(lastAccepted > 0 ? lastAccepted + LEASE_MS + 2_000 : 0, RETRY ? lastKill + LEASE_MS + 2_000 : 0);
    const wait = LEASE_WAIT_MS >= 0 ? LEASE_WAIT_MS : Math.max(0, until - Date.now());
    if (wait > 0 || (LEASE_WAIT_MS < 0 && until > 0)) {
      log.push(`waiting ${fmtInt(wait)} ms for the leases to run out (${lastAccepted > 0 ? 'a 202 answer' : 'no 202 answer'}${RETRY ? ', orphaned claims' : ''})`);
      await new Promise((r) => setTimeout(r, wait));
      const r = await runRedrive(env);
      redrives.push(`after the lease: ${r.published}`);
    }
    if (RETRY) {
      // A vendor's retry of each delivery that got no answer: it takes the orphaned claim over.
      for (const s of sent.filter((x) => x.outcome === 'unanswered')) s.retryStatus = await deliver(server.url, s);
      log.push(`resent the ${sent.filter((x) => x.retryStatus !== undefined).length} unanswered deliveries once`);
    }
    await stopServer(server);

    // Checks
    const counts = eventIdsInFile(join(dataDir, 'data', 'events.jsonl'));
    const byId = new Map(sent.map((s) => [s.eventId, s]));
    const answered = sent.filter((s) => s.outcome === 'answered');
    const unanswered = sent.filter((s) => s.outcome === 'unanswered');
    const refused = sent.filter((s) => s.outcome === 'refused');
    const violations: string[] = [];
    for (const s of answered) {
      const c = counts.get(s.eventId) ?? 0;
      if (c !== 1) violations.push(`delivery ${s.n} (${s.vendor}, answered ${s.status}) is in the events file ${c} times`);
    }
    for (const [id, c] of counts) if (!byId.has(id)) violations.push(`event ${id} (${c}×) in the events file was never sent`);
    const resent = sent.filter((s) => s.retryStatus !== undefined);
    for (const s of resent) {
      if (s.retryStatus! < 200 || s.retryStatus! >= 300) violations.push(`delivery ${s.n} (${s.vendor}), unanswered, was answered ${s.retryStatus} when resent`);
      else if (!counts.has(s.eventId)) violations.push(`delivery ${s.n} (${s.vendor}), unanswered, was answered ${s.retryStatus} when resent but is not in the events file`);
    }
    violations.push(...modeViolations(join(dataDir, 'data')));
    const copies = (n: number) => unanswered.filter((s) => (counts.get(s.eventId) ?? 0) === n).length;
    const extra = unanswered.filter((s) => (counts.get(s.eventId) ?? 0) > 1).length;
    const store = await storeRecords(join(dataDir, 'data', 'db'));

    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      [
        `crash consistency: ${ROUNDS} rounds × ${PER_ROUND} deliveries, ${CONCURRENCY} senders, seed ${SEED} (${machine()})`,
        ...log.map((l) => `  ${l}`),
        `  redrives published: ${redrives.join(', ')}`,
        '',
        table(
          ['deliveries', 'count'],
          [
            ['sent', fmtInt(sent.length)],
            ['answered 2xx', fmtInt(answered.length)],
            ['answered 2xx, in the events file exactly once', fmtInt(answered.filter((s) => counts.get(s.eventId) === 1).length)],
            ['answered non-2xx', fmtInt(refused.length)],
            ['unanswered (in flight at a kill)', fmtInt(unanswered.length)],
            ['  of which in the events file 0 times', fmtInt(copies(0))],
            ['  of which in the events file once', fmtInt(copies(1))],
            ['  of which in the events file more than once (extra copies)', fmtInt(extra)],
            ...(RETRY
              ? [
                  ['unanswered, resent once after the lease (a vendor retry)', fmtInt(resent.length)],
                  ['  of which answered 2xx', fmtInt(resent.filter((s) => s.retryStatus! >= 200 && s.retryStatus! < 300).length)],
                ]
              : []),
            ['answered 202 (kept for the redrive)', fmtInt(sent.filter((s) => s.status === 202).length)],
            ['records left IN_FLIGHT in the store (orphaned claims, no event)', fmtInt(store.inFlight)],
            ['records still PENDING in the store after the last redrive', fmtInt(store.pending)],
            ['  of which missing from the pending index', fmtInt(store.notIndexed)],
          ],
          ['l', 'r'],
        ),
        '',
        violations.length === 0 ? `OK: no violation (${seconds.toFixed(1)} s)` : `VIOLATIONS (${violations.length}):\n${violations.slice(0, 20).map((v) => `  ${v}`).join('\n')}`,
        '',
      ].join('\n'),
    );
    return violations.length === 0 ? 0 : 1;
  } finally {
    if (current?.pid !== undefined && groupAlive(current.pid)) process.kill(-current.pid, 'SIGKILL');
    if (KEEP) process.stdout.write(`data kept in ${dataDir}\n`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

const hardStop = setTimeout(() => {
  process.stderr.write(`crash: not finished within ${MAX_SECONDS} s\n`);
  if (current?.pid !== undefined && groupAlive(current.pid)) process.kill(-current.pid, 'SIGKILL');
  process.exit(2);
}, MAX_SECONDS * 1000);
hardStop.unref();

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`crash: the run could not be made: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    if (current?.pid !== undefined && groupAlive(current.pid)) process.kill(-current.pid, 'SIGKILL');
    process.exit(2);
  },
);
