/**
 * The configuration of the endpoint tests (issue 11's "done when"): Quarterzip with two workspaces `eu` and `us`
 * (no plain route), Converc with its `default` endpoint kept and a second organization `org-b`, and QCall with
 * two assistants whose tokens come in different headers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallhooksConfig } from '../../lambda/config/config';
import { loadFixtures, type Fixture } from '../../local/fixtures';

export const ENDPOINTS_CONFIG = {
  vendors: {
    quarterzip: { endpoints: ['eu', 'us'] },
    converc: { endpoints: ['default', 'org-b'] },
    qcall: { tokenHeader: 'x-callhooks-token', tokenPrefix: '', endpoints: { sales: { tokenHeader: 'x-sales-token' }, support: {} } },
  },
} as const satisfies CallhooksConfig;

/** ENDPOINTS_CONFIG in a file of a new temporary folder (for the local mode and the command line). */
export function writeEndpointsConfig(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'callhooks-endpoints-')), 'callhooks.config.json');
  writeFileSync(file, JSON.stringify(ENDPOINTS_CONFIG));
  return file;
}

export const QUARTERZIP_CALL: Fixture = loadFixtures('quarterzip').find((f) => f.name === 'call-completed')!;
export const CONVERC_CALL: Fixture = loadFixtures('converc').find((f) => f.name === 'call-ended-iso')!;
export const CONVERC_ACCEPTED: Fixture = loadFixtures('converc').find((f) => f.name === 'call-accepted')!;
export const QCALL_CALL: Fixture = loadFixtures('qcall').find((f) => f.name === 'end-of-call-json')!;
