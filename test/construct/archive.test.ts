/** The archive of the published events: its pattern, its retention, a bus passed in, and turning it off. */
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Callhooks, CallhooksProps } from '../../lib';
import { CallhooksStack } from '../../lib/callhooks-stack';
import { logicalId, testApp, testStack } from './app';

function template(props: CallhooksProps = {}): Template {
  const stack = testStack();
  new Callhooks(stack, 'Hooks', props);
  return Template.fromStack(stack);
}

describe('event archive', () => {
  it('archives the events whose source starts with callhooks. from the construct bus, for 30 days by default', () => {
    const t = template();
    const busId = logicalId(t.toJSON() as never, 'AWS::Events::EventBus', 'HooksEventBus');
    t.resourceCountIs('AWS::Events::Archive', 1);
    t.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      EventPattern: { source: [{ prefix: 'callhooks.' }] },
      RetentionDays: 30,
    });
  });

  it('keeps the retention it is given, in days', () => {
    template({ archiveRetention: Duration.days(400) }).hasResourceProperties('AWS::Events::Archive', { RetentionDays: 400 });
  });

  it('keeps events forever with a retention of 0 days', () => {
    template({ archiveRetention: Duration.days(0) }).hasResourceProperties('AWS::Events::Archive', { RetentionDays: 0 });
  });

  it.each([Duration.hours(36), Duration.minutes(90)])('refuses a retention of %s', (retention) => {
    expect(() => template({ archiveRetention: retention })).toThrow(/Callhooks: archiveRetention must be a whole number of days \(0 keeps events forever\)/);
  });

  it('archives from a bus passed in', () => {
    const stack = testStack();
    const bus = events.EventBus.fromEventBusArn(stack, 'Shared', 'arn:aws:events:us-east-1:111122223333:event-bus/shared');
    new Callhooks(stack, 'Hooks', { eventBus: bus });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Archive', {
      SourceArn: 'arn:aws:events:us-east-1:111122223333:event-bus/shared',
      EventPattern: { source: [{ prefix: 'callhooks.' }] },
    });
  });

  it('encrypts with the customer managed key when one is given', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new Callhooks(stack, 'Hooks', { encryptionKey: key });
    const keyId = logicalId(Template.fromStack(stack).toJSON() as never, 'AWS::KMS::Key', 'Key');
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Archive', { KmsKeyIdentifier: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it('is absent when archive is false', () => {
    template({ archive: false }).resourceCountIs('AWS::Events::Archive', 0);
  });

  it('is exposed, and the ready stack outputs its name and ARN (what callhooks replay takes), the registry and the redrive function', () => {
    const stack = new CallhooksStack(testApp(), 'Callhooks');
    expect(stack.callhooks.archive).toBeInstanceOf(events.Archive);
    const t = Template.fromStack(stack);
    const archiveId = logicalId(t.toJSON() as never, 'AWS::Events::Archive', 'CallhooksArchive');
    t.hasOutput('ArchiveName', { Value: { Ref: archiveId } });
    t.hasOutput('ArchiveArn', { Value: { 'Fn::GetAtt': [archiveId, 'Arn'] } });
    t.hasOutput('RedriveFunctionName', { Value: { Ref: logicalId(t.toJSON() as never, 'AWS::Lambda::Function', 'CallhooksRedriveFunction') } });
    t.hasOutput('SchemaRegistryName', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CallhooksSchemasRegistry'), 'RegistryName'] } });
  });
});
