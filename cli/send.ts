/**
 * `callhooks send <vendor>[/<endpoint>] [sample name or JSON file]`: signs a delivery as the vendor signs it
 * (the adapter's own `sign`) and sends it to the local mode or a deployed API; prints the answer.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Fixture, fixtureBody, fixtureHeaders, loadFixtures, signedHeaders, withFreshIds } from '../local/fixtures';
import { localPaths } from '../local/runtime';
import type { VendorAdapter } from '../lambda/core/vendor';
import { allTargets, vendorsFrom, configFile, isLoopback, localModeHint, localUrl, parseTarget, resolveSecret, Target, webhookUrl } from './context';
import { CliError, EXIT, ExitCode, Io, unreachable } from './io';

export interface SendOptions {
  readonly url?: string;
  readonly secret?: string;
  readonly config?: string;
  readonly all?: boolean;
  readonly id?: string;
  readonly contentType: string;
  readonly json?: boolean;
  readonly timeout: number;
}

/** One delivery to make: a vendor sample, or a body from a file. */
interface Delivery {
  readonly target: Target & { readonly adapter: VendorAdapter };
  readonly name: string;
  readonly method: string;
  readonly body: Buffer;
  readonly query?: Record<string, string>;
  /** The headers to send to `url` (the full URL, query included: a URL-signing vendor signs it). */
  headers(secret: string, now: Date, url: string): Record<string, string>;
}

export interface SendResult {
  readonly vendor: string;
  readonly endpoint: string;
  readonly sample: string;
  readonly url: string;
  readonly status: number;
  readonly response: unknown;
}

/** A vendor's most telling sample, where its first in name order is not. */
const DEFAULT_SAMPLES: Record<string, string> = { quarterzip: 'call-completed', openai: 'realtime-call-incoming', bland: 'post-call-completed', ultravox: 'call-ended', livekit: 'sip-participant-joined', vonage: 'completed' };

const helpNoLocal = () => `the local mode is not running: ${localModeHint()}, or pass --url`;

function looksLikeFile(arg: string, cwd: string): boolean {
  return /[/\\]/.test(arg) || /\.json$/i.test(arg) || existsSync(resolve(cwd, arg));
}

function fromFixture(target: Delivery['target'], sample: Fixture, id: string | undefined): Delivery {
  // With --id, the sample becomes another call: its identifying fields carry the id, so every vendor sees a new event.
  const f = id === undefined ? sample : withFreshIds(sample, id);
  return {
    target,
    name: f.name,
    method: f.method ?? 'POST',
    body: fixtureBody(f),
    query: f.query,
    // The sample's own delivery id, suffixed like its fields: samples sent together with one --id stay apart.
    headers: (secret, now, url) => fixtureHeaders(f, target.adapter, secret, now, id === undefined ? undefined : `msg_${f.vendor}_${f.name}-${id}`, url),
  };
}

function deliveries(target: Delivery['target'], sample: string | undefined, options: SendOptions, io: Io): Delivery[] {
  if (sample !== undefined && looksLikeFile(sample, io.cwd)) {
    const file = resolve(io.cwd, sample);
    if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(`${sample}: no such file`);
    // The file's bytes are the body, exactly as they are: nothing is re-encoded. The delivery id is derived
    // from them, so sending the same file twice is a redelivery.
    const body = readFileSync(file);
    const id = options.id ?? `msg_${createHash('sha256').update(body).digest('hex').slice(0, 24)}`;
    return [
      {
        target,
        name: sample,
        method: 'POST',
        body,
        headers: (secret, now, url) => ({ ...signedHeaders(target.adapter, { body, url, contentType: options.contentType, id }, secret, now), 'content-type': options.contentType }),
      },
    ];
  }
  const all = loadFixtures().filter((f) => f.vendor === target.vendor);
  if (all.length === 0) throw new CliError(`${target.vendor} has no samples in fixtures/: pass a JSON file to send`);
  if (options.all) return all.map((f) => fromFixture(target, f, options.id));
  const chosen = all.find((f) => f.name === (sample ?? DEFAULT_SAMPLES[target.vendor])) ?? (sample === undefined ? all[0] : undefined);
  if (!chosen) throw new CliError(`no sample "${sample}" for ${target.vendor} (samples: ${all.map((f) => f.name).join(', ')})`);
  return [fromFixture(target, chosen, options.id)];
}

function parseAnswer(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describeAnswer(status: number, response: unknown): string {
  const r = (response ?? {}) as Record<string, unknown>;
  if (typeof response === 'object' && typeof r.status === 'string' && typeof r.eventId === 'string') {
    const what = r.status === 'accepted' ? 'accepted, not on the bus yet (the redrive publishes it)' : r.status;
    return `${status} ${what} eventId=${r.eventId}`;
  }
  const message = typeof r.message === 'string' ? r.message : typeof response === 'string' ? response : JSON.stringify(response);
  return `${status} ${message}`;
}

/** The default sample when no vendor is named (the quick start's `npm run send-sample`). */
const DEFAULT_VENDOR = 'quarterzip';

export async function send(targetText: string | undefined, sample: string | undefined, options: SendOptions, io: Io): Promise<ExitCode> {
  const vendors = vendorsFrom(configFile(io, options.config));
  const targets = targetText === undefined && options.all ? allTargets(vendors) : [parseTarget(targetText ?? DEFAULT_VENDOR, vendors)];
  const paths = localPaths(io.env);
  const toLocal = options.url === undefined && !io.env.CALLHOOKS_URL;
  const base = options.url ?? io.env.CALLHOOKS_URL ?? localUrl(io, paths);
  const planned = targets.flatMap((target) => {
    const url = webhookUrl(base, target);
    const secret = resolveSecret(target, io, options.secret, toLocal || isLoopback(url), paths).values[0];
    return deliveries(target, sample, options, io).map((d) => ({ ...d, url, secret }));
  });
  let refused = 0;
  for (const d of planned) {
    const full = new URL(d.url);
    for (const [k, v] of Object.entries(d.query ?? {})) full.searchParams.append(k, v);
    let res: Response;
    try {
      res = await fetch(full, {
        method: d.method,
        headers: d.headers(d.secret, new Date(), full.toString()),
        body: d.method === 'GET' || d.method === 'HEAD' || d.body.length === 0 ? undefined : d.body,
        signal: AbortSignal.timeout(options.timeout * 1000),
      });
    } catch (err) {
      if ((err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED' && toLocal) throw new CliError(helpNoLocal(), EXIT.unreachable, { cause: err });
      throw unreachable(err, full.origin);
    }
    const response = parseAnswer(await res.text());
    if (res.status >= 300) refused++;
    const { vendor, endpoint } = d.target;
    const result: SendResult = { vendor, endpoint, sample: d.name, url: `${full.origin}${full.pathname}`, status: res.status, response };
    io.out(options.json ? `${JSON.stringify(result)}\n` : `${vendor}/${endpoint} ${d.name}: ${describeAnswer(res.status, response)}\n`);
  }
  return refused > 0 ? EXIT.refused : EXIT.ok;
}
