/**
 * `callhooks redrive`: publishes the acknowledged events that are not on the bus yet, now — the same core
 * redrive as the stack's scheduled function. Local mode: asks the running local mode (it holds the on-disk
 * store), else opens the store itself. On AWS (`--function`): invokes the redrive function and prints its report.
 * With `--dead`: republishes the dead-lettered events instead (the local data folder's dead-letters.jsonl, or
 * the stack's dead-letter queue, which the function reads when invoked with `{"republishDead": true}`).
 */
import { existsSync } from 'node:fs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { RedriveReport } from '../lambda/core/redrive';
import type { Log } from '../lambda/core/ports';
import { localPaths } from '../local/runtime';
import { localUrl } from './context';
import { CliError, EXIT, ExitCode, Io, unreachable } from './io';

export interface RedriveOptions {
  readonly url?: string;
  readonly function?: string;
  readonly region?: string;
  readonly json?: boolean;
  readonly dead?: boolean;
}

const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function isReport(value: unknown): value is RedriveReport {
  const r = value as Record<string, unknown>;
  return !!r && typeof r === 'object' && ['examined', 'published', 'failed', 'deadLettered', 'skipped'].every((k) => typeof r[k] === 'number');
}

export function describeReport(r: RedriveReport): string {
  return `examined ${r.examined}, published ${r.published}, failed ${r.failed}, dead-lettered ${r.deadLettered}, skipped ${r.skipped} (lease not ended)`;
}

export function describeRepublish(r: RedriveReport): string {
  return `examined ${r.examined} dead-letter messages, republished ${r.published}, failed ${r.failed} (kept for a later try), ${r.skipped} no longer dead (removed)`;
}

async function viaLocalMode(url: string, dead: boolean): Promise<RedriveReport> {
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/+$/, '')}/_callhooks/redrive${dead ? '?dead=1' : ''}`, { method: 'POST', signal: AbortSignal.timeout(120_000) });
  } catch (err) {
    throw unreachable(err, `the local mode at ${url}`);
  }
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok || !isReport(body)) throw new CliError(`the local mode at ${url} answered ${res.status} to the redrive`, EXIT.refused);
  return body;
}

/** No local mode is running: open its store (the data folder) here and run the redrive once. */
async function inProcess(io: Io, dead: boolean): Promise<RedriveReport> {
  // Loaded only here: the local mode's store (dynalite) is a development dependency, absent from an install.
  let startLocal: typeof import('../local/server').startLocal;
  try {
    ({ startLocal } = await import('../local/server'));
  } catch (err) {
    if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
    throw new CliError('no local mode is running, and this install cannot open its data folder (the local mode runs from a clone): start it, pass --url, or --function for AWS', EXIT.unreachable, { cause: err });
  }
  const local = await startLocal({ port: 0, redriveEveryMs: 0, env: io.env, log: quiet, onEvent: () => undefined });
  try {
    return await (dead ? local.republishDead() : local.redrive());
  } finally {
    await local.close();
  }
}

async function viaLambda(name: string, region: string | undefined, dead: boolean): Promise<RedriveReport> {
  const client = new LambdaClient(region ? { region } : {});
  let out;
  try {
    const payload = dead ? '{"republishDead":true}' : '{}';
    out = await client.send(new InvokeCommand({ FunctionName: name, InvocationType: 'RequestResponse', Payload: Buffer.from(payload) }));
  } catch (err) {
    throw new CliError(`invoking ${name} failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, EXIT.unreachable, { cause: err });
  } finally {
    client.destroy();
  }
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    payload = undefined;
  }
  if (out.FunctionError) {
    const p = (payload ?? {}) as { errorType?: unknown; errorMessage?: unknown };
    throw new CliError(`the redrive function ${name} failed: ${String(p.errorType ?? out.FunctionError)}: ${String(p.errorMessage ?? '')}`.trim(), EXIT.refused);
  }
  if (!isReport(payload)) throw new CliError(`the redrive function ${name} answered something that is not a redrive report`, EXIT.refused);
  return payload;
}

export async function redriveCommand(options: RedriveOptions, io: Io): Promise<ExitCode> {
  const paths = localPaths(io.env);
  const dead = options.dead === true;
  let report: RedriveReport;
  let where: string;
  if (options.function) {
    where = `function ${options.function}`;
    if (io.interactive) io.err(`invoking ${options.function}…\n`);
    report = await viaLambda(options.function, options.region, dead);
  } else if (options.url) {
    where = options.url;
    report = await viaLocalMode(options.url, dead);
  } else {
    const url = localUrl(io, paths);
    try {
      report = await viaLocalMode(url, dead);
      where = url;
    } catch (err) {
      if (!(err instanceof CliError) || err.exitCode !== EXIT.unreachable) throw err;
      // Not running (or a stale state file): run the redrive on the data folder here, if it has a store.
      where = paths.dataDir;
      report = existsSync(paths.dbDir) ? await inProcess(io, dead) : { examined: 0, published: 0, failed: 0, deadLettered: 0, skipped: 0 };
    }
  }
  const what = dead ? 'republish of dead events' : 'redrive';
  io.out(options.json ? `${JSON.stringify({ where, ...report })}\n` : `${what} (${where}): ${dead ? describeRepublish(report) : describeReport(report)}\n`);
  return report.failed > 0 ? EXIT.refused : EXIT.ok;
}
