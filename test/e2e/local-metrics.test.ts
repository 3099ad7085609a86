/** The local mode's metrics: counted per vendor, endpoint and outcome over HTTP, shown as JSON and as a summary line. */
import { signStandardWebhook } from '../helpers/standard-webhooks';
import { LocalMetrics, type MetricsSnapshot } from '../../local/metrics';
import { startTestLocal, TestLocal } from '../helpers/local';

let t: TestLocal;
beforeAll(async () => {
  t = await startTestLocal();
});
afterAll(async () => t.close());

async function post(path: string, body: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${t.local.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  await res.arrayBuffer();
  return res.status;
}

describe('local mode metrics', () => {
  it('counts published, duplicate and unauthorized deliveries, and a path of no vendor as unknown', async () => {
    const secret = t.local.secrets.get('quarterzip')!;
    const body = JSON.stringify({ type: 'call.completed', data: { call_id: 'local-metrics-1' } });
    const signed = signStandardWebhook(Buffer.from(body), secret, new Date(), 'msg_local_metrics_1');
    expect(await post('/webhooks/quarterzip', body, signed)).toBe(200);
    expect(await post('/webhooks/quarterzip', body, signed)).toBe(200);
    expect(await post('/webhooks/quarterzip', body, {})).toBe(401);
    expect(await post('/webhooks/nosuchvendor', body, {})).toBe(404);

    const res = await fetch(`${t.local.url}/_callhooks/metrics`);
    const snapshot = (await res.json()) as MetricsSnapshot;
    expect(snapshot.routes).toEqual([
      expect.objectContaining({ vendor: 'quarterzip', endpoint: 'default', deliveries: 3, outcomes: { published: 1, duplicate: 1, unauthorized: 1 }, refusals: { 'missing-header': 1 }, offloads: 0 }),
      expect.objectContaining({ vendor: 'unknown', endpoint: 'default', deliveries: 1, outcomes: { not_found: 1 } }),
    ]);
    expect(JSON.stringify(snapshot)).not.toContain('nosuchvendor');
    expect(t.local.metrics.summaryLine()).toMatch(/^metrics: quarterzip\/default deliveries=3 published=1 duplicate=1 unauthorized=1 \(missing-header=1\) p50=[\d.]+ms p99=[\d.]+ms \| unknown\/default deliveries=1 not_found=1 .* \| redrive runs=0 /);
  });

  it('counts the redrive runs', async () => {
    await t.local.redrive();
    expect(t.local.metrics.snapshot().redrive).toEqual({ runs: 1, published: 0, failed: 0, deadLettered: 0, backlog: 0, oldestPendingAgeSeconds: 0 });
  });
});

describe('LocalMetrics', () => {
  it('prints a line only when something happened since the last one', () => {
    const m = new LocalMetrics();
    expect(m.summaryLine({ onlyIfChanged: true })).toBeUndefined();
    m.delivery({ vendor: 'qcall', endpoint: 'default', outcome: 'bad_request', latencyMs: 3, offloads: 0 });
    expect(m.summaryLine({ onlyIfChanged: true })).toBe('metrics: qcall/default deliveries=1 bad_request=1 p50=3ms p99=3ms | redrive runs=0 published=0 failed=0 dead-lettered=0 backlog=0 oldest=0s');
    expect(m.summaryLine({ onlyIfChanged: true })).toBeUndefined();
    m.redrive({ published: 0, failed: 0, deadLettered: 0, backlog: 0, oldestPendingAgeSeconds: 0 });
    expect(m.summaryLine({ onlyIfChanged: true })).toBeUndefined();
    expect(m.summaryLine()).toContain('redrive runs=1');
  });

  it('gives latency percentiles over the deliveries', () => {
    const m = new LocalMetrics();
    for (let i = 1; i <= 100; i++) m.delivery({ vendor: 'koeiq', endpoint: 'default', outcome: 'published', latencyMs: i, offloads: i === 1 ? 2 : 0 });
    expect(m.snapshot().routes[0]).toMatchObject({ deliveries: 100, offloads: 2, latencyMs: { p50: 50, p99: 99, max: 100 } });
  });
});
