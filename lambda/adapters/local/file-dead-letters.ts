import { appendFile, chmod } from 'node:fs/promises';
import type { DeadLetterQueue, DedupRecord } from '../../core/ports';
import { PRIVATE_FILE_MODE } from './private-files';

/** Local stand-in for the dead-letter queue: one JSON line per record given up on, in a file of mode 0600. */
export class FileDeadLetterQueue implements DeadLetterQueue {
  private restricted = false;

  constructor(private readonly file: string) {}

  async send(record: DedupRecord, reason: string): Promise<void> {
    const { eventJson: _event, ...ref } = record;
    await appendFile(this.file, JSON.stringify({ reason, record: ref }) + '\n', { encoding: 'utf8', mode: PRIVATE_FILE_MODE });
    // A file an older version created 0644 is made private too.
    if (!this.restricted) await chmod(this.file, PRIVATE_FILE_MODE);
    this.restricted = true;
  }
}
