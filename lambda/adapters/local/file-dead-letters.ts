import { appendFile } from 'node:fs/promises';
import type { DeadLetterQueue, DedupRecord } from '../../core/ports';

/** Local stand-in for the dead-letter queue: one JSON line per record given up on. */
export class FileDeadLetterQueue implements DeadLetterQueue {
  constructor(private readonly file: string) {}

  async send(record: DedupRecord, reason: string): Promise<void> {
    const { eventJson: _event, ...ref } = record;
    await appendFile(this.file, JSON.stringify({ reason, record: ref }) + '\n', 'utf8');
  }
}
