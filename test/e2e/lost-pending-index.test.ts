/**
 * Issue 9's finding "a pending record the redrive never sees": dynalite writes an item and its `pending` index
 * entry separately (the index first, then the item), so a `kill -9` of `npm start` between the two leaves them
 * disagreeing. Two ways, both made here in dynalite's own LevelDB files, as a kill leaves them:
 * - lost: a PENDING item whose index entry is gone (the kill fell inside a lease or a mark, after the index
 *   entry was deleted and before the item was written). Nothing would ever publish it;
 * - ghost: an index entry that says PENDING for an item still in flight (the kill fell inside keepForRedrive,
 *   after the index entry was written and before the item).
 * After a restart on that data folder, the local mode's redrive must publish the lost record and not count
 * the ghost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDedupStore } from '../../lambda/adapters/aws/dynamo-store';
import { startLocalDynamo, LOCAL_TABLE } from '../../lambda/adapters/local/dynalite-store';
import type { DeliveredEvent } from '../../lambda/adapters/local/file-publisher';
import { deriveEventId } from '../../lambda/core/event';
import type { Claim } from '../../lambda/core/ports';
import { startLocal } from '../../local/server';
import { MemoryLog } from '../helpers/memory';

interface LevelDb {
  iterator(): AsyncIterable<[string, Record<string, { S?: string; N?: string }>]>;
  put(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  close(): Promise<void>;
}
// dynalite's own storage (its dependency `level`), opened while no dynalite has the folder open.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Level } = require('level') as { Level: new (path: string, options: { valueEncoding: 'json' }) => LevelDb };

const NOW = Date.now();
let dir: string;

function claim(name: string): Claim {
  const key = `quarterzip#${name}`;
  // Its lease ran out a minute ago: the redrive may take it now.
  return { key, eventId: deriveEventId('quarterzip', name), vendor: 'quarterzip', receivedAt: new Date(NOW - 120_000).toISOString(), expiresAt: Math.floor(NOW / 1000) + 86_400, leaseUntil: NOW - 60_000 };
}

function eventOf(c: Claim): string {
  return JSON.stringify({ schemaVersion: '1', eventId: c.eventId, type: 'call.ended', vendor: 'quarterzip', vendorEventType: 'call.completed', occurredAt: c.receivedAt, receivedAt: c.receivedAt, callId: c.key, test: false });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'callhooks-lost-index-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('after a kill -9 left dynalite\'s pending index wrong, the restarted local mode publishes the PENDING record the index lost, and does not count a ghost entry', async () => {
  // Prepare: three records kept for the redrive (PENDING, in the index) …
  const [kept, lost, ghost] = ['msg_kept', 'msg_lost', 'msg_ghost'].map(claim);
  const dynamo = await startLocalDynamo(join(dir, 'db'));
  const store = new DynamoDedupStore(dynamo.client, LOCAL_TABLE);
  for (const c of [kept, lost, ghost]) {
    expect(await store.claim(c, new Date(NOW - 120_000))).toEqual({ outcome: 'claimed' });
    expect(await store.keepForRedrive(c, eventOf(c))).toBe('kept');
  }
  await dynamo.close();
  // … then what a kill leaves: `lost` without its index entry, `ghost`'s item back in flight under its entry.
  const db = new Level(join(dir, 'db'), { valueEncoding: 'json' });
  let edits = 0;
  for await (const [key, value] of db.iterator()) {
    if (key.startsWith(`index-global~${LOCAL_TABLE}~pending~`) && value.pk.S === lost.key) {
      await db.del(key);
      edits++;
    }
    if (key.startsWith(`item-${LOCAL_TABLE}~`) && value.pk.S === ghost.key) {
      const { event: _e, pendingShard: _p, ...inFlight } = value;
      await db.put(key, { ...inFlight, status: { S: 'IN_FLIGHT' } });
      edits++;
    }
  }
  await db.close();
  expect(edits).toBe(2);

  // Act: `npm start` again on that data folder, and its redrive.
  const events: DeliveredEvent[] = [];
  const local = await startLocal({
    port: 0,
    redriveEveryMs: 0,
    metricsEveryMs: 0,
    log: new MemoryLog(),
    onEvent: (e) => events.push(e),
    env: { ...process.env, CALLHOOKS_DATA_DIR: dir, CALLHOOKS_CONFIG: join(__dirname, '..', '..', 'callhooks.config.json') },
  });
  let report;
  try {
    report = await local.redrive();
  } finally {
    await local.close();
  }

  // Assert
  expect(events.map((e) => e.detail.eventId).sort()).toEqual([kept.eventId, lost.eventId].sort());
  expect(report).toMatchObject({ examined: 2, published: 2, failed: 0, skipped: 0 });
});
