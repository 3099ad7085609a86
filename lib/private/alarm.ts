import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** Every callhooks alarm looks at 5 minutes of its metric. */
export const ALARM_PERIOD = Duration.minutes(5);

/**
 * A critical alarm that fires as soon as `metric` reaches 1 in one period, and stays quiet when the metric has no
 * data (no messages, no invocations). Its description ends with its severity, as every callhooks alarm's does. No
 * action is attached here: the monitoring adds the critical action.
 */
export function alarmOnFirst(scope: Construct, id: string, alarmDescription: string, metric: cloudwatch.IMetric): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: `${alarmDescription} Severity: critical.`,
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
