/**
 * Review finding: the local mode's files hold personal data (events with transcripts and phone numbers, the
 * store's records, dead letters, kept payloads) and were created world-readable (0644). Every file it writes
 * is 0600 and every folder it makes 0700, including files an older version left behind with 0644.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalDynamo, LOCAL_TABLE } from '../../lambda/adapters/local/dynalite-store';
import { FileDeadLetterQueue } from '../../lambda/adapters/local/file-dead-letters';
import { FileEventPublisher } from '../../lambda/adapters/local/file-publisher';
import { FsBlobStore } from '../../lambda/adapters/local/fs-blobs';
import type { BusEntry, DedupRecord } from '../../lambda/core/ports';

const mode = (path: string) => statSync(path).mode & 0o777;
/** Every file and folder under `root` (itself included) with its mode, as `path: 0oNNN`. */
function modesUnder(root: string): Record<string, string> {
  const out: Record<string, string> = { '.': mode(root).toString(8) };
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    out[full.slice(root.length + 1)] = mode(full).toString(8);
  }
  return out;
}

const entry: BusEntry = {
  source: 'callhooks.quarterzip',
  detailType: 'call.ended',
  time: new Date('2026-11-22T12:00:00Z'),
  detail: { eventId: 'e1', callId: 'c1' } as unknown as BusEntry['detail'],
};
const record = { key: 'quarterzip#k1', eventId: 'e1', vendor: 'quarterzip', status: 'PENDING', receivedAt: '2026-11-22T12:00:00Z', expiresAt: 1, attempts: 5 } as unknown as DedupRecord;

let dir: string;
let umask: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'callhooks-modes-'));
  // The usual umask, whatever the machine running the tests has: files would otherwise be 0644.
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

describe('local adapters write files for their owner only', () => {
  it('events.jsonl is 0600, its new folder 0700', async () => {
    const file = join(dir, 'data', 'events.jsonl');
    const publisher = new FileEventPublisher(file);
    await publisher.publish([entry]);
    await publisher.close();
    expect([mode(file), mode(join(dir, 'data'))]).toEqual([0o600, 0o700]);
  });

  it('an events.jsonl left 0644 by an older version becomes 0600', async () => {
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, '', { mode: 0o644 });
    chmodSync(file, 0o644);
    const publisher = new FileEventPublisher(file);
    await publisher.publish([entry]);
    await publisher.close();
    expect(mode(file)).toBe(0o600);
  });

  it('dead-letters.jsonl is 0600, also when it existed with 0644', async () => {
    const fresh = join(dir, 'dead-letters.jsonl');
    await new FileDeadLetterQueue(fresh).send(record, 'attempts exhausted');
    const old = join(dir, 'old-dead-letters.jsonl');
    writeFileSync(old, '');
    chmodSync(old, 0o644);
    await new FileDeadLetterQueue(old).send(record, 'attempts exhausted');
    expect([mode(fresh), mode(old)]).toEqual([0o600, 0o600]);
  });

  it('blobs: files 0600 and every folder 0700', async () => {
    const blobs = new FsBlobStore(join(dir, 'blobs'));
    await blobs.put('rejected/qcall/2026-11-22/abc', 'payload');
    expect(modesUnder(join(dir, 'blobs'))).toEqual({ '.': '700', rejected: '700', 'rejected/qcall': '700', 'rejected/qcall/2026-11-22': '700', 'rejected/qcall/2026-11-22/abc': '600' });
  });

  it("the store's folder is 0700 and its files 0600, also those an older version left 0644", async () => {
    // Prepare: a store folder from an older version, world-readable.
    const db = join(dir, 'db');
    const first = await startLocalDynamo(db);
    await first.client.send(new PutItemCommand({ TableName: LOCAL_TABLE, Item: { pk: { S: 'quarterzip#k1' } } }));
    await first.close();
    chmodSync(db, 0o755);
    for (const f of readdirSync(db, { recursive: true })) chmodSync(join(db, String(f)), statSync(join(db, String(f))).isDirectory() ? 0o755 : 0o644);
    // Act
    const second = await startLocalDynamo(db);
    try {
      // Assert: nothing in it is readable by others (files created later inside a 0700 folder are unreachable).
      const modes = Object.entries(modesUnder(db));
      expect(modes.length).toBeGreaterThan(3);
      expect(modes.filter(([p, m]) => m !== (statSync(join(db, p)).isDirectory() ? '700' : '600'))).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('a folder the store makes is 0700', async () => {
    mkdirSync(join(dir, 'data'));
    const local = await startLocalDynamo(join(dir, 'data', 'db'));
    await local.close();
    expect(mode(join(dir, 'data', 'db'))).toBe(0o700);
  });
});
