import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterQueue, DedupRecord } from '../../core/ports';

/**
 * Dead-letter queue on SQS. The message names the record (vendor, key, eventId) and where its event
 * is, without the event itself: SQS messages stop at 256 KB and the event stays in the table.
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(record: DedupRecord, reason: string): Promise<void> {
    const { eventJson: _omitted, ...ref } = record;
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ reason, record: ref }) }));
  }
}
