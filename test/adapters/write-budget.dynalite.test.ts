/**
 * The write budget of DESIGN.md §Record life and cost, guarded: a new 200 KB delivery costs at most 2 DynamoDB
 * write units and its duplicate at most 1, through the real pipeline (Quarterzip adapter, DynamoDedupStore) on
 * dynalite, which applies DynamoDB's size rules to `ReturnConsumedCapacity`. A write refused by its condition
 * comes back without a figure (DynamoDB bills it anyway, by the larger of the item there and the item sent), so
 * its units are counted from those two items' sizes.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { handleDelivery, PipelineDeps } from '../../lambda/core/pipeline';
import { Headers } from '../../lambda/core/http';
import { SecretCache } from '../../lambda/core/secrets';
import { generateStandardWebhooksSecret, signStandardWebhook } from '../helpers/standard-webhooks';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { DEFAULTS } from '../../lambda/config/config';
import { CapacityReport, DynamoDedupStore, itemBytes } from '../../lambda/adapters/aws/dynamo-store';
import { LocalDynamo, LOCAL_TABLE, startLocalDynamo } from '../../lambda/adapters/local/dynalite-store';
import { callCompletedBody } from '../../scripts/lib/payloads';
import { NOOP_LOG, NoopBlobs, NoopPublisher, StaticSecret } from '../../scripts/lib/noop-ports';

let dynamo: LocalDynamo;
const reports: CapacityReport[] = [];
const publisher = new NoopPublisher();
const secret = generateStandardWebhooksSecret();
let deps: PipelineDeps;

beforeAll(async () => {
  dynamo = await startLocalDynamo(undefined);
  const adapter = quarterzip();
  deps = {
    adapters: new Map([[adapter.name, adapter]]),
    secrets: new SecretCache(new StaticSecret(secret)),
    store: new DynamoDedupStore(dynamo.client, LOCAL_TABLE, { blobs: new NoopBlobs(), onConsumedCapacity: (r) => reports.push(r) }),
    publisher,
    blobs: new NoopBlobs(),
    log: NOOP_LOG,
    limits: { maxBodyBytes: DEFAULTS.maxBodyBytes, maxEventBytes: DEFAULTS.maxEventBytes, retentionDays: DEFAULTS.retentionDays },
  };
});
afterAll(() => dynamo.close());

const record = async (key: string) =>
  (await dynamo.client.send(new GetItemCommand({ TableName: LOCAL_TABLE, Key: { pk: { S: key } }, ConsistentRead: true }))).Item;

/** The write units of the reports since `from`: as reported, or for a refused write by the larger item. */
function writeUnits(from: number, itemThereBytes: number) {
  return reports
    .slice(from)
    .filter((r) => r.operation !== 'get')
    .map((r) => ({ operation: r.operation, units: r.capacityUnits ?? Math.max(1, Math.ceil(Math.max(r.itemBytes ?? 0, itemThereBytes) / 1024)), refused: r.conditionRefused }));
}

describe('write units per delivery (DynamoDB size rules on dynalite)', () => {
  it('a new 200 KB delivery costs 2 write units (claim 1 + mark 1); its duplicate 1 (a refused small claim)', async () => {
    // Arrange: a signed 200 KB Quarterzip call.completed, and its redelivery (same webhook-id)
    const body = callCompletedBody({ bytes: 200 * 1024, callId: 'budget-200k' });
    const now = new Date();
    const headers = new Headers(Object.entries({ ...signStandardWebhook(body, secret, now, 'msg_budget_200k'), 'content-type': 'application/json' }));
    const delivery = { vendor: 'quarterzip', method: 'POST', headers, query: {}, body, receivedAt: now };

    // Act: the new delivery
    const first = await handleDelivery(delivery, deps);
    const newWrites = writeUnits(0, 0);
    const there = await record('quarterzip#msg_budget_200k');
    const afterFirst = reports.length;
    // Act: the duplicate
    const again = await handleDelivery(delivery, deps);
    const duplicateWrites = writeUnits(afterFirst, itemBytes(there!));

    // Assert: published once, the event (≥ 200 KB) never written, and the budget
    expect(first.statusCode).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate' });
    expect(Buffer.byteLength(publisher.last!.detailJson ?? JSON.stringify(publisher.last!.detail))).toBeGreaterThan(200 * 1024);
    expect(newWrites).toEqual([
      { operation: 'claim', units: 1, refused: false },
      { operation: 'markPublished', units: 1, refused: false },
    ]);
    expect(newWrites.reduce((a, w) => a + w.units, 0)).toBeLessThanOrEqual(2);
    expect(duplicateWrites).toEqual([{ operation: 'claim', units: 1, refused: true }]);
    expect(itemBytes(there!)).toBeLessThan(1024);
    expect(there!.event).toBeUndefined();
  });
});
