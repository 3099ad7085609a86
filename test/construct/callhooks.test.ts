import { Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Callhooks, CallEventType, CallhooksProps } from '../../lib';
import { configJsonOf } from '../../lib/private/config';
import { CallhooksStack, contextProps } from '../../lib/callhooks-stack';
import { resolveConfig } from '../../lambda/config/config';
import { ENV } from '../../lambda/contracts/env';
import { BUILT_IN_VENDORS, DEFAULT_VENDORS } from '../../lambda/vendors';
import { actionsOf, logicalId, resourcesOf, RINGLY_VENDOR, roleOfFunction, statementsOfRole, testApp, testStack } from './app';

const ringly = RINGLY_VENDOR;
/** atoms off, one custom vendor: the enabled set differs from the default on purpose. */
const CONFIG: CallhooksProps = {
  vendors: { quarterzip: {}, qcall: { tokenHeader: 'x-qcall-token', tokenPrefix: '' }, koeiq: {}, atoms: { enabled: false }, converc: {} },
  customVendors: [ringly],
};
const ENABLED = ['quarterzip', 'qcall', 'koeiq', 'converc', 'ringly'];

const WEBHOOK_ENV_KEYS = [
  ENV.vendorConfig,
  ENV.secretArn,
  ENV.tableName,
  ENV.eventBusName,
  ENV.payloadBucket,
  ENV.maxBodyBytes,
  ENV.maxEventBytes,
  ENV.retentionDays,
  ENV.answerDeadlineMs,
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_METRICS_NAMESPACE',
].sort();

type TemplateJson = { Resources: Record<string, { Type: string; Properties?: any; DeletionPolicy?: string }> };

function build(props: CallhooksProps = {}): { stack: Stack; hooks: Callhooks; template: Template; json: TemplateJson } {
  const stack = testStack();
  const hooks = new Callhooks(stack, 'Hooks', props);
  const template = Template.fromStack(stack);
  return { stack, hooks, template, json: template.toJSON() as TemplateJson };
}

const fnId = (json: TemplateJson, vendor: string) => logicalId(json, 'AWS::Lambda::Function', `HooksVendors${vendor}Function`);
const secretId = (json: TemplateJson, vendor: string) => logicalId(json, 'AWS::SecretsManager::Secret', `HooksVendors${vendor}Secret`);

describe('Callhooks with a configuration', () => {
  let hooks: Callhooks;
  let stack: Stack;
  let template: Template;
  let json: TemplateJson;

  beforeAll(() => {
    ({ hooks, stack, template, json } = build(CONFIG));
  });

  // ---- routes and functions ----------------------------------------------------------------------
  it.each(ENABLED)('routes ANY /webhooks/%s to a Lambda integration', (vendor) => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: `ANY /webhooks/${vendor}`,
      AuthorizationType: 'NONE',
      Target: Match.anyValue(),
    });
  });

  it('has no route for a disabled vendor, and one route per enabled vendor', () => {
    const routes = template.findResources('AWS::ApiGatewayV2::Route');
    const keys = Object.values(routes).map((r) => r.Properties.RouteKey);
    expect(keys).not.toContain('ANY /webhooks/atoms');
    expect(keys.sort()).toEqual(ENABLED.map((v) => `ANY /webhooks/${v}`).sort());
  });

  it('uses an HTTP API with Lambda proxy integrations in payload format 2.0', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.resourcePropertiesCountIs('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    }, ENABLED.length);
  });

  it('throttles each route at 200 requests/s with a burst of 500 (room for a dialer ending hundreds of calls at once) and writes JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 500 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
    });
  });

  it('bounds each vendor function with a reserved concurrency of 25 of its own, and not the redrive', () => {
    for (const vendor of ENABLED) {
      expect(json.Resources[fnId(json, vendor)].Properties.ReservedConcurrentExecutions).toBe(25);
    }
    expect(json.Resources[logicalId(json, 'AWS::Lambda::Function', 'HooksRedriveFunction')].Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('lets only callhooks\' own function roles publish callhooks sources on the bus it creates', () => {
    const policies = Object.values(template.findResources('AWS::Events::EventBusPolicy'));
    expect(policies).toHaveLength(1);
    const bus = logicalId(json, 'AWS::Events::EventBus', 'HooksEventBus');
    const roles = [...ENABLED.map((v) => roleOfFunction(json, fnId(json, v))), roleOfFunction(json, logicalId(json, 'AWS::Lambda::Function', 'HooksRedriveFunction'))];
    expect(policies[0].Properties).toMatchObject({ EventBusName: { Ref: bus } });
    expect(policies[0].Properties.Statement).toEqual({
      Sid: 'cdk-OnlyCallhooksPublishesCallhooksSources',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [bus, 'Arn'] },
      Condition: {
        'ForAnyValue:StringLike': { 'events:source': ['callhooks.*'] },
        ArnNotEquals: { 'aws:PrincipalArn': roles.map((r) => ({ 'Fn::GetAtt': [r, 'Arn'] })) },
      },
    });
  });

  it('creates one webhook function per enabled vendor plus the redrive, on nodejs24.x arm64', () => {
    expect(Object.keys(hooks.functions).sort()).toEqual([...ENABLED].sort());
    template.resourcePropertiesCountIs('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    }, ENABLED.length + 1);
  });

  it('gives webhook functions 256 MiB and a 10 s timeout, and a log group of one month', () => {
    for (const vendor of ENABLED) {
      const props = json.Resources[fnId(json, vendor)].Properties;
      expect([props.MemorySize, props.Timeout]).toEqual([256, 10]);
      expect(props.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(`^HooksVendors${vendor}Logs`) });
    }
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, ENABLED.length + 2);
  });

  it('names the HTTP API after its stack and construct path, not just "Api"', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: Match.stringLikeRegexp('^Test-Hooks-Api-[0-9A-F]{8}$') });
  });

  it('exposes the base URL of the webhooks: the API endpoint followed by /webhooks/', () => {
    const url = stack.resolve(hooks.url);
    const api = logicalId(json, 'AWS::ApiGatewayV2::Api', 'HooksApi');
    expect(url).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [api, 'ApiEndpoint'] }, '/webhooks/']] });
  });

  // ---- environment -------------------------------------------------------------------------------
  it('sets exactly the expected environment keys on every webhook function', () => {
    for (const vendor of ENABLED) {
      const vars = json.Resources[fnId(json, vendor)].Properties.Environment.Variables;
      expect(Object.keys(vars).sort()).toEqual(WEBHOOK_ENV_KEYS);
    }
  });

  it('passes the secret by reference (its ARN), never a value', () => {
    for (const vendor of ENABLED) {
      const vars = json.Resources[fnId(json, vendor)].Properties.Environment.Variables;
      expect(vars[ENV.secretArn]).toEqual({ Ref: secretId(json, vendor) });
    }
  });

  it('passes each function its own vendor configuration and the resolved limits', () => {
    const resolved = resolveConfig(configJsonOf(CONFIG));
    for (const vendor of resolved.vendors) {
      const vars = json.Resources[fnId(json, vendor.name)].Properties.Environment.Variables;
      expect(JSON.parse(vars[ENV.vendorConfig])).toEqual(vendor);
      expect([vars[ENV.maxBodyBytes], vars[ENV.maxEventBytes], vars[ENV.retentionDays]]).toEqual(['2097152', '262144', '30']);
      // The answer deadline: 6 s by default, 4 s below the functions' 10-second timeout.
      expect(vars[ENV.answerDeadlineMs]).toBe('6000');
    }
  });

  it('creates the secrets with a generated placeholder: no SecretString in the template', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(ENABLED.length);
    for (const secret of Object.values(secrets)) {
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.GenerateSecretString).toEqual({ ExcludePunctuation: true, PasswordLength: 32 });
    }
  });

  // ---- least privilege ---------------------------------------------------------------------------
  it.each(ENABLED)('lets the %s function read its own secret and no other', (vendor) => {
    const statements = statementsOfRole(json, roleOfFunction(json, fnId(json, vendor)));
    const secretStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    expect(secretStatements).toHaveLength(1);
    expect(actionsOf(secretStatements[0])).toContain('secretsmanager:GetSecretValue');
    expect(resourcesOf(secretStatements[0])).toEqual([{ Ref: secretId(json, vendor) }]);
  });

  it('grants each secret to exactly one role', () => {
    const policies = Object.values(json.Resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    for (const vendor of ENABLED) {
      const ref = { Ref: secretId(json, vendor) };
      const holders = policies.filter((p) =>
        p.Properties.PolicyDocument.Statement.some((s: any) => resourcesOf(s).some((r) => JSON.stringify(r) === JSON.stringify(ref))));
      expect(holders).toHaveLength(1);
    }
  });

  it('lets a webhook function write its own vendor\'s records (PutItem, UpdateItem on the table only), put its own events and put objects under its own prefixes', () => {
    const statements = statementsOfRole(json, roleOfFunction(json, fnId(json, 'qcall')));
    const table = logicalId(json, 'AWS::DynamoDB::Table', 'HooksTable');
    const bucket = logicalId(json, 'AWS::S3::Bucket', 'HooksPayloadBucket');
    const bus = logicalId(json, 'AWS::Events::EventBus', 'HooksEventBus');
    const byService = (prefix: string) => statements.filter((s) => actionsOf(s).some((a) => a.startsWith(prefix)));
    expect(byService('dynamodb:').map((s) => [actionsOf(s), resourcesOf(s), s.Condition])).toEqual([
      [['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [{ 'Fn::GetAtt': [table, 'Arn'] }], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['qcall#*'] } }],
    ]);
    expect(byService('events:').map((s) => [actionsOf(s), resourcesOf(s), s.Condition])).toEqual([
      [['events:PutEvents'], [{ 'Fn::GetAtt': [bus, 'Arn'] }], { 'ForAllValues:StringEquals': { 'events:source': 'callhooks.qcall' }, Null: { 'events:source': 'false' } }],
    ]);
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}*`]] });
    expect(byService('s3:').map((s) => [actionsOf(s), resourcesOf(s), s.Condition])).toEqual([
      [['s3:PutObject'], [objects('events/qcall/'), objects('offload/qcall/'), objects('rejected/qcall/'), objects('spool/qcall/')], undefined],
    ]);
    expect(byService('sqs:')).toEqual([]);
  });

  it('lets the redrive query the pending index, read and update records, put events, read payloads, drain the spool and dead-letter', () => {
    const statements = statementsOfRole(json, roleOfFunction(json, logicalId(json, 'AWS::Lambda::Function', 'HooksRedriveFunction')));
    const table = logicalId(json, 'AWS::DynamoDB::Table', 'HooksTable');
    const bucket = logicalId(json, 'AWS::S3::Bucket', 'HooksPayloadBucket');
    const actions = statements.flatMap(actionsOf).sort();
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}*`]] });
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:'))).map((s) => [actionsOf(s), resourcesOf(s), s.Condition]);
    expect(s3).toEqual(expect.arrayContaining([
      // Listing only under spool/; reading the kept events and the spool; deleting only spooled objects; writing
      // only offloaded parts (an event kept whole while the bucket was down is offloaded before it is published).
      [['s3:ListBucket'], [{ 'Fn::GetAtt': [bucket, 'Arn'] }], { StringLike: { 's3:prefix': ['spool/*'] } }],
      [['s3:GetObject'], [objects('events/'), objects('spool/')], undefined],
      [['s3:DeleteObject'], [objects('spool/')], undefined],
      [['s3:PutObject'], [objects('offload/')], undefined],
    ]));
    expect(s3).toHaveLength(4);
    expect(actions).toEqual([
      'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'events:PutEvents',
      'logs:CreateLogStream', 'logs:PutLogEvents', 's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject',
      // Sending dead letters, and reading them back for `callhooks redrive --dead`.
      'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl',
      'sqs:ReceiveMessage', 'sqs:SendMessage',
    ]);
    const sqsResources = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:'))).flatMap(resourcesOf);
    expect(new Set(sqsResources.map((r) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify({ 'Fn::GetAtt': [logicalId(json, 'AWS::SQS::Queue', 'HooksDeadLetterQueue'), 'Arn'] })]));
    const query = statements.find((s) => actionsOf(s).includes('dynamodb:Query'))!;
    expect(resourcesOf(query)).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/pending']] }]);
  });

  it('uses no AWS managed policy: each function role may only write its own log group', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    const statements = statementsOfRole(json, roleOfFunction(json, fnId(json, 'koeiq')));
    const logsStatement = statements.find((s) => actionsOf(s).includes('logs:PutLogEvents'))!;
    expect(resourcesOf(logsStatement)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^HooksVendorskoeiqLogs/), 'Arn'] }]);
  });

  // ---- storage -----------------------------------------------------------------------------------
  it('keys the table by pk, on demand, with point-in-time recovery, TTL on expiresAt and encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('indexes pending records in the `pending` GSI (pendingShard, leaseUntil), projecting all attributes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [{
        IndexName: 'pending',
        KeySchema: [{ AttributeName: 'pendingShard', KeyType: 'HASH' }, { AttributeName: 'leaseUntil', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'ALL' },
      }],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pendingShard', AttributeType: 'S' },
        { AttributeName: 'leaseUntil', AttributeType: 'N' },
      ]),
    });
  });

  it('retains the table and the bucket by default', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('retains every vendor secret it creates: the value the customer pasted from the vendor outlives the stack and a renamed endpoint', () => {
    const secrets = Object.values(json.Resources).filter((r) => r.Type === 'AWS::SecretsManager::Secret');
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) expect([s.DeletionPolicy, (s as { UpdateReplacePolicy?: string }).UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  it('encrypts the payload bucket, blocks public access, enforces object ownership and keeps no versions', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: Match.absent(),
    });
  });

  it('expires payloads after 30 days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 30, Status: 'Enabled' })]) },
    });
  });

  it('denies requests to the bucket that do not use TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
  });

  it('keeps dead letters 14 days in an encrypted, TLS-only queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('alarms as soon as one message is visible in the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(json, 'AWS::SQS::Queue', 'HooksDeadLetterQueue'), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  // ---- bus and redrive ---------------------------------------------------------------------------
  it('creates an event bus with a generated name', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: Match.stringLikeRegexp('^TestHooksEventBus') });
  });

  it('runs the redrive every minute from the default bus, one at a time, with a 60 s timeout', () => {
    const redrive = logicalId(json, 'AWS::Lambda::Function', 'HooksRedriveFunction');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      EventBusName: Match.absent(),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [redrive, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('publishes accepted events'),
      Timeout: 60,
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  it('gives the redrive its environment', () => {
    const vars = json.Resources[logicalId(json, 'AWS::Lambda::Function', 'HooksRedriveFunction')].Properties.Environment.Variables;
    expect(Object.keys(vars).sort()).toEqual([
      ENV.tableName, ENV.eventBusName, ENV.payloadBucket, ENV.deadLetterQueueUrl, ENV.redriveMaxAgeSeconds, ENV.redriveVendors,
      ENV.maxEventBytes,
      'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE',
    ].sort());
    // Dead by age (24 h), not after a number of runs; only the configured vendors' records are published.
    expect(vars[ENV.redriveMaxAgeSeconds]).toBe('86400');
    expect(vars[ENV.redriveVendors]).toBe(hooks.vendorNames.join(','));
    expect(vars[ENV.deadLetterQueueUrl]).toEqual({ Ref: logicalId(json, 'AWS::SQS::Queue', 'HooksDeadLetterQueue') });
  });

  it('alarms when the redrive function fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(json, 'AWS::Lambda::Function', 'HooksRedriveFunction') } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});

describe('Callhooks defaults', () => {
  // Literals, not the registry: upgrading callhooks must not add a route, a function, a secret or an alarm to a
  // deployment whose configuration has no vendors key, however many built-in vendors a release adds.
  const VENDORS_OF_0_1_0 = ['quarterzip', 'qcall', 'koeiq', 'atoms', 'converc'];

  it('deploys the five vendors of 0.1.0, and no vendor added since, when the configuration has no vendors key', () => {
    for (const props of [{}, { retentionDays: 30 }]) {
      const { hooks, template, json } = build(props);
      expect(hooks.vendorNames).toEqual(VENDORS_OF_0_1_0);
      const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey).sort();
      expect(routes).toEqual(VENDORS_OF_0_1_0.map((name) => `ANY /webhooks/${name}`).sort());
      template.resourceCountIs('AWS::SecretsManager::Secret', VENDORS_OF_0_1_0.length);
      for (const name of VENDORS_OF_0_1_0) expect(fnId(json, name)).toBeDefined();
      const webhookFunctions = Object.keys(json.Resources).filter((id) => json.Resources[id].Type === 'AWS::Lambda::Function' && /^HooksVendors/.test(id));
      expect(webhookFunctions).toHaveLength(VENDORS_OF_0_1_0.length);
    }
  });

  it('deploys a built-in vendor added since 0.1.0 only when the configuration names it', () => {
    const added = BUILT_IN_VENDORS.filter((name) => !VENDORS_OF_0_1_0.includes(name));
    for (const name of added) {
      const { hooks, template } = build({ vendors: { [name]: {} } });
      expect(hooks.vendorNames).toEqual([name]);
      template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    }
  });
});

describe('Callhooks instances side by side', () => {
  it('gives every instance\'s HTTP API its own name, in one stack and across stacks', () => {
    const app = testApp();
    const names = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Api')).map((r) => r.Properties.Name);
    const first = testStack(app, 'Prod');
    new Callhooks(first, 'Hooks');
    new Callhooks(first, 'PartnerHooks');
    const second = new Stack(app, 'Staging', { stackName: 'callhooks-staging' });
    new Callhooks(second, 'Hooks');
    const all = [...names(first), ...names(second)];
    expect(all).toEqual([
      expect.stringMatching(/^Prod-Hooks-Api-/),
      expect.stringMatching(/^Prod-PartnerHooks-Api-/),
      expect.stringMatching(/^callhooks-staging-Hooks-Api-/),
    ]);
    expect(new Set(all).size).toBe(3);
  });
});

describe('Callhooks with existing resources and options', () => {
  it('publishes on an existing bus and creates none', () => {
    const stack = testStack();
    const bus = events.EventBus.fromEventBusName(stack, 'Bus', 'shared-bus');
    const hooks = new Callhooks(stack, 'Hooks', { eventBus: bus });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::EventBus', 0);
    expect(hooks.eventBus).toBe(bus);
    const vars = (template.toJSON() as TemplateJson).Resources[fnId(template.toJSON() as TemplateJson, 'qcall')].Properties.Environment.Variables;
    expect(vars[ENV.eventBusName]).toBe('shared-bus');
  });

  it('names a new bus with eventBusName', () => {
    const { template } = build({ eventBusName: 'calls' });
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'calls' });
  });

  it('uses an existing secret for its vendor, creates the others, and grants only that secret', () => {
    const stack = testStack();
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:qcall-token-AbCdEf';
    const existing = secretsmanager.Secret.fromSecretCompleteArn(stack, 'QcallSecret', arn);
    const hooks = new Callhooks(stack, 'Hooks', { secrets: { qcall: existing } });
    const json = Template.fromStack(stack).toJSON() as TemplateJson;
    expect(hooks.secrets.qcall).toBe(existing);
    expect(Object.values(json.Resources).filter((r) => r.Type === 'AWS::SecretsManager::Secret')).toHaveLength(DEFAULT_VENDORS.length - 1);
    expect(json.Resources[fnId(json, 'qcall')].Properties.Environment.Variables[ENV.secretArn]).toBe(arn);
    const statements = statementsOfRole(json, roleOfFunction(json, fnId(json, 'qcall')));
    const secretStatement = statements.find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))!;
    expect(resourcesOf(secretStatement)).toEqual([arn]);
  });

  it('encrypts the table, the bucket, the queue and the secrets with a customer managed key', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key');
    new Callhooks(stack, 'Hooks', { encryptionKey: key });
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [logicalId(template.toJSON() as TemplateJson, 'AWS::KMS::Key', 'Key'), 'Arn'] };
    template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn } });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn }, BucketKeyEnabled: true }] },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyArn });
    template.allResourcesProperties('AWS::SecretsManager::Secret', { KmsKeyId: keyArn });
  });

  it('lets the functions use the customer managed key', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key');
    new Callhooks(stack, 'Hooks', { encryptionKey: key, vendors: { quarterzip: {} } });
    const json = Template.fromStack(stack).toJSON() as TemplateJson;
    for (const fn of [fnId(json, 'quarterzip'), logicalId(json, 'AWS::Lambda::Function', 'HooksRedriveFunction')]) {
      const actions = statementsOfRole(json, roleOfFunction(json, fn)).flatMap(actionsOf);
      expect(actions).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*']));
    }
  });

  it('applies throttling, retention, schedule, attempts, memory, timeout, removal policy and log retention', () => {
    const { template, json } = build({
      vendors: { quarterzip: {} },
      throttlingRateLimit: 10,
      throttlingBurstLimit: 20,
      payloadRetention: Duration.days(7),
      redriveSchedule: Duration.minutes(5),
      redriveMaxAge: Duration.hours(6),
      memorySize: 512,
      timeout: Duration.seconds(20),
      removalPolicy: RemovalPolicy.DESTROY,
      logRetention: logs.RetentionDays.ONE_WEEK,
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 } });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 7 })]) },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    // The vendor secrets hold what the customer pasted: retained whatever removalPolicy says.
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    const webhook = json.Resources[fnId(json, 'quarterzip')].Properties;
    expect([webhook.MemorySize, webhook.Timeout]).toEqual([512, 20]);
    const redrive = json.Resources[logicalId(json, 'AWS::Lambda::Function', 'HooksRedriveFunction')].Properties;
    expect(redrive.Environment.Variables[ENV.redriveMaxAgeSeconds]).toBe('21600');
  });

  describe('vendorReservedConcurrency', () => {
    /** Every built-in vendor plus custom ones up to `n` vendors in all. */
    const manyVendors = (n: number): CallhooksProps => {
      const builtIn = BUILT_IN_VENDORS.slice(0, n);
      const custom = Array.from({ length: n - builtIn.length }, (_, i) => ({ ...ringly, name: `custom${i}` }));
      return { vendors: Object.fromEntries(builtIn.map((v) => [v, {}])), customVendors: custom };
    };
    const reservations = (j: TemplateJson) => Object.values(j.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function' && /receives/.test(r.Properties.Description))
      .map((r) => r.Properties.ReservedConcurrentExecutions);
    const quotaWarnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('vendorReservedConcurrency'));

    it('reserves 25 per vendor by default: ten vendors take 250 of the default quota of 1,000, and nothing warns', () => {
      const { json, stack, hooks } = build(manyVendors(10));
      expect(hooks.vendorNames).toHaveLength(10);
      expect(reservations(json)).toEqual(Array(10).fill(25));
      expect(quotaWarnings(stack)).toHaveLength(0);
    });

    it('reserves what it is given on every vendor function, and nothing at all with 0 (the account\'s unreserved pool)', () => {
      expect(reservations(build({ vendorReservedConcurrency: 60 }).json)).toEqual(Array(5).fill(60));
      const none = build({ vendorReservedConcurrency: 0 });
      expect(reservations(none.json)).toEqual(Array(5).fill(undefined));
      expect(quotaWarnings(none.stack)).toHaveLength(0);
    });

    it('warns at synth when the instance reserves more than an account with the default quota can (900), naming the quota it needs', () => {
      const { stack } = build({ ...manyVendors(10), vendorReservedConcurrency: 100 });
      const warnings = quotaWarnings(stack);
      expect(warnings).toHaveLength(1);
      expect(JSON.stringify(warnings[0].entry.data)).toMatch(/10 vendor functions × vendorReservedConcurrency 100 reserve 1000 .*at least 1100/);
      // 9 × 100 = 900 is exactly what the default quota allows: no warning.
      expect(quotaWarnings(build({ ...manyVendors(9), vendorReservedConcurrency: 100 }).stack)).toHaveLength(0);
    });

    it('can be turned off for the ready-made app from the command line (-c vendorReservedConcurrency=0), before a first deploy', () => {
      const app = testApp();
      app.node.setContext('vendorReservedConcurrency', '0');
      const ready = new CallhooksStack(app, 'Callhooks', { ...contextProps(app) });
      expect(reservations(Template.fromStack(ready).toJSON() as TemplateJson)).toEqual(Array(5).fill(undefined));
      const plain = testApp();
      expect(contextProps(plain)).toEqual({});
      expect(reservations(Template.fromStack(new CallhooksStack(plain, 'Callhooks', contextProps(plain))).toJSON() as TemplateJson)).toEqual(Array(5).fill(25));
      const typo = testApp();
      typo.node.setContext('vendorReservedConcurrency', 'none');
      expect(() => new CallhooksStack(typo, 'Callhooks', contextProps(typo))).toThrow(/vendorReservedConcurrency must be an integer.*got NaN/);
    });

    it.each([-1, 1.5, 10_001])('refuses %p', (n) => {
      expect(() => build({ vendorReservedConcurrency: n })).toThrow(/vendorReservedConcurrency must be an integer from 0 \(reserve nothing\) to 10000/);
    });
  });

  it('warns at synth, and changes nothing, when the deprecated redriveMaxAttempts is set', () => {
    const { json, stack } = build({ redriveMaxAttempts: 3 });
    const plain = build({}).json;
    const env = (j: typeof json) => j.Resources[logicalId(j, 'AWS::Lambda::Function', 'HooksRedriveFunction')].Properties.Environment.Variables;
    expect(env(json)).toEqual(env(plain));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('redriveMaxAttempts.*no longer used'));
    expect(warnings).toHaveLength(1);
  });

  it('sends the payload bucket access logs to payloadAccessLogsBucket when given', () => {
    const stack = testStack();
    const logsBucket = new s3.Bucket(stack, 'AccessLogs', { enforceSSL: true });
    new Callhooks(stack, 'Hooks', { payloadAccessLogsBucket: logsBucket });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^AccessLogs') }, LogFilePrefix: 'callhooks-payloads/' },
    });
  });
});

describe('Callhooks methods', () => {
  it('grantReadPayloads gives s3:GetObject on the payload objects', () => {
    const stack = testStack();
    const hooks = new Callhooks(stack, 'Hooks');
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const grant = hooks.grantReadPayloads(role);
    expect(grant.success).toBe(true);
    const json = Template.fromStack(stack).toJSON() as TemplateJson;
    const bucket = logicalId(json, 'AWS::S3::Bucket', 'HooksPayloadBucket');
    expect(statementsOfRole(json, logicalId(json, 'AWS::IAM::Role', 'Reader')).map((s) => [actionsOf(s), resourcesOf(s)])).toEqual([
      [['s3:GetObject'], [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] }]],
    ]);
  });

  it('addSubscriber routes every callhooks event on the bus to the target', () => {
    const stack = testStack();
    const hooks = new Callhooks(stack, 'Hooks');
    const queue = new sqs.Queue(stack, 'Inbox');
    const rule = hooks.addSubscriber('ToInbox', new targets.SqsQueue(queue));
    expect(rule).toBeInstanceOf(events.Rule);
    const json = Template.fromStack(stack).toJSON() as TemplateJson;
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(json, 'AWS::Events::EventBus', 'HooksEventBus') },
      EventPattern: { source: [{ prefix: 'callhooks.' }] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(json, 'AWS::SQS::Queue', 'Inbox'), 'Arn'] } })],
    });
  });

  it('addSubscriber uses the pattern it is given', () => {
    const stack = testStack();
    const hooks = new Callhooks(stack, 'Hooks');
    hooks.addSubscriber('Ended', new targets.SqsQueue(new sqs.Queue(stack, 'Inbox')), { detailTypes: [CallEventType.CALL_ENDED] });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'detail-type': ['call.ended'] } });
  });

  it('addSubscriber keeps the callhooks source filter when the pattern sets no source', () => {
    const stack = testStack();
    const hooks = new Callhooks(stack, 'Hooks');
    hooks.addSubscriber('Ended', new targets.SqsQueue(new sqs.Queue(stack, 'Inbox')), {
      detailTypes: [CallEventType.CALL_ENDED], eventPattern: { detail: { test: [false] } },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.exact({ 'source': [{ prefix: 'callhooks.' }], 'detail-type': ['call.ended'], 'detail': { test: [false] } }),
    });
  });

  it('addSubscriber selects vendors by name', () => {
    const stack = testStack();
    const hooks = new Callhooks(stack, 'Hooks');
    hooks.addSubscriber('QcallOnly', new targets.SqsQueue(new sqs.Queue(stack, 'Inbox')), { vendors: ['qcall', 'koeiq'], ruleName: 'qcall-koeiq', description: 'two vendors' });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.exact({ source: ['callhooks.qcall', 'callhooks.koeiq'] }), Name: 'qcall-koeiq', Description: 'two vendors',
    });
  });

  it('addSubscriber uses the source an eventPattern sets, as it is, when it is one of the instance\'s', () => {
    const stack = testStack();
    const hooks = new Callhooks(stack, 'Hooks');
    hooks.addSubscriber('QcallOnly', new targets.SqsQueue(new sqs.Queue(stack, 'Inbox')), { eventPattern: { source: ['callhooks.qcall'] } });
    hooks.addSubscriber('Prefix', new targets.SqsQueue(new sqs.Queue(stack, 'Inbox2')), { eventPattern: { source: events.Match.prefix('callhooks.q') } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.exact({ source: ['callhooks.qcall'] }) });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.exact({ source: [{ prefix: 'callhooks.q' }] }) });
  });

  it.each<[string, object, RegExp]>([
    ['a detail type that is not a normalized type', { eventPattern: { detailType: ['call.end'] } },
      /^Callhooks\.addSubscriber\("Sub"\): the detail type "call\.end" is not a normalized type \(call\.requested, .*\): the rule would never match$/],
    ['a detail type as a plain string', { detailTypes: ['call.end'] },
      /^Callhooks\.addSubscriber\("Sub"\): the detail type "call\.end" is not a normalized type/],
    ['a source outside callhooks', { eventPattern: { source: ['aws.s3'] } },
      /^Callhooks\.addSubscriber\("Sub"\): the source "aws\.s3" is not one of this instance's \(callhooks\.quarterzip, .*\): the rule would never match$/],
    ['a source of a vendor that is off', { eventPattern: { source: ['callhooks.twilio'] } }, /the source "callhooks\.twilio" is not one of this instance's/],
    ['a vendor that is off', { vendors: ['quarterzip', 'ringly'] },
      /^Callhooks\.addSubscriber\("Sub"\): vendors has "ringly", which is not a vendor of this instance \(quarterzip, qcall, koeiq, atoms, converc\)$/],
    ['detailTypes and eventPattern.detailType', { detailTypes: [CallEventType.CALL_ENDED], eventPattern: { detailType: ['call.ended'] } }, /set detailTypes or eventPattern\.detailType, not both/],
    ['vendors and eventPattern.source', { vendors: ['qcall'], eventPattern: { source: ['callhooks.qcall'] } }, /set vendors or eventPattern\.source, not both/],
    ['empty detailTypes', { detailTypes: [] }, /detailTypes is empty/],
  ])('addSubscriber refuses %s', (_name, options, message) => {
    const stack = testStack();
    const hooks = new Callhooks(stack, 'Hooks');
    expect(() => hooks.addSubscriber('Sub', new targets.SqsQueue(new sqs.Queue(stack, 'Inbox')), options as never)).toThrow(message);
  });
});

describe('Callhooks validation', () => {
  const bus = () => events.EventBus.fromEventBusName(new Stack(), 'Bus', 'b');
  const secret = () => secretsmanager.Secret.fromSecretNameV2(new Stack(), 'S', 'x');

  it.each<[string, () => CallhooksProps, RegExp]>([
    ['eventBus with eventBusName', () => ({ eventBus: bus(), eventBusName: 'calls' }),
      /^Callhooks: pass either eventBus .* or eventBusName .*, not both \(eventBusName: "calls"\)$/],
    ['a bad eventBusName', () => ({ eventBusName: 'no spaces' }), /^Callhooks: eventBusName must be .*, got "no spaces"$/],
    ['eventBusName "default"', () => ({ eventBusName: 'default' }), /^Callhooks: eventBusName must be .* not "default", got "default"$/],
    ['a secret for an unknown vendor', () => ({ secrets: { acme: secret() } }),
      new RegExp(`^Callhooks: secrets\\.acme is not an enabled vendor \\(enabled: ${DEFAULT_VENDORS.join(', ')}\\)$`)],
    ['a secret for a disabled vendor', () => ({ vendors: { quarterzip: {}, atoms: { enabled: false } }, secrets: { atoms: secret() } }),
      /^Callhooks: secrets\.atoms is not an enabled vendor/],
    ['throttlingRateLimit 0', () => ({ throttlingRateLimit: 0 }), /^Callhooks: throttlingRateLimit must be a positive number of requests per second, got 0$/],
    ['throttlingRateLimit NaN', () => ({ throttlingRateLimit: NaN }), /^Callhooks: throttlingRateLimit must be .*, got NaN$/],
    ['throttlingBurstLimit 1.5', () => ({ throttlingBurstLimit: 1.5 }), /^Callhooks: throttlingBurstLimit must be a positive integer, got 1\.5$/],
    ['throttlingBurstLimit -1', () => ({ throttlingBurstLimit: -1 }), /^Callhooks: throttlingBurstLimit must be a positive integer, got -1$/],
    ['timeout 30 s', () => ({ timeout: Duration.seconds(30) }), /^Callhooks: timeout must be from 3 to 29 whole seconds .*, got 30 seconds$/],
    ['timeout 2 s', () => ({ timeout: Duration.seconds(2) }), /^Callhooks: timeout must be from 3 to 29 .*, got 2 seconds$/],
    ['timeout 3.5 s', () => ({ timeout: Duration.millis(3500) }), /^Callhooks: timeout must be from 3 to 29 whole seconds/],
    ['memorySize 64', () => ({ memorySize: 64 }), /^Callhooks: memorySize must be an integer from 128 to 10240 \(MiB\), got 64$/],
    ['redriveMaxAge 30 minutes', () => ({ redriveMaxAge: Duration.minutes(30) }), /^Callhooks: redriveMaxAge must be from 1 hour to 14 days .*, got 30 minutes$/],
    ['redriveMaxAge 15 days', () => ({ redriveMaxAge: Duration.days(15) }), /^Callhooks: redriveMaxAge must be from 1 hour to 14 days .*, got 15 days$/],
    ['payloadRetention 12 hours', () => ({ payloadRetention: Duration.hours(12) }), /^Callhooks: payloadRetention must be a whole number of days, at least 1, got 12 hours$/],
    ['redriveSchedule 30 s', () => ({ redriveSchedule: Duration.seconds(30) }), /^Callhooks: redriveSchedule must be a whole number of minutes, at least 1, got 30 seconds$/],
    ['an unknown built-in vendor', () => ({ vendors: { acme: {} } as never }),
      /^Callhooks: invalid config: vendors\.acme is not a built-in vendor/],
    ['a bad custom vendor', () => ({ customVendors: [{ ...ringly, name: 'Ringly' }] }),
      /^Callhooks: invalid config: customVendors\[0\]\.name must be lower case letters/],
    ['no vendor enabled', () => ({ vendors: { quarterzip: { enabled: false } } }),
      /^Callhooks: invalid config: no vendor is enabled/],
    ['a bad limit', () => ({ maxBodyBytes: 10 }), /^Callhooks: invalid config: maxBodyBytes must be an integer from 1024 to 4194304, got 10$/],
    ['a vendor too large for the environment', () => ({
      customVendors: [{ ...ringly, typeMap: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`event.type.${i}`, CallEventType.CALL_ENDED])) }],
    }), /^Callhooks: the configuration of vendor "ringly" is \d+ bytes of JSON, more than the 3072/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => new Callhooks(testStack(), 'Hooks', props())).toThrow(message);
  });

  it('keeps the ConfigError as the cause', () => {
    try {
      new Callhooks(testStack(), 'Hooks', { retentionDays: 1 });
      throw new Error('no error');
    } catch (err) {
      expect((err as Error).message).toMatch(/^Callhooks: invalid config: retentionDays/);
      expect(((err as Error).cause as Error).name).toBe('ConfigError');
    }
  });

  it('skips unresolved tokens', () => {
    const stack = testStack();
    const rate = Lazy.number({ produce: () => 5 });
    expect(() => new Callhooks(stack, 'Hooks', {
      throttlingRateLimit: rate,
      memorySize: Lazy.number({ produce: () => 1024 }),
      eventBusName: Lazy.string({ produce: () => 'calls' }),
    })).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 5 } });
  });
});
