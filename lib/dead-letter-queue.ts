import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeIsDeadLetterQueue } from './private/nag';

/** Properties of a {@link DeadLetterQueue}. */
export interface DeadLetterQueueProps {
  /**
   * Customer managed key to encrypt the messages with.
   *
   * @default - SSE-SQS
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Where the redrive sends the records it could not publish after every attempt: encrypted, TLS only, messages
 * kept 14 days (the longest SQS allows). The record itself stays in the table, marked `DEAD`, with its event.
 */
export class DeadLetterQueue extends sqs.Queue {
  constructor(scope: Construct, id: string, props: DeadLetterQueueProps = {}) {
    super(scope, id, {
      encryption: props.encryptionKey ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeIsDeadLetterQueue(this);
  }
}
