/**
 * The redrive's drain rate (`npm run bench`, section `drain`): a backlog of PENDING records — as a bus outage
 * leaves them, each kept through the shipped adapter (`claim` then `keepForRedrive`) — on dynalite, drained by
 * the shipped core redrive (`redrive()`) through `DynamoDedupStore`, run after run as the schedule runs it:
 * each run gets the function's 60 s and stops starting pages with 10 s left (`timeLeftMs`, `reserveMs`), as
 * the Lambda handler does. EventBridge is a stand-in that answers each PutEvents request after a fixed latency
 * (`putEventsMs`, 30 ms by default: a typical in-region PutEvents round trip), so the figure is the redrive's
 * own rate on this machine's dynalite, with the bus's round trip modelled, not AWS's.
 */
import { performance } from 'node:perf_hooks';
import { BatchWriteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { TABLE } from '../../lambda/contracts/table';
import { DynamoDedupStore } from '../../lambda/adapters/aws/dynamo-store';
import { LOCAL_TABLE, startLocalDynamo } from '../../lambda/adapters/local/dynalite-store';
import { composeDetail } from '../../lambda/core/event';
import { Delivery, Headers } from '../../lambda/core/http';
import { recordKey } from '../../lambda/core/pipeline';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { callCompletedBody } from './payloads';
import { inParallel, redrive, RedriveReport } from '../../lambda/core/redrive';
import type { BusEntry, DeadLetterQueue, EventPublisher } from '../../lambda/core/ports';
import { NOOP_LOG } from './noop-ports';

export interface DrainOptions {
  /** Pending events in the backlog. */
  readonly backlog: number;
  /** Latency of one PutEvents request (ms). */
  readonly putEventsMs: number;
  /** The function's time per run (ms) and the reserve kept at its end, as deployed. */
  readonly runMs: number;
  readonly reserveMs: number;
  /** Stop after this many runs even if the backlog is not drained (bounded). */
  readonly maxRuns: number;
}

export interface DrainResult {
  readonly options: DrainOptions;
  /** Seconds spent writing the backlog (25 items to a BatchWriteItem). */
  readonly fillSeconds: number;
  readonly runs: ReadonlyArray<RedriveReport & { readonly seconds: number }>;
  readonly published: number;
  readonly distinctPublished: number;
  readonly putEventsRequests: number;
  readonly mostRequestsInFlight: number;
  /** Seconds of redrive work until the backlog was empty. */
  readonly drainSeconds: number;
}

/** A bus that answers each request after `ms`, counting requests and how many were in flight at once. */
class SlowBus implements EventPublisher {
  requests = 0;
  inFlight = 0;
  most = 0;
  readonly ids = new Set<string>();
  published = 0;
  constructor(private readonly ms: number) {}
  async publish(entries: readonly BusEntry[]) {
    this.requests++;
    this.most = Math.max(this.most, ++this.inFlight);
    await new Promise((r) => setTimeout(r, this.ms));
    this.inFlight--;
    for (const e of entries) this.ids.add(e.detail.eventId);
    this.published += entries.length;
    return entries.map(() => ({ ok: true as const }));
  }
}

const NO_DEAD_LETTERS: DeadLetterQueue = {
  send: async () => {
    throw new Error('the drain bench dead-letters nothing');
  },
  receive: async () => [],
  remove: async () => undefined,
};

/** Events of ~1 KB, as the pipeline composes them from a Quarterzip call.completed delivery. */
function eventMaker(): (i: number, receivedAt: Date) => { key: string; eventId: string; json: string } {
  const adapter = quarterzip();
  const headers = new Headers([['webhook-id', 'bench-drain']]);
  const parsed = adapter.parse({ vendor: adapter.name, method: 'POST', headers, query: {}, body: callCompletedBody({ bytes: 1024, callId: 'bench-drain' }), receivedAt: new Date() } as unknown as Delivery);
  return (i, receivedAt) => {
    const dedupKey = `bench-drain-${i}`;
    const detail = composeDetail(adapter.name, dedupKey, parsed.fields, receivedAt);
    return { key: recordKey(adapter.name, dedupKey), eventId: detail.eventId, json: JSON.stringify(detail) };
  };
}

export async function measureDrain(o: DrainOptions, progress: (line: string) => void = () => undefined): Promise<DrainResult> {
  const dynamo = await startLocalDynamo(undefined);
  try {
    const store = new DynamoDedupStore(dynamo.client, LOCAL_TABLE);
    const makeEvent = eventMaker();
    const outage = new Date(Date.now() - 3_600_000);
    const fillStarted = performance.now();
    // One record kept through the shipped adapter (claim, then keepForRedrive); the others are its item with
    // their own key, eventId, receipt and event, written 25 to a BatchWriteItem (the fill is not what is measured).
    const keep = async (i: number) => {
      const receivedAt = new Date(outage.getTime() + i);
      const { key, eventId, json } = makeEvent(i, receivedAt);
      const claim = { key, eventId, vendor: 'quarterzip', receivedAt: receivedAt.toISOString(), expiresAt: Math.floor(Date.now() / 1000) + 86_400, leaseUntil: receivedAt.getTime() + 1 };
      await store.claim(claim, receivedAt);
      if ((await store.keepForRedrive(claim, json)) !== 'kept') throw new Error('the backlog could not be written');
      return key;
    };
    const first = await keep(0);
    const template = (await dynamo.client.send(new GetItemCommand({ TableName: LOCAL_TABLE, Key: { [TABLE.partitionKey]: { S: first } }, ConsistentRead: true }))).Item!;
    const batches = Array.from({ length: Math.ceil((o.backlog - 1) / 25) }, (_, b) => Array.from({ length: Math.min(25, o.backlog - 1 - b * 25) }, (__, j) => 1 + b * 25 + j));
    await inParallel(batches, 8, async (batch) => {
      let items = batch.map((i) => {
        const receivedAt = new Date(outage.getTime() + i);
        const { key, eventId, json } = makeEvent(i, receivedAt);
        return {
          PutRequest: {
            Item: { ...template, [TABLE.partitionKey]: { S: key }, eventId: { S: eventId }, receivedAt: { S: receivedAt.toISOString() }, event: { S: json }, [TABLE.pendingIndex.sortKey]: { N: String(receivedAt.getTime() + 1) } },
          },
        };
      });
      while (items.length > 0) {
        const out = await dynamo.client.send(new BatchWriteItemCommand({ RequestItems: { [LOCAL_TABLE]: items } }));
        items = (out.UnprocessedItems?.[LOCAL_TABLE] ?? []) as typeof items;
      }
    });
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    progress(`drain: ${o.backlog} pending events written in ${fillSeconds.toFixed(0)} s; draining…`);

    const bus = new SlowBus(o.putEventsMs);
    const runs: Array<RedriveReport & { seconds: number }> = [];
    let drainMs = 0;
    for (let run = 0; run < o.maxRuns && bus.ids.size < o.backlog; run++) {
      const started = performance.now();
      const report = await redrive({
        store,
        publisher: bus,
        deadLetters: NO_DEAD_LETTERS,
        log: NOOP_LOG,
        vendors: ['quarterzip'],
        timeLeftMs: () => o.runMs - (performance.now() - started),
        reserveMs: o.reserveMs,
      }, new Date());
      const ms = performance.now() - started;
      drainMs += ms;
      runs.push({ ...report, seconds: ms / 1000 });
      progress(`drain: run ${run + 1}: ${report.published} published in ${(ms / 1000).toFixed(1)} s`);
    }
    return {
      options: o,
      fillSeconds,
      runs,
      published: bus.published,
      distinctPublished: bus.ids.size,
      putEventsRequests: bus.requests,
      mostRequestsInFlight: bus.most,
      drainSeconds: drainMs / 1000,
    };
  } finally {
    await dynamo.close();
  }
}
