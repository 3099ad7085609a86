/**
 * `npm run bench -- --only outage`: the answer time of a delivery while a dependency hangs, at the shipped answer
 * deadline (DEFAULT_ANSWER_DEADLINE_MS, 6 s), through the core with ports that never answer unless their call's
 * signal aborts them (as the SDK abandons a request), or that answer 0.4 s late. What is measured is where each
 * fallback lands inside the deadline; that the shipped bundles with their real SDK clients do the same against
 * loopback servers that hang is tested in test/artifact/deployed.artifact.test.ts.
 */
import { handleDelivery, PipelineDeps } from '../../lambda/core/pipeline';
import { DEFAULT_ANSWER_DEADLINE_MS } from '../../lambda/core/deadline';
import { Headers, Delivery } from '../../lambda/core/http';
import { SecretCache } from '../../lambda/core/secrets';
import { standardWebhooksScheme } from '../../lambda/schemes/standard-webhooks';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import type { CallOptions } from '../../lambda/core/ports';
import { NOOP_LOG, NoopBlobs, NoopPublisher, NoopStore, StaticSecret } from './noop-ports';
import { callCompletedBody } from './payloads';
import { fmt, fmtInt, median, table } from './report';

type Behaviour = 'hang' | 'slow' | undefined;

interface Scenario {
  readonly label: string;
  readonly store?: Behaviour;
  readonly bus?: Behaviour;
  readonly blobs?: Behaviour;
}

/** Quarterzip's proof of origin, which signs the deliveries measured here. */
const STANDARD_WEBHOOKS = standardWebhooksScheme();

export const OUTAGES: readonly Scenario[] = [
  { label: 'healthy (in-memory ports)' },
  { label: 'EventBridge hangs', bus: 'hang' },
  { label: 'DynamoDB hangs', store: 'hang' },
  { label: 'DynamoDB slow (0.4 s a call), EventBridge hangs', store: 'slow', bus: 'hang' },
  { label: 'DynamoDB and EventBridge hang', store: 'hang', bus: 'hang' },
  { label: 'DynamoDB, EventBridge and S3 hang', store: 'hang', bus: 'hang', blobs: 'hang' },
];

export interface OutageResult {
  readonly scenario: Scenario;
  readonly statuses: number[];
  readonly ms: number[];
}

const hang = (options?: CallOptions): Promise<never> =>
  new Promise((_, reject) => options?.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));

/** `target` with every method that takes call options made to hang (or to answer 0.4 s late). */
function faulty<T extends object>(target: T, behaviour: Behaviour): T {
  if (!behaviour) return target;
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const options = args.find((a): a is CallOptions => typeof a === 'object' && a !== null && 'signal' in a);
        if (behaviour === 'hang') return hang(options);
        await new Promise((r) => setTimeout(r, 400));
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

export async function measureOutages(runs: number): Promise<OutageResult[]> {
  const secret = STANDARD_WEBHOOKS.generateCredential().secret;
  const adapter = quarterzip();
  const results: OutageResult[] = [];
  let n = 0;
  for (const scenario of OUTAGES) {
    const statuses: number[] = [];
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const deps: PipelineDeps = {
        adapters: new Map([[adapter.name, adapter]]),
        secrets: new SecretCache(new StaticSecret(secret)),
        store: faulty(new NoopStore(), scenario.store),
        publisher: faulty(new NoopPublisher(), scenario.bus),
        blobs: faulty(new NoopBlobs(), scenario.blobs),
        log: NOOP_LOG,
        limits: { maxBodyBytes: 2 << 20, maxEventBytes: 256 << 10, retentionDays: 30, answerDeadlineMs: DEFAULT_ANSWER_DEADLINE_MS },
      };
      const body = callCompletedBody({ bytes: 4096, callId: `outage-${++n}` });
      const at = new Date();
      const delivery: Delivery = { vendor: 'quarterzip', method: 'POST', headers: new Headers(Object.entries(STANDARD_WEBHOOKS.sign({ body, id: `msg_outage_${n}` }, secret, at).headers)), query: {}, body, receivedAt: at };
      const started = performance.now();
      const reply = await handleDelivery(delivery, deps);
      ms.push(performance.now() - started);
      statuses.push(reply.statusCode);
    }
    results.push({ scenario, statuses, ms });
  }
  return results;
}

export function outageTable(results: readonly OutageResult[]): string {
  const rows = results.map((r) => [
    r.scenario.label,
    [...new Set(r.statuses)].join(', '),
    fmtInt(median(r.ms)),
    fmtInt(Math.max(...r.ms)),
    Math.max(...r.ms) <= DEFAULT_ANSWER_DEADLINE_MS ? 'PASS' : `MISS (+${fmt(Math.max(...r.ms) - DEFAULT_ANSWER_DEADLINE_MS, 0)} ms)`,
  ]);
  return [
    `The answer under a hanging dependency at the ${DEFAULT_ANSWER_DEADLINE_MS / 1000} s answer deadline (${results[0]?.ms.length ?? 0} deliveries each; the ports never answer unless the call's signal aborts them). Where each fallback lands: the claim and the publish get a third of the deadline each, keeping the event in its record a sixth, the spool the rest.`,
    '',
    table(['dependencies', 'answer', 'median ms', 'max ms', `within ${DEFAULT_ANSWER_DEADLINE_MS} ms`], rows, ['l', 'l', 'r', 'r', 'l']),
  ].join('\n');
}
