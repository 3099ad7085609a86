/**
 * `callhooks replay`: starts an EventBridge replay of the archived callhooks events of a time window onto
 * the archive's bus (EventBridge replays only onto the bus the archive records), optionally to some rules
 * only, and waits for it with progress.
 *
 * One vendor: a replay cannot filter by pattern, only by rule (`Destination.FilterArns`). `--vendor v`
 * therefore replays the window to the rules on the bus whose pattern selects that vendor's events only
 * (`"source": ["callhooks.v"]`): they receive v's events and nothing else, because their own pattern still
 * applies to what is replayed. A subscriber whose rule takes every vendor gets a dedicated rule for the
 * replay (README › The command line › Replaying one vendor).
 */
import { randomBytes } from 'node:crypto';
import {
  CancelReplayCommand,
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  DescribeReplayCommandOutput,
  DescribeRuleCommand,
  EventBridgeClient,
  ListArchivesCommand,
  ListRulesCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { awsCall as call, CliError, EXIT, ExitCode, Io } from './io';

export interface ReplayOptions {
  readonly archive?: string;
  readonly from: string;
  readonly to: string;
  readonly vendor?: string;
  readonly rule: string[];
  readonly bus?: string;
  readonly name?: string;
  readonly wait: boolean;
  readonly poll: number;
  readonly timeout: number;
  readonly region?: string;
  readonly json?: boolean;
}

export interface ReplayResult {
  readonly replayName: string;
  readonly replayArn?: string;
  readonly archiveArn: string;
  readonly busArn: string;
  readonly filterArns: string[];
  readonly from: string;
  readonly to: string;
  readonly state: string;
  readonly stateReason?: string;
  readonly eventLastReplayedTime?: string;
  readonly replayStartTime?: string;
  readonly replayEndTime?: string;
}

const DONE = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

function time(text: string, option: string): Date {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new CliError(`${option} "${text}" is not a date and time (ISO 8601, e.g. 2026-12-01T10:00:00Z)`);
  return d;
}

const archiveNameOf = (ref: string) => (ref.startsWith('arn:') ? ref.slice(ref.indexOf(':archive/') + ':archive/'.length) : ref);

/** True when a rule's pattern lets through only the events of `callhooks.<vendor>`. */
export function selectsOnlyVendor(pattern: string | undefined, vendor: string): boolean {
  if (!pattern) return false;
  let p: { source?: unknown };
  try {
    p = JSON.parse(pattern);
  } catch {
    return false;
  }
  const source = p.source;
  return Array.isArray(source) && source.length > 0 && source.every((s) => s === `callhooks.${vendor}`);
}

async function rulesOf(eb: EventBridgeClient, busName: string) {
  const rules: Array<{ Name?: string; Arn?: string; EventPattern?: string; ManagedBy?: string }> = [];
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const out = await call(`listing the rules of ${busName}`, eb.send(new ListRulesCommand({ EventBusName: busName, NextToken: token })));
    rules.push(...(out.Rules ?? []));
    token = out.NextToken;
    if (!token) break;
  }
  return rules;
}

function progress(r: DescribeReplayCommandOutput, from: Date, to: Date): string {
  const last = r.EventLastReplayedTime;
  const pct = last ? Math.max(0, Math.min(100, Math.round(((last.getTime() - from.getTime()) / (to.getTime() - from.getTime())) * 100))) : 0;
  return `${r.State}${last ? `, replayed up to ${last.toISOString()} (${pct}% of the window)` : ''}`;
}

export async function replayCommand(options: ReplayOptions, io: Io): Promise<ExitCode> {
  const from = time(options.from, '--from');
  const to = time(options.to, '--to');
  if (!(from < to)) throw new CliError('--from must be before --to');
  if (!options.archive && !options.bus) throw new CliError('name the archive (--archive <name|arn>) or the bus whose archive to replay (--bus)');
  if (options.vendor !== undefined && !/^[a-z0-9-]{1,64}$/.test(options.vendor)) throw new CliError(`--vendor "${options.vendor}" is not a vendor name`);
  const eb = new EventBridgeClient(options.region ? { region: options.region } : {});
  try {
    // The archive, and the bus it archives (the only bus a replay may target).
    let archiveName: string;
    if (options.archive) archiveName = archiveNameOf(options.archive);
    else {
      const bus = await call(`describing the bus ${options.bus}`, eb.send(new DescribeEventBusCommand({ Name: options.bus })));
      const archives = (await call('listing archives', eb.send(new ListArchivesCommand({ EventSourceArn: bus.Arn })))).Archives ?? [];
      if (archives.length !== 1) {
        throw new CliError(`the bus ${options.bus} has ${archives.length === 0 ? 'no archive' : `${archives.length} archives (${archives.map((a) => a.ArchiveName).join(', ')}): pass --archive`}`);
      }
      archiveName = archives[0].ArchiveName!;
    }
    const archive = await call(`describing the archive ${archiveName}`, eb.send(new DescribeArchiveCommand({ ArchiveName: archiveName })));
    const busArn = archive.EventSourceArn!;
    const busName = busArn.slice(busArn.indexOf(':event-bus/') + ':event-bus/'.length);
    if (options.bus && options.bus !== busName && options.bus !== busArn) {
      throw new CliError(`the archive ${archiveName} records the bus ${busName}, not ${options.bus}: EventBridge replays an archive only onto its own bus`);
    }

    // Which rules receive the replay.
    const filterArns: string[] = [];
    for (const ref of options.rule) {
      const name = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
      const rule = await call(`describing the rule ${ref}`, eb.send(new DescribeRuleCommand({ Name: name, EventBusName: busName })));
      if (options.vendor && !selectsOnlyVendor(rule.EventPattern, options.vendor)) {
        throw new CliError(`the rule ${rule.Name} does not select only callhooks.${options.vendor} events (its pattern needs "source": ["callhooks.${options.vendor}"]), so --vendor cannot narrow a replay to it`);
      }
      filterArns.push(rule.Arn!);
    }
    if (options.vendor && options.rule.length === 0) {
      const rules = (await rulesOf(eb, busName)).filter((r) => !r.ManagedBy && selectsOnlyVendor(r.EventPattern, options.vendor!));
      if (rules.length === 0) {
        throw new CliError(
          `no rule on ${busName} selects only callhooks.${options.vendor} events: a replay cannot filter by pattern, so add a rule with ` +
            `{"source": ["callhooks.${options.vendor}"]} and the subscriber's target, then replay again (README › The command line › Replaying one vendor)`,
        );
      }
      filterArns.push(...rules.map((r) => r.Arn!));
    }

    const replayName = options.name ?? `callhooks-${options.vendor ?? 'all'}-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(2).toString('hex')}`;
    const started = await call(
      'starting the replay',
      eb.send(
        new StartReplayCommand({
          ReplayName: replayName,
          Description: `callhooks replay ${from.toISOString()}..${to.toISOString()}${options.vendor ? ` of ${options.vendor}` : ''}`,
          EventSourceArn: archive.ArchiveArn,
          EventStartTime: from,
          EventEndTime: to,
          Destination: { Arn: busArn, ...(filterArns.length > 0 ? { FilterArns: filterArns } : {}) },
        }),
      ),
    );
    const base = { replayName, replayArn: started.ReplayArn, archiveArn: archive.ArchiveArn!, busArn, filterArns, from: from.toISOString(), to: to.toISOString() };
    const target = filterArns.length > 0 ? `the rule${filterArns.length === 1 ? '' : 's'} ${filterArns.map((a) => a.slice(a.lastIndexOf('/') + 1)).join(', ')}` : `every rule on ${busName}`;
    if (!options.json) io.err(`replay ${replayName} started: ${from.toISOString()} to ${to.toISOString()} from ${archiveName} onto ${target}\n`);
    if (!options.wait) {
      const result: ReplayResult = { ...base, state: started.State ?? 'STARTING' };
      io.out(options.json ? `${JSON.stringify(result)}\n` : `replay ${replayName}: ${result.state} (not waiting; \`aws events describe-replay --replay-name ${replayName}\` follows it)\n`);
      return EXIT.ok;
    }

    // Wait, with progress, until it ends, the user stops it (the replay is then cancelled) or the timeout.
    let stopped = false;
    const stop = io.untilStopped().then(() => (stopped = true));
    const deadline = Date.now() + options.timeout * 1000;
    let last = '';
    let described: DescribeReplayCommandOutput;
    for (;;) {
      described = await call('describing the replay', eb.send(new DescribeReplayCommand({ ReplayName: replayName })));
      const line = progress(described, from, to);
      if (!options.json && line !== last) io.err(`  ${line}\n`);
      last = line;
      if (DONE.has(described.State ?? '')) break;
      if (stopped) {
        io.err(`stopping: cancelling replay ${replayName}\n`);
        await call('cancelling the replay', eb.send(new CancelReplayCommand({ ReplayName: replayName })));
        const result: ReplayResult = { ...base, state: 'CANCELLING' };
        if (options.json) io.out(`${JSON.stringify(result)}\n`);
        return EXIT.interrupted;
      }
      if (Date.now() > deadline) {
        throw new CliError(`replay ${replayName} is still ${described.State} after ${options.timeout} s; it goes on (\`aws events describe-replay --replay-name ${replayName}\`)`, EXIT.refused);
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, options.poll * 1000)), stop]);
    }
    const result: ReplayResult = {
      ...base,
      state: described.State!,
      stateReason: described.StateReason,
      eventLastReplayedTime: described.EventLastReplayedTime?.toISOString(),
      replayStartTime: described.ReplayStartTime?.toISOString(),
      replayEndTime: described.ReplayEndTime?.toISOString(),
    };
    const took =
      described.ReplayStartTime && described.ReplayEndTime ? ` in ${Math.max(0, Math.round((described.ReplayEndTime.getTime() - described.ReplayStartTime.getTime()) / 1000))} s` : '';
    io.out(options.json ? `${JSON.stringify(result)}\n` : `replay ${replayName}: ${result.state}${took}${result.stateReason ? ` (${result.stateReason})` : ''}\n`);
    return result.state === 'COMPLETED' ? EXIT.ok : EXIT.refused;
  } finally {
    eb.destroy();
  }
}
