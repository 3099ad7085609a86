/**
 * The local mode captures refused deliveries as the functions do when CALLHOOKS_CAPTURE_REFUSED_PER_MINUTE is
 * set: each 401, within the rate, as received under the data folder's blobs/refused/<vendor>/<day>/ (owner-only
 * files), readable by `callhooks verify --captured`; unset, it keeps nothing of a refused delivery.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { startTestLocal, TestLocal } from '../helpers/local';
import { runHere } from '../cli/cli';

jest.setTimeout(60_000);

const SECRET = 'whsec_' + Buffer.from('local capture secret 24b').toString('base64');
const OLD = 'whsec_' + Buffer.from('an old rotated secret 24').toString('base64');

/** Posts a Quarterzip delivery signed with `secret`; returns the status. */
async function post(t: TestLocal, secret: string, n: number): Promise<number> {
  const body = Buffer.from(JSON.stringify({ type: 'call.completed', timestamp: new Date().toISOString(), data: { call_id: `c${n}` } }));
  const headers = { 'content-type': 'application/json', ...quarterzip().sign(body, secret, new Date(), `msg_capture_${n}`) };
  const res = await fetch(`${t.local.url}/webhooks/quarterzip`, { method: 'POST', headers, body });
  await res.arrayBuffer();
  return res.status;
}

function captures(t: TestLocal): string[] {
  const root = join(t.dir, 'blobs', 'refused', 'quarterzip');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true }).map((p) => join(root, String(p))).filter((p) => statSync(p).isFile());
}

describe('the local mode captures refused deliveries', () => {
  it('with CALLHOOKS_CAPTURE_REFUSED_PER_MINUTE set: each 401 within the rate, for callhooks verify --captured', async () => {
    const t = await startTestLocal({ env: { CALLHOOKS_SECRET_QUARTERZIP: SECRET, CALLHOOKS_CAPTURE_REFUSED_PER_MINUTE: '2' } });
    try {
      expect([await post(t, OLD, 1), await post(t, OLD, 2), await post(t, OLD, 3)]).toEqual([401, 401, 401]);
      expect(await post(t, SECRET, 4)).toBe(200);
      const files = captures(t);
      // Two a minute: the third refusal is only counted; an accepted delivery is never captured.
      expect(files).toHaveLength(2);
      for (const f of files) expect(statSync(f).mode & 0o777).toBe(0o600);
      const refused = await runHere(['verify', 'quarterzip', '--captured', files[0], '--secret', SECRET, '--json']);
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout)).toMatchObject({ vendor: 'quarterzip', verified: false, reason: 'signature', refusedAs: 'no-key-matched' });
      const old = await runHere(['verify', 'quarterzip', '--captured', files[1], '--secret', OLD]);
      expect([old.code, old.stdout]).toEqual([0, 'quarterzip/default: verifies\n']);
    } finally {
      await t.close();
    }
  });

  it('unset: nothing of a refused delivery is kept', async () => {
    const t = await startTestLocal({ env: { CALLHOOKS_SECRET_QUARTERZIP: SECRET, CALLHOOKS_CAPTURE_REFUSED_PER_MINUTE: undefined } });
    try {
      expect(await post(t, OLD, 1)).toBe(401);
      expect(captures(t)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
