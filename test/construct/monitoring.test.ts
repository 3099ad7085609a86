/** Metrics namespace, dashboard and alarms: what the template holds, with and without the options. */
import { Template, Match } from 'aws-cdk-lib/assertions';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Callhooks, CallhooksProps } from '../../lib';
import { ALARM_THRESHOLDS } from '../../lib/monitoring';
import { logicalId, testStack } from './app';
import { pascal } from '../../lib/private/names';
import { Stack } from 'aws-cdk-lib';

const VENDORS = ['quarterzip', 'qcall', 'koeiq', 'atoms', 'converc'];

/** A stack with one Callhooks; with `paging`, its alarmAction is an SNS action on the topic `Pager`. */
function build(props: CallhooksProps = {}, options: { paging?: boolean } = {}) {
  const stack = testStack();
  const topic = new sns.Topic(stack, 'Pager');
  const hooks = new Callhooks(stack, 'Hooks', options.paging ? { ...props, alarmAction: new cw_actions.SnsAction(topic) } : props);
  const template = Template.fromStack(stack);
  return { stack, topic, hooks, template, json: template.toJSON() as { Resources: Record<string, any> } };
}

describe('metrics namespace', () => {
  it('is Callhooks by default on every function', () => {
    const { template } = build();
    const fns = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fns).toHaveLength(VENDORS.length + 1);
    for (const fn of fns) expect(fn.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('Callhooks');
  });

  it('is the one given, in the functions and the alarms', () => {
    const { template } = build({ metricsNamespace: 'Prod/Callhooks' });
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('Prod/Callhooks');
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'Prod/Callhooks', MetricName: 'Unauthorized' });
  });

  it.each(['', 'AWS/Lambda', 'bad\nname', 'x'.repeat(256)])('refuses %j', (ns) => {
    expect(() => build({ metricsNamespace: ns })).toThrow(/Callhooks: metricsNamespace must be 1 to 255/);
  });
});

describe('dashboard', () => {
  it('is there by default, with every vendor and the redrive', () => {
    const { template } = build();
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const v of VENDORS) expect(body).toContain(`${v}: deliveries by outcome`);
    for (const m of ['Unauthorized', 'AcceptedNotPublished', 'Latency', 'Offloads', 'RedriveOldestPendingAge', 'RedriveBacklog']) expect(body).toContain(m);
  });

  it('takes a name', () => {
    build({ dashboardName: 'callhooks-prod' }).template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'callhooks-prod' });
  });

  it('is absent when dashboard is false, and the alarms stay', () => {
    const { template, hooks } = build({ dashboard: false });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(hooks.dashboard).toBeUndefined();
    expect(hooks.alarms.length).toBeGreaterThan(0);
  });
});

describe('alarms', () => {
  it('exposes every alarm of the template', () => {
    const { template, hooks } = build();
    const ids = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    // 5 per vendor, the API's 5xx and 429s, the redrive backlog age, the dead-letter queue and the redrive errors.
    expect(ids).toHaveLength(VENDORS.length * 5 + 5);
    expect(hooks.alarms).toHaveLength(ids.length);
    expect(hooks.alarms).toContain(hooks.deadLetterAlarm);
    expect(hooks.alarms).toContain(hooks.redriveErrorAlarm);
  });

  it('attaches the deprecated alarmAction to every alarm, as before (no OK action)', () => {
    const { template, json } = build({}, { paging: true });
    const topicId = logicalId(json as never, 'AWS::SNS::Topic', 'Pager');
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBe(VENDORS.length * 5 + 5);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    for (const alarm of alarms) expect(alarm.Properties.OKActions).toBeUndefined();
  });

  it('has no action without alarmAction', () => {
    const { template } = build();
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toBeUndefined();
  });

  it('keeps the logical IDs of the alarms that existed before', () => {
    const { json } = build();
    expect(logicalId(json as never, 'AWS::CloudWatch::Alarm', 'HooksDeadLetterAlarm')).toMatch(/^HooksDeadLetterAlarm[0-9A-F]{8}$/);
    expect(logicalId(json as never, 'AWS::CloudWatch::Alarm', 'HooksRedriveErrorAlarm')).toMatch(/^HooksRedriveErrorAlarm[0-9A-F]{8}$/);
  });

  it.each(VENDORS)('%s: a burst of unauthorized deliveries, unavailable and accepted-not-published answers', (vendor) => {
    const { template, hooks } = build();
    const dims = [{ Name: 'service', Value: 'callhooks' }, { Name: 'vendor', Value: vendor }];
    for (const [metric, threshold] of [['Unauthorized', ALARM_THRESHOLDS.unauthorized], ['Unavailable', ALARM_THRESHOLDS.unavailable], ['AcceptedNotPublished', ALARM_THRESHOLDS.acceptedNotPublished]] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'Callhooks', MetricName: metric, Dimensions: Match.arrayEquals(dims), Statistic: 'Sum', Period: 300,
        Threshold: threshold, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
      });
    }
    expect(hooks.alarms.filter((a) => a.node.id === `${pascal(vendor)}UnauthorizedAlarm`)).toHaveLength(1);
  });

  it('alarms on each webhook function\'s errors and throttles', () => {
    const { template, json } = build();
    for (const v of VENDORS) {
      const fn = logicalId(json as never, 'AWS::Lambda::Function', `HooksVendors${v}Function`);
      for (const metric of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }], Threshold: 1,
        });
      }
    }
  });

  it('alarms on API 5xx and on the age of the oldest pending event', () => {
    const { template, json } = build();
    const api = logicalId(json as never, 'AWS::ApiGatewayV2::Api', 'HooksApi');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: { Ref: api } }], Statistic: 'Sum', Threshold: ALARM_THRESHOLDS.api5xx,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Callhooks', MetricName: 'RedriveOldestPendingAge', Dimensions: [{ Name: 'service', Value: 'callhooks' }], Statistic: 'Maximum', Threshold: 900,
    });
  });
});

describe('alarms by severity', () => {
  /** Two topics: `Critical` and `Warning`, each an SNS action. */
  function severities(props: CallhooksProps = {}, which: { critical?: boolean; warning?: boolean } = { critical: true, warning: true }) {
    const stack = testStack();
    const critical = new sns.Topic(stack, 'Critical');
    const warning = new sns.Topic(stack, 'Warning');
    const hooks = new Callhooks(stack, 'Hooks', {
      ...props,
      criticalAlarmAction: which.critical ? new cw_actions.SnsAction(critical) : undefined,
      warningAlarmAction: which.warning ? new cw_actions.SnsAction(warning) : undefined,
    });
    const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, any> };
    const topic = (id: string) => ({ Ref: logicalId(json as never, 'AWS::SNS::Topic', id) });
    const props_ = (a: { node: { defaultChild?: unknown } }) => json.Resources[Stack.of(stack).getLogicalId(a.node.defaultChild as never)].Properties;
    return { hooks, json, topic, props: props_ };
  }

  /** The alarm of `hooks` whose construct id is `id`. */
  const alarm = (hooks: Callhooks, id: string) => {
    const found = hooks.alarms.find((a) => a.node.id === id);
    if (!found) throw new Error(`no alarm ${id}`);
    return found;
  };
  const WARNING_IDS = VENDORS.flatMap((v) => [`${pascal(v)}UnauthorizedAlarm`, `${pascal(v)}AcceptedNotPublishedAlarm`]);
  const CRITICAL_IDS = ['DeadLetterAlarm', 'ErrorAlarm', 'RedriveBacklogAgeAlarm', 'Api5xxAlarm', 'ApiThrottledAlarm',
    ...VENDORS.flatMap((v) => [`${pascal(v)}UnavailableAlarm`, `${pascal(v)}FunctionErrorAlarm`, `${pascal(v)}FunctionThrottleAlarm`])];

  it('pages (critical) for lost or held-back events and only warns for refused signatures and events waiting for the redrive', () => {
    const { hooks, topic, props } = severities();
    expect(hooks.alarms.map((a) => a.node.id).sort()).toEqual([...WARNING_IDS, ...CRITICAL_IDS].sort());
    expect(hooks.redriveErrorAlarm.node.id).toBe('ErrorAlarm');
    for (const id of WARNING_IDS) expect(props(alarm(hooks, id)).AlarmActions).toEqual([topic('Warning')]);
    for (const id of CRITICAL_IDS) expect(props(alarm(hooks, id)).AlarmActions).toEqual([topic('Critical')]);
  });

  it('gives each alarm its severity\'s action, as alarm and OK action, and says its severity in its description', () => {
    const { hooks, topic, props } = severities();
    for (const id of CRITICAL_IDS) {
      expect(props(alarm(hooks, id))).toMatchObject({ AlarmActions: [topic('Critical')], OKActions: [topic('Critical')], AlarmDescription: expect.stringMatching(/Severity: critical\.$/) });
    }
    for (const id of WARNING_IDS) {
      expect(props(alarm(hooks, id))).toMatchObject({ AlarmActions: [topic('Warning')], OKActions: [topic('Warning')], AlarmDescription: expect.stringMatching(/Severity: warning\.$/) });
    }
  });

  it('leaves a severity without an action when only the other is given, and OK actions can be turned off', () => {
    const { hooks, props } = severities({ alarmOkActions: false }, { critical: true });
    for (const id of WARNING_IDS) expect(props(alarm(hooks, id)).AlarmActions).toBeUndefined();
    for (const id of CRITICAL_IDS) expect(props(alarm(hooks, id)).OKActions).toBeUndefined();
  });

  it('lets a severity\'s own action win over the deprecated alarmAction, which still covers the other', () => {
    const stack = testStack();
    const old = new sns.Topic(stack, 'Old');
    const critical = new sns.Topic(stack, 'Critical');
    const hooks = new Callhooks(stack, 'Hooks', { alarmAction: new cw_actions.SnsAction(old), criticalAlarmAction: new cw_actions.SnsAction(critical) });
    const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, any> };
    const ref = (id: string) => ({ Ref: logicalId(json as never, 'AWS::SNS::Topic', id) });
    const actionsOf = (a: { node: { defaultChild?: unknown } }) => json.Resources[stack.getLogicalId(a.node.defaultChild as never)].Properties.AlarmActions;
    expect(actionsOf(alarm(hooks, 'Api5xxAlarm'))).toEqual([ref('Critical')]);
    expect(actionsOf(alarm(hooks, 'QcallUnauthorizedAlarm'))).toEqual([ref('Old')]);
  });
});

describe('throttled requests', () => {
  it('counts the API\'s 429 answers from its access log and alarms at the first one', () => {
    const { template, json } = build();
    const accessLogs = logicalId(json as never, 'AWS::Logs::LogGroup', 'HooksApiAccessLogs');
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: accessLogs },
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [{ MetricNamespace: 'Callhooks', MetricName: 'ThrottledRequests', MetricValue: '1' }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Callhooks', MetricName: 'ThrottledRequests', Statistic: 'Sum', Period: 300, Threshold: ALARM_THRESHOLDS.apiThrottled,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
  });
});

