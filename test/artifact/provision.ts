/**
 * Creates a template's resources in moto through the AWS SDK, from the template's own properties (moto's
 * CloudFormation would skip the secrets and the HTTP API, and resolve a `Ref` to the bus badly: see
 * docs/TESTING-ARTIFACT.md). Each resource gets the physical name CloudFormation would generate (stack,
 * logical id, random suffix) unless the template names it; what `Ref` and `Fn::GetAtt` answer is recorded
 * for the Resolver.
 *
 * Created in moto: DynamoDB tables (keys, indexes, billing mode, TTL), S3 buckets, SQS queues, event buses,
 * Secrets Manager secrets (with a generated placeholder, as CloudFormation does). Named but not created,
 * since nothing in the bundles calls them and moto cannot run them: IAM roles and policies (evaluated by
 * test/artifact/iam.ts instead), Lambda functions (run as child processes), log groups (the functions log to
 * stdout, which Lambda's runtime ships), the HTTP API (served by test/artifact/edge.ts), the redrive's schedule
 * (the suite invokes the redrive as the schedule would), alarms, the dashboard, the bus archive, the schema
 * registry and its schemas, bucket and queue policies, permissions.
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { MotoClients } from '../moto/moto-server';
import type { Physical, Pseudo, Template } from './assembly';

/** Types that are named (Ref/GetAtt answer) but not created in moto; anything not listed here or created fails. */
const NAMED_ONLY = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::Lambda::Function',
  'AWS::Lambda::Permission',
  'AWS::Logs::LogGroup',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Stage',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Route',
  'AWS::Events::Rule',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::Events::Archive',
  'AWS::EventSchemas::Registry',
  'AWS::EventSchemas::Schema',
  'AWS::S3::BucketPolicy',
  'AWS::SQS::QueuePolicy',
  // The bus's resource policy denies callhooks sources to every principal but the functions' own roles: the
  // suite's callers are those roles, evaluated on their identity policies (test/construct checks the policy).
  'AWS::Events::EventBusPolicy',
  'AWS::Logs::MetricFilter',
  'AWS::CDK::Metadata',
]);

export interface Provisioned {
  readonly physical: Map<string, Physical>;
  /** Partition key attribute of each created table, by table name (for `dynamodb:LeadingKeys`). */
  readonly partitionKeys: Map<string, string>;
  /** Secret ARN by secret name (a request may name a secret instead of giving its ARN). */
  readonly secretArns: Map<string, string>;
}

const suffix = () => randomBytes(6).toString('hex').toUpperCase();

/** CloudFormation's generated physical name: `<stack>-<logicalId>-<SUFFIX>`, cut to `max`. */
function generatedName(stackName: string, logicalId: string, max: number, lower = false): string {
  const tail = `-${suffix()}`;
  const name = `${stackName}-${logicalId}`.slice(0, max - tail.length) + tail;
  return lower ? name.toLowerCase() : name;
}

export interface ProvisionOptions {
  /**
   * Base URL that queue URLs name instead of moto's: the SDK sends SQS requests to the host of the queue URL
   * (`useQueueUrlAsEndpoint`), not to `AWS_ENDPOINT_URL`, so queue URLs must name the enforcing proxy.
   */
  readonly queueUrlBase?: string;
}

export async function provision(template: Template, clients: MotoClients, pseudo: Pseudo, options: ProvisionOptions = {}): Promise<Provisioned> {
  const { region, accountId, stackName } = pseudo;
  const physical = new Map<string, Physical>();
  const partitionKeys = new Map<string, string>();
  const secretArns = new Map<string, string>();

  for (const [id, r] of Object.entries(template.Resources)) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::DynamoDB::Table': {
        const name: string = p.TableName ?? generatedName(stackName, id, 255);
        const out = await clients.dynamo.send(new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: p.AttributeDefinitions,
          KeySchema: p.KeySchema,
          GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
          LocalSecondaryIndexes: p.LocalSecondaryIndexes,
          BillingMode: p.BillingMode,
          ProvisionedThroughput: p.ProvisionedThroughput,
        }));
        if (p.TimeToLiveSpecification?.Enabled) {
          await clients.dynamo.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: p.TimeToLiveSpecification }));
        }
        const hash = (p.KeySchema as Array<{ AttributeName: string; KeyType: string }>).find((k) => k.KeyType === 'HASH')!;
        partitionKeys.set(name, hash.AttributeName);
        physical.set(id, { ref: name, attributes: { Arn: out.TableDescription!.TableArn! } });
        break;
      }
      case 'AWS::S3::Bucket': {
        const name: string = p.BucketName ?? generatedName(stackName, id, 63, true);
        await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
        physical.set(id, {
          ref: name,
          attributes: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com`, RegionalDomainName: `${name}.s3.${region}.amazonaws.com` },
        });
        break;
      }
      case 'AWS::SQS::Queue': {
        const name: string = p.QueueName ?? generatedName(stackName, id, 80);
        const attributes: Record<string, string> = {};
        for (const k of ['MessageRetentionPeriod', 'VisibilityTimeout', 'DelaySeconds', 'MaximumMessageSize']) {
          if (p[k] !== undefined) attributes[k] = String(p[k]);
        }
        const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
        const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
        const url = options.queueUrlBase ? `${options.queueUrlBase}${new URL(QueueUrl!).pathname}` : QueueUrl!;
        physical.set(id, { ref: url, attributes: { Arn: Attributes!.QueueArn!, QueueName: name, QueueUrl: url } });
        break;
      }
      case 'AWS::Events::EventBus': {
        const name: string = p.Name;
        const out = await clients.eventBridge.send(new CreateEventBusCommand({ Name: name }));
        physical.set(id, { ref: name, attributes: { Arn: out.EventBusArn!, Name: name } });
        break;
      }
      case 'AWS::SecretsManager::Secret': {
        if (p.SecretString !== undefined) throw new Error(`provision: secret ${id} has a SecretString in the template`);
        const name: string = p.Name ?? `${id}-${suffix().slice(0, 12)}`;
        const length = Number(p.GenerateSecretString?.PasswordLength ?? 32);
        // A generated placeholder, as CloudFormation makes it; the suite then puts the vendor's secret.
        const placeholder = randomBytes(length).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(length, 'x').slice(0, length);
        const out = await clients.secrets.send(new CreateSecretCommand({ Name: name, Description: p.Description, SecretString: placeholder }));
        secretArns.set(name, out.ARN!);
        physical.set(id, { ref: out.ARN!, attributes: { Id: out.ARN! } });
        break;
      }
      case 'AWS::IAM::Role': {
        const name = p.RoleName ?? generatedName(stackName, id, 64);
        physical.set(id, { ref: name, attributes: { Arn: `arn:aws:iam::${accountId}:role/${name}`, RoleId: `AROA${suffix()}` } });
        break;
      }
      case 'AWS::Lambda::Function': {
        const name = p.FunctionName ?? generatedName(stackName, id, 64);
        physical.set(id, { ref: name, attributes: { Arn: `arn:aws:lambda:${region}:${accountId}:function:${name}` } });
        break;
      }
      case 'AWS::Logs::LogGroup': {
        const name = p.LogGroupName ?? generatedName(stackName, id, 512);
        physical.set(id, { ref: name, attributes: { Arn: `arn:aws:logs:${region}:${accountId}:log-group:${name}:*` } });
        break;
      }
      case 'AWS::ApiGatewayV2::Api': {
        const apiId = suffix().slice(0, 10).toLowerCase();
        physical.set(id, { ref: apiId, attributes: { ApiId: apiId, ApiEndpoint: `https://${apiId}.execute-api.${region}.amazonaws.com` } });
        break;
      }
      case 'AWS::Events::Rule': {
        const name = p.Name ?? generatedName(stackName, id, 64);
        physical.set(id, { ref: name, attributes: { Arn: `arn:aws:events:${region}:${accountId}:rule/${name}` } });
        break;
      }
      default:
        if (!NAMED_ONLY.has(r.Type)) throw new Error(`provision: resource type ${r.Type} (${id}) is not supported`);
        physical.set(id, { ref: `${id}-${suffix()}`, attributes: {} });
    }
  }
  return { physical, partitionKeys, secretArns };
}
