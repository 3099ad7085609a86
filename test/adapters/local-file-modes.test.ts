/**
 * Review finding: the local mode's files hold personal data (events with transcripts and phone numbers, the
 * store's records, dead letters, kept payloads) and were created world-readable (0644). Every file it writes
 * is 0600 and every folder it makes 0700, including files an older version left behind with 0644.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { deadLetterOf } from '../../lambda/core/redrive';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalDynamo, LOCAL_TABLE } from '../../lambda/adapters/local/dynalite-store';
import { FileDeadLetterQueue } from '../../lambda/adapters/local/file-dead-letters';
import { FileEventPublisher } from '../../lambda/adapters/local/file-publisher';
import { FsBlobStore } from '../../lambda/adapters/local/fs-blobs';
import type { BusEntry, DedupRecord } from '../../lambda/core/ports';
import { startLocal } from '../../local/server';
import { MemoryLog } from '../helpers/memory';

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
    await new FileDeadLetterQueue(fresh).send(deadLetterOf(record, 'too old'));
    const old = join(dir, 'old-dead-letters.jsonl');
    writeFileSync(old, '');
    chmodSync(old, 0o644);
    await new FileDeadLetterQueue(old).send(deadLetterOf(record, 'too old'));
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

describe('npm start repairs what an older version left, and never chmods through a symbolic link (issue 16, finding 11)', () => {
  /** The local mode on `dir`'s data folder, in memory, started and stopped. */
  async function startAndStop(env: NodeJS.ProcessEnv = {}, publish = false) {
    const local = await startLocal({
      port: 0,
      inMemory: true,
      redriveEveryMs: 0,
      metricsEveryMs: 0,
      log: new MemoryLog(),
      onEvent: () => undefined,
      env: { ...process.env, CALLHOOKS_DATA_DIR: join(dir, 'data'), CALLHOOKS_CONFIG: join(__dirname, '..', '..', 'callhooks.config.json'), ...env },
    });
    if (publish) await local.deps.publisher.publish([entry]);
    await local.close();
  }

  it('sets an older data folder 0700, its dev-secrets.json and local.json 0600, and every blob folder 0700 and file 0600', async () => {
    // Prepare: a data folder as an older version left it, world-readable
    const data = join(dir, 'data');
    mkdirSync(join(data, 'blobs', 'rejected', 'qcall', '2026-11-22'), { recursive: true, mode: 0o755 });
    writeFileSync(join(data, 'dev-secrets.json'), '{}', { mode: 0o644 });
    writeFileSync(join(data, 'local.json'), '{}', { mode: 0o644 });
    writeFileSync(join(data, 'blobs', 'rejected', 'qcall', '2026-11-22', 'abc.body'), 'payload', { mode: 0o644 });
    for (const d of [data, join(data, 'blobs'), join(data, 'blobs', 'rejected'), join(data, 'blobs', 'rejected', 'qcall'), join(data, 'blobs', 'rejected', 'qcall', '2026-11-22')]) chmodSync(d, 0o755);

    // Act
    await startAndStop();

    // Assert
    expect(modesUnder(data)).toEqual({
      '.': '700',
      'dev-secrets.json': '600',
      'local.json': '600',
      blobs: '700',
      'blobs/rejected': '700',
      'blobs/rejected/qcall': '700',
      'blobs/rejected/qcall/2026-11-22': '700',
      'blobs/rejected/qcall/2026-11-22/abc.body': '600',
    });
  });

  it('leaves the file a symbolic CALLHOOKS_EVENTS_FILE points to as it is, and still appends the events to it', async () => {
    // Prepare: the events file is a link to a file of the user's, readable by others on purpose
    const target = join(dir, 'shared-events.jsonl');
    writeFileSync(target, '', { mode: 0o644 });
    chmodSync(target, 0o644);
    const link = join(dir, 'events-link.jsonl');
    symlinkSync(target, link);

    // Act
    await startAndStop({ CALLHOOKS_EVENTS_FILE: link }, true);

    // Assert
    expect(mode(target)).toBe(0o644);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync(target).size).toBeGreaterThan(0);
  });

  it('leaves a file a symbolic link inside the data folder points to as it is', async () => {
    // Prepare
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'x', { mode: 0o644 });
    chmodSync(outside, 0o644);
    mkdirSync(join(dir, 'data', 'blobs'), { recursive: true });
    symlinkSync(outside, join(dir, 'data', 'blobs', 'link'));
    symlinkSync(outside, join(dir, 'data', 'dev-secrets.json'));
    writeFileSync(join(dir, 'data', 'ok.json'), '{}');

    // Act
    await startAndStop({ CALLHOOKS_SECRET_QUARTERZIP: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAA' }).catch(() => undefined);

    // Assert
    expect(mode(outside)).toBe(0o644);
  });
});

