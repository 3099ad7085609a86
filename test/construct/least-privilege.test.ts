/**
 * Least privilege per vendor, on the ready-made stack with every vendor (examples/all-vendors/callhooks.config.json): each
 * vendor's function may write only its own vendor's records (`dynamodb:LeadingKeys` = `<vendor>#*`), put only
 * events whose `source` is its own, and put payload objects only under its own prefixes; the redrive may
 * publish only callhooks events and read only stored events. The keys and sources come from the same
 * definitions the Lambda code uses (lambda/contracts/table.ts, lambda/contracts/payloads.ts, lambda/core/event.ts).
 * test/artifact/ proves the same grants against the calls the real bundles make.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { PAYLOAD_KINDS, payloadPrefix } from '../../lambda/contracts/payloads';
import { recordKey } from '../../lambda/core/pipeline';
import { sourceOf } from '../../lambda/core/event';
import { BUILT_IN_VENDORS } from '../../lambda/vendors';
import { CallhooksStack } from '../../lib/callhooks-stack';
import { actionsOf, logicalId, allVendorsConfig, resourcesOf, roleOfFunction, statementsOfRole, testApp, fromConfig } from './app';

const app = testApp();
const stack = new CallhooksStack(app, 'Callhooks', fromConfig(allVendorsConfig()));
const json = Template.fromStack(stack).toJSON() as Parameters<typeof statementsOfRole>[0];
const table = logicalId(json, 'AWS::DynamoDB::Table', 'CallhooksTable');
const bucket = logicalId(json, 'AWS::S3::Bucket', 'CallhooksPayloadBucket');
const bus = logicalId(json, 'AWS::Events::EventBus', 'CallhooksEventBus');
const VENDORS = stack.callhooks.vendorNames;

/** A vendor's function, by the start of its logical ID (CDK drops the `-` of a name such as `zz-example`). */
const functionOf = (vendor: string) => `CallhooksVendors${vendor.replace(/[^A-Za-z0-9]/g, '')}Function`;
const statementsOf = (fnPrefix: string) => statementsOfRole(json, roleOfFunction(json, logicalId(json, 'AWS::Lambda::Function', fnPrefix)));
const withAction = (statements: ReturnType<typeof statementsOf>, action: string) => statements.filter((s) => actionsOf(s).includes(action));
const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}*`]] });

describe('each vendor function', () => {
  it('covers every enabled vendor, built-in (the repository configuration turns on each one) and custom', () => {
    expect(VENDORS).toEqual([...BUILT_IN_VENDORS, 'ringly']);
  });

  it.each(VENDORS)('%s writes only records whose key starts with its own name', (vendor) => {
    const statements = statementsOf(functionOf(vendor));
    const writes = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(writes.map((s) => [actionsOf(s), resourcesOf(s), s.Condition])).toEqual([
      [['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [{ 'Fn::GetAtt': [table, 'Arn'] }], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${vendor}#*`] } }],
    ]);
    // The pattern covers the keys the pipeline makes, hashed long keys included.
    expect(recordKey(vendor, 'msg_1')).toMatch(new RegExp(`^${vendor}#`));
    expect(recordKey(vendor, 'x'.repeat(2000))).toMatch(new RegExp(`^${vendor}#sha256:`));
  });

  it.each(VENDORS)('%s puts only events whose source is its own', (vendor) => {
    const puts = withAction(statementsOf(functionOf(vendor)), 'events:PutEvents');
    expect(puts.map((s) => [resourcesOf(s), s.Condition])).toEqual([
      // events:source is multivalued (IAM's service authorization reference): a set operator and a Null guard.
      [[{ 'Fn::GetAtt': [bus, 'Arn'] }], { 'ForAllValues:StringEquals': { 'events:source': sourceOf(vendor) }, Null: { 'events:source': 'false' } }],
    ]);
  });

  it.each(VENDORS)('%s puts payload objects only under its own prefixes (not refused/: the capture is off), and reads none', (vendor) => {
    const statements = statementsOf(functionOf(vendor));
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const own = (Object.keys(PAYLOAD_KINDS) as Array<keyof typeof PAYLOAD_KINDS>).filter((kind) => kind !== 'refused').map((kind) => objects(payloadPrefix(kind, vendor)));
    const sorted = (list: unknown[]) => list.map((r) => JSON.stringify(r)).sort();
    expect(s3.map((s) => actionsOf(s))).toEqual([['s3:PutObject']]);
    expect(sorted(resourcesOf(s3[0]))).toEqual(sorted(own));
  });
});

describe('the redrive', () => {
  const statements = statementsOf('CallhooksRedriveFunction');

  it('publishes only events whose source is one of the configured vendors\' (not any callhooks.* source)', () => {
    expect(withAction(statements, 'events:PutEvents').map((s) => [resourcesOf(s), s.Condition])).toEqual([
      [[{ 'Fn::GetAtt': [bus, 'Arn'] }], { 'ForAllValues:StringEquals': { 'events:source': VENDORS.map(sourceOf) }, Null: { 'events:source': 'false' } }],
    ]);
  });

  it('reads the stored events and the spool, lists and deletes only the spool, and writes only offloaded parts', () => {
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3.map((s) => [actionsOf(s), resourcesOf(s), s.Condition])).toEqual([
      [['s3:ListBucket'], [{ 'Fn::GetAtt': [bucket, 'Arn'] }], { StringLike: { 's3:prefix': [`${PAYLOAD_KINDS.spool}/*`] } }],
      [['s3:GetObject'], [objects(`${PAYLOAD_KINDS.events}/`), objects(`${PAYLOAD_KINDS.spool}/`)], undefined],
      [['s3:DeleteObject'], [objects(`${PAYLOAD_KINDS.spool}/`)], undefined],
      [['s3:PutObject'], [objects(`${PAYLOAD_KINDS.offload}/`)], undefined],
    ]);
  });

  it('keeps what it needs of the table: query the pending index, get and update records, and claim only the configured vendors\' keys (spooled events)', () => {
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => [actionsOf(s), s.Condition])).toEqual([
      [['dynamodb:Query'], undefined],
      [['dynamodb:GetItem', 'dynamodb:UpdateItem'], undefined],
      [['dynamodb:PutItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': VENDORS.map((v) => `${v}#*`) } }],
    ]);
  });
});
