/**
 * The local mode's metrics: the same observations the Lambda handlers write as EMF, kept in memory and shown
 * as one summary line (periodically while something happens, and in full on shutdown), and as JSON at
 * `GET /_callhooks/metrics`.
 */
import type { DeliveryObservation, MetricsRecorder, RedriveObservation } from '../lambda/core/metrics';
import { OUTCOMES, type Outcome } from '../lambda/core/outcome';
import type { RefusalReason } from '../lambda/contracts/scheme';

export interface RouteTotals {
  readonly vendor: string;
  readonly endpoint: string;
  readonly deliveries: number;
  readonly outcomes: Readonly<Partial<Record<Outcome, number>>>;
  /** Why its unauthorized deliveries were refused (present when any were). */
  readonly refusals?: Readonly<Partial<Record<RefusalReason, number>>>;
  readonly offloads: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

export interface MetricsSnapshot {
  readonly routes: readonly RouteTotals[];
  readonly redrive: { readonly runs: number; readonly published: number; readonly failed: number; readonly deadLettered: number; readonly backlog: number; readonly oldestPendingAgeSeconds: number };
}

/** Latencies kept per route for the percentiles (the most recent ones). */
const MAX_SAMPLES = 1000;

interface Route {
  vendor: string;
  endpoint: string;
  deliveries: number;
  outcomes: Partial<Record<Outcome, number>>;
  /** Why its unauthorized deliveries were refused, when any were. */
  refusals?: Partial<Record<RefusalReason, number>>;
  offloads: number;
  latencies: number[];
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export class LocalMetrics implements MetricsRecorder {
  private routes = new Map<string, Route>();
  private runs = { runs: 0, published: 0, failed: 0, deadLettered: 0, backlog: 0, oldestPendingAgeSeconds: 0 };
  private changed = false;

  delivery(o: DeliveryObservation): void {
    const key = `${o.vendor}/${o.endpoint}`;
    let route = this.routes.get(key);
    if (!route) {
      route = { vendor: o.vendor, endpoint: o.endpoint, deliveries: 0, outcomes: {}, offloads: 0, latencies: [] };
      this.routes.set(key, route);
    }
    route.deliveries++;
    route.outcomes[o.outcome] = (route.outcomes[o.outcome] ?? 0) + 1;
    if (o.refusal) {
      route.refusals ??= {};
      route.refusals[o.refusal] = (route.refusals[o.refusal] ?? 0) + 1;
    }
    route.offloads += o.offloads;
    route.latencies.push(o.latencyMs);
    if (route.latencies.length > MAX_SAMPLES) route.latencies.shift();
    this.changed = true;
  }

  redrive(o: RedriveObservation): void {
    this.runs = {
      runs: this.runs.runs + 1,
      published: this.runs.published + o.published,
      failed: this.runs.failed + o.failed,
      deadLettered: this.runs.deadLettered + o.deadLettered,
      backlog: o.backlog,
      oldestPendingAgeSeconds: o.oldestPendingAgeSeconds,
    };
    if (o.published + o.failed + o.deadLettered + o.backlog > 0) this.changed = true;
  }

  snapshot(): MetricsSnapshot {
    const routes = [...this.routes.values()].sort((a, b) => `${a.vendor}/${a.endpoint}`.localeCompare(`${b.vendor}/${b.endpoint}`)).map((r) => {
      const sorted = [...r.latencies].sort((a, b) => a - b);
      return {
        vendor: r.vendor,
        endpoint: r.endpoint,
        deliveries: r.deliveries,
        outcomes: { ...r.outcomes },
        ...(r.refusals ? { refusals: { ...r.refusals } } : {}),
        offloads: r.offloads,
        latencyMs: { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? 0) },
      };
    });
    return { routes, redrive: { ...this.runs } };
  }

  /**
   * One line with the totals since start: per vendor/endpoint the deliveries, each outcome seen, offloads and
   * latency p50/p99; then the redrive. Undefined with `onlyIfChanged` when nothing happened since the last line.
   */
  summaryLine(options: { onlyIfChanged?: boolean } = {}): string | undefined {
    if (options.onlyIfChanged && !this.changed) return undefined;
    this.changed = false;
    const { routes, redrive } = this.snapshot();
    const parts = routes.map((r) => {
      const refusals = r.refusals ? ` (${Object.entries(r.refusals).map(([k, n]) => `${k}=${n}`).join(' ')})` : '';
      const outcomes = OUTCOMES.filter((o) => r.outcomes[o]).map((o) => `${o}=${r.outcomes[o]}${o === 'unauthorized' ? refusals : ''}`).join(' ');
      const offloads = r.offloads ? ` offloads=${r.offloads}` : '';
      return `${r.vendor}/${r.endpoint} deliveries=${r.deliveries} ${outcomes}${offloads} p50=${r.latencyMs.p50}ms p99=${r.latencyMs.p99}ms`;
    });
    const runs = `redrive runs=${redrive.runs} published=${redrive.published} failed=${redrive.failed} dead-lettered=${redrive.deadLettered} backlog=${redrive.backlog} oldest=${redrive.oldestPendingAgeSeconds}s`;
    return `metrics: ${[...(parts.length ? parts : ['no deliveries']), runs].join(' | ')}`;
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
