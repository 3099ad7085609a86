/**
 * The construct's `captureRefused`: off by default (no variable, no `refused/` grant, no rule); on, every webhook
 * function gets the rate, may write under its own `refused/<vendor>/` only, and `refused/` expires after the
 * retention; bad values are refused at synth with a message naming the field.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Callhooks, type CallhooksProps } from '../../lib';
import { ENV } from '../../lambda/contracts/env';
import { CallhooksStack, contextProps } from '../../lib/callhooks-stack';
import { testApp } from './app';

const VENDORS = { vendors: { qcall: {}, koeiq: {} } };

interface Synth {
  readonly perMinute: Array<string | undefined>;
  /** The `s3:PutObject` resources of every role, as JSON text. */
  readonly puts: string;
  readonly rules: Array<Record<string, unknown>>;
}

function synth(props: Partial<CallhooksProps> = {}): Synth {
  const stack = new Stack(testApp(), 'S');
  new Callhooks(stack, 'Hooks', { ...VENDORS, ...props });
  const template = Template.fromStack(stack);
  const functions = Object.values(template.findResources('AWS::Lambda::Function'))
    .map((f) => (f as { Properties: { Environment?: { Variables?: Record<string, string> } } }).Properties.Environment?.Variables ?? {})
    .filter((vars) => vars[ENV.vendorConfig] !== undefined);
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } }).Properties.PolicyDocument.Statement);
  const puts = statements.filter((s) => [s.Action].flat().includes('s3:PutObject')).map((s) => s.Resource);
  const [bucket] = Object.values(template.findResources('AWS::S3::Bucket', { Properties: { LifecycleConfiguration: {} } }));
  const rules = (bucket as { Properties: { LifecycleConfiguration: { Rules: Array<Record<string, unknown>> } } }).Properties.LifecycleConfiguration.Rules;
  return { perMinute: functions.map((vars) => vars[ENV.captureRefusedPerMinute]), puts: JSON.stringify(puts), rules };
}

describe('captureRefused', () => {
  it('is off by default: no variable, no grant under refused/, no rule', () => {
    const s = synth();
    expect(s.perMinute).toEqual([undefined, undefined]);
    expect(s.puts).toContain('/rejected/qcall/*');
    expect(s.puts).not.toContain('refused/');
    expect(s.rules.map((r) => r.Id)).toEqual(['expire-payloads']);
  });

  it('with {} captures 10 a minute, lets each function write its own refused/<vendor>/ only, and expires refused/ after a day', () => {
    const s = synth({ captureRefused: {} });
    expect(s.perMinute).toEqual(['10', '10']);
    expect(s.puts).toContain('/refused/qcall/*');
    expect(s.puts).toContain('/refused/koeiq/*');
    expect(s.puts).not.toMatch(/\/refused\/\*/);
    expect(s.rules).toContainEqual({ Id: 'expire-refused-captures', Prefix: 'refused/', ExpirationInDays: 1, Status: 'Enabled' });
    expect(s.rules).toContainEqual(expect.objectContaining({ Id: 'expire-payloads', ExpirationInDays: 30 }));
  });

  it('adds no unacknowledged cdk-nag finding (the refused/<vendor>/ grant is acknowledged like the other prefixes)', () => {
    const stack = new Stack(testApp(), 'S');
    new Callhooks(stack, 'Hooks', { ...VENDORS, captureRefused: {} });
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`))).toEqual([]);
  });

  it('is turned on in the ready-made app by -c captureRefusedPerMinute=<n>, and off without it', () => {
    const withContext = (value: string) => {
      const app = testApp();
      app.node.setContext('captureRefusedPerMinute', value);
      return app;
    };
    const app = withContext('4');
    expect(contextProps(app)).toEqual({ captureRefused: { perMinute: 4 } });
    const vars = Object.values(Template.fromStack(new CallhooksStack(app, 'Callhooks', contextProps(app))).findResources('AWS::Lambda::Function'))
      .map((f) => (f as { Properties: { Environment?: { Variables?: Record<string, string> } } }).Properties.Environment?.Variables ?? {})
      .filter((v) => v[ENV.vendorConfig] !== undefined);
    expect(vars.length).toBeGreaterThan(0);
    expect(vars.map((v) => v[ENV.captureRefusedPerMinute])).toEqual(vars.map(() => '4'));
    expect(contextProps(testApp())).toEqual({});
    const typo = withContext('ten');
    expect(() => new CallhooksStack(typo, 'Callhooks', contextProps(typo))).toThrow(/captureRefused.perMinute must be an integer from 1 to 600 \(got NaN\)/);
  });

  it('takes the rate and the retention given', () => {
    const s = synth({ captureRefused: { perMinute: 600, retention: Duration.days(7) } });
    expect(s.perMinute).toEqual(['600', '600']);
    expect(s.rules).toContainEqual(expect.objectContaining({ Prefix: 'refused/', ExpirationInDays: 7 }));
  });

  it.each([
    [{ perMinute: 0 }, /captureRefused.perMinute must be an integer from 1 to 600 \(got 0\)/],
    [{ perMinute: 601 }, /from 1 to 600 \(got 601\)/],
    [{ perMinute: 2.5 }, /from 1 to 600 \(got 2.5\)/],
    [{ retention: Duration.hours(12) }, /captureRefused.retention must be whole days, at least 1 \(got 12 hours\)/],
    [{ retention: Duration.hours(36) }, /must be whole days/],
    [{ retention: Duration.days(31) }, /captureRefused.retention \(31 days\) must not exceed payloadRetention \(30 days\)/],
  ])('refuses %o at synth with a message that says why', (captureRefused, message) => {
    expect(() => synth({ captureRefused })).toThrow(message);
  });
});
