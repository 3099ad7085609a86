/**
 * The operational metrics, as a port: the Lambda handlers write them in CloudWatch embedded metric format
 * (adapters/aws/emf-metrics.ts), the local mode keeps a running summary. Dimensions are the vendor and the
 * endpoint only (both bounded by the configuration); no id, no payload content, nothing a sender chooses.
 */
import { DEFAULT_ENDPOINT, ENDPOINT_NAME_RE } from '../contracts/endpoints';
import { PAYLOAD_KINDS } from '../contracts/payloads';
import type { BlobStore, DedupRecord, DedupStore } from './ports';
import type { Outcome } from './outcome';
import type { RefusalReason } from '../contracts/scheme';
import type { RedriveReport } from './redrive';

/** The default CloudWatch namespace of the metrics (the construct's `metricsNamespace`). */
export const DEFAULT_METRICS_NAMESPACE = 'Callhooks';
/** The value of the `service` dimension every metric carries. */
export const METRICS_SERVICE = 'callhooks';

/** Names of the metrics that are not one per outcome. */
export const METRIC = {
  deliveries: 'Deliveries',
  latency: 'Latency',
  offloads: 'Offloads',
  /** Events spooled to the payload bucket because the dedup store and the bus both failed (README, Deadlines). */
  spooled: 'Spooled',
  /** Deliveries verified with a cached secret past its refresh age because Secrets Manager failed (stale-if-error). */
  staleSecrets: 'StaleSecret',
  redrivePublished: 'RedrivePublished',
  redriveFailed: 'RedriveFailed',
  redriveDeadLettered: 'RedriveDeadLettered',
  redriveBacklog: 'RedriveBacklog',
  redriveOldestPendingAge: 'RedriveOldestPendingAge',
} as const;

export { DEFAULT_ENDPOINT } from '../contracts/endpoints';

/** One delivery, as the metrics see it. */
export interface DeliveryObservation {
  /** The vendor the function serves (from its configuration, never from the request path). */
  readonly vendor: string;
  /** The endpoint the delivery arrived at. */
  readonly endpoint: string;
  readonly outcome: Outcome;
  /** Why an `unauthorized` delivery was refused. */
  readonly refusal?: RefusalReason;
  /** Time from the handler receiving the request to its answer. */
  readonly latencyMs: number;
  /** Bulky parts moved to the payload store so the event fits the bus (0, 1 or 2). */
  readonly offloads: number;
  /** 1 when the event went to the spool (the dedup store and the bus both failed). @default 0 */
  readonly spooled?: number;
  /** Times a stale cached secret stood in for a failed Secrets Manager read. @default 0 */
  readonly staleSecrets?: number;
}

/** One redrive run, as the metrics see it. */
export interface RedriveObservation {
  readonly published: number;
  readonly failed: number;
  readonly deadLettered: number;
  /** Pending records whose lease had ended, found by this run (at most the run's limit). */
  readonly backlog: number;
  /** Age of the oldest of them (0 when there is none). */
  readonly oldestPendingAgeSeconds: number;
}

export interface MetricsRecorder {
  delivery(observation: DeliveryObservation): void;
  redrive(observation: RedriveObservation): void;
}

/** A recorder that records nothing (tests, and callers that do not want metrics). */
export const NO_METRICS: MetricsRecorder = { delivery: () => undefined, redrive: () => undefined };

/**
 * The endpoint of a delivery for a metric dimension: the endpoint name it carries when that is a valid endpoint
 * name (1–32 of a-z, 0-9, -), else `default`. Only routes the configuration creates reach a function, so the
 * set of values stays bounded.
 */
export function endpointOf(delivery: object): string {
  const endpoint = (delivery as { endpoint?: unknown }).endpoint;
  return typeof endpoint === 'string' && ENDPOINT_NAME_RE.test(endpoint) ? endpoint : DEFAULT_ENDPOINT;
}

/** Key prefix of the bulky parts offload.ts moves out of an event (`offload/<vendor>/<eventId>/…`). */
const OFFLOAD_PREFIX = `${PAYLOAD_KINDS.offload}/`;
const SPOOL_PREFIX = `${PAYLOAD_KINDS.spool}/`;

/**
 * `target` with one method replaced; every other member is the target's own (methods bound to it), so the
 * wrapper keeps working when the port grows a method.
 */
function overriding<T extends object, K extends keyof T>(target: T, name: K, replacement: T[K]): T {
  return new Proxy(target, {
    get(t, prop) {
      if (prop === name) return replacement;
      const value = Reflect.get(t, prop, t);
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}

/** Wraps a blob store to count the offloads (and the spooled events) of one delivery. */
export function countingOffloads(blobs: BlobStore): { blobs: BlobStore; count: () => number; spooled: () => number } {
  let offloads = 0;
  let spooled = 0;
  const put: BlobStore['put'] = async (key, body, contentType, options) => {
    const stored = await blobs.put(key, body, contentType, options);
    if (key.startsWith(OFFLOAD_PREFIX)) offloads++;
    if (key.startsWith(SPOOL_PREFIX)) spooled++;
    return stored;
  };
  return { blobs: overriding(blobs, 'put', put), count: () => offloads, spooled: () => spooled };
}

/**
 * Wraps a dedup store to see what a redrive run found pending (the backlog and its oldest record): every
 * distinct record its listings returned since the previous `found()` (a run lists page after page).
 */
export function observingPending(store: DedupStore): { store: DedupStore; found: () => readonly DedupRecord[] } {
  let found = new Map<string, DedupRecord>();
  const listPending: DedupStore['listPending'] = async (now, limit) => {
    const records = await store.listPending(now, limit);
    for (const r of records) if (!found.has(r.key)) found.set(r.key, r);
    return records;
  };
  return {
    store: overriding(store, 'listPending', listPending),
    found: () => {
      const seen = [...found.values()];
      found = new Map();
      return seen;
    },
  };
}

/** The redrive's observation from its report and the pending records it found. */
export function redriveObservation(report: RedriveReport, pending: readonly DedupRecord[], now: Date): RedriveObservation {
  let oldest = now.getTime();
  for (const record of pending) {
    const received = Date.parse(record.receivedAt);
    if (Number.isFinite(received) && received < oldest) oldest = received;
  }
  return {
    published: report.published,
    failed: report.failed,
    deadLettered: report.deadLettered,
    backlog: pending.length,
    oldestPendingAgeSeconds: Math.max(0, Math.round((now.getTime() - oldest) / 1000)),
  };
}
