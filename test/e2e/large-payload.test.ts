/**
 * A 1 MB Quarterzip delivery (its cap) through the local mode over HTTP: accepted, published once with its
 * transcript moved to the payload store (under the data folder), and nothing cut.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import type { LocalServer } from '../../local/server';
import type { DeliveredEvent } from '../../lambda/adapters/local/file-publisher';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { startTestLocal, TestLocal } from '../helpers/local';

const SECRET = 'whsec_' + Buffer.from('large payload secret 24b').toString('base64');
let t: TestLocal;
let local: LocalServer;
let events: DeliveredEvent[];

beforeAll(async () => {
  t = await startTestLocal({ env: { CALLHOOKS_SECRET_QUARTERZIP: SECRET } });
  ({ local, events } = t);
});
afterAll(() => t.close());

function megabyteCall(): Buffer {
  const turns: Array<{ speaker: string; text: string }> = [];
  const base = { type: 'call.completed', timestamp: new Date().toISOString(), data: { call_id: 'big_1', workspace_id: 'ws_1', transcript: turns } };
  let size = Buffer.byteLength(JSON.stringify(base));
  for (let i = 0; size < 1_000_000 - 400; i++) {
    const turn = { speaker: i % 2 ? 'user' : 'agent', text: `turn ${i} ` + 'lorem ipsum dolor sit amet '.repeat(8) };
    turns.push(turn);
    size += Buffer.byteLength(JSON.stringify(turn)) + 1;
  }
  return Buffer.from(JSON.stringify(base));
}

describe('a 1 MB Quarterzip delivery', () => {
  it('is published once with its transcript offloaded to the data folder, intact', async () => {
    // Prepare
    const body = megabyteCall();
    expect(body.length).toBeGreaterThan(990_000);
    const headers = { 'content-type': 'application/json', ...quarterzip().sign(body, SECRET, new Date(), 'msg_big_1') };

    // Act
    const res = await fetch(`${local.url}/webhooks/quarterzip`, { method: 'POST', headers, body });
    const again = await fetch(`${local.url}/webhooks/quarterzip`, { method: 'POST', headers, body });

    // Assert
    expect(res.status).toBe(200);
    expect(((await again.json()) as { status: string }).status).toBe('duplicate');
    expect(events).toHaveLength(1);
    const { detail } = events[0];
    expect(Buffer.byteLength(JSON.stringify(events[0]))).toBeLessThan(256 * 1024);
    expect(detail.transcript).toEqual({ turns: [], truncated: false });
    expect(detail.offload).toMatchObject({ part: 'transcript', key: `offload/quarterzip/${detail.eventId}/transcript.json` });
    const offload = detail.offload!;
    const stored = readFileSync(fileURLToPath(offload.url));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(offload.sha256);
    const original = JSON.parse(body.toString()).data.transcript;
    expect(JSON.parse(stored.toString()).turns.map((t: { text: string }) => t.text)).toEqual(original.map((t: { text: string }) => t.text));
  });

  it('a body over maxBodyBytes answers 413 and leaves nothing behind', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024 + 1, 'a');
    const res = await fetch(`${local.url}/webhooks/quarterzip`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(413);
    expect(events).toHaveLength(1);
  });
});
