/**
 * Upgrade safety: the stateful resources keep their logical IDs. A changed logical ID makes CloudFormation
 * replace the resource on the customer's next deploy: a new table forgets every delivery it has seen (so
 * redeliveries publish twice), a new secret loses the value the customer put in. Never update these values to
 * make the test pass; a refactoring that moves constructs must keep the IDs (e.g. with overrideLogicalId).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { CallhooksStack } from '../../lib/callhooks-stack';
import { Callhooks } from '../../lib';
import { allVendorsConfig, testApp, testStack, fromConfig } from '../construct/app';

const STATEFUL = [
  'AWS::DynamoDB::Table',
  'AWS::S3::Bucket',
  'AWS::SQS::Queue',
  'AWS::Events::EventBus',
  'AWS::SecretsManager::Secret',
];

function statefulIds(template: Template): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const type of STATEFUL) out[type] = Object.keys(template.findResources(type)).sort();
  return out;
}

describe('stateful resources keep their logical IDs', () => {
  it('in the ready stack with every vendor (examples/all-vendors/callhooks.config.json)', () => {
    const stack = new CallhooksStack(testApp(), 'Callhooks', fromConfig(allVendorsConfig()));
    expect(statefulIds(Template.fromStack(stack))).toEqual({
      'AWS::DynamoDB::Table': ['CallhooksTable3C9841AF'],
      'AWS::S3::Bucket': ['CallhooksPayloadBucket4536FD46'],
      'AWS::SQS::Queue': ['CallhooksDeadLetterQueue669F9BCE'],
      'AWS::Events::EventBus': ['CallhooksEventBusDBD242A1'],
      'AWS::SecretsManager::Secret': [
        'CallhooksVendorsatomsSecretC5B8604B',
        'CallhooksVendorsblandSecret0B0D9E27',
        'CallhooksVendorsconvercSecret2A103D52',
        'CallhooksVendorselevenlabsSecret4517CD06',
        'CallhooksVendorskoeiqSecret6C479223',
        'CallhooksVendorslivekitSecret7DFDC412',
        'CallhooksVendorsopenaiSecretBE03F669',
        'CallhooksVendorsqcallSecret318F12C6',
        'CallhooksVendorsquarterzipSecret74EA06A1',
        'CallhooksVendorsretellSecretF8059F33',
        'CallhooksVendorsringlySecret209050FC',
        'CallhooksVendorstelnyxSecret964162AB',
        'CallhooksVendorstwilioSecretF792EEC8',
        'CallhooksVendorsultravoxSecret32CFF52D',
        'CallhooksVendorsvapiSecret01B7F21D',
        'CallhooksVendorsvonageSecret852EAF32',
      ],
    });
  });

  it('in a customer stack with the construct id "Hooks" and the default vendors', () => {
    const stack = testStack();
    new Callhooks(stack, 'Hooks');
    expect(statefulIds(Template.fromStack(stack))).toEqual({
      'AWS::DynamoDB::Table': ['HooksTableD2698C51'],
      'AWS::S3::Bucket': ['HooksPayloadBucketE854410B'],
      'AWS::SQS::Queue': ['HooksDeadLetterQueueF48BB144'],
      'AWS::Events::EventBus': ['HooksEventBus6E3EAC30'],
      'AWS::SecretsManager::Secret': [
        'HooksVendorsatomsSecret0DFC0269',
        'HooksVendorsconvercSecret7CBB3899',
        'HooksVendorskoeiqSecretF58760DE',
        'HooksVendorsqcallSecret3930739C',
        'HooksVendorsquarterzipSecret52526DB5',
      ],
    });
  });
});
