/**
 * Local mode wiring: the same core pipeline and adapters as the Lambda functions, with local stand-ins
 * for AWS (dynalite on disk, a JSON-lines event file, a blob folder, secrets from the environment).
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CallhooksConfig, ResolvedConfig, resolveConfig } from '../lambda/config/config';
import type { VendorAdapter } from '../lambda/core/vendor';
import { DEFAULT_ENDPOINT, secretEnvNameOf, secretKeyOf } from '../lambda/contracts/endpoints';

/** The package's folder: the clone, or the installed package (whose compiled code is under `dist/`). */
export const ROOT = packageRoot(resolve(__dirname, '..'));

function packageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
export const DEFAULT_CONFIG_FILE = join(ROOT, 'callhooks.config.json');

export interface LocalPaths {
  readonly dataDir: string;
  readonly eventsFile: string;
  readonly blobsDir: string;
  readonly dbDir: string;
  readonly deadLettersFile: string;
  readonly devSecretsFile: string;
  /** Where a running local mode writes its port, so commands can find it. */
  readonly stateFile: string;
}

export function localPaths(env: NodeJS.ProcessEnv = process.env): LocalPaths {
  const dataDir = resolve(env.CALLHOOKS_DATA_DIR || '.callhooks');
  return {
    dataDir,
    eventsFile: resolve(env.CALLHOOKS_EVENTS_FILE || join(dataDir, 'events.jsonl')),
    blobsDir: join(dataDir, 'blobs'),
    dbDir: join(dataDir, 'db'),
    deadLettersFile: join(dataDir, 'dead-letters.jsonl'),
    devSecretsFile: join(dataDir, 'dev-secrets.json'),
    stateFile: join(dataDir, 'local.json'),
  };
}

/**
 * The local mode's configuration file, found as the command line finds it: `CALLHOOKS_CONFIG`, else
 * `callhooks.config.json` in the current folder, else the repository's (the documented default).
 */
export function localConfigFile(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (env.CALLHOOKS_CONFIG) return env.CALLHOOKS_CONFIG;
  const here = join(cwd, 'callhooks.config.json');
  return existsSync(here) ? here : DEFAULT_CONFIG_FILE;
}

export function loadConfig(file: string = localConfigFile()): ResolvedConfig {
  const raw = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CallhooksConfig) : {};
  return resolveConfig(raw);
}

/**
 * `CALLHOOKS_SECRET_<VENDOR>` (the `default` endpoint), `CALLHOOKS_SECRET_<VENDOR>_<ENDPOINT>` (the others): the names
 * upper-cased, dashes as underscores.
 */
export function secretEnvName(vendor: string, endpoint: string = DEFAULT_ENDPOINT): string {
  return secretEnvNameOf(vendor, endpoint);
}

/** A `dev-secrets.json` that is not a JSON object. The message quotes none of it. */
export class DevSecretsError extends Error {
  constructor(file: string) {
    super(`${file} is not a JSON object of development secrets: remove it, and the local mode writes a new one at its next start`);
    this.name = new.target.name;
  }
}

/**
 * The development secrets saved in the data folder (`dev-secrets.json`): an object of key → value. A file that is
 * not one throws DevSecretsError, whose message quotes none of it (JSON.parse's own message quotes the text's first
 * characters: a secret's, when the file holds a bare one).
 */
export function readDevSecrets(file: string): Record<string, unknown> {
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    saved = undefined;
  }
  if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) throw new DevSecretsError(file);
  return saved as Record<string, unknown>;
}

export interface ResolvedSecrets {
  /** Each endpoint's secret by its key: the vendor name for `default`, else `<vendor>/<endpoint>`. */
  readonly values: Map<string, string>;
  /** Keys of the secrets generated now (printed once at start). */
  readonly generated: string[];
}

/**
 * Each endpoint's secret (`endpoints`: vendor → endpoint → adapter): its environment variable, else the
 * development secret kept in the data folder under its key, else a new development secret in the vendor's own
 * format (saved there, readable by the owner only).
 */
export function resolveSecrets(
  endpoints: ReadonlyMap<string, ReadonlyMap<string, VendorAdapter>>,
  paths: LocalPaths,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedSecrets {
  const saved = existsSync(paths.devSecretsFile) ? (readDevSecrets(paths.devSecretsFile) as Record<string, string>) : {};
  const values = new Map<string, string>();
  const generated: string[] = [];
  for (const [vendor, adapters] of endpoints) {
    for (const [endpoint, adapter] of adapters) {
      const key = secretKeyOf(vendor, endpoint);
      const fromEnv = env[secretEnvName(vendor, endpoint)];
      if (fromEnv) values.set(key, fromEnv);
      else {
        if (!saved[key]) {
          saved[key] = adapter.generateSecret();
          generated.push(key);
        }
        values.set(key, saved[key]);
      }
    }
  }
  if (generated.length > 0) {
    mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(paths.devSecretsFile, JSON.stringify(saved, null, 2) + '\n', { mode: 0o600 });
  }
  return { values, generated };
}
