import { Annotations, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../lambda/contracts/env';
import { DEFAULT_REDRIVE_MAX_AGE_MS } from '../lambda/contracts/table';
import type { DedupTable } from './dedup-table';
import type { PayloadBucket } from './payload-bucket';
import { ALARM_PERIOD, alarmOnFirst } from './private/alarm';
import { REDRIVE_BUNDLE } from './private/bundles';
import { sourceOf } from '../lambda/core/event';
import { grantPutEventsFrom } from './private/events';
import { createFunction, grantKeyUse } from './private/function';

/** Properties of a {@link Redrive}. */
export interface RedriveProps {
  readonly table: DedupTable;
  readonly eventBus: events.IEventBus;
  readonly payloadBucket: PayloadBucket;
  /**
   * Where the redrive announces the events it gave up on (`maxAge`), and reads them back to republish them
   * (`callhooks redrive --dead`).
   */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * The vendors whose stored events the redrive publishes: its role may put only their sources
   * (`callhooks.<vendor>`), never another `callhooks.*` source, and it refuses a record whose key is not under
   * its vendor's prefix.
   */
  readonly vendors: readonly string[];

  /**
   * How often the redrive runs (whole minutes).
   *
   * @default Duration.minutes(1)
   */
  readonly schedule?: Duration;

  /**
   * How old (since its receipt) an event that still cannot be published must be before it goes to the
   * dead-letter queue. Between attempts the redrive backs off (1, 2, 4, 8, then every 15 minutes), so an outage
   * of the bus shorter than this kills nothing.
   *
   * @default Duration.hours(24)
   */
  readonly maxAge?: Duration;

  /**
   * No longer used: the redrive gives up by age (`maxAge`), not after a number of attempts. Setting it only
   * adds a synth warning.
   *
   * @deprecated use `maxAge`
   * @default - not used
   */
  readonly maxAttempts?: number;

  /**
   * The largest event put on the bus (bytes): an event kept whole while the payload bucket was down is offloaded
   * down to it before it is published.
   *
   * @default 262144
   */
  readonly maxEventBytes?: number;

  /**
   * Customer managed key of the table, bucket and queue: the function is granted its use.
   *
   * @default - AWS managed keys
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Retention of the function's log group.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Publishes the accepted events that did not reach the bus: a scheduled function that takes each pending
 * record whose lease has ended (a conditional update, so it never races the webhook function or another
 * run), checks that its key belongs to its vendor, publishes it, and — page after page, several requests in
 * flight, until nothing is left or the run's time is nearly out — backs off a record that fails (1, 2, 4, 8,
 * then every 15 minutes) and sends it to the dead-letter queue only once it is older than `maxAge`. A DEAD
 * record keeps its event for at least 14 days. Invoked with `{"republishDead": true}` it publishes the
 * dead-lettered events again. An alarm fires when a run fails.
 */
export class Redrive extends Construct {
  /** The scheduled function. */
  public readonly function: lambda.Function;
  /** Alarms when the function fails (one error or more in 5 minutes). No action is attached. */
  public readonly errorAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RedriveProps) {
    super(scope, id);
    this.function = createFunction(this, {
      bundle: REDRIVE_BUNDLE,
      description: 'callhooks: publishes accepted events that did not reach the bus, dead-letters the hopeless',
      memorySize: 256,
      timeout: Duration.seconds(60),
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      // No reserved concurrency: it fails deployments in new accounts with a low concurrency quota, and two
      // overlapping redrives are safe anyway (each lease is a conditional write).
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.eventBusName]: props.eventBus.eventBusName,
        [ENV.payloadBucket]: props.payloadBucket.bucketName,
        [ENV.deadLetterQueueUrl]: props.deadLetterQueue.queueUrl,
        [ENV.redriveMaxAgeSeconds]: String(props.maxAge?.toSeconds() ?? DEFAULT_REDRIVE_MAX_AGE_MS / 1000),
        [ENV.redriveVendors]: props.vendors.join(','),
        ...(props.maxEventBytes !== undefined ? { [ENV.maxEventBytes]: String(props.maxEventBytes) } : {}),
      },
    });
    if (props.maxAttempts !== undefined) {
      Annotations.of(this).addWarningV2('callhooks:redriveMaxAttempts',
        'maxAttempts (redriveMaxAttempts) is no longer used: the redrive gives up by age, maxAge (redriveMaxAge), default 24 hours');
    }
    props.table.grantRedrive(this.function, props.vendors);
    // It publishes the configured vendors' stored events, under their own sources only.
    grantPutEventsFrom(props.eventBus, this.function, props.vendors.map(sourceOf));
    props.payloadBucket.grantRedrive(this.function);
    props.deadLetterQueue.grantSendMessages(this.function);
    // `callhooks redrive --dead`: it reads the dead letters back, republishes them and deletes the messages.
    props.deadLetterQueue.grantConsumeMessages(this.function);
    grantKeyUse(this.function, props.encryptionKey);

    new events.Rule(this, 'Schedule', {
      description: 'callhooks: runs the redrive',
      schedule: events.Schedule.rate(props.schedule ?? Duration.minutes(1)),
      // A failed run is simply the next scheduled run: no retries that would pile up behind it.
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });

    this.errorAlarm = alarmOnFirst(this, 'ErrorAlarm',
      'callhooks: the redrive function failed; accepted events may be waiting to be published',
      this.function.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }));
  }
}
