/**
 * `callhooks replay` (the real command) against moto's EventBridge archives and replays.
 *
 * moto 5.2 archives what the bus receives and replays it onto the bus at once (the replay is COMPLETED
 * when StartReplay returns). It ignores the time window and `Destination.FilterArns`: every rule on the
 * bus receives the replayed events, subject to its own pattern. So these tests check what the command
 * asks EventBridge for (the FilterArns, read back with DescribeReplay) and that the selected rule's
 * subscriber receives the vendor's events again, marked with `replay-name`; not that other rules do not.
 */
import { CreateArchiveCommand, DescribeEventBusCommand, DescribeReplayCommand, DescribeRuleCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createBus, drainQueue, MotoClients, motoClients, MotoServer, MOTO_CREDENTIALS, MOTO_REGION, ruleToQueue, startMoto } from './moto-server';
import { runCli } from '../cli/cli';

const BUS = 'callhooks-replay-bus';
const ARCHIVE = 'callhooks-replay-archive';
let moto: MotoServer;
let clients: MotoClients;
let qzQueue: string;
let allQueue: string;
const from = new Date(Date.now() - 3600_000).toISOString();
const to = new Date(Date.now() + 60_000).toISOString();

function cli(args: string[]) {
  return runCli(['replay', ...args], {
    env: {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: MOTO_REGION,
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    },
    timeoutMs: 30_000,
  });
}

beforeAll(async () => {
  moto = await startMoto();
  clients = motoClients(moto);
  await createBus(clients, BUS);
  const bus = await clients.eventBridge.send(new DescribeEventBusCommand({ Name: BUS }));
  await clients.eventBridge.send(new CreateArchiveCommand({ ArchiveName: ARCHIVE, EventSourceArn: bus.Arn, RetentionDays: 1 }));
  qzQueue = await ruleToQueue(clients, BUS, 'quarterzip-only', { source: ['callhooks.quarterzip'] });
  allQueue = await ruleToQueue(clients, BUS, 'every-vendor', { source: [{ prefix: 'callhooks.' }] });
  const entry = (vendor: string, eventId: string) => ({
    EventBusName: BUS,
    Source: `callhooks.${vendor}`,
    DetailType: 'call.ended',
    Detail: JSON.stringify({ schemaVersion: '1', eventId, type: 'call.ended', vendor }),
  });
  await clients.eventBridge.send(new PutEventsCommand({ Entries: [entry('quarterzip', 'evt-qz-1'), entry('converc', 'evt-cv-1')] }));
  // The original deliveries: what a replay adds comes after them.
  expect((await drainQueue(clients.sqs, qzQueue)).length).toBe(1);
  expect((await drainQueue(clients.sqs, allQueue)).length).toBe(2);
});

afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

describe('callhooks replay (against moto)', () => {
  it('--vendor replays to the rules that select only that vendor, waits until COMPLETED, and the subscriber gets the event again', async () => {
    const r = await cli(['--archive', ARCHIVE, '--from', from, '--to', to, '--vendor', 'quarterzip', '--json', '--poll', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    const rule = await clients.eventBridge.send(new DescribeRuleCommand({ Name: 'quarterzip-only', EventBusName: BUS }));
    expect(result).toMatchObject({ state: 'COMPLETED', filterArns: [rule.Arn], from: new Date(from).toISOString(), to: new Date(to).toISOString() });
    expect(result.replayName).toMatch(/^callhooks-quarterzip-\d{8}T\d{6}-[0-9a-f]{4}$/);

    const replay = await clients.eventBridge.send(new DescribeReplayCommand({ ReplayName: result.replayName }));
    expect(replay.Destination?.FilterArns).toEqual([rule.Arn]);
    expect(replay.EventSourceArn).toMatch(new RegExp(`:archive/${ARCHIVE}$`));

    const again = await drainQueue<{ source: string; detail: { eventId: string }; 'replay-name'?: string }>(clients.sqs, qzQueue);
    expect(again.map((e) => [e.source, e.detail.eventId, e['replay-name']])).toEqual([['callhooks.quarterzip', 'evt-qz-1', result.replayName]]);
  });

  it('shows progress on stderr and a summary on stdout without --json', async () => {
    const r = await cli(['--bus', BUS, '--from', from, '--to', to, '--rule', 'every-vendor', '--poll', '1', '--name', 'callhooks-human-output']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^replay callhooks-human-output started: .* from callhooks-replay-archive onto the rule every-vendor\n {2}COMPLETED/);
    expect(r.stdout).toMatch(/^replay callhooks-human-output: COMPLETED/);
  });

  it.each([
    [['--archive', ARCHIVE, '--vendor', 'atoms'], 2, /no rule on callhooks-replay-bus selects only callhooks\.atoms events: a replay cannot filter by pattern/],
    [['--archive', ARCHIVE, '--vendor', 'quarterzip', '--rule', 'every-vendor'], 2, /the rule every-vendor does not select only callhooks\.quarterzip events/],
    [['--archive', ARCHIVE, '--bus', 'another-bus'], 2, /records the bus callhooks-replay-bus, not another-bus: EventBridge replays an archive only onto its own bus/],
    [['--archive', 'no-such-archive'], 1, /describing the archive no-such-archive: ResourceNotFoundException/],
  ])('%j exits %i with a reason', async (args, code, message) => {
    const r = await cli([...args, '--from', from, '--to', to]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
  });
});
