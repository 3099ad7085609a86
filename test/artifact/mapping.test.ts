/**
 * How the artifact suite reads the template (intrinsic functions) and how its proxy turns AWS SDK requests
 * into IAM questions: the wire shapes of the calls the bundles make, each with the action, resource ARN and
 * condition keys IAM evaluates for it.
 */
import { Resolver } from './assembly';
import { authzRequests } from './proxy';

const opts = {
  region: 'us-east-1',
  accountId: '123456789012',
  partitionKeys: new Map([['hooks-table', 'pk']]),
  secretArns: new Map([['qz', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:qz-AbCdEf']]),
};
const json = (service: string, target: string, body: unknown) =>
  authzRequests({ principal: 'Fn', service }, 'POST', '/', { 'x-amz-target': target }, Buffer.from(JSON.stringify(body)), opts);

describe('authzRequests', () => {
  it('maps a DynamoDB PutItem to the table ARN with the item\'s partition key as dynamodb:LeadingKeys', () => {
    expect(json('dynamodb', 'DynamoDB_20120810.PutItem', { TableName: 'hooks-table', Item: { pk: { S: 'qcall#1' }, other: { S: 'x' } } })).toEqual([
      { action: 'dynamodb:PutItem', resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/hooks-table', context: { 'dynamodb:LeadingKeys': ['qcall#1'] } },
    ]);
  });

  it('maps UpdateItem by its Key, a Query on an index to the index ARN, and a Scan without leading keys', () => {
    expect(json('dynamodb', 'DynamoDB_20120810.UpdateItem', { TableName: 'hooks-table', Key: { pk: { S: 'atoms#2' } } })[0].context).toEqual({ 'dynamodb:LeadingKeys': ['atoms#2'] });
    expect(json('dynamodb', 'DynamoDB_20120810.Query', { TableName: 'hooks-table', IndexName: 'pending' })[0]).toMatchObject({
      action: 'dynamodb:Query',
      resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/hooks-table/index/pending',
      context: {},
    });
    expect(json('dynamodb', 'DynamoDB_20120810.Scan', { TableName: 'hooks-table' })[0]).toMatchObject({ action: 'dynamodb:Scan', context: {} });
  });

  it('maps GetSecretValue by ARN, or by name to the created secret\'s ARN', () => {
    expect(json('secretsmanager', 'secretsmanager.GetSecretValue', { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-123456' })[0].resource).toBe(
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-123456',
    );
    expect(json('secretsmanager', 'secretsmanager.GetSecretValue', { SecretId: 'qz' })[0].resource).toBe(opts.secretArns.get('qz'));
  });

  it('asks one question per PutEvents entry, with its bus and its source and detail-type', () => {
    expect(json('events', 'AWSEvents.PutEvents', { Entries: [
      { EventBusName: 'hooks', Source: 'callhooks.qcall', DetailType: 'call.ended', Detail: '{}' },
      { Source: 'callhooks.atoms', DetailType: 'call.started', Detail: '{}' },
    ] })).toEqual([
      { action: 'events:PutEvents', resource: 'arn:aws:events:us-east-1:123456789012:event-bus/hooks', context: { 'events:source': ['callhooks.qcall'], 'events:detail-type': ['call.ended'] } },
      { action: 'events:PutEvents', resource: 'arn:aws:events:us-east-1:123456789012:event-bus/default', context: { 'events:source': ['callhooks.atoms'], 'events:detail-type': ['call.started'] } },
    ]);
  });

  it('maps SQS SendMessage by the queue URL\'s name', () => {
    expect(json('sqs', 'AmazonSQS.SendMessage', { QueueUrl: 'http://127.0.0.1:1/123456789012/dlq', MessageBody: 'x' })).toEqual([
      { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:123456789012:dlq' },
    ]);
  });

  it.each([
    ['PUT', '/bucket/rejected/qcall/2026-12-01/ab%20c.body?x-id=PutObject', 's3:PutObject', 'arn:aws:s3:::bucket/rejected/qcall/2026-12-01/ab c.body'],
    ['GET', '/bucket/events/atoms/e.json?x-id=GetObject', 's3:GetObject', 'arn:aws:s3:::bucket/events/atoms/e.json'],
    ['HEAD', '/bucket/k', 's3:GetObject', 'arn:aws:s3:::bucket/k'],
    ['DELETE', '/bucket/k', 's3:DeleteObject', 'arn:aws:s3:::bucket/k'],
    ['GET', '/bucket?list-type=2', 's3:ListBucket', 'arn:aws:s3:::bucket'],
  ])('maps S3 %s %s to %s', (method, url, action, resource) => {
    expect(authzRequests({ principal: 'Fn', service: 's3' }, method, url, {}, Buffer.alloc(0), opts)).toEqual([{ action, resource }]);
  });

  it('asks a listing under a prefix with the s3:prefix condition key (the redrive may list only spool/)', () => {
    expect(authzRequests({ principal: 'Fn', service: 's3' }, 'GET', '/bucket?list-type=2&prefix=spool%2F', {}, Buffer.alloc(0), opts))
      .toEqual([{ action: 's3:ListBucket', resource: 'arn:aws:s3:::bucket', context: { 's3:prefix': ['spool/'] } }]);
  });

  it('refuses what it cannot map instead of letting it through', () => {
    expect(() => json('dynamodb', 'DynamoDB_20120810', {})).toThrow(/not mapped/);
    expect(() => authzRequests({ principal: 'Fn', service: 'sqs' }, 'POST', '/', {}, Buffer.from('Action=SendMessage'), opts)).toThrow(/X-Amz-Target/);
    expect(() => json('events', 'AWSEvents.PutRule', {})).toThrow(/not mapped/);
  });
});

describe('Resolver', () => {
  const physical = new Map([
    ['Table', { ref: 'hooks-table', attributes: { Arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/hooks-table' } }],
    ['Bucket', { ref: 'hooks-bucket', attributes: { Arn: 'arn:aws:s3:::hooks-bucket' } }],
  ]);
  const r = new Resolver(physical, { region: 'us-east-1', accountId: '123456789012', stackName: 'Callhooks' });

  it('resolves Ref, Fn::GetAtt (both forms), Fn::Join, Fn::Sub, Fn::Select and Fn::Split, nested', () => {
    expect(r.resolve({
      a: { Ref: 'Table' },
      b: { 'Fn::GetAtt': ['Table', 'Arn'] },
      c: { 'Fn::GetAtt': 'Bucket.Arn' },
      d: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/rejected/qcall/*']] },
      e: { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:x/${Table}/${Bucket.Arn}' },
      f: { 'Fn::Sub': ['${x}-${AWS::StackName}', { x: { Ref: 'Bucket' } }] },
      g: { 'Fn::Select': [5, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Table', 'Arn'] }] }] },
      h: [{ Ref: 'AWS::URLSuffix' }, 3, true, null],
    })).toEqual({
      a: 'hooks-table',
      b: 'arn:aws:dynamodb:us-east-1:123456789012:table/hooks-table',
      c: 'arn:aws:s3:::hooks-bucket',
      d: 'arn:aws:s3:::hooks-bucket/rejected/qcall/*',
      e: 'arn:aws:logs:us-east-1:123456789012:x/hooks-table/arn:aws:s3:::hooks-bucket',
      f: 'hooks-bucket-Callhooks',
      g: 'table/hooks-table',
      h: ['amazonaws.com', 3, true, null],
    });
  });

  it('throws on a reference to something not created, an unknown attribute and an unsupported function', () => {
    expect(() => r.resolve({ Ref: 'Nope' })).toThrow(/Nope/);
    expect(() => r.resolve({ 'Fn::GetAtt': ['Table', 'StreamArn'] })).toThrow(/StreamArn/);
    expect(() => r.resolve({ 'Fn::If': ['C', 'a', 'b'] })).toThrow(/Fn::If/);
  });
});
