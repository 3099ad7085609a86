/**
 * Summarises a V8 `.cpuprofile` (node --cpu-prof): self time by function and by where the code lives
 * (a package under node_modules, a callhooks folder, node's internals, GC, idle).
 *
 *   npx tsx scripts/lib/profile.ts <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs';
import { fmt, table } from './report';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export function whereOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return '(GC)';
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(program)') return '(program: native, not attributed)';
  if (url === '') return '(native / builtins)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  const i = url.lastIndexOf('node_modules/');
  if (i >= 0) {
    const rest = url.slice(i + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /\/(lambda\/[^/]+\/[^/]+|local\/[^/]+|scripts\/[^/]+|lambda\/[^/]+)$/.exec(url.replace(/^file:\/\//, ''));
  return m ? m[1] : url;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly byPlace: Array<{ place: string; ms: number }>;
  readonly byFunction: Array<{ fn: string; place: string; ms: number }>;
}

export function summarize(file: string): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, { fn: string; place: string; ms: number }>();
  let total = 0;
  for (const [id, us] of self) {
    const n = nodes.get(id)!;
    const place = whereOf(n.callFrame.url, n.callFrame.functionName);
    const ms = us / 1000;
    total += ms;
    byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
    const fn = n.callFrame.functionName || '(anonymous)';
    const key = `${place} ${fn}`;
    const e = byFunction.get(key) ?? { fn, place, ms: 0 };
    e.ms += ms;
    byFunction.set(key, e);
  }
  return {
    totalMs: total,
    byPlace: [...byPlace].map(([place, ms]) => ({ place, ms })).sort((a, b) => b.ms - a.ms),
    byFunction: [...byFunction.values()].sort((a, b) => b.ms - a.ms),
  };
}

/**
 * Time by component: each sample goes to the innermost frame on its stack that belongs to a known
 * component (so time in node's http or streams under the SDK counts for the SDK), else to "other".
 */
const COMPONENTS: Array<[string, RegExp]> = [
  ['dynalite (the DynamoDB emulator, with its level stores)', /^(dynalite|level|level-.*|abstract-level|memory-level|classic-level|memdown|leveldown|abstract-leveldown|lazy|big\.js|async|buffer-crc32|lock)$/],
  ['AWS SDK client (serialise, sign, retry, HTTP, parse, errors)', /^@(smithy|aws-sdk|aws-crypto|aws)\//],
  ['local mode HTTP edge (local/server.ts, local/gateway.ts)', /^local\//],
  ['local adapters (lambda/adapters/local: bus file, blobs)', /^lambda\/adapters\/local/],
  ['callhooks core and vendor adapters (lambda/)', /^lambda\//],
  ['logging (Powertools logger)', /^@aws-lambda-powertools\//],
];

export function byComponent(file: string): Array<{ component: string; ms: number }> {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const leaf = nodes.get(p.samples[i])!;
    const leafPlace = whereOf(leaf.callFrame.url, leaf.callFrame.functionName);
    if (leafPlace === '(idle)') continue;
    let component = leafPlace === '(GC)' ? '(GC)' : 'other: node http server and client, streams, timers, startup';
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const n = nodes.get(id)!;
      const place = whereOf(n.callFrame.url, n.callFrame.functionName);
      const hit = COMPONENTS.find(([, re]) => re.test(place));
      if (hit) {
        component = hit[0];
        break;
      }
    }
    out.set(component, (out.get(component) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  return [...out].map(([component, ms]) => ({ component, ms })).sort((a, b) => b.ms - a.ms);
}

export function componentTable(file: string): string {
  const rows = byComponent(file);
  const total = rows.reduce((a, r) => a + r.ms, 0);
  return table(['component (innermost frame on the stack)', 'ms', 'share'], rows.map((r) => [r.component, fmt(r.ms, 0), `${fmt((100 * r.ms) / total, 1)} %`]), ['l', 'r', 'r']);
}

export function profileTables(s: ProfileSummary, top = 20): string {
  const busy = s.totalMs - (s.byPlace.find((p) => p.place === '(idle)')?.ms ?? 0);
  const share = (ms: number) => `${fmt((100 * ms) / busy, 1)} %`;
  return [
    `Self time by place (busy ${fmt(busy, 0)} ms of ${fmt(s.totalMs, 0)} ms sampled; shares of busy time):`,
    '',
    table(['place', 'ms', 'share'], s.byPlace.filter((p) => p.place !== '(idle)').slice(0, top).map((p) => [p.place, fmt(p.ms, 0), share(p.ms)]), ['l', 'r', 'r']),
    '',
    'Self time by function:',
    '',
    table(['function', 'place', 'ms', 'share'], s.byFunction.filter((f) => f.place !== '(idle)').slice(0, top).map((f) => [f.fn, f.place, fmt(f.ms, 0), share(f.ms)]), ['l', 'l', 'r', 'r']),
  ].join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const top = args.length > 1 && /^[0-9]+$/.test(args[args.length - 1]) ? Number(args.pop()) : 25;
  if (args.length === 0) {
    process.stderr.write('usage: tsx scripts/lib/profile.ts <file.cpuprofile>… [top]\n');
    process.exit(1);
  }
  for (const file of args) process.stdout.write(`${file}\n\n${componentTable(file)}\n\n${profileTables(summarize(file), top)}\n\n`);
}
