/**
 * What several subcommands need: the configuration (and so the vendor adapters, custom vendors included),
 * the `<vendor>[/<endpoint>]` target, the webhook URL and the secret to sign or verify with.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BUILT_IN_VENDORS, ConfigError, resolveConfig } from '../lambda/config/config';
import { parseSecretValue, SecretValueError } from '../lambda/core/secrets';
import type { VendorAdapter } from '../lambda/core/vendor';
import { DEFAULT_CONFIG_FILE, DevSecretsError, loadConfig, LocalPaths, localPaths, readDevSecrets, ROOT, secretEnvName } from '../local/runtime';
import { createVendorAdapters } from '../lambda/vendors';
import { DEFAULT_ENDPOINT, ENDPOINT_NAME_RE, routePathOf, secretKeyOf } from '../lambda/contracts/endpoints';
import { CliError, EXIT, Io } from './io';

export { DEFAULT_ENDPOINT };

/**
 * The configuration file: `--config`, else `CALLHOOKS_CONFIG`, else `callhooks.config.json` in the current
 * folder, else the repository's own (in a clone); undefined when there is none of these (an installed package
 * ships no configuration file): then every built-in vendor with its default options, as with an empty file.
 */
export function configFile(io: Pick<Io, 'env' | 'cwd'>, option?: string, packaged: string = DEFAULT_CONFIG_FILE): string | undefined {
  if (option) return resolve(io.cwd, option);
  if (io.env.CALLHOOKS_CONFIG) return resolve(io.cwd, io.env.CALLHOOKS_CONFIG);
  const here = join(io.cwd, 'callhooks.config.json');
  if (existsSync(here)) return here;
  return existsSync(packaged) ? packaged : undefined;
}

/** The enabled vendors' adapters (`adapters`), and each one's endpoints' adapters (`endpoints`, vendor → endpoint → adapter). */
export type Vendors = ReturnType<typeof createVendorAdapters>;

/**
 * The vendors of a configuration file (which must exist), or every built-in vendor with its defaults (no file:
 * the command signs and checks for an API it did not deploy, so it knows them all — unlike a deployment
 * without a `vendors` key, which gets the five vendors of 0.1.0).
 */
export function vendorsFrom(file: string | undefined): Vendors {
  if (file === undefined) return createVendorAdapters(resolveConfig({ vendors: Object.fromEntries(BUILT_IN_VENDORS.map((name) => [name, true])) }).vendors);
  if (!existsSync(file)) throw new CliError(`the configuration file ${file} does not exist`);
  try {
    return createVendorAdapters(loadConfig(file).vendors);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof SyntaxError) throw new CliError(`${file}: ${err.message}`);
    throw err;
  }
}

export interface Target {
  readonly vendor: string;
  readonly endpoint: string;
}

/**
 * Parses `<vendor>[/<endpoint>]`; the vendor must be enabled in the configuration. The adapter is the endpoint's
 * (with its own options, e.g. QCall's token header) when the configuration lists it, else the vendor's (an API
 * deployed with another configuration may have endpoints this one does not list).
 */
export function parseTarget(text: string, vendors: Vendors): Target & { adapter: VendorAdapter } {
  const [vendorPart, endpointPart, ...rest] = text.split('/');
  const vendor = vendorPart.toLowerCase();
  const endpoint = endpointPart === undefined || endpointPart === '' ? DEFAULT_ENDPOINT : endpointPart;
  if (rest.length > 0 || !ENDPOINT_NAME_RE.test(endpoint)) {
    throw new CliError(`"${text}" is not <vendor>[/<endpoint>] (an endpoint name is 1 to 32 of a-z, 0-9 and -)`);
  }
  const adapter = vendors.endpoints.get(vendor)?.get(endpoint) ?? vendors.adapters.get(vendor);
  if (!adapter) {
    const enabled = [...vendors.adapters.keys()];
    const near = closest(vendor, enabled);
    // A built-in vendor that is off (the repository's callhooks.config.json turns on the five default ones only).
    const off = (BUILT_IN_VENDORS as readonly string[]).includes(vendor)
      ? `; it is built in: turn it on with "${vendor}": true under "vendors" in the configuration file`
      : '';
    throw new CliError(`vendor "${vendor}" is not enabled in the configuration${near ? ` — did you mean "${near}"?` : ''} (enabled: ${enabled.join(', ')})${off}`);
  }
  return { vendor, endpoint, adapter };
}

/** The name of `names` nearest to a mistyped `text` (at most 2 edits, or a prefix of 3 or more letters), if any. */
export function closest(text: string, names: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length];
  };
  const scored = names.map((name) => ({ name, d: text.length >= 3 && name.startsWith(text) ? 0 : distance(text, name) })).sort((x, y) => x.d - y.d);
  return scored.length > 0 && scored[0].d <= 2 ? scored[0].name : undefined;
}

/**
 * How to get a local mode running, for messages: `npm start` in a clone; from an installed package (which has no
 * local mode to start) a pointer to a clone instead.
 */
export function localModeHint(inClone: boolean = existsSync(join(ROOT, 'local', 'server.ts'))): string {
  return inClone ? 'start it with `npm start` in another terminal' : 'the local mode runs from a clone of callhooks (`npm start` there)';
}

/** Every endpoint of every enabled vendor, as `<vendor>` or `<vendor>/<endpoint>` targets. */
export function allTargets(vendors: Vendors): Array<Target & { adapter: VendorAdapter }> {
  return [...vendors.endpoints].flatMap(([vendor, endpoints]) => [...endpoints].map(([endpoint, adapter]) => ({ vendor, endpoint, adapter })));
}

/** The local mode's variable for an endpoint's secret: `CALLHOOKS_SECRET_QUARTERZIP`, `CALLHOOKS_SECRET_QUARTERZIP_EU`. */
export function endpointSecretEnvName({ vendor, endpoint }: Target): string {
  return secretEnvName(vendor, endpoint);
}

/** The key of an endpoint's development secret in the data folder's `dev-secrets.json` (the local mode's key). */
function devSecretKey({ vendor, endpoint }: Target): string {
  return secretKeyOf(vendor, endpoint);
}

export interface ResolvedSecret {
  /** The values to try, current first (a secret can hold `{"current","previous"}` during a rotation). */
  readonly values: string[];
  /** Where it came from, for messages (never the value). */
  readonly from: string;
}

/**
 * The secret: `--secret`, else the endpoint's `CALLHOOKS_SECRET_…` variable, else (when `useDevSecrets`)
 * the development secret the local mode generated into the data folder. Never generates one.
 */
export function resolveSecret(target: Target, io: Pick<Io, 'env'>, option: string | undefined, useDevSecrets: boolean, paths: LocalPaths = localPaths(io.env)): ResolvedSecret {
  const envName = endpointSecretEnvName(target);
  let raw: string | undefined;
  let from: string;
  if (option !== undefined) [raw, from] = [option, '--secret'];
  else if (io.env[envName]) [raw, from] = [io.env[envName], envName];
  else {
    from = paths.devSecretsFile;
    if (useDevSecrets && existsSync(paths.devSecretsFile)) {
      const value = devSecretsOf(paths.devSecretsFile)[devSecretKey(target)];
      if (typeof value === 'string') raw = value;
    }
  }
  let values: string[];
  try {
    values = raw === undefined ? [] : parseSecretValue(raw);
  } catch (err) {
    // The message never holds the value.
    if (err instanceof SecretValueError) throw new CliError(`the secret from ${from}: ${err.message}`, EXIT.usage);
    throw err;
  }
  if (values.length === 0) {
    const where = useDevSecrets ? `, set ${envName}, or start the local mode once (it generates development secrets into ${paths.devSecretsFile}: ${localModeHint()})` : ` or set ${envName}`;
    throw new CliError(raw === undefined ? `no secret for ${target.vendor}/${target.endpoint}: pass --secret${where}` : `the secret from ${from} is empty`, EXIT.usage);
  }
  return { values, from };
}

/** The development secrets the local mode saved, or a CliError that quotes none of the file. */
function devSecretsOf(file: string): Record<string, unknown> {
  try {
    return readDevSecrets(file);
  } catch (err) {
    if (err instanceof DevSecretsError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
}

/** True for an http(s) URL whose host is a loopback address: 127.0.0.0/8, ::1 or `localhost`. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Where the local mode listens: the URL a running one wrote into the data folder, else 127.0.0.1:$PORT. Only a
 * loopback URL is taken from that file: the command sends the secrets of the environment there, and the local
 * mode listens on 127.0.0.1 only, so a file naming any other host (written by someone else) is refused.
 */
export function localUrl(io: Pick<Io, 'env'>, paths: LocalPaths = localPaths(io.env)): string {
  if (existsSync(paths.stateFile)) {
    let url: unknown;
    try {
      ({ url } = JSON.parse(readFileSync(paths.stateFile, 'utf8')) as { url?: unknown });
    } catch {
      // A half-written state file: fall back to the port.
    }
    if (typeof url === 'string') {
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        parsed = undefined;
      }
      if (parsed === undefined || parsed.protocol !== 'http:' || !isLoopback(parsed)) {
        throw new CliError(`${paths.stateFile} names ${parsed?.origin ?? 'a URL'} for the local mode, which is not a loopback address: the local mode listens on 127.0.0.1 only (pass --url to send elsewhere)`, EXIT.usage);
      }
      return parsed.origin;
    }
  }
  return `http://127.0.0.1:${io.env.PORT || 3000}`;
}

/** The http(s) URL an option names; a CliError naming the option when it is not one. */
export function httpUrlOption(option: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`${option} "${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`${option} "${text}" is not an http(s) URL`);
  return url;
}

/**
 * The webhook URL of a target. `base` is the API's base URL (with a stage path, if any) or already a full
 * webhook URL (its path has `/webhooks/`), which is then used as it is.
 */
export function webhookUrl(base: string, target: Target): URL {
  const url = httpUrlOption('--url', base);
  if (/\/webhooks\//.test(url.pathname)) return url;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${routePathOf(encodeURIComponent(target.vendor), encodeURIComponent(target.endpoint))}`;
  return url;
}
