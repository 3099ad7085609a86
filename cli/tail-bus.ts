/**
 * `callhooks tail --bus`: follows a deployed bus, as `stripe listen` does. For the run it creates a rule on the
 * bus (`source` prefix `callhooks.`, or the chosen vendors and detail types) whose target is a new SQS queue,
 * long-polls the queue, prints each event as the local `tail` does and, with `--forward`, POSTs it to a handler
 * on the developer's machine. On exit — normal end, Ctrl-C/SIGTERM, or an error — it removes the target, the rule
 * and the queue. A process killed outright (kill -9) leaves both behind: their names are printed at start, both
 * are tagged `callhooks:tail` = <bus>, the queue keeps a message for 15 minutes only, and `--cleanup` removes
 * what earlier runs left on a bus.
 */
import { randomBytes } from 'node:crypto';
import { DeleteRuleCommand, DescribeEventBusCommand, EventBridgeClient, ListRulesCommand, ListTagsForResourceCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ListQueuesCommandOutput,
  ListQueueTagsCommand,
  Message,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { NORMALIZED_TYPES } from '../lambda/core/event';
import { closest, httpUrlOption } from './context';
import { awsCall as call, awsError, CliError, EXIT, ExitCode, Io } from './io';
import { eventLine, printable } from './tail';

export interface BusTailOptions {
  /** The bus: name or ARN. */
  readonly bus: string;
  readonly region?: string;
  /** An http(s) URL each event is POSTed to. */
  readonly forward?: string;
  /** Only these vendors' events (`callhooks.<vendor>`); all when empty. */
  readonly vendor: readonly string[];
  /** Only these detail types; all when empty. */
  readonly detailType: readonly string[];
  /** Stop after this many events. */
  readonly maxEvents?: number;
  /** Stop after this many seconds. */
  readonly timeout?: number;
  readonly json?: boolean;
  /** Remove what earlier runs left on the bus, and stop. */
  readonly cleanup?: boolean;
}

/** Every rule and queue of a tail is named `callhooks-tail-<8 hex digits>`. */
export const TAIL_PREFIX = 'callhooks-tail-';
const TAIL_NAME = /^callhooks-tail-[0-9a-f]{8}$/;
/** The tag on both, whose value is the bus's name: how `--cleanup` tells a tail's leftovers from anything else. */
export const TAIL_TAG = 'callhooks:tail';
/** How long the queue keeps an event nobody read (the shortest useful; SQS allows 60 s to 14 days). */
export const RETENTION_SECONDS = 900;
/** The rule's one target. */
const TARGET_ID = 'queue';
/** How long a forward may take before it counts as failed. */
const FORWARD_TIMEOUT_MS = 10_000;
/** Received messages stay hidden while a batch of 10 is printed and forwarded (10 s each at most), then deleted. */
const VISIBILITY_SECONDS = 300;

function forwardUrl(text: string): URL {
  return httpUrlOption('--forward', text);
}

/** The event pattern of the tail's rule. */
export function tailPattern(vendors: readonly string[], detailTypes: readonly string[]): Record<string, unknown> {
  return {
    source: vendors.length > 0 ? vendors.map((v) => `callhooks.${v}`) : [{ prefix: 'callhooks.' }],
    ...(detailTypes.length > 0 ? { 'detail-type': [...detailTypes] } : {}),
  };
}

function checkFilters(vendors: readonly string[], detailTypes: readonly string[]): void {
  for (const v of vendors) if (!/^[a-z0-9-]{1,64}$/.test(v)) throw new CliError(`--vendor "${v}" is not a vendor name`);
  for (const t of detailTypes) {
    if ((NORMALIZED_TYPES as readonly string[]).includes(t)) continue;
    const near = closest(t, NORMALIZED_TYPES);
    throw new CliError(`--detail-type "${t}" is not a callhooks detail type${near ? ` — did you mean "${near}"?` : ''} (${NORMALIZED_TYPES.join(', ')})`);
  }
}

const regionOfArn = (ref: string) => (ref.startsWith('arn:') ? ref.split(':')[3] || undefined : undefined);
const busNameOf = (ref: string) => (ref.startsWith('arn:') ? ref.slice(ref.indexOf(':event-bus/') + ':event-bus/'.length) : ref);
const notFound = (err: unknown) => /ResourceNotFound|NonExistentQueue|QueueDoesNotExist/.test((err as { name?: string }).name ?? '');

/** What one run created, so that exactly that is removed. */
interface Created {
  rule?: string;
  targets?: boolean;
  queueUrl?: string;
}

/**
 * Removes what `created` lists, each step on its own (one failing does not keep the others from running).
 * Resolves with the names that could not be removed (reported on stderr).
 */
async function removeCreated(eb: EventBridgeClient, sqs: SQSClient, bus: string, name: string, created: Created, io: Io): Promise<string[]> {
  const left: string[] = [];
  const step = async (what: string, p: () => Promise<unknown>) => {
    try {
      await p();
    } catch (err) {
      if (notFound(err)) return;
      left.push(what);
      const e = err as { name?: string; message?: string };
      io.err(`callhooks: could not remove ${what}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}\n`);
    }
  };
  if (created.rule) {
    if (created.targets) await step(`the target of rule ${name}`, () => eb.send(new RemoveTargetsCommand({ Rule: name, EventBusName: bus, Ids: [TARGET_ID] })));
    await step(`rule ${name}`, () => eb.send(new DeleteRuleCommand({ Name: name, EventBusName: bus })));
  }
  if (created.queueUrl) {
    const url = created.queueUrl;
    await step(`queue ${name}`, () => sqs.send(new DeleteQueueCommand({ QueueUrl: url })));
  }
  return left;
}

/** Creates the queue, the rule and its target, recording each in `created` as soon as it exists. */
async function createResources(eb: EventBridgeClient, sqs: SQSClient, bus: string, busName: string, name: string, pattern: unknown, created: Created): Promise<string> {
  const started = new Date().toISOString();
  const tags = { [TAIL_TAG]: busName, 'callhooks:tail-started': started };
  const queue = await call(
    `creating the queue ${name}`,
    sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        // Events hold personal data: encrypted at rest, and kept only briefly when nobody reads them.
        Attributes: { MessageRetentionPeriod: String(RETENTION_SECONDS), SqsManagedSseEnabled: 'true' },
        tags,
      }),
    ),
  );
  created.queueUrl = queue.QueueUrl!;
  const { Attributes } = await call(`reading the queue ${name}`, sqs.send(new GetQueueAttributesCommand({ QueueUrl: created.queueUrl, AttributeNames: ['QueueArn'] })));
  const queueArn = Attributes!.QueueArn!;
  // Recorded before the call: a rule whose creation seemed to fail may still exist (deleting a missing one is harmless).
  created.rule = name;
  const rule = await call(
    `creating the rule ${name} on ${busName}`,
    eb.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: bus,
        EventPattern: JSON.stringify(pattern),
        State: 'ENABLED',
        Description: `callhooks tail (temporary, started ${started}); if left behind: callhooks tail --bus ${busName} --cleanup`,
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    ),
  );
  // Only this rule may send to the queue.
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FromTheTailRule',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': rule.RuleArn } },
      },
    ],
  };
  await call(`setting the policy of the queue ${name}`, sqs.send(new SetQueueAttributesCommand({ QueueUrl: created.queueUrl, Attributes: { Policy: JSON.stringify(policy) } })));
  created.targets = true;
  const targets = await call(`adding the queue as the target of ${name}`, eb.send(new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: TARGET_ID, Arn: queueArn }] })));
  if ((targets.FailedEntryCount ?? 0) > 0) {
    const f = targets.FailedEntries?.[0];
    throw new CliError(`adding the queue as the target of ${name}: ${f?.ErrorCode ?? 'failed'}: ${f?.ErrorMessage ?? ''}`.trim(), EXIT.refused);
  }
  return queue.QueueUrl!;
}

/** POSTs `body` to `url`; resolves with the line to print and whether it was answered 2xx. */
async function forwardEvent(url: URL, body: string, stop: AbortSignal): Promise<{ line: string; ok: boolean }> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'callhooks-tail' },
      body,
      redirect: 'manual',
      signal: AbortSignal.any([stop, AbortSignal.timeout(FORWARD_TIMEOUT_MS)]),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok
      ? { line: `  -> ${res.status} from ${url.href}`, ok: true }
      : { line: `  -> forward failed: ${res.status} from ${url.href} (not retried)`, ok: false };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
    const why = e.name === 'TimeoutError' ? `no answer within ${FORWARD_TIMEOUT_MS / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
    return { line: `  -> forward failed: ${printable(why)} (${url.href}; not retried)`, ok: false };
  }
}

/** `--cleanup`: removes the rules on the bus and the queues tagged for it that earlier tails left. */
async function removeLeftovers(eb: EventBridgeClient, sqs: SQSClient, bus: string, busName: string, io: Io): Promise<ExitCode> {
  const removed: string[] = [];
  let failed = false;
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const out = await call(`listing the rules of ${busName}`, eb.send(new ListRulesCommand({ EventBusName: bus, NamePrefix: TAIL_PREFIX, NextToken: token })));
    for (const rule of out.Rules ?? []) {
      if (!rule.Name || !TAIL_NAME.test(rule.Name)) continue;
      const { Tags } = await call(`reading the tags of rule ${rule.Name}`, eb.send(new ListTagsForResourceCommand({ ResourceARN: rule.Arn })));
      if (!Tags?.some((t) => t.Key === TAIL_TAG)) continue;
      const left = await removeCreated(eb, sqs, bus, rule.Name, { rule: rule.Name, targets: true }, io);
      if (left.length > 0) failed = true;
      else removed.push(`rule ${rule.Name}`);
    }
    token = out.NextToken;
    if (!token) break;
  }
  let queueToken: string | undefined;
  for (let page = 0; page < 100; page++) {
    const out: ListQueuesCommandOutput = await call('listing queues', sqs.send(new ListQueuesCommand({ QueueNamePrefix: TAIL_PREFIX, MaxResults: 1000, NextToken: queueToken })));
    for (const url of out.QueueUrls ?? []) {
      const name = url.slice(url.lastIndexOf('/') + 1);
      if (!TAIL_NAME.test(name)) continue;
      const { Tags } = await call(`reading the tags of queue ${name}`, sqs.send(new ListQueueTagsCommand({ QueueUrl: url })));
      if (Tags?.[TAIL_TAG] !== busName) continue;
      const left = await removeCreated(eb, sqs, bus, name, { queueUrl: url }, io);
      if (left.length > 0) failed = true;
      else removed.push(`queue ${name}`);
    }
    queueToken = out.NextToken;
    if (!queueToken) break;
  }
  io.out(removed.length === 0 ? `nothing left by earlier tails on ${busName}\n` : `removed ${removed.join(', ')}\n`);
  return failed ? EXIT.refused : EXIT.ok;
}

export async function busTail(options: BusTailOptions, io: Io): Promise<ExitCode> {
  const forward = options.forward === undefined ? undefined : forwardUrl(options.forward);
  checkFilters(options.vendor, options.detailType);
  const region = options.region ?? regionOfArn(options.bus);
  const config = region ? { region } : {};
  const eb = new EventBridgeClient(config);
  const sqs = new SQSClient(config);
  // Ctrl-C from here on ends the tail through the cleanup below, also while the resources are being created.
  const stop = new AbortController();
  void io.untilStopped().then(() => stop.abort());
  try {
    const described = await call(`describing the bus ${options.bus}`, eb.send(new DescribeEventBusCommand({ Name: options.bus })));
    const busName = described.Name ?? busNameOf(options.bus);
    if (options.cleanup) return await removeLeftovers(eb, sqs, options.bus, busName, io);

    const name = `${TAIL_PREFIX}${randomBytes(4).toString('hex')}`;
    const cleanup = `callhooks tail --bus ${options.bus}${options.region ? ` --region ${options.region}` : ''} --cleanup`;
    const pattern = tailPattern(options.vendor, options.detailType);
    io.err(`creating rule ${name} on ${busName} and queue ${name}; both are removed on exit (if this process is killed: ${cleanup})\n`);
    const created: Created = {};
    let outcome: ExitCode = EXIT.ok;
    let failure: unknown;
    try {
      const queueUrl = await createResources(eb, sqs, options.bus, busName, name, pattern, created);
      if (!stop.signal.aborted) {
        io.err(`listening on ${busName} for ${JSON.stringify(pattern)}${forward ? `, forwarding to ${forward.href}` : ''} (Ctrl-C to stop)\n`);
        outcome = await follow(sqs, queueUrl, forward, options, stop.signal, io);
      }
    } catch (err) {
      failure = err;
    }
    const left = await removeCreated(eb, sqs, options.bus, name, created, io);
    const what = [created.rule && `rule ${name}`, created.queueUrl && `queue ${name}`].filter(Boolean).join(' and ');
    if (left.length === 0) {
      if (what) io.err(`removed ${what}\n`);
    } else io.err(`callhooks: left behind: ${left.join(', ')} (${cleanup} removes them)\n`);
    if (failure !== undefined) throw failure;
    return left.length > 0 ? EXIT.refused : outcome;
  } finally {
    eb.destroy();
    sqs.destroy();
  }
}

/** Receives, prints, forwards and deletes events until stopped, `maxEvents` or `timeout`. */
async function follow(sqs: SQSClient, queueUrl: string, forward: URL | undefined, options: BusTailOptions, stop: AbortSignal, io: Io): Promise<ExitCode> {
  const deadline = options.timeout === undefined ? Infinity : Date.now() + options.timeout * 1000;
  const max = options.maxEvents ?? Infinity;
  let seen = 0;
  let forwardFailed = false;
  while (!stop.aborted && seen < max && Date.now() < deadline) {
    const wait = Math.max(0, Math.min(20, Math.ceil((deadline - Date.now()) / 1000)));
    let messages: Message[];
    try {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: Math.min(10, max - seen), WaitTimeSeconds: wait, VisibilityTimeout: VISIBILITY_SECONDS }), { abortSignal: stop });
      messages = out.Messages ?? [];
    } catch (err) {
      if (stop.aborted) break;
      throw awsError(err, 'receiving from the queue');
    }
    const done: Message[] = [];
    for (const m of messages) {
      if (seen >= max) break;
      const body = m.Body ?? '';
      io.out(`${eventLine(oneLine(body), options.json)}\n`);
      if (forward) {
        const r = await forwardEvent(forward, body, stop);
        forwardFailed ||= !r.ok;
        // With --json stdout holds only events.
        if (options.json) io.err(`${r.line}\n`);
        else io.out(`${r.line}\n`);
      }
      done.push(m);
      seen++;
    }
    if (done.length > 0) {
      await call(
        'deleting received messages',
        sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) })),
      );
    }
  }
  if (forwardFailed) return EXIT.refused;
  // Waiting for a number of events that did not all come in time is a "no".
  if (options.maxEvents !== undefined && seen < options.maxEvents && !stop.aborted) {
    io.err(`callhooks: ${seen} of ${options.maxEvents} events within ${options.timeout} s\n`);
    return EXIT.refused;
  }
  return EXIT.ok;
}

/** A JSON body on one line (the JSON text re-serialized), so that `--json` prints one event per line. */
function oneLine(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body));
  } catch {
    return body;
  }
}
