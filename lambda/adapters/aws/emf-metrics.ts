/**
 * The metrics in CloudWatch embedded metric format, through Powertools Metrics: each observation is flushed at
 * once as one JSON line on stdout, which CloudWatch Logs turns into metrics (no API call, no extra latency).
 *
 * Namespace: `POWERTOOLS_METRICS_NAMESPACE` (the construct's `metricsNamespace`, default `Callhooks`). Every
 * metric carries the dimension `service` (`callhooks`). Delivery metrics are emitted under two dimension sets,
 * `[service, vendor, endpoint]` and `[service, vendor]`; redrive metrics under `[service]`.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_METRICS_NAMESPACE, METRIC, METRICS_SERVICE, type DeliveryObservation, type MetricsRecorder, type RedriveObservation } from '../../core/metrics';
import { OUTCOME_METRICS, REFUSAL_METRICS } from '../../core/outcome';

export class EmfMetrics implements MetricsRecorder {
  private readonly namespace: string;
  private deliveries?: { vendor: string; metrics: Metrics };
  private runs?: Metrics;

  constructor(options: { namespace?: string } = {}) {
    this.namespace = options.namespace ?? (process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE);
  }

  delivery(o: DeliveryObservation): void {
    // The vendor is a default dimension (a function serves one vendor), so that the empty dimension set below
    // adds [service, vendor] next to [service, vendor, endpoint] without a key defined twice.
    if (this.deliveries?.vendor !== o.vendor) {
      this.deliveries = { vendor: o.vendor, metrics: this.create({ vendor: o.vendor }) };
    }
    const m = this.deliveries.metrics;
    m.addDimension('endpoint', o.endpoint);
    m.addDimensions({});
    m.addMetric(METRIC.deliveries, MetricUnit.Count, 1);
    m.addMetric(OUTCOME_METRICS[o.outcome], MetricUnit.Count, 1);
    if (o.refusal) m.addMetric(REFUSAL_METRICS[o.refusal], MetricUnit.Count, 1);
    m.addMetric(METRIC.latency, MetricUnit.Milliseconds, Math.max(0, Math.round(o.latencyMs)));
    if (o.offloads > 0) m.addMetric(METRIC.offloads, MetricUnit.Count, o.offloads);
    if ((o.spooled ?? 0) > 0) m.addMetric(METRIC.spooled, MetricUnit.Count, o.spooled ?? 0);
    if ((o.staleSecrets ?? 0) > 0) m.addMetric(METRIC.staleSecrets, MetricUnit.Count, o.staleSecrets ?? 0);
    m.publishStoredMetrics();
  }

  redrive(o: RedriveObservation): void {
    this.runs ??= this.create({});
    const m = this.runs;
    m.addMetric(METRIC.redrivePublished, MetricUnit.Count, o.published);
    m.addMetric(METRIC.redriveFailed, MetricUnit.Count, o.failed);
    m.addMetric(METRIC.redriveDeadLettered, MetricUnit.Count, o.deadLettered);
    m.addMetric(METRIC.redriveBacklog, MetricUnit.Count, o.backlog);
    m.addMetric(METRIC.redriveOldestPendingAge, MetricUnit.Seconds, o.oldestPendingAgeSeconds);
    m.publishStoredMetrics();
  }

  private create(defaultDimensions: Record<string, string>): Metrics {
    return new Metrics({ namespace: this.namespace, serviceName: METRICS_SERVICE, defaultDimensions });
  }
}
