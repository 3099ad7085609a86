import * as path from 'path';
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Callhooks, CallEventType } from 'callhooks';

/**
 * A customer's own stack: callhooks publishes on the customer's bus, receives two vendors (one of them with
 * a secret the customer already keeps in Secrets Manager), and a CRM sync worker takes the ended calls from
 * a queue and may read the payloads that callhooks moved to S3.
 */
export class ConsumerStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // The customer's bus, shared with their other services.
    const bus = new events.EventBus(this, 'CallsBus', { eventBusName: 'calls' });

    // Converc's signing secret already lives in Secrets Manager; Quarterzip gets a new secret from the construct.
    const convercSecret = secretsmanager.Secret.fromSecretNameV2(this, 'ConvercSecret', 'crm/converc-webhook-secret');

    const hooks = new Callhooks(this, 'Callhooks', {
      vendors: { quarterzip: {}, converc: {} },
      eventBus: bus,
      secrets: { converc: convercSecret },
    });

    // Ended calls go to a queue that the CRM sync worker drains.
    const deadLetters = new sqs.Queue(this, 'CrmSyncDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const queue = new sqs.Queue(this, 'CrmSyncQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(60),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
    });
    hooks.addSubscriber('CrmSync', new targets.SqsQueue(queue), { detailTypes: [CallEventType.CALL_ENDED] });

    // The worker is plain JavaScript compiled by tsc from src/: it imports only callhooks' types.
    const worker = new lambda.Function(this, 'CrmSyncWorker', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'crm-sync.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'src')),
      timeout: Duration.seconds(30),
    });
    worker.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
    hooks.grantReadPayloads(worker);
  }
}
