import { appendFile, chmod, readFile, rename, writeFile } from 'node:fs/promises';
import type { DeadLetter, DeadLetterQueue, ReceivedDeadLetter } from '../../core/ports';
import { parseLetter } from '../aws/sqs-dead-letters';
import { PRIVATE_FILE_MODE } from './private-files';

/**
 * Local stand-in for the dead-letter queue: one JSON line per event given up on, in a file of mode 0600.
 * Read back line by line (a handle is the line's number in the file as first read); removing rewrites the file
 * without those lines, keeping any written since.
 */
export class FileDeadLetterQueue implements DeadLetterQueue {
  private restricted = false;
  private snapshot?: string[];
  private cursor = 0;

  constructor(private readonly file: string) {}

  async send(letter: DeadLetter): Promise<void> {
    await appendFile(this.file, JSON.stringify(letter) + '\n', { encoding: 'utf8', mode: PRIVATE_FILE_MODE });
    // A file an older version created 0644 is made private too.
    if (!this.restricted) await chmod(this.file, PRIVATE_FILE_MODE);
    this.restricted = true;
  }

  private async lines(): Promise<string[]> {
    try {
      return (await readFile(this.file, 'utf8')).split('\n').filter((l) => l !== '');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async receive(max: number): Promise<readonly ReceivedDeadLetter[]> {
    this.snapshot ??= await this.lines();
    const out: ReceivedDeadLetter[] = [];
    for (; this.cursor < this.snapshot.length && out.length < max; this.cursor++) {
      const letter = parseLetter(this.snapshot[this.cursor]);
      if (letter) out.push({ letter, handle: String(this.cursor) });
    }
    return out;
  }

  async remove(handles: readonly string[]): Promise<void> {
    if (!this.snapshot || handles.length === 0) return;
    const gone = new Set(handles.map(Number));
    const now = await this.lines();
    // Lines appended since the snapshot are kept as they are.
    const kept = [...this.snapshot.filter((_, i) => !gone.has(i)), ...now.slice(this.snapshot.length)];
    for (const i of gone) this.snapshot[i] = '';
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, kept.map((l) => `${l}\n`).join(''), { encoding: 'utf8', mode: PRIVATE_FILE_MODE });
    await rename(tmp, this.file);
  }
}
