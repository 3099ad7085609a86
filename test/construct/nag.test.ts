/**
 * cdk-nag (AwsSolutions) on the ready-made stack with every vendor (examples/all-vendors): no unacknowledged error or warning, and every
 * acknowledgment carries a written reason. cdk-nag 3 is a validation plugin: `validateScope` returns its
 * report directly; registered with `Validations.of(app).addPlugins`, a finding makes `app.synth()` throw.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { Callhooks } from '../../lib';
import { CallhooksStack } from '../../lib/callhooks-stack';
import { allVendorsConfig, testApp, fromConfig } from './app';

/** Findings as `severity rule path` lines, so a failure shows what to fix. */
function findings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} ${r.constructPath}`));
}

/** Every acknowledgment in the tree: construct path, rule id, reason. */
function acknowledgments(scope: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))));
}

describe('cdk-nag AwsSolutions', () => {
  let app: App;

  beforeAll(() => {
    app = testApp();
    new CallhooksStack(app, 'Callhooks', fromConfig(allVendorsConfig()));
  });

  it('finds no unacknowledged error or warning in the ready-made stack', () => {
    expect(findings(app)).toEqual([]);
  });

  it('finds nothing with a customer managed key, an existing bus and an existing secret', () => {
    const other = testApp();
    const stack = new Stack(other, 'Custom');
    new Callhooks(stack, 'Hooks', {
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      eventBus: events.EventBus.fromEventBusName(stack, 'Bus', 'shared'),
      secrets: { qcall: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Qcall', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:qcall-AbCdEf') },
    });
    expect(findings(other)).toEqual([]);
  });

  it('does report an unacknowledged finding (the check is live)', () => {
    const other = testApp();
    const stack = new Stack(other, 'Plain');
    new s3.Bucket(stack, 'Bucket');
    expect(findings(other)).toEqual(expect.arrayContaining(['error AwsSolutions-S10 Plain/Bucket/Resource']));
  });

  it('gives every acknowledgment a written reason of at least 20 characters', () => {
    const acks = acknowledgments(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) expect({ ...ack, long: ack.reason.trim().length >= 20 }).toEqual({ ...ack, long: true });
  });

  it('acknowledges only the deliberate choices', () => {
    const ids = new Set(acknowledgments(app).map((a) => a.id.replace(/^Annotation::/i, '').replace(/\[.*\]$/, '[…]')));
    expect([...ids].sort()).toEqual([
      'AwsSolutions-APIG4', // vendors authenticate by signature, checked in the function
      'AwsSolutions-IAM5[…]', // payload object keys are made at run time
      'AwsSolutions-L1', // runtime pinned to nodejs24.x
      'AwsSolutions-S1', // payload bucket server access logs (optional prop)
      'AwsSolutions-SMG4', // vendor-issued secrets are rotated by the vendor
      'AwsSolutions-SQS3', // the dead-letter queue itself
    ]);
  });

  // CDK's built-in CloudFormation validation stays off here (its engine takes ~7 s to start); `cdk synth` runs it.
  it('lets app.synth() pass with the plugin registered', () => {
    const synthApp = testApp();
    new CallhooksStack(synthApp, 'Callhooks', fromConfig(allVendorsConfig()));
    Validations.of(synthApp).addPlugins(new AwsSolutionsChecks(synthApp));
    expect(() => synthApp.synth()).not.toThrow();
  });
});
