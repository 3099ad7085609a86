/** DynamoDedupStore's requests and error mapping, with the SDK mocked (aws-sdk-client-mock). */
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, UpdateItemCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDedupStore } from '../../lambda/adapters/aws/dynamo-store';
import { DependencyError } from '../../lambda/core/errors';
import type { DedupRecord } from '../../lambda/core/ports';

const ddb = mockClient(DynamoDBClient);
const store = new DynamoDedupStore(new DynamoDBClient({ region: 'us-east-1' }), 'table');
const NOW = new Date('2026-11-22T12:00:00Z');
const record: DedupRecord = {
  key: 'quarterzip#msg_1',
  eventId: 'e1',
  vendor: 'quarterzip',
  status: 'PENDING',
  eventJson: '{"a":1}',
  receivedAt: NOW.toISOString(),
  expiresAt: 1_800_000_000,
  leaseUntil: NOW.getTime() + 60_000,
  attempts: 0,
};

afterEach(() => ddb.reset());

describe('DynamoDedupStore (mocked SDK)', () => {
  it('claims with a conditional PutItem that lets only an absent or expired record through', async () => {
    ddb.on(PutItemCommand).resolves({});
    expect(await store.claim(record, NOW)).toBe('claimed');
    const input = ddb.commandCalls(PutItemCommand)[0].args[0].input;
    expect(input.ConditionExpression).toBe('attribute_not_exists(pk) OR expiresAt < :now');
    expect(input.ExpressionAttributeValues).toEqual({ ':now': { N: String(NOW.getTime() / 1000) } });
    expect(input.Item).toMatchObject({ pk: { S: 'quarterzip#msg_1' }, status: { S: 'PENDING' }, pendingShard: { S: 'P' }, event: { S: '{"a":1}' } });
  });

  it('maps ConditionalCheckFailedException to duplicate', async () => {
    ddb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    expect(await store.claim(record, NOW)).toBe('duplicate');
  });

  it.each([
    ['throttling', new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} })],
    ['a 5xx', Object.assign(new Error('internal'), { name: 'InternalServerError', $fault: 'server' })],
  ])('turns %s into DependencyError', async (_label, err) => {
    ddb.on(PutItemCommand).rejects(err);
    await expect(store.claim(record, NOW)).rejects.toBeInstanceOf(DependencyError);
  });

  it('markPublished drops the stored event and leaves the pending index', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await store.markPublished('quarterzip#msg_1');
    const input = ddb.commandCalls(UpdateItemCommand)[0].args[0].input;
    expect(input.UpdateExpression).toBe('SET #status = :status REMOVE pendingShard, #event');
    expect(input.ExpressionAttributeValues).toEqual({ ':status': { S: 'PUBLISHED' } });
  });

  it('markDead keeps the stored event for inspection', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await store.markDead('quarterzip#msg_1');
    expect(ddb.commandCalls(UpdateItemCommand)[0].args[0].input.UpdateExpression).toBe('SET #status = :status REMOVE pendingShard');
  });

  it('lease answers undefined when another holder has it', async () => {
    ddb.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    expect(await store.lease('k', NOW, NOW.getTime() + 1000)).toBeUndefined();
  });
});
