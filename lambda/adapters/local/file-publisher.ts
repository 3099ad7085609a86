import { constants } from 'node:fs';
import { FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { BusEntry, EventPublisher } from '../../core/ports';
import { makePrivateDir, PRIVATE_FILE_MODE } from './private-files';

/** An event as an EventBridge subscriber receives it. */
export interface DeliveredEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: BusEntry['detail'];
}

export function asDelivered(entry: BusEntry): DeliveredEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.detailType,
    source: entry.source,
    account: '000000000000',
    // EventBridge keeps whole seconds of the entry's Time.
    time: new Date(Math.floor(entry.time.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region: 'local',
    resources: [],
    detail: entry.detail,
  };
}

/**
 * Local stand-in for the bus: appends every event, shaped as a subscriber receives it, as one JSON line.
 * The file is opened once (append mode) and kept open until close(). It holds personal data: mode 0600
 * (also when an older version left it 0644), and a folder made for it 0700. A symbolic link (the user pointed
 * `CALLHOOKS_EVENTS_FILE` at a file of their own) is followed to append, but what it points to is never chmodded.
 */
export class FileEventPublisher implements EventPublisher {
  private handle?: Promise<FileHandle>;

  constructor(
    private readonly file: string,
    private readonly onEvent: (event: DeliveredEvent) => void = () => undefined,
  ) {}

  private open(): Promise<FileHandle> {
    this.handle ??= (async () => {
      makePrivateDir(dirname(this.file), false);
      let own: FileHandle;
      try {
        // O_NOFOLLOW: the file itself, never what a link points to, is the one made private.
        own = await open(this.file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, PRIVATE_FILE_MODE);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ELOOP') throw err;
        return open(this.file, 'a', PRIVATE_FILE_MODE);
      }
      await own.chmod(PRIVATE_FILE_MODE);
      return own;
    })();
    return this.handle;
  }

  async publish(entries: readonly BusEntry[]) {
    const events = entries.map(asDelivered);
    await (await this.open()).appendFile(events.map((e) => JSON.stringify(e) + '\n').join(''), 'utf8');
    events.forEach((e) => this.onEvent(e));
    return entries.map(() => ({ ok: true as const }));
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle).close();
  }
}
