/**
 * The README's example rules on a real EventBridge bus (moto), fed by the real pipeline: every vendor
 * fixture is signed, verified with its secret from Secrets Manager, claimed in DynamoDB, offloaded to S3
 * when too large, and published by EventBridgePublisher. Each rule's SQS queue must then hold exactly the
 * events its pattern selects, nothing else. Then the publish failures: a rejected entry, a missing bus.
 */
import { resolveConfig } from '../../lambda/config/config';
import { composeDetail, deriveEventId } from '../../lambda/core/event';
import { Delivery, Headers } from '../../lambda/core/http';
import { busEntryOf, handleDelivery, recordKey } from '../../lambda/core/pipeline';
import type { BusEntry, EventPublisher } from '../../lambda/core/ports';
import type { VendorAdapter } from '../../lambda/core/vendor';
import { createAdapter } from '../../lambda/vendors';
import { ensureTable } from '../../lambda/adapters/local/dynalite-store';
import { EventBridgePublisher } from '../../lambda/adapters/aws/eventbridge';
import { Fixture, loadFixtures, signedDelivery } from '../helpers/fixtures';
import { ALL_VENDORS_CONFIG_FILE, readConfig } from '../helpers/configs';
import {
  BusEvent,
  createBucket,
  createBus,
  createVendorSecret,
  drainQueue,
  MotoClients,
  motoClients,
  motoPipelineDeps,
  MotoServer,
  ruleToQueue,
  startMoto,
} from './moto-server';
import { EXAMPLE_RULES } from './rules';


const TABLE = 'callhooks-moto-eb';
const BUS = 'callhooks-moto-bus';
const BUCKET = 'callhooks-moto-eb-payloads';

/** What each example rule should select, written out independently of EventBridge's matcher. */
const SELECTS: Record<string, (e: BusEntry) => boolean> = {
  byVendor: (e) => e.source === 'callhooks.quarterzip',
  byType: (e) => e.source.startsWith('callhooks.') && e.detailType === 'call.ended',
  byOutcome: (e) => e.source === 'callhooks.atoms' && e.detailType === 'call.ended' && e.detail.outcome?.status === 'completed',
  realTrafficOnly: (e) => e.source.startsWith('callhooks.') && e.detail.test === false,
  byEndpoint: (e) => e.source === 'callhooks.quarterzip' && e.detail.endpoint === 'eu',
  transcriptOffloaded: (e) => e.detail.offload?.part === 'transcript',
};

/** Passes everything to the real publisher and keeps the entries it put on the bus. */
class RecordingPublisher implements EventPublisher {
  readonly onBus: BusEntry[] = [];
  constructor(private readonly real: EventPublisher) {}
  async publish(entries: readonly BusEntry[]) {
    const results = await this.real.publish(entries);
    entries.forEach((e, i) => results[i]?.ok && this.onBus.push(e));
    return results;
  }
}

/** The vendors of examples/all-vendors/callhooks.config.json (every built-in vendor and Ringly) whose adapter exists. */
function availableAdapters(): Map<string, VendorAdapter> {
  const adapters = new Map<string, VendorAdapter>();
  for (const config of resolveConfig(readConfig(ALL_VENDORS_CONFIG_FILE)).vendors) {
    try {
      adapters.set(config.name, createAdapter(config));
    } catch {
      // Adapter not written yet: its fixtures are left out.
    }
  }
  return adapters;
}

/** A Quarterzip call whose transcript alone is far over the 8 KiB event limit used here. */
function bigQuarterzipDelivery(adapter: VendorAdapter, secret: string, now: Date): Delivery {
  const turns = Array.from({ length: 200 }, (_, i) => ({ speaker: i % 2 ? 'user' : 'agent', text: `turn ${i}: ${'words '.repeat(20)}` }));
  const raw = Buffer.from(JSON.stringify({ type: 'call.completed', timestamp: now.toISOString(), data: { call_id: 'big-call', is_test: false, transcript: turns } }));
  return { vendor: 'quarterzip', method: 'POST', headers: new Headers(Object.entries(adapter.sign(raw, secret, now, 'msg_moto_big'))), query: {}, body: raw, receivedAt: now };
}

/** Atoms events put on the bus directly: one the outcome rule wants, and two near misses. */
function syntheticAtomsEntries(now: Date): BusEntry[] {
  const atoms = (key: string, type: 'call.ended' | 'call.started', status: string) =>
    busEntryOf(composeDetail('atoms', key, { type, vendorEventType: 'synthetic', callId: key, test: false, outcome: { status } }, now), now);
  return [atoms('syn-completed', 'call.ended', 'completed'), atoms('syn-failed', 'call.ended', 'failed'), atoms('syn-started', 'call.started', 'completed')];
}

/** Quarterzip events of two workspaces (endpoints eu and us) put on the bus directly, for the endpoint rule. */
function syntheticEndpointEntries(now: Date): BusEntry[] {
  const at = (key: string, endpoint: string) =>
    busEntryOf(composeDetail('quarterzip', key, { type: 'call.ended', vendorEventType: 'synthetic', callId: key, test: false }, now, endpoint), now);
  return [at('syn-eu', 'eu'), at('syn-us', 'us')];
}

let moto: MotoServer;
let clients: MotoClients;
let adapters: Map<string, VendorAdapter>;
const secrets = new Map<string, string>();
const secretArns = new Map<string, string>();

beforeAll(async () => {
  moto = await startMoto();
  clients = motoClients(moto);
  adapters = availableAdapters();
  if (!adapters.has('quarterzip')) throw new Error('the quarterzip adapter is needed by these tests');
  await Promise.all([ensureTable(clients.dynamo, TABLE), createBucket(clients, BUCKET), createBus(clients, BUS)]);
  for (const [name, adapter] of adapters) {
    secrets.set(name, adapter.generateSecret());
    secretArns.set(name, await createVendorSecret(clients, name, secrets.get(name)!));
  }
});

afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

describe('the example rules, fed by the real pipeline', () => {
  const now = new Date();
  let fixtures: Fixture[];
  let recorder: RecordingPublisher;
  const replies: Array<{ name: string; statusCode: number; body: Record<string, unknown> }> = [];
  const received: Record<string, BusEvent[]> = {};

  // Prepare + Act, shared by the tests below: rules first, then every delivery, then read every queue once.
  beforeAll(async () => {
    const queues = Object.fromEntries(
      await Promise.all(Object.entries(EXAMPLE_RULES).map(async ([name, rule]) => [name, await ruleToQueue(clients, BUS, `example-${name}`, rule.pattern)] as const)),
    );
    const deps = motoPipelineDeps(clients, {
      adapters,
      secretArns,
      table: TABLE,
      bus: BUS,
      bucket: BUCKET,
      limits: { maxEventBytes: 8 * 1024 },
      publisher: (real) => (recorder = new RecordingPublisher(real)),
    });
    fixtures = loadFixtures().filter((f) => adapters.has(f.vendor));
    for (const f of fixtures) {
      const reply = await handleDelivery(signedDelivery(f, adapters.get(f.vendor)!, secrets.get(f.vendor)!, now), deps);
      replies.push({ name: `${f.vendor}/${f.name}`, statusCode: reply.statusCode, body: { ...reply.body } });
    }
    const big = await handleDelivery(bigQuarterzipDelivery(adapters.get('quarterzip')!, secrets.get('quarterzip')!, now), deps);
    replies.push({ name: 'quarterzip/big-transcript', statusCode: big.statusCode, body: { ...big.body } });
    const results = await recorder.publish([...syntheticAtomsEntries(now), ...syntheticEndpointEntries(now)]);
    if (!results.every((r) => r.ok)) throw new Error(`synthetic events not published: ${JSON.stringify(results)}`);
    for (const [name, url] of Object.entries(queues)) received[name] = await drainQueue<BusEvent>(clients.sqs, url);
  }, 120_000); // ~30 events, ~50 rule deliveries by moto

  it('answers every delivery 200, each distinct event published once (identical fixtures are duplicates)', () => {
    // Assert
    const bad = replies.filter((r) => r.statusCode !== 200 || !['published', 'duplicate'].includes(String(r.body.status)));
    expect(bad).toEqual([]);
    const published = replies.filter((r) => r.body.status === 'published').map((r) => r.body.eventId);
    const distinct = new Set(replies.map((r) => r.body.eventId));
    expect(published).toHaveLength(distinct.size);
    expect(recorder.onBus.filter((e) => e.detail.vendorEventType !== 'synthetic').map((e) => e.detail.eventId).sort()).toEqual([...published].sort());
  });

  it('ran at least one fixture of every vendor whose adapter exists', () => {
    // Assert
    expect(new Set(fixtures.map((f) => f.vendor))).toEqual(new Set(adapters.keys()));
  });

  it.each(Object.keys(EXAMPLE_RULES))('rule %s receives exactly the events its pattern selects', (name) => {
    // Assert
    const selects = SELECTS[name];
    if (!selects) throw new Error(`EXAMPLE_RULES.${name} has no entry in SELECTS saying which events it should get`);
    const expected = recorder.onBus.filter(selects).map((e) => e.detail.eventId).sort();
    const got = received[name].map((e) => e.detail.eventId).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(got).toEqual(expected);
  });

  it('the rules leave some events out (each pattern really filters)', () => {
    // Assert
    for (const name of Object.keys(EXAMPLE_RULES)) expect(received[name].length).toBeLessThan(recorder.onBus.length);
  });

  it('a subscriber receives source, detail-type and detail exactly as published', () => {
    // Assert
    const onBus = new Map(recorder.onBus.map((e) => [e.detail.eventId, e]));
    for (const event of received.realTrafficOnly) {
      const sent = onBus.get(event.detail.eventId)!;
      expect({ source: event.source, detailType: event['detail-type'], detail: event.detail }).toEqual({
        source: sent.source,
        detailType: sent.detailType,
        detail: JSON.parse(JSON.stringify(sent.detail)),
      });
    }
  });
});

describe('publish failures', () => {
  const quarterzipFixture = () => loadFixtures('quarterzip').find((f) => f.name === 'call-completed')!;

  it('EventBridgePublisher reports an entry PutEvents rejects (FailedEntryCount > 0) as failed, the others as ok', async () => {
    // Prepare
    const publisher = new EventBridgePublisher(clients.eventBridge, BUS);
    const detail = composeDetail('probe', 'entry-1', { type: 'webhook.test', vendorEventType: 'ping', callId: null, test: true }, new Date());
    const good = busEntryOf(detail, new Date());

    // Act
    const results = await publisher.publish([good, { ...good, detailType: '' }]);

    // Assert
    expect(results).toEqual([{ ok: true }, { ok: false, error: 'InvalidArgument' }]);
  });

  it('on moto, PutEvents naming a bus that does not exist throws ResourceNotFoundException', async () => {
    // Prepare
    const publisher = new EventBridgePublisher(clients.eventBridge, 'no-such-bus');
    const detail = composeDetail('probe', 'entry-2', { type: 'webhook.test', vendorEventType: 'ping', callId: null, test: true }, new Date());

    // Act
    const error = await publisher.publish([busEntryOf(detail, new Date())]).catch((e: unknown) => e);

    // Assert
    expect(error).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('when PutEvents fails, the pipeline answers 202 and the record stays PENDING with its event', async () => {
    // Prepare
    const deps = motoPipelineDeps(clients, { adapters, secretArns, table: TABLE, bus: 'no-such-bus', bucket: BUCKET });
    const adapter = adapters.get('quarterzip')!;
    const now = new Date();
    const delivery = signedDelivery(quarterzipFixture(), adapter, secrets.get('quarterzip')!, now, 'msg_moto_missing_bus');

    // Act
    const reply = await handleDelivery(delivery, deps);

    // Assert
    const eventId = deriveEventId('quarterzip', 'msg_moto_missing_bus');
    expect(reply).toMatchObject({ statusCode: 202, body: { status: 'accepted', eventId, published: false } });
    const pending = await deps.store.listPending(new Date(now.getTime() + 10 * 60_000), 100);
    const record = pending.find((r) => r.key === recordKey('quarterzip', 'msg_moto_missing_bus'));
    expect(record).toMatchObject({ status: 'PENDING', eventId, attempts: 0 });
    expect(JSON.parse(record!.eventJson!)).toMatchObject({ eventId, vendor: 'quarterzip', type: 'call.ended', callId: 'abc123' });
  });
});
