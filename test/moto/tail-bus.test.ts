/**
 * `callhooks tail --bus` (the real command, in a child process) against moto's EventBridge and SQS: moto 5.2
 * delivers what a rule matches to its SQS target, so the events printed here went bus → rule → queue → command.
 * moto does not evaluate the queue policy (it would deliver without one): the test reads the policy back instead.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ListRulesCommand, PutEventsCommand, PutEventsRequestEntry, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, ListQueueTagsCommand } from '@aws-sdk/client-sqs';
import { ROOT } from '../../local/runtime';
import { BIN, cleanEnv, runCli } from '../cli/cli';
import { createBus, MotoClients, motoClients, MotoServer, MOTO_CREDENTIALS, MOTO_REGION, startMoto } from './moto-server';

jest.setTimeout(90_000); // each start of the real command starts Node and tsx: seconds on a busy machine

const BUS = 'callhooks-tail-test-bus';
let moto: MotoServer;
let clients: MotoClients;

function awsEnv(): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: MOTO_REGION,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
  };
}

interface Tail {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr or stdout (per `stream`) matches `re`; rejects when the command ends first or after 30 s. */
  waitFor(re: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const tails: Tail[] = [];

function startTail(args: string[]): Tail {
  const child = spawn(process.execPath, [BIN, 'tail', '--bus', BUS, ...args], { cwd: ROOT, env: cleanEnv(awsEnv()), stdio: ['ignore', 'pipe', 'pipe'] });
  const text = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (text.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text.stderr += d.toString()));
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    }),
  );
  const tail: Tail = {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    exited,
    waitFor: async (re, stream = 'stderr') => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const m = text[stream].match(re);
        if (m) return m;
        if (ended || Date.now() > deadline) throw new Error(`${re} not seen on ${stream}:\n${text.stdout}\n${text.stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  tails.push(tail);
  return tail;
}

/** The rule and queue a tail announced it creates, once it says it listens. */
async function listening(tail: Tail): Promise<string> {
  const [, name] = await tail.waitFor(/creating rule (callhooks-tail-[0-9a-f]{8}) on /);
  await tail.waitFor(/listening on /);
  return name;
}

async function tailRules(): Promise<string[]> {
  const out = await clients.eventBridge.send(new ListRulesCommand({ EventBusName: BUS, NamePrefix: 'callhooks-tail-' }));
  return (out.Rules ?? []).map((r) => r.Name!);
}

async function tailQueues(): Promise<string[]> {
  const out = await clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'callhooks-tail-' }));
  return (out.QueueUrls ?? []).map((u) => u.slice(u.lastIndexOf('/') + 1));
}

function callEvent(vendor: string, eventId: string, callId: string, type = 'call.ended'): PutEventsRequestEntry {
  return { EventBusName: BUS, Source: `callhooks.${vendor}`, DetailType: type, Detail: JSON.stringify({ schemaVersion: '1', eventId, type, vendor, callId }) };
}

async function publish(...entries: PutEventsRequestEntry[]): Promise<void> {
  const out = await clients.eventBridge.send(new PutEventsCommand({ Entries: entries }));
  expect(out.FailedEntryCount ?? 0).toBe(0);
}

/** A handler on 127.0.0.1 that records what it is sent and answers `status`. */
async function handler(status = 200): Promise<{ server: Server; url: string; received: Array<{ method?: string; type?: string; body: string }> }> {
  const received: Array<{ method?: string; type?: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ method: req.method, type: req.headers['content-type'], body });
      res.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

beforeAll(async () => {
  moto = await startMoto();
  clients = motoClients(moto);
  await createBus(clients, BUS);
});

afterEach(async () => {
  // A test that failed half-way must not leave a command running.
  for (const t of tails.splice(0)) if (t.child.exitCode === null && t.child.signalCode === null) t.child.kill('SIGKILL');
});

afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

describe('callhooks tail --bus (against moto)', () => {
  it('prints each callhooks event published on the bus, forwards it to a local handler, and removes its rule and queue after --max-events', async () => {
    const hook = await handler(202);
    try {
      const tail = startTail(['--forward', hook.url, '--max-events', '2', '--timeout', '60']);
      const name = await listening(tail);

      // While it runs: a rule for callhooks.* events only, whose one target is a queue only that rule may send to,
      // encrypted, keeping events 15 minutes, and both tagged for --cleanup.
      const rule = (await clients.eventBridge.send(new ListRulesCommand({ EventBusName: BUS, NamePrefix: name }))).Rules![0];
      expect(JSON.parse(rule.EventPattern!)).toEqual({ source: [{ prefix: 'callhooks.' }] });
      const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      const attrs = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes!;
      expect(attrs.MessageRetentionPeriod).toBe('900');
      expect(JSON.parse(attrs.Policy!).Statement).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: attrs.QueueArn,
          Condition: { ArnEquals: { 'aws:SourceArn': rule.Arn } },
        }),
      ]);
      expect((await clients.sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toMatchObject({ 'callhooks:tail': BUS });

      // A terminal escape in a sender's field (clear the screen, set the window title) must not reach the terminal raw.
      const hostile = 'call-\u001b[2J\u001b]0;owned\u0007-1';
      await publish(callEvent('quarterzip', 'evt-tail-1', hostile), { EventBusName: BUS, Source: 'billing.app', DetailType: 'call.ended', Detail: '{"eventId":"not-ours"}' });
      await publish(callEvent('converc', 'evt-tail-2', 'call-2', 'transcript.ready'));

      const { code } = await tail.exited;
      expect(tail.stderr()).toMatch(new RegExp(`removed rule ${name} and queue ${name}\\n$`));
      expect(code).toBe(0);
      const out = tail.stdout();
      expect(out).not.toMatch(/[\u001b\u0007]/);
      expect(out.split('\n')).toEqual([
        expect.stringMatching(/^\S+Z {2}callhooks\.quarterzip {2}call\.ended {2}eventId=evt-tail-1 {2}callId=call-\\u001b\[2J\\u001b\]0;owned\\u0007-1$/),
        `  -> 202 from ${hook.url}`,
        expect.stringMatching(/^\S+Z {2}callhooks\.converc {2}transcript\.ready {2}eventId=evt-tail-2 {2}callId=call-2$/),
        `  -> 202 from ${hook.url}`,
        '',
      ]);
      expect(out).not.toContain('not-ours');

      // The handler received each event as a subscriber does: the EventBridge envelope, as JSON.
      expect(hook.received.map((r) => [r.method, r.type])).toEqual([
        ['POST', 'application/json'],
        ['POST', 'application/json'],
      ]);
      const bodies = hook.received.map((r) => JSON.parse(r.body));
      expect(bodies[0]).toMatchObject({ source: 'callhooks.quarterzip', 'detail-type': 'call.ended', detail: { eventId: 'evt-tail-1', callId: hostile } });
      expect(bodies[0]).toEqual(expect.objectContaining({ version: '0', id: expect.any(String), time: expect.any(String), region: MOTO_REGION, resources: [] }));
      expect(bodies[1]).toMatchObject({ source: 'callhooks.converc', detail: { eventId: 'evt-tail-2' } });

      expect(await tailRules()).toEqual([]);
      expect(await tailQueues()).toEqual([]);
    } finally {
      hook.server.close();
    }
  });

  it('on Ctrl-C (SIGINT) removes its rule and queue and exits 0; --json prints the events as one JSON line each', async () => {
    const tail = startTail(['--json', '--vendor', 'qcall']);
    const name = await listening(tail);
    expect(await tailRules()).toEqual([name]);
    expect(await tailQueues()).toEqual([name]);
    await publish(callEvent('quarterzip', 'evt-other-vendor', 'c'), callEvent('qcall', 'evt-json-1', 'call-j'));
    await tail.waitFor(/evt-json-1/, 'stdout');

    // It stops at once, though it was waiting on a 20-second long poll of the queue.
    const asked = Date.now();
    tail.child.kill('SIGINT');
    const { code } = await tail.exited;
    expect(Date.now() - asked).toBeLessThan(10_000);
    expect(code).toBe(0);
    const lines = tail.stdout().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ source: 'callhooks.qcall', 'detail-type': 'call.ended', detail: { eventId: 'evt-json-1' } });
    expect(tail.stderr()).toContain(`removed rule ${name} and queue ${name}`);
    expect(await tailRules()).toEqual([]);
    expect(await tailQueues()).toEqual([]);
  });

  it('says so when a forward fails, goes on with the next event, and exits 1', async () => {
    const hook = await handler();
    const closed = hook.url;
    await new Promise((r) => hook.server.close(r)); // nothing listens there any more
    const tail = startTail(['--forward', closed, '--max-events', '2', '--timeout', '60']);
    await listening(tail);
    await publish(callEvent('atoms', 'evt-f-1', 'c1'));
    await tail.waitFor(/evt-f-1/, 'stdout');
    await publish(callEvent('atoms', 'evt-f-2', 'c2'));
    const { code } = await tail.exited;
    expect(code).toBe(1);
    const forwards = tail.stdout().split('\n').filter((l) => l.startsWith('  -> '));
    expect(forwards).toEqual([`  -> forward failed: ECONNREFUSED (${closed}; not retried)`, `  -> forward failed: ECONNREFUSED (${closed}; not retried)`]);
    expect(tail.stdout()).toMatch(/eventId=evt-f-2/);
    expect(await tailRules()).toEqual([]);
  });

  it('ends at --timeout, exits 1 when fewer than --max-events came, and removes its rule and queue', async () => {
    const r = await runCli(['tail', '--bus', BUS, '--max-events', '1', '--timeout', '2'], { env: awsEnv(), timeoutMs: 60_000 });
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/callhooks: 0 of 1 events within 2 s\nremoved rule (callhooks-tail-[0-9a-f]{8}) and queue \1\n$/);
    expect(r.code).toBe(1);
    expect(await tailRules()).toEqual([]);
    expect(await tailQueues()).toEqual([]);
  });

  it('leaves its rule and queue when killed outright, and --cleanup removes them (and nothing else)', async () => {
    await clients.eventBridge.send(new PutRuleCommand({ Name: 'callhooks-tail-subscriber', EventBusName: BUS, EventPattern: '{"source":[{"prefix":"callhooks."}]}' }));
    const tail = startTail([]);
    const name = await listening(tail);
    tail.child.kill('SIGKILL');
    await tail.exited;
    expect(await tailRules()).toEqual(expect.arrayContaining([name]));
    expect(await tailQueues()).toEqual([name]);

    const r = await runCli(['tail', '--bus', BUS, '--cleanup'], { env: awsEnv(), timeoutMs: 60_000 });
    expect(r.stdout).toBe(`removed rule ${name}, queue ${name}\n`);
    expect(r.code).toBe(0);
    expect(await tailRules()).toEqual(['callhooks-tail-subscriber']);
    expect(await tailQueues()).toEqual([]);
  });

  it('exits 1 without creating anything when the bus does not exist', async () => {
    const r = await runCli(['tail', '--bus', 'no-such-bus'], { env: awsEnv(), timeoutMs: 60_000 });
    expect(r.stderr).toMatch(/describing the bus no-such-bus: ResourceNotFoundException/);
    expect(r.code).toBe(1);
    expect(await tailQueues()).toEqual([]);
  });
});
