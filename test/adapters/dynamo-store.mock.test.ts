/** DynamoDedupStore's requests and error mapping, with the SDK mocked (aws-sdk-client-mock). */
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDedupStore } from '../../lambda/adapters/aws/dynamo-store';
import { DependencyError } from '../../lambda/core/errors';
import type { Claim } from '../../lambda/core/ports';

const ddb = mockClient(DynamoDBClient);
const store = new DynamoDedupStore(new DynamoDBClient({ region: 'us-east-1' }), 'table');
const NOW = new Date('2026-11-22T12:00:00Z');
const claim: Claim = {
  key: 'quarterzip#msg_1',
  eventId: 'e1',
  vendor: 'quarterzip',
  receivedAt: NOW.toISOString(),
  expiresAt: 1_800_000_000,
  leaseUntil: NOW.getTime() + 60_000,
};
const existing = (status: string, leaseUntil = NOW.getTime() + 30_000) => ({
  pk: { S: claim.key }, eventId: { S: 'e1' }, vendor: { S: 'quarterzip' }, status: { S: status }, leaseUntil: { N: String(leaseUntil) },
});

afterEach(() => ddb.reset());

describe('DynamoDedupStore (mocked SDK)', () => {
  it('claims with a conditional PutItem of a small item: absent, expired, or in flight with its lease run out', async () => {
    ddb.on(PutItemCommand).resolves({});
    expect(await store.claim(claim, NOW)).toEqual({ outcome: 'claimed' });
    const input = ddb.commandCalls(PutItemCommand)[0].args[0].input;
    expect(input.ConditionExpression).toBe('attribute_not_exists(pk) OR expiresAt < :now OR (#status = :inFlight AND leaseUntil < :nowMs)');
    expect(input.ExpressionAttributeValues).toEqual({ ':now': { N: String(NOW.getTime() / 1000) }, ':inFlight': { S: 'IN_FLIGHT' }, ':nowMs': { N: String(NOW.getTime()) } });
    expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(input.Item).toMatchObject({ pk: { S: 'quarterzip#msg_1' }, status: { S: 'IN_FLIGHT' } });
    expect(input.Item).not.toHaveProperty('event');
    expect(input.Item).not.toHaveProperty('pendingShard');
    expect(input).not.toHaveProperty('ReturnConsumedCapacity');
  });

  it.each([
    ['PUBLISHED', 'duplicate'],
    ['PENDING', 'duplicate'],
    ['DEAD', 'duplicate'],
    ['IN_FLIGHT', 'in-flight'],
  ])('maps ConditionalCheckFailedException on a %s record (returned with the refusal) to %s, without a read', async (status, outcome) => {
    ddb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {}, Item: existing(status) }));
    expect(await store.claim(claim, NOW)).toMatchObject({ outcome, record: { status } });
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('reads the record (strongly consistent) where the refusal does not return it', async () => {
    ddb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    ddb.on(GetItemCommand).resolves({ Item: existing('PUBLISHED') });
    expect(await store.claim(claim, NOW)).toMatchObject({ outcome: 'duplicate' });
    expect(ddb.commandCalls(GetItemCommand)[0].args[0].input).toMatchObject({ ConsistentRead: true, Key: { pk: { S: claim.key } } });
  });

  it.each([
    ['throttling', new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} })],
    ['a 5xx', Object.assign(new Error('internal'), { name: 'InternalServerError', $fault: 'server' })],
  ])('turns %s into DependencyError', async (_label, err) => {
    ddb.on(PutItemCommand).rejects(err);
    await expect(store.claim(claim, NOW)).rejects.toBeInstanceOf(DependencyError);
  });

  it('markPublished drops any stored event and leaves the pending index', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await store.markPublished('quarterzip#msg_1');
    const input = ddb.commandCalls(UpdateItemCommand)[0].args[0].input;
    expect(input.UpdateExpression).toBe('SET #status = :status REMOVE pendingShard, #event, eventBlobKey');
    expect(input.ExpressionAttributeValues).toEqual({ ':status': { S: 'PUBLISHED' } });
  });

  it('keepForRedrive writes the event into the record in flight only', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    expect(await store.keepForRedrive(claim, '{"a":1}')).toBe('kept');
    const input = ddb.commandCalls(UpdateItemCommand)[0].args[0].input;
    expect(input.ConditionExpression).toBe('#status = :inFlight');
    expect(input.ExpressionAttributeNames).toMatchObject({ '#stored': 'event' });
    expect(input.ExpressionAttributeValues).toMatchObject({ ':stored': { S: '{"a":1}' }, ':pending': { S: 'PENDING' } });
  });

  it('markDead keeps the stored event for inspection and pushes the record\'s expiry out', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await store.markDead('quarterzip#msg_1', 1_900_000_000);
    const input = ddb.commandCalls(UpdateItemCommand)[0].args[0].input;
    expect(input.UpdateExpression).toBe('SET #status = :status, expiresAt = :expiresAt REMOVE pendingShard');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':status': { S: 'DEAD' }, ':expiresAt': { N: '1900000000' } });
  });

  it('lease answers undefined when another holder has it', async () => {
    ddb.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    expect(await store.lease('k', NOW, NOW.getTime() + 1000)).toBeUndefined();
  });

  it('asks for ReturnConsumedCapacity only when a listener is given, and reports what DynamoDB consumed', async () => {
    const reports: unknown[] = [];
    const measured = new DynamoDedupStore(new DynamoDBClient({ region: 'us-east-1' }), 'table', { onConsumedCapacity: (r) => reports.push(r) });
    ddb.on(PutItemCommand).resolves({ ConsumedCapacity: { TableName: 'table', CapacityUnits: 1 } });
    await measured.claim(claim, NOW);
    expect(ddb.commandCalls(PutItemCommand)[0].args[0].input.ReturnConsumedCapacity).toBe('TOTAL');
    expect(reports).toEqual([expect.objectContaining({ operation: 'claim', capacityUnits: 1, conditionRefused: false })]);
  });
});
