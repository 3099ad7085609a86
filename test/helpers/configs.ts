/**
 * The repository's two configuration files: `callhooks.config.json`, the documented default that a newcomer's
 * `npm start` and `cdk deploy` read (the five vendors of 0.1.0), and `examples/all-vendors/callhooks.config.json`,
 * every built-in vendor plus the custom vendor Ringly, which the tests that exercise every vendor read explicitly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallhooksConfig } from '../../lambda/config/config';

const ROOT = join(__dirname, '..', '..');

/** The repository's `callhooks.config.json`: what the quick start runs and the ready-made stack deploys. */
export const DEFAULT_CONFIG_FILE = join(ROOT, 'callhooks.config.json');
/** `examples/all-vendors/callhooks.config.json`: every built-in vendor, QCall's token options and Ringly. */
export const ALL_VENDORS_CONFIG_FILE = join(ROOT, 'examples', 'all-vendors', 'callhooks.config.json');

export function readConfig(file: string): CallhooksConfig {
  return JSON.parse(readFileSync(file, 'utf8')) as CallhooksConfig;
}
