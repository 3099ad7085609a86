import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueue, ReceivedDeadLetter } from '../../core/ports';

/** Where the named stores are, added to each message so that whoever reads it knows where to look. */
export interface DeadLetterLocation {
  /** The dedup table holding the DEAD record (and its event, unless it is in the payload bucket). */
  readonly table?: string;
  /** The payload bucket (for an event kept there). */
  readonly bucket?: string;
}

/**
 * Dead-letter queue on SQS. The message names the record (key, vendor, eventId) and where its event is, without
 * the event itself: SQS messages stop at 256 KB and the event stays in the table (or the payload bucket).
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly location: DeadLetterLocation = {},
  ) {}

  async send(letter: DeadLetter): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ ...letter, ...this.location }) }));
  }

  async receive(max: number): Promise<readonly ReceivedDeadLetter[]> {
    const out = await this.client.send(
      // Hidden for 5 minutes while they are republished; a message that fails comes back after that.
      new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: Math.min(10, Math.max(1, max)), WaitTimeSeconds: 0, VisibilityTimeout: 300 }),
    );
    const letters: ReceivedDeadLetter[] = [];
    for (const m of out.Messages ?? []) {
      const letter = parseLetter(m.Body);
      if (letter && m.ReceiptHandle) letters.push({ letter, handle: m.ReceiptHandle });
    }
    return letters;
  }

  async remove(handles: readonly string[]): Promise<void> {
    // One DeleteMessage each (a batch would report failures per entry, to be checked one by one anyway).
    await Promise.all(handles.map((h) => this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: h }))));
  }
}

/**
 * A dead-letter message as written by this version (`key` at the top) or by 0.1.0 (`{ reason, record }`);
 * undefined for anything else.
 */
export function parseLetter(body: string | undefined): DeadLetter | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
  const v = value as Partial<DeadLetter> & { record?: Partial<DeadLetter> & { eventBlobKey?: string } };
  if (typeof v?.key === 'string') return v as DeadLetter;
  const r = v?.record;
  if (typeof r?.key !== 'string') return undefined;
  return {
    reason: String(v.reason ?? ''),
    key: r.key,
    vendor: String(r.vendor ?? ''),
    eventId: String(r.eventId ?? ''),
    receivedAt: String(r.receivedAt ?? ''),
    attempts: Number(r.attempts ?? 0),
    event: r.eventBlobKey ? { in: 'payload-bucket', key: r.eventBlobKey } : { in: 'record' },
    republish: 'callhooks redrive --dead',
  };
}
