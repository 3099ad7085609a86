/**
 * `npm run bench`: measurements, not a test. Prints tables and exits 0 (1 only when it cannot run).
 *
 *   - a summary first: what users pay and wait for (write units and the bill per million by size, round trips,
 *     cold start), then the CPU ratio to the floor;
 *   - wcu: DynamoDB write units per delivery (new and duplicate, 2/20/200 KB) on dynalite with
 *     `ReturnConsumedCapacity`, beside a model of the 0.1.0 design, the sequential AWS round trips, and a modelled
 *     bill per million deliveries (scripts/lib/write-units.ts, scripts/lib/cost-model.ts);
 *   - bundle: each Lambda function's bundle size, and the cold start: module init of the webhook bundle beside a
 *     bundle of the three SDK clients it always uses (DynamoDB, EventBridge, Secrets Manager), measured side by
 *     side (rounds of fresh `node` processes, every bundle once per round, medians);
 *   - cpu: warm CPU per Quarterzip delivery through the core (handleDelivery with no-op ports), beside the
 *     floor (HMAC-SHA256 + JSON.parse of the same bytes) and the reference `standardwebhooks` verify;
 *   - drain: the redrive's drain rate — a 36,000-event backlog (an hour of an outage at 10 events/s) on dynalite,
 *     drained run after run by the shipped redrive, PutEvents modelled at 30 ms a request
 *     (scripts/lib/redrive-drain.ts); its own section of docs/BENCHMARKS.md (`redrive-drain`).
 *
 * Options: --write (rewrite the `bench` section of docs/BENCHMARKS.md), --quick (fewer iterations),
 * --only wcu,cpu,bundle,init,schemes,drain,vendors,outage (a comma-separated choice; `outage` is the answer time while
 * a dependency hangs, at the 6 s deadline; `init`, module init of every shipped
 * bundle beside one shared webhook bundle, runs only when named; `schemes` is the CPU of one verification per scheme
 * family at 2 KB and 1 MB beside one HMAC-SHA256 of the body, scripts/lib/scheme-bench.ts; `vendors` is the CPU of
 * one `adapter.verify` per built-in vendor on its first sample). With `--write`, `drain` rewrites its own section
 * and the others the `bench` section (which `--only drain` leaves alone); so do `outage` (its section `outage`) and
 * `init` (its section `module-init`).
 *
 * `init` decides the ≤ 1.05× target on instruction counts under `valgrind --tool=callgrind` (scripts/lib/instructions.ts:
 * within about 1 % whatever the machine's load; 22 runs, two at a time, about 4 of the section's 6 minutes), and prints beside
 * them CPU time in rounds, each bundle ÷ the floor of the same round, median and interquartile range, with the floor
 * measured against itself as the noise. Without valgrind it reports the CPU ratios alone and says so.
 */
import { createHash, createHmac } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Webhook } from 'standardwebhooks';
import type { Metafile, Plugin } from 'esbuild';
import { handleDelivery, PipelineDeps } from '../lambda/core/pipeline';
import { composeDetail } from '../lambda/core/event';
import { fitEvent } from '../lambda/core/offload';
import { Headers, Delivery } from '../lambda/core/http';
import { SecretCache } from '../lambda/core/secrets';
import { standardWebhooksKey, standardWebhooksScheme } from '../lambda/schemes/standard-webhooks';
import { quarterzip } from '../lambda/vendors/quarterzip';
import { DEFAULTS } from '../lambda/config/config';
import { NOOP_LOG, NoopBlobs, NoopPublisher, NoopStore, StaticSecret } from './lib/noop-ports';
import { callCompletedBody } from './lib/payloads';
import { BUNDLES, BundleSpec, esbuildOptions } from './bundle';
import { flag, fmt, fmtInt, kib, machine, median, option, percentile, ROOT, table, today, writeSection } from './lib/report';
import { callgrindVersion, countInstructions, inTurn, NODE_FLAGS } from './lib/instructions';
import { DeliveryCost, measureWriteUnits, SizeResult } from './lib/write-units';
import { benchSchemes, benchVendorVerify } from './lib/scheme-bench';
import { billPerMillion, LAMBDA, lambdaMs, PRICES } from './lib/cost-model';
import { DrainResult, measureDrain } from './lib/redrive-drain';
import { measureOutages, outageTable } from './lib/outage';

/** Quarterzip's proof of origin, which signs the deliveries measured here. */
const STANDARD_WEBHOOKS = standardWebhooksScheme();

/** The drain target: an hour of a 10 events/s outage, drained within 10 minutes of redrive runs. */
const DRAIN = { backlog: 36_000, targetMinutes: 10 } as const;

function drainTable(r: DrainResult): string {
  const rate = r.distinctPublished / r.drainSeconds;
  const runs = r.runs.length;
  const rows = [
    ['backlog', `${fmtInt(r.options.backlog)} PENDING events of about 1 KB (the first kept through claim + keepForRedrive, the others copies of its item written 25 to a BatchWriteItem in ${fmt(r.fillSeconds, 0)} s)`],
    ['runs', `${runs} (each given ${r.options.runMs / 1000} s, no page started with less than ${r.options.reserveMs / 1000} s left): ${r.runs.map((x) => fmtInt(x.published)).join(', ')} published`],
    ['drained', `${fmtInt(r.distinctPublished)} distinct events (${fmtInt(r.published)} entries published) in **${fmt(r.drainSeconds, 0)} s** of redrive work: **${fmtInt(rate * 60)} events a minute** (${fmtInt(rate)}/s)`],
    ['PutEvents', `${fmtInt(r.putEventsRequests)} requests (${fmt(r.published / r.putEventsRequests, 1)} entries each), ${r.options.putEventsMs} ms each (modelled), at most ${r.mostRequestsInFlight} in flight`],
    ['with a run every minute', `drained within **${runs} minute${runs === 1 ? '' : 's'}** of runs (target: ${DRAIN.targetMinutes}) — ${r.distinctPublished === r.options.backlog && runs <= DRAIN.targetMinutes ? 'PASS' : 'MISS'}`],
  ];
  return table(['what', 'measured'], rows, ['l', 'l']);
}

const argv = process.argv.slice(2);
const QUICK = flag(argv, 'quick');
const ONLY = option(argv, 'only', undefined);

// ───────────────────────────── a. CPU per delivery ─────────────────────────────

/** Core ≤ 1.3 × floor. */
const CPU_TARGET = 1.3;

interface Case {
  readonly label: string;
  readonly bytes: number;
  /** Deliveries per timed round. */
  readonly n: number;
  readonly rounds: number;
  readonly warmup: number;
}

const CASES: Case[] = [
  { label: '2 KB call.completed', bytes: 2 * 1024, n: QUICK ? 3000 : 8000, rounds: QUICK ? 3 : 5, warmup: QUICK ? 2000 : 5000 },
  { label: '1 MB call.completed', bytes: 1024 * 1024, n: QUICK ? 10 : 24, rounds: QUICK ? 3 : 5, warmup: QUICK ? 6 : 12 },
];

interface Cost {
  /** CPU (user + system, whole process) per operation, µs. */
  readonly cpuUs: number;
  /** Wall-clock per operation, µs. */
  readonly wallUs: number;
}

/** CPU and wall time per operation of `run(n)`, which must do `n` operations. */
async function cost(n: number, run: (n: number) => unknown | Promise<unknown>): Promise<Cost> {
  const w0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await run(n);
  const c = process.cpuUsage(c0);
  const wall = Number(process.hrtime.bigint() - w0) / 1000;
  return { cpuUs: (c.user + c.system) / n, wallUs: wall / n };
}

/** The median over rounds of each of several measurements, interleaved round by round. */
async function rounds<K extends string>(count: number, steps: Record<K, () => Promise<Cost>>): Promise<Record<K, Cost>> {
  const names = Object.keys(steps) as K[];
  const seen = Object.fromEntries(names.map((k) => [k, [] as Cost[]])) as Record<K, Cost[]>;
  for (let r = 0; r < count; r++) {
    // Rotate the order so no measurement always runs right after the same one.
    for (let i = 0; i < names.length; i++) {
      const k = names[(i + r) % names.length];
      seen[k].push(await steps[k]());
    }
  }
  return Object.fromEntries(
    names.map((k) => [k, { cpuUs: median(seen[k].map((c) => c.cpuUs)), wallUs: median(seen[k].map((c) => c.wallUs)) }]),
  ) as Record<K, Cost>;
}

interface Signed {
  readonly deliveries: Delivery[];
  readonly headers: Array<Record<string, string>>;
  /** `${id}.${timestamp}.`, what the HMAC covers before the body. */
  readonly prefixes: string[];
}

let nextId = 0;

/** `n` deliveries of `body`, each with a new webhook-id, signed now (outside any timed region). */
function sign(body: Buffer, secret: string, n: number): Signed {
  const now = new Date();
  const out: Signed = { deliveries: [], headers: [], prefixes: [] };
  for (let i = 0; i < n; i++) {
    const id = `msg_bench_${process.pid}_${nextId++}`;
    const h: Record<string, string> = { ...STANDARD_WEBHOOKS.sign({ body, id }, secret, now).headers, 'content-type': 'application/json' };
    out.headers.push(h);
    out.prefixes.push(`${id}.${h['webhook-timestamp']}.`);
    out.deliveries.push({ vendor: 'quarterzip', method: 'POST', headers: new Headers(Object.entries(h)), query: {}, body, receivedAt: now });
  }
  return out;
}

interface CpuResult {
  readonly c: Case;
  readonly path: string;
  readonly floor: Cost;
  readonly core: Cost;
  readonly reference: Cost;
  readonly stages: Array<{ name: string; cost: Cost; additive: boolean }>;
  /** The whole core and the floor again, measured in the same rounds as the stages. */
  readonly stageCore: Cost;
  readonly stageFloor: Cost;
}

async function benchCase(c: Case): Promise<CpuResult> {
  const body = callCompletedBody({ bytes: c.bytes, callId: 'bench-call' });
  const secret = STANDARD_WEBHOOKS.generateCredential().secret;
  const key = standardWebhooksKey(secret);
  const adapter = quarterzip();
  const store = new NoopStore();
  const publisher = new NoopPublisher();
  const blobs = new NoopBlobs();
  const deps: PipelineDeps = {
    adapters: new Map([[adapter.name, adapter]]),
    secrets: new SecretCache(new StaticSecret(secret)),
    store,
    publisher,
    blobs,
    log: NOOP_LOG,
    // The defaults: 2 MB bodies, 256 KB events (so the 1 MB delivery takes the offload path).
    limits: { maxBodyBytes: DEFAULTS.maxBodyBytes, maxEventBytes: DEFAULTS.maxEventBytes, retentionDays: DEFAULTS.retentionDays },
  };

  const core = async (n: number) => {
    const s = sign(body, secret, n);
    return cost(n, async () => {
      for (let i = 0; i < n; i++) {
        const r = await handleDelivery(s.deliveries[i], deps);
        if (r.statusCode !== 200) throw new Error(`core answered ${r.statusCode}: ${JSON.stringify(r.body)}`);
      }
    });
  };
  const floor = async (n: number) => {
    const s = sign(body, secret, n);
    let sink = 0;
    const result = await cost(n, () => {
      for (let i = 0; i < n; i++) {
        const mac = createHmac('sha256', key).update(s.prefixes[i]).update(body).digest();
        const parsed = JSON.parse(body.toString('utf8')) as { type: string };
        sink += mac[0] + parsed.type.length;
      }
    });
    if (sink < 0) throw new Error('unreachable');
    return result;
  };
  const reference = async (n: number) => {
    const s = sign(body, secret, n);
    return cost(n, () => {
      for (let i = 0; i < n; i++) new Webhook(secret).verify(body, s.headers[i]);
    });
  };

  // Warm-up (JIT, caches, the secret cache's first read), then check which path the delivery takes.
  await core(c.warmup);
  await floor(c.warmup);
  await reference(Math.max(5, Math.floor(c.warmup / 4)));
  const putsBefore = blobs.puts;
  await core(1);
  const offload = publisher.last?.detail.offload;
  const path = [
    offload ? `offload: ${offload.part} → payload store (${kib(offload.bytes)})` : 'fits: event inline',
    'record: a claim without the event',
    `${blobs.puts - putsBefore} blob put`,
  ].join('; ');

  const main = await rounds(c.rounds, { floor: () => floor(c.n), core: () => core(c.n), reference: () => reference(c.n) });

  // Where the core's time goes: each stage alone, on the same inputs.
  const s = sign(body, secret, 1);
  const d = s.deliveries[0];
  const parsed = adapter.parse(d);
  const detail = composeDetail(adapter.name, parsed.dedupKey, parsed.fields, d.receivedAt);
  const fullJson = JSON.stringify(detail);
  const sync = (f: () => unknown) => (n: number) => cost(n, () => {
    for (let i = 0; i < n; i++) f();
  });
  let k = 0;
  const stageSteps = {
    core: (n: number) => core(n),
    floor: (n: number) => floor(n),
    'verify (adapter.verify)': sync(() => adapter.verify(d, secret, d.receivedAt)),
    'parse + normalize (adapter.parse)': sync(() => adapter.parse(d)),
    'composeDetail (eventId = UUIDv5/SHA-1)': sync(() => composeDetail(adapter.name, `msg_${k++}`, parsed.fields, d.receivedAt)),
    'fitEvent (size check / offload)': (n: number) => cost(n, async () => {
      for (let i = 0; i < n; i++) await fitEvent(detail, JSON.stringify(detail), deps.limits.maxEventBytes, blobs);
    }),
    'of which: HMAC-SHA256 of the body': sync(() => createHmac('sha256', key).update(s.prefixes[0]).update(body).digest()),
    'of which: body.toString + JSON.parse': sync(() => JSON.parse(body.toString('utf8'))),
    'of which: JSON.stringify(full detail)': sync(() => JSON.stringify(detail)),
    'of which: Buffer.byteLength(full detail json)': sync(() => Buffer.byteLength(fullJson, 'utf8')),
    'of which: SHA-256 of the full detail json': sync(() => createHash('sha256').update(fullJson, 'utf8').digest('hex')),
  };
  const stageN = Math.max(10, Math.floor(c.n / 2));
  const measured = await rounds(Math.max(3, c.rounds - 2), Object.fromEntries(Object.entries(stageSteps).map(([name, f]) => [name, () => (f as (n: number) => Promise<Cost>)(stageN)])) as Record<string, () => Promise<Cost>>);
  const stages = Object.entries(measured)
    .filter(([name]) => name !== 'core' && name !== 'floor')
    .map(([name, cost]) => ({ name, cost, additive: !name.startsWith('of which') }));
  return { c, path, floor: main.floor, core: main.core, reference: main.reference, stages, stageCore: measured.core, stageFloor: measured.floor };
}

function cpuTables(results: CpuResult[]): string {
  const main = table(
    ['case', 'path through the core', 'floor µs', 'core µs', 'core/floor', `target ≤ ${CPU_TARGET}×`, 'standardwebhooks verify µs', 'ref/floor'],
    results.map((r) => [
      `${r.c.label} (${fmtInt(r.c.bytes)} B)`,
      r.path,
      fmt(r.floor.cpuUs),
      fmt(r.core.cpuUs),
      `${fmt(r.core.cpuUs / r.floor.cpuUs, 2)}×`,
      r.core.cpuUs / r.floor.cpuUs <= CPU_TARGET ? 'PASS' : 'MISS',
      fmt(r.reference.cpuUs),
      `${fmt(r.reference.cpuUs / r.floor.cpuUs, 2)}×`,
    ]),
    ['l', 'l', 'r', 'r', 'r', 'l', 'r', 'r'],
  );
  const wall = table(
    ['case', 'floor wall µs', 'core wall µs', 'core/floor (wall)', 'reference wall µs'],
    results.map((r) => [r.c.label, fmt(r.floor.wallUs), fmt(r.core.wallUs), `${fmt(r.core.wallUs / r.floor.wallUs, 2)}×`, fmt(r.reference.wallUs)]),
    ['l', 'r', 'r', 'r', 'r'],
  );
  const breakdowns = results.map((r) => {
    const additive = r.stages.filter((s) => s.additive);
    const sum = additive.reduce((a, s) => a + s.cost.cpuUs, 0);
    const total = r.stageCore.cpuUs;
    const share = (us: number) => `${fmt((100 * us) / total, 0)} %`;
    const rows = [
      ...additive.map((s) => [s.name, fmt(s.cost.cpuUs), share(s.cost.cpuUs)]),
      total - sum >= 0
        ? ['rest: secret cache, awaits, log context, record/entry/reply objects (whole − stages)', fmt(total - sum), share(total - sum)]
        : ['rest (whole − stages)', `n/a (stages alone sum to ${fmt(sum)})`, ''],
      ['**core total (handleDelivery), same rounds**', fmt(total), '100 %'],
      ['floor, same rounds', fmt(r.stageFloor.cpuUs), share(r.stageFloor.cpuUs)],
      ...r.stages.filter((s) => !s.additive).map((s) => [s.name, fmt(s.cost.cpuUs), share(s.cost.cpuUs)]),
    ];
    return `Where the core's CPU goes, ${r.c.label} (each stage alone on the same inputs, interleaved with the whole core in the same rounds; µs per delivery; a stage alone can cost a little more than inside the pipeline, so "rest" is approximate):\n\n${table(['stage', 'µs', 'share of core'], rows, ['l', 'r', 'r'])}`;
  });
  const iterations = results.map((r) => `${r.c.label}: ${fmtInt(r.c.n)} deliveries × ${r.c.rounds} rounds, after ${fmtInt(r.c.warmup)} warm-up`).join('; ');
  return [
    `CPU = process.cpuUsage() user+system delta (whole process, so GC helper threads count) ÷ deliveries; median of rounds. ${iterations}.`,
    'Floor = createHmac(sha256) over `id.timestamp.` + body, and JSON.parse(body.toString()). Core = handleDelivery with no-op ports (every claim new, publish ok, blob put discarded), default limits (maxBodyBytes 2 MB, maxEventBytes 256 KB).',
    '',
    main,
    '',
    'Wall clock per delivery (same runs, for reference):',
    '',
    wall,
    '',
    ...breakdowns.flatMap((b) => [b, '']),
  ].join('\n');
}

// ───────────────────────────── b. bundles and module init ─────────────────────────────

/** A function's bundle may be at most its SDK clients' own bundle plus this (15 KB, decimal). */
const BUNDLE_SLACK = 15_000;
/** Cold start: the webhook bundle's module init at most this times that of its three always-used SDK clients alone. */
const COLD_START_TARGET = 1.05;
const INIT_ROUNDS = QUICK ? 5 : 15;
/** Rounds of the timed module init of every shipped bundle (`--only init`), beside its instruction counts. */
const INIT_TIMED_ROUNDS = QUICK ? 3 : 10;

/** The webhook bundle's module init over the three clients' (wall and CPU, ratio of the medians). */
function coldStart({ functions, baselines }: BundleResult) {
  const webhook = functions[0];
  const base = baselines.find((b) => b.name === 'sdk-3')!;
  const inline = functions.find((f) => f.name === S3_INLINE)!;
  return {
    webhook, base, inline,
    wall: median(webhook.initRuns) / median(base.initRuns),
    cpu: median(webhook.initCpu) / median(base.initCpu),
    inlineWall: median(inline.initRuns) / median(base.initRuns),
    inlineCpu: median(inline.initCpu) / median(base.initCpu),
  };
}

interface Bundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly gzip: number;
  /** Wall and CPU milliseconds of `require(bundle)` in a fresh node, one per round (rounds interleave every bundle). */
  readonly initRuns: number[];
  readonly initCpu: number[];
  readonly byPackage: Map<string, number>;
}

function packageOf(input: string): string {
  const i = input.lastIndexOf('node_modules/');
  if (i < 0) {
    const top = input.replace(/^\.\.?\//, '').split('/');
    return top[0] === '<stdin>' ? '(entry)' : `callhooks ${top.slice(0, 2).join('/')}`;
  }
  const rest = input.slice(i + 'node_modules/'.length).split('/');
  return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
}

/** Builds with the options of `npm run bundle` (scripts/bundle.ts): what ships, or the SDK clients alone for comparison. */
async function bundle(name: string, dir: string, entry: { spec: BundleSpec; plugins?: Plugin[] } | { source: string }): Promise<Bundle> {
  const esbuild = await import('esbuild');
  const options = esbuildOptions('spec' in entry ? entry.spec : { name, entry: 'lambda/handlers/webhook.ts' }, dir);
  const outfile = options.outfile!;
  const result = await esbuild.build({
    ...options,
    // A function keeps the shipped plugins (the S3 client apart) unless told otherwise; the clients-alone baselines
    // bundle every client they name, S3 included, inline.
    ...('spec' in entry ? { plugins: entry.plugins ?? options.plugins } : { plugins: [], entryPoints: undefined, stdin: { contents: entry.source, resolveDir: ROOT, loader: 'ts', sourcefile: `${name}.ts` } }),
    logLevel: 'silent',
  });
  const byPackage = new Map<string, number>();
  const meta: Metafile = result.metafile!;
  for (const output of Object.values(meta.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      const p = packageOf(input);
      byPackage.set(p, (byPackage.get(p) ?? 0) + info.bytesInOutput);
    }
  }
  return { name, file: outfile, bytes: statSync(outfile).size, gzip: gzipSync(readFileSync(outfile)).length, initRuns: [], initCpu: [], byPackage };
}

const clientsSource = (clients: string[]) =>
  clients.map((c) => `import { ${c}Client } from '@aws-sdk/client-${c === 'DynamoDB' ? 'dynamodb' : c === 'EventBridge' ? 'eventbridge' : c === 'SecretsManager' ? 'secrets-manager' : c.toLowerCase()}';`).join('\n') +
  `\nexport const clients = [${clients.map((c) => `new ${c}Client({})`).join(', ')}];\n`;

interface BundleResult {
  readonly functions: Bundle[];
  readonly baselines: Array<Bundle & { clients: string[] }>;
}

async function benchBundles(): Promise<BundleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'callhooks-bench-'));
  try {
    const functions = [
      // Quarterzip's function as it ships (only that vendor's adapter in the bundle), and the redrive's.
      await bundle('webhook', dir, { spec: shipped('webhook-quarterzip') }),
      await bundle('redrive', dir, { spec: shipped('redrive') }),
      // For comparison, not what ships: the same webhook bundle with the S3 client inside index.js (required lazily,
      // so evaluated on first use, but still parsed at load), the shape before the S3 client got a file of its own.
      await bundle(S3_INLINE, dir, { spec: { ...shipped('webhook-quarterzip'), name: S3_INLINE }, plugins: [] }),
    ];
    const sets: Array<[string, string[]]> = [
      ['sdk-3', ['DynamoDB', 'EventBridge', 'SecretsManager']],
      ['sdk-4', ['DynamoDB', 'EventBridge', 'SecretsManager', 'S3']],
      ['sdk-redrive', ['DynamoDB', 'EventBridge', 'S3', 'SQS']],
    ];
    const baselines = [];
    for (const [name, clients] of sets) baselines.push({ ...(await bundle(name, dir, { source: clientsSource(clients) })), clients });
    // Module init side by side: every round requires each bundle once in a fresh node, in a rotating order, so
    // that a change of load on the machine hits all of them alike.
    const all: Bundle[] = [...functions, ...baselines];
    for (let round = 0; round < INIT_ROUNDS; round++) {
      for (let i = 0; i < all.length; i++) {
        const b = all[(i + round) % all.length];
        const c = initCost(b.file);
        b.initRuns.push(c.wallMs);
        b.initCpu.push(c.cpuMs);
      }
    }
    return { functions, baselines };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const shipped = (name: string): BundleSpec => BUNDLES.find((b) => b.name === name)!;

const S3_INLINE = 'webhook, S3 client inside index.js (the previous shape)';

// ─────────────── c. per-vendor or shared webhook bundle: module init of each ───────────────

/** One webhook bundle with every vendor's adapter in it (the registry unfolded), against the shipped per-vendor ones. */
const SHARED: BundleSpec = { name: 'webhook-shared (every vendor)', entry: 'lambda/handlers/webhook.ts' };

/** Module init of one bundle: timed per round in a fresh node, and counted in instructions under callgrind. */
interface InitRow {
  readonly name: string;
  readonly bytes: number;
  /** Wall and CPU milliseconds of `require(bundle)`, one per round. */
  readonly runs: number[];
  readonly cpu: number[];
  /** Per round, this bundle's CPU ÷ the floor's in the same round (the paired comparison). */
  readonly cpuRatios: number[];
  /** Instructions of `node -e "require(bundle)"` minus those of `node -e ""`, one per callgrind run (none without valgrind). */
  readonly instructions: number[];
}

interface InitResult {
  readonly rows: InitRow[];
  readonly rounds: number;
  /** `valgrind --version`, or undefined when the instruction counts could not be taken. */
  readonly valgrind?: string;
  /** Instructions of `node -e ""` under callgrind, each run (subtracted from every bundle's count). */
  readonly empty: number[];
}

const INIT_ENV = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' };

/** Wall and CPU (user + system) milliseconds of `require(file)` in a fresh node: CPU is the steadier figure on a busy machine. */
function initCost(file: string): { wallMs: number; cpuMs: number } {
  const script = `const c=process.cpuUsage(),t=process.hrtime.bigint();require(${JSON.stringify(file)});const u=process.cpuUsage(c);` +
    'console.log(JSON.stringify({wallMs:Number(process.hrtime.bigint()-t)/1e6,cpuMs:(u.user+u.system)/1e3}))';
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: INIT_ENV });
  if (r.status !== 0) throw new Error(`requiring ${file} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/**
 * Module init of every shipped bundle, of the shared variant and of the floor (twice: the second is the floor
 * against itself, the noise), each ÷ the floor. Two measures: instructions under callgrind (the verdict: the same
 * count whatever the load), and CPU time in rounds, every bundle once per round in a rotating order, each round's
 * figure ÷ the floor's of that round (median and interquartile range of those ratios).
 */
async function benchSharedVsTrimmed(): Promise<InitResult> {
  const esbuild = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'callhooks-bench-init-'));
  try {
    const specs = [...BUNDLES, SHARED];
    const files = await Promise.all(specs.map(async (spec, i) => {
      const options = esbuildOptions({ ...spec, name: `b${i}` }, dir);
      await esbuild.build({ ...options, metafile: false, logLevel: 'silent' });
      return options.outfile!;
    }));
    // The floor: the three SDK clients every webhook function uses, alone; listed twice, so that the second is
    // measured like any bundle and shows what the floor against itself gives.
    const floorFile = (await bundle('floor-sdk-3', dir, { source: clientsSource(['DynamoDB', 'EventBridge', 'SecretsManager']) })).file;
    files.push(floorFile, floorFile);
    const names = [...specs.map((spec) => spec.name), FLOOR, FLOOR_AGAIN];
    const floorAt = names.indexOf(FLOOR);
    const runs = names.map(() => [] as number[]);
    const cpu = names.map(() => [] as number[]);
    const cpuRatios = names.map(() => [] as number[]);
    for (let round = 0; round < INIT_TIMED_ROUNDS; round++) {
      for (let k = 0; k < files.length; k++) {
        const i = (k + round) % files.length;
        const c = initCost(files[i]);
        runs[i].push(c.wallMs);
        cpu[i].push(c.cpuMs);
      }
      names.forEach((_, i) => cpuRatios[i].push(cpu[i][round] / cpu[floorAt][round]));
    }
    const valgrind = callgrindVersion();
    let empty: number[] = [];
    const instructions = names.map(() => [] as number[]);
    if (valgrind) {
      // Counts do not depend on load, so two run at once. --quick counts only the floor and the shipped webhook
      // bundles, and `node -e ""` once; otherwise also the redrive, the shared bundle and the floor again.
      const counted = names.map((_, i) => i).filter((i) => !QUICK || names[i] === FLOOR || judged(names[i]));
      const emptyRuns = QUICK ? 1 : 2;
      process.stderr.write(`bench: counting instructions under callgrind (${counted.length + emptyRuns} runs, 10–25 s each, two at a time)…\n`);
      const counts = await inTurn([
        ...Array.from({ length: emptyRuns }, () => () => countInstructions(undefined, INIT_ENV)),
        ...counted.map((i) => () => countInstructions(files[i], INIT_ENV)),
      ], 2);
      empty = counts.slice(0, emptyRuns);
      counts.slice(emptyRuns).forEach((n, k) => instructions[counted[k]].push(n - median(empty)));
    } else {
      process.stderr.write('bench: valgrind not found: module init by CPU time only (paired ratios), no instruction counts\n');
    }
    const rows = names.map((name, i) => ({ name, bytes: statSync(files[i]).size, runs: runs[i], cpu: cpu[i], cpuRatios: cpuRatios[i], instructions: instructions[i] }));
    return { rows, rounds: INIT_TIMED_ROUNDS, valgrind, empty };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The three-client floor of the per-vendor table (the same clients as `sdk-3`), and the same bundle measured again. */
const FLOOR = 'SDK only: DynamoDB + EventBridge + SecretsManager (the floor)';
const FLOOR_AGAIN = 'the floor again (its noise)';

/** A bundle the ≤ 1.05× target applies to: a shipped webhook function (the redrive has clients of its own). */
const judged = (name: string) => name.startsWith('webhook-') && name !== SHARED.name;

function initTable({ rows, rounds, valgrind, empty }: InitResult): string {
  const floor = rows.find((r) => r.name === FLOOR)!;
  const again = rows.find((r) => r.name === FLOOR_AGAIN)!;
  const counted = valgrind !== undefined;
  const insRatio = (r: InitRow) => median(r.instructions) / median(floor.instructions);
  const cpuRatio = (r: InitRow) => median(r.cpuRatios);
  const iqr = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${fmt(percentile(s, 25), 2)}–${fmt(percentile(s, 75), 2)}`;
  };
  // Instruction counts of one bundle vary by about 1 % from run to run: closer than that to the target, say so.
  const verdictOf = (r: InitRow) => {
    if (!judged(r.name)) return '';
    const x = counted ? insRatio(r) : cpuRatio(r);
    return `${x <= COLD_START_TARGET ? 'PASS' : 'MISS'}${counted && Math.abs(x - COLD_START_TARGET) < 0.01 ? ' (within 1 %: too close to call)' : ''}`;
  };
  const mi = (n: number) => fmt(n / 1e6, 1);
  const body = table(
    ['bundle', 'bytes', 'require: instructions (M)', 'instructions ÷ floor', `verdict (≤ ${COLD_START_TARGET}×)`, 'wall ms (median)', 'CPU ms (median)', `CPU ÷ floor, per round: median [IQR]`],
    rows.map((r) => [
      r.name, fmtInt(r.bytes),
      r.instructions.length ? mi(median(r.instructions)) : '–', r.instructions.length ? `**${fmt(insRatio(r), 3)}×**` : '–', verdictOf(r),
      fmt(median(r.runs), 1), fmt(median(r.cpu), 1), `${fmt(cpuRatio(r), 2)}× [${iqr(r.cpuRatios)}]`,
    ]),
    ['l', 'r', 'r', 'r', 'l', 'r', 'r', 'r'],
  );
  const shipped = rows.filter((r) => judged(r.name));
  const worst = shipped.reduce((a, b) => ((counted ? insRatio(b) > insRatio(a) : cpuRatio(b) > cpuRatio(a)) ? b : a));
  const misses = shipped.filter((r) => verdictOf(r).startsWith('MISS'));
  const method = counted
    ? `**Verdict on instructions** (\`${valgrind} --tool=callgrind\`, node ${NODE_FLAGS.join(' ')}; scripts/lib/instructions.ts): the instructions of \`node -e "require(bundle)"\` minus those of \`node -e ""\` (${empty.map(mi).join(' and ')} M), once per bundle, ÷ the floor's. The count hardly moves with the machine's load (≈ 1 % from run to run); it counts work, not time (cache misses and I/O are not in it).`
    : '**Verdict on CPU time** (valgrind was not found, so no instruction counts): the median of the per-round ratios.';
  const noise = counted && again.instructions.length
    ? `The floor against itself: ${mi(median(floor.instructions))} M and ${mi(median(again.instructions))} M instructions (${fmt(insRatio(again), 4)}×); by CPU time ${fmt(cpuRatio(again), 2)}× [IQR ${iqr(again.cpuRatios)}], so a CPU ratio inside that spread is noise.`
    : `The floor against itself by CPU time: ${fmt(cpuRatio(again), 2)}× [IQR ${iqr(again.cpuRatios)}], so a ratio inside that spread is noise${counted ? ' (--quick: the floor was counted once)' : ''}.`;
  const summary = misses.length === 0
    ? `All ${shipped.length} shipped webhook bundles PASS; the largest is ${worst.name} at ${fmt(counted ? insRatio(worst) : cpuRatio(worst), 3)}× the floor.`
    : `MISS: ${misses.map((r) => `${r.name} ${fmt(counted ? insRatio(r) : cpuRatio(r), 3)}×`).join(', ')} (target ≤ ${COLD_START_TARGET}×); the other ${shipped.length - misses.length} PASS.`;
  return [
    `Each bundle built with the options of \`npm run bundle\`, module init = \`require(bundle)\` in a fresh \`node -e\` process, ÷ the floor (the three SDK clients every webhook function uses, constructed). ${method} ` +
      `Beside it, CPU time (user + system of the process) and wall time: ${rounds} rounds, every bundle once per round in a rotating order, each bundle's CPU ÷ the floor's of the same round; median and interquartile range of those ratios. The target applies to the shipped webhook bundles; the redrive has clients of its own (\`npm run bench -- --only bundle\` compares it with them).`,
    '',
    body,
    '',
    noise,
    '',
    summary,
  ].join('\n');
}

function bundleTables({ functions, baselines }: BundleResult): string {
  const base = (name: string) => baselines.find((b) => b.name === name)!;
  const row = (label: string, b: Bundle) => [label, fmtInt(b.bytes), kib(b.bytes), kib(b.gzip), fmt(median(b.initRuns), 1), fmt(Math.min(...b.initRuns), 1), fmt(median(b.initCpu), 1)];
  const sizes = table(
    ['bundle', 'bytes', 'size', 'gzip', 'module init wall ms (median)', 'wall min', 'init CPU ms (median)'],
    [
      ...functions.map((f) => row(f.name === S3_INLINE ? f.name : `lambda/handlers/${f.name}.ts${f.name === 'webhook' ? ' (Quarterzip, as shipped)' : ''}`, f)),
      ...baselines.map((b) => row(`SDK only: ${b.clients.join(' + ')}`, b)),
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const cold = coldStart({ functions, baselines });
  const coldTable = table(
    ['cold start: module init', 'webhook ms', 'DynamoDB + EventBridge + SecretsManager ms', 'ratio', `target ≤ ${COLD_START_TARGET}×`],
    [
      ['wall (median)', fmt(median(cold.webhook.initRuns), 1), fmt(median(cold.base.initRuns), 1), `**${fmt(cold.wall, 2)}×**`, cold.wall <= COLD_START_TARGET ? 'PASS' : 'MISS'],
      ['CPU of the process (median)', fmt(median(cold.webhook.initCpu), 1), fmt(median(cold.base.initCpu), 1), `${fmt(cold.cpu, 2)}×`, cold.cpu <= COLD_START_TARGET ? 'PASS' : 'MISS'],
      ['for comparison, S3 client inside index.js: wall', fmt(median(cold.inline.initRuns), 1), fmt(median(cold.base.initRuns), 1), `${fmt(cold.inlineWall, 2)}×`, cold.inlineWall <= COLD_START_TARGET ? 'PASS' : 'MISS'],
      ['for comparison, S3 client inside index.js: CPU', fmt(median(cold.inline.initCpu), 1), fmt(median(cold.base.initCpu), 1), `${fmt(cold.inlineCpu, 2)}×`, cold.inlineCpu <= COLD_START_TARGET ? 'PASS' : 'MISS'],
    ],
    ['l', 'r', 'r', 'r', 'l'],
  );
  const checks: Array<[Bundle, Bundle & { clients: string[] }, string]> = [
    [functions[0], base('sdk-3'), 'the three clients of the brief'],
    [functions[0], base('sdk-4'), 'the four clients the webhook function constructs'],
    [functions[1], base('sdk-3'), 'the three clients of the brief'],
    [functions[1], base('sdk-redrive'), 'the four clients the redrive function constructs'],
  ];
  const targets = table(
    ['function', 'baseline', 'baseline bytes', 'limit (+15,000 B)', 'function bytes', 'over the baseline', 'verdict'],
    checks.map(([f, b, why]) => [
      f.name,
      `${b.clients.join(' + ')} (${why})`,
      fmtInt(b.bytes),
      fmtInt(b.bytes + BUNDLE_SLACK),
      fmtInt(f.bytes),
      `${f.bytes - b.bytes >= 0 ? '+' : ''}${fmtInt(f.bytes - b.bytes)}`,
      f.bytes <= b.bytes + BUNDLE_SLACK ? 'PASS' : 'MISS',
    ]),
    ['l', 'l', 'r', 'r', 'r', 'r', 'l'],
  );
  const deltas = checks
    .filter((_, i) => i === 1 || i === 3)
    .map(([f, b]) => {
      const names = new Set([...f.byPackage.keys(), ...b.byPackage.keys()]);
      const rows = [...names]
        .map((n) => ({ n, fb: f.byPackage.get(n) ?? 0, bb: b.byPackage.get(n) ?? 0 }))
        .filter((r) => r.fb !== r.bb && r.n !== '(entry)')
        .sort((x, y) => y.fb - y.bb - (x.fb - x.bb))
        .slice(0, 12)
        .map((r) => [r.n, fmtInt(r.fb), fmtInt(r.bb), `${r.fb - r.bb >= 0 ? '+' : ''}${fmtInt(r.fb - r.bb)}`]);
      return `What the ${f.name} bundle adds over ${b.clients.join(' + ')} (bytes in the minified output, by package; largest 12):\n\n${table(['package / folder', f.name, 'SDK only', 'difference'], rows, ['l', 'r', 'r', 'r'])}`;
    });
  const meets = (f: Bundle) => {
    const ok = checks.filter(([g, b]) => g === f && f.bytes <= b.bytes + BUNDLE_SLACK).map(([, b]) => b.clients.join(' + '));
    return `${f.name}: ${ok.length ? `meets the target against ${ok.join(' and against ')}` : 'meets no target'}`;
  };
  return [
    `esbuild with the options of \`npm run bundle\` (scripts/bundle.ts): bundle, platform node, target node24, format cjs, minify, keepNames, no source map, nothing external but \`@aws-sdk/client-s3\`, bundled on its own into \`s3-client.js\` beside \`index.js\` and required from there on the first put (the sizes below are \`index.js\`). Module init = \`require(bundle)\` in a fresh \`node -e\` process, wall and CPU (user + system) milliseconds; ${INIT_ROUNDS} rounds, each requiring every bundle once in a rotating order; medians. The SDK-only bundles import the clients and construct one of each (\`new XClient({})\`); the webhook bundle constructs its clients on the first invocation and requires the S3 client on the first put (lambda/adapters/aws/s3-blobs.ts).`,
    '',
    sizes,
    '',
    coldTable,
    '',
    targets,
    '',
    `Verdict: ${functions.filter((f) => f.name !== S3_INLINE).map(meets).join('; ')}.`,
    '',
    ...deltas.flatMap((d) => [d, '']),
  ].join('\n');
}

// ───────────────────────────── d. write units, round trips and the bill ─────────────────────────────

/** The budget of DESIGN.md §Record life and cost. */
const BUDGET = { newWriteUnits: 2, duplicateWriteUnits: 1 } as const;
const WCU_SIZES = [2 * 1024, 20 * 1024, 200 * 1024];
const DUPLICATE_SHARES = [0, 0.75];

const sizeLabel = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
const requestsOf = (c: DeliveryCost) => c.requests.map((r) => `${r.operation} ${fmt(r.units, r.units % 1 ? 1 : 0)}${r.kind === 'read' ? ' RCU' : ''}${r.source === 'reported' ? '' : '*'}`).join(' + ');
const usd = (n: number) => `$${n.toFixed(2)}`;

function workloads(r: SizeResult) {
  const common = { entryBytes: r.entryBytes, bodyBytes: r.bodyBytes, coreCpuUs: r.coreCpuUs, s3PutsPerNew: 0, duplicateReadUnits: 0 };
  return {
    now: { ...common, newWriteUnits: r.now.first.writeUnits, duplicateWriteUnits: r.now.duplicate.writeUnits, newRoundTrips: r.newCalls.length, duplicateRoundTrips: r.duplicateCalls.length },
    // 0.1.0 made the same calls: claim, publish, mark for a new delivery; the refused claim alone for a duplicate.
    old: { ...common, newWriteUnits: r.old.first.writeUnits, duplicateWriteUnits: r.old.duplicate.writeUnits, newRoundTrips: 3, duplicateRoundTrips: 1 },
  };
}

function writeUnitTables(results: SizeResult[]): string {
  const units = table(
    ['event (body; published event)', 'design', 'new delivery: requests', 'WCU', 'duplicate: requests', 'WCU', `budget ≤ ${BUDGET.newWriteUnits} / ≤ ${BUDGET.duplicateWriteUnits}`],
    results.flatMap((r) => [
      [`${sizeLabel(r.bodyBytes)} (${fmtInt(r.bodyBytes)} B; ${fmtInt(r.eventBytes)} B)`, `**new** (shipped; answers: ${r.answers.first}, ${r.answers.again})`, requestsOf(r.now.first), `**${fmt(r.now.first.writeUnits, 0)}**`, requestsOf(r.now.duplicate), `**${fmt(r.now.duplicate.writeUnits, 0)}**`,
        r.now.first.writeUnits <= BUDGET.newWriteUnits && r.now.duplicate.writeUnits <= BUDGET.duplicateWriteUnits ? 'PASS' : 'MISS'],
      ['', "today's design (0.1.0, modelled)", requestsOf(r.old.first), fmt(r.old.first.writeUnits, 0), requestsOf(r.old.duplicate), fmt(r.old.duplicate.writeUnits, 0),
        r.old.first.writeUnits <= BUDGET.newWriteUnits && r.old.duplicate.writeUnits <= BUDGET.duplicateWriteUnits ? 'PASS' : 'MISS'],
    ]),
    ['l', 'l', 'l', 'r', 'l', 'r', 'l'],
  );
  const bills = table(
    ['event', 'duplicates', 'design', 'API Gateway', 'Lambda', 'DynamoDB', 'EventBridge', 'S3', '**total per million**'],
    results.flatMap((r) => {
      const w = workloads(r);
      return DUPLICATE_SHARES.flatMap((share) => (['now', 'old'] as const).map((design) => {
        const b = billPerMillion(w[design], share);
        return [sizeLabel(r.bodyBytes), `${share * 100} %`, design === 'now' ? 'new' : "today's (0.1.0)", usd(b.apiGateway), usd(b.lambda), usd(b.dynamo), usd(b.eventBridge), usd(b.s3), `**${usd(b.total)}**`];
      }));
    }),
    ['l', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const durations = results.map((r) => {
    const w = workloads(r).now;
    return `${sizeLabel(r.bodyBytes)}: core ${fmt(r.coreCpuUs, 0)} µs CPU here → new ${fmt(lambdaMs(r.coreCpuUs, w.newRoundTrips), 1)} ms, duplicate ${fmt(lambdaMs(r.coreCpuUs, w.duplicateRoundTrips), 1)} ms`;
  }).join('; ');
  const trips = results[0];
  return [
    "New design = the shipped pipeline (`handleDelivery`, the real Quarterzip adapter, `DynamoDedupStore`) on dynalite, which applies DynamoDB's size rules to `ReturnConsumedCapacity: 'TOTAL'`; a no-op bus and payload store. A delivery, then its redelivery (same `webhook-id`).",
    "Today's design = a **model** of 0.1.0's write pattern on the same table (`scripts/lib/write-units.ts`, `OldDesignModel`): the claim a conditional `PutItem` of the record with the whole event, the publish mark an `UpdateItem` of that item dropping the event (billed by the larger of before and after); a duplicate's refused `PutItem` carried the whole event.",
    '`*` = refused by its condition: dynalite, like DynamoDB\'s API, returns no figure for it, though DynamoDB bills it; counted here by the larger of the item there and the item sent, 1 unit per started KB (at least 1). `get … RCU` = the read dynalite needs after a refused claim because it lacks `ReturnValuesOnConditionCheckFailure`; on DynamoDB the refusal returns the item and no read is made (the cost model counts none).',
    '',
    units,
    '',
    `Sequential AWS round trips per new delivery: **${trips.newCalls.length}** (${trips.newCalls.join(' → ')}); per duplicate: **${trips.duplicateCalls.length}** (${trips.duplicateCalls.join(' → ')}), counted from the store and bus calls the pipeline awaited (a warm function; a cold one first reads its secret from Secrets Manager).`,
    '',
    `Modelled bill per million deliveries, us-east-1 on-demand list prices without free tier (docs/BENCHMARKS.md, "Prices"): API Gateway HTTP API $${PRICES.apiGatewayPerMillion}/M requests (512 KB metering); Lambda arm64 ${LAMBDA.memoryMb} MB, $${PRICES.lambdaRequestsPerMillion}/M requests + $${PRICES.lambdaArmPerGbSecond}/GB-s, duration modelled as the core's CPU measured here ÷ ${fmt(LAMBDA.cpuShare, 3)} (a ${LAMBDA.memoryMb} MB function's share of a vCPU) + ${LAMBDA.roundTripMs} ms per round trip (stated, not measured); DynamoDB on-demand $${PRICES.dynamoWritePerMillion}/M write units (no reads on the delivery path on DynamoDB); EventBridge $${PRICES.eventBridgePerMillion}/M per 64 KB chunk of the entry; S3 $${PRICES.s3PutPerMillion}/M PUTs, only for an event over the 256 KB bus limit (none at these sizes).`,
    `Durations modelled: ${durations}.`,
    '',
    bills,
  ].join('\n');
}

// ───────────────────────────── main ─────────────────────────────

/** The sections `--only` can pick (comma-separated); `init` (per-vendor or shared bundle) runs only when asked. */
const SECTIONS = ['wcu', 'cpu', 'bundle', 'init', 'schemes', 'drain', 'vendors', 'outage'] as const;
const want = (section: (typeof SECTIONS)[number]) => (ONLY ? ONLY.split(',').includes(section) : section !== 'init');

function headline(wcu: SizeResult[] | undefined, bundles: BundleResult | undefined, cpu: CpuResult[] | undefined): string {
  const rows: string[][] = [];
  if (wcu) {
    for (const r of wcu) {
      const w = workloads(r);
      const bill = (d: 'now' | 'old', share: number) => usd(billPerMillion(w[d], share).total);
      rows.push([
        `${sizeLabel(r.bodyBytes)} event`,
        `write units: new **${fmt(r.now.first.writeUnits, 0)}**, duplicate **${fmt(r.now.duplicate.writeUnits, 0)}** (today's design: ${fmt(r.old.first.writeUnits, 0)} / ${fmt(r.old.duplicate.writeUnits, 0)}); per million: **${bill('now', 0)}** at 0 % duplicates, **${bill('now', 0.75)}** at 75 % (today's: ${bill('old', 0)} / ${bill('old', 0.75)})`,
        r.now.first.writeUnits <= BUDGET.newWriteUnits && r.now.duplicate.writeUnits <= BUDGET.duplicateWriteUnits ? `PASS (≤ ${BUDGET.newWriteUnits} / ≤ ${BUDGET.duplicateWriteUnits})` : `MISS (≤ ${BUDGET.newWriteUnits} / ≤ ${BUDGET.duplicateWriteUnits})`,
      ]);
    }
    rows.push(['sequential AWS round trips', `new delivery **${wcu[0].newCalls.length}** (${wcu[0].newCalls.map((c) => c.split('.')[1]).join(', ')}); duplicate **${wcu[0].duplicateCalls.length}**`, '']);
  }
  if (bundles) {
    const cold = coldStart(bundles);
    rows.push([
      'cold start: webhook bundle module init ÷ DynamoDB + EventBridge + SecretsManager alone',
      `**${fmt(cold.wall, 2)}×** wall (${fmt(median(cold.webhook.initRuns), 1)} vs ${fmt(median(cold.base.initRuns), 1)} ms), ${fmt(cold.cpu, 2)}× CPU; bundle ${fmtInt(cold.webhook.bytes)} B vs ${fmtInt(cold.base.bytes)} B. For comparison, the S3 client inside index.js: ${fmt(cold.inlineWall, 2)}× wall, ${fmt(cold.inlineCpu, 2)}× CPU, ${fmtInt(cold.inline.bytes)} B`,
      cold.wall <= COLD_START_TARGET ? `PASS (≤ ${COLD_START_TARGET}×)` : `MISS (≤ ${COLD_START_TARGET}×)`,
    ]);
  }
  if (cpu) {
    for (const r of cpu) rows.push([`CPU per delivery, ${r.c.label}`, `${fmt(r.core.cpuUs / r.floor.cpuUs, 2)}× the HMAC + JSON.parse floor (${fmt(r.core.cpuUs)} vs ${fmt(r.floor.cpuUs)} µs)`, r.core.cpuUs / r.floor.cpuUs <= CPU_TARGET ? 'PASS' : `MISS (≤ ${CPU_TARGET}×)`]);
  }
  return table(['what', 'measured', 'target'], rows, ['l', 'l', 'l']);
}

async function main() {
  const load0 = loadavg()[0];
  const started = Date.now();
  const head = `Measured ${today()} on ${machine()}${QUICK ? ' (--quick: fewer iterations)' : ''}. \`npm run bench${QUICK || ONLY ? ' --' : ''}${QUICK ? ' --quick' : ''}${ONLY ? ` --only ${ONLY}` : ''}\`.`;
  const parts: string[] = [];
  let wcu: SizeResult[] | undefined;
  let cpu: CpuResult[] | undefined;
  let bundles: BundleResult | undefined;
  if (want('wcu')) {
    process.stderr.write('bench: write units per delivery on dynalite…\n');
    wcu = await measureWriteUnits(WCU_SIZES, QUICK ? 100 : 500);
    parts.push('### Write units, round trips and the bill per million deliveries', '', writeUnitTables(wcu), '');
  }
  if (want('bundle')) {
    process.stderr.write('bench: bundles…\n');
    bundles = await benchBundles();
    parts.push('### Lambda bundles: size and cold start (module init)', '', bundleTables(bundles), '');
  }
  if (want('cpu')) {
    cpu = [];
    for (const c of CASES) {
      process.stderr.write(`bench: ${c.label}…\n`);
      cpu.push(await benchCase(c));
    }
    parts.push('### CPU per Quarterzip delivery through the core', '', cpuTables(cpu), '');
  }
  if (want('schemes')) {
    process.stderr.write('bench: verification per scheme…\n');
    parts.push('### Verification per scheme', '', await benchSchemes(QUICK), '');
  }
  if (want('vendors')) {
    process.stderr.write('bench: verification per vendor…\n');
    parts.push('### Verification per vendor', '', benchVendorVerify(QUICK), '');
  }
  let outageMd: string | undefined;
  if (want('outage')) {
    process.stderr.write('bench: the answer while a dependency hangs…\n');
    const outages = outageTable(await measureOutages(QUICK ? 1 : 3));
    outageMd = [`Measured ${today()} on ${machine()}; load average ${fmt(loadavg()[0], 2)}. \`npm run bench -- --only outage\`.`, '', outages].join('\n');
    parts.push('### The answer while a dependency hangs', '', outages, '');
  }
  let initMd: string | undefined;
  if (want('init')) {
    process.stderr.write('bench: module init of every shipped bundle, the shared one and the floor…\n');
    const initLoad = loadavg()[0];
    const init = initTable(await benchSharedVsTrimmed());
    initMd = [`Measured ${today()} on ${machine()}${QUICK ? ' (--quick: 3 rounds; counted only the floor, once, and the webhook bundles)' : ''}; load average before / after: ${fmt(initLoad, 2)} / ${fmt(loadavg()[0], 2)}. \`npm run bench -- --only init\`.`, '', init].join('\n');
  }
  let drainMd: string | undefined;
  if (want('drain')) {
    process.stderr.write('bench: the redrive\'s drain rate on dynalite…\n');
    const backlog = QUICK ? 6_000 : DRAIN.backlog;
    const drained = await measureDrain({ backlog, putEventsMs: 30, runMs: 60_000, reserveMs: 10_000, maxRuns: 15 }, (line) => process.stderr.write(`bench: ${line}\n`));
    drainMd = [`Measured ${today()} on ${machine()}${QUICK ? ' (--quick: a 6,000-event backlog)' : ''}; load average ${fmt(loadavg()[0], 2)}. \`npm run bench -- --only drain\`.`, '', drainTable(drained)].join('\n');
    parts.push('### The redrive\'s drain rate', '', drainTable(drained), '');
  }
  const timing = `; load average before / after: ${fmt(load0, 2)} / ${fmt(loadavg()[0], 2)} (other work on the machine inflates the times); ${fmt((Date.now() - started) / 1000, 0)} s.`;
  const md = [head.replace(/\.$/, timing), '', '### Summary', '', headline(wcu, bundles, cpu), '', ...parts].join('\n');
  process.stdout.write(md + '\n');
  // Module init has its own section (`module-init`): printed after the others and never written into `bench`.
  if (initMd) process.stdout.write(`\n### Module init of every shipped bundle\n\n${initMd}\n`);
  if (flag(argv, 'write')) {
    if (drainMd) {
      writeSection('redrive-drain', drainMd);
      process.stderr.write(`bench: wrote the redrive-drain section of ${relative(process.cwd(), join(ROOT, 'docs', 'BENCHMARKS.md'))}\n`);
    }
    if (outageMd) {
      writeSection('outage', outageMd);
      process.stderr.write(`bench: wrote the outage section of ${relative(process.cwd(), join(ROOT, 'docs', 'BENCHMARKS.md'))}\n`);
    }
    if (initMd) {
      writeSection('module-init', initMd);
      process.stderr.write(`bench: wrote the module-init section of ${relative(process.cwd(), join(ROOT, 'docs', 'BENCHMARKS.md'))}\n`);
    }
    // `--only drain`, `--only outage` and `--only init` write their own sections and leave the `bench` section alone.
    if (!ONLY || ONLY.split(',').some((sec) => sec !== 'drain' && sec !== 'outage' && sec !== 'init')) {
      writeSection('bench', md);
      process.stderr.write(`bench: wrote the bench section of ${relative(process.cwd(), join(ROOT, 'docs', 'BENCHMARKS.md'))}\n`);
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench could not run: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
