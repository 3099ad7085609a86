/**
 * The AWS parts that moto cannot run: invoking the redrive function (moto's Lambda needs Docker to invoke)
 * and a replay that takes time (moto's replays complete at once), with the SDK mocked (aws-sdk-client-mock).
 */
import { CancelReplayCommand, DescribeArchiveCommand, DescribeReplayCommand, EventBridgeClient, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { selectsOnlyVendor } from '../../cli/replay';
import { runHere } from './cli';

const lambda = mockClient(LambdaClient);
const eb = mockClient(EventBridgeClient);
const env = { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
afterEach(() => {
  lambda.reset();
  eb.reset();
});

describe('callhooks redrive --function', () => {
  it('invokes the redrive function and prints its report', async () => {
    // Prepare
    const report = { examined: 4, published: 3, failed: 0, deadLettered: 1, skipped: 0 };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from(JSON.stringify(report)) as never });
    // Act
    const r = await runHere(['redrive', '--function', 'Callhooks-Redrive'], { env });
    // Assert
    expect(r.stdout).toBe('redrive (function Callhooks-Redrive): examined 4, published 3, failed 0, dead-lettered 1, skipped 0 (lease not ended)\n');
    expect(r.code).toBe(0);
    expect(lambda.commandCalls(InvokeCommand)[0].args[0].input).toMatchObject({ FunctionName: 'Callhooks-Redrive', InvocationType: 'RequestResponse' });
  });

  it('--dead invokes the redrive function to republish the dead-lettered events, and prints what it did', async () => {
    // Prepare
    const report = { examined: 3, published: 2, failed: 1, deadLettered: 0, skipped: 0 };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from(JSON.stringify(report)) as never });
    // Act
    const r = await runHere(['redrive', '--dead', '--function', 'Callhooks-Redrive'], { env });
    // Assert
    expect(r.stdout).toBe('republish of dead events (function Callhooks-Redrive): examined 3 dead-letter messages, republished 2, failed 1 (kept for a later try), 0 no longer dead (removed)\n');
    expect(r.code).toBe(1);
    const input = lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8'))).toEqual({ republishDead: true });
  });

  it('exits 1 with the function error when the redrive function fails', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from('{"errorType":"DependencyError","errorMessage":"the table is unavailable"}') as never });
    const r = await runHere(['redrive', '--function', 'Callhooks-Redrive'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('callhooks: the redrive function Callhooks-Redrive failed: DependencyError: the table is unavailable\n');
  });

  it('exits 3 when the function cannot be invoked', async () => {
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('Function not found: Nope'), { name: 'ResourceNotFoundException' }));
    const r = await runHere(['redrive', '--function', 'Nope', '--json'], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('ResourceNotFoundException: Function not found: Nope');
  });
});

describe('callhooks replay while it runs', () => {
  const archive = { ArchiveArn: 'arn:aws:events:eu-west-1:123456789012:archive/callhooks', EventSourceArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/callhooks' };
  const from = '2026-11-30T00:00:00Z';
  const to = '2026-12-01T00:00:00Z';

  it('prints its progress through the window, and --no-wait returns once started', async () => {
    eb.on(DescribeArchiveCommand).resolves(archive);
    eb.on(StartReplayCommand).resolves({ ReplayArn: 'arn:aws:events:eu-west-1:123456789012:replay/r1', State: 'STARTING' });
    eb.on(DescribeReplayCommand)
      .resolvesOnce({ State: 'RUNNING', EventLastReplayedTime: new Date('2026-11-30T06:00:00Z') })
      .resolvesOnce({ State: 'RUNNING', EventLastReplayedTime: new Date('2026-11-30T18:00:00Z') })
      .resolves({ State: 'COMPLETED', ReplayStartTime: new Date('2026-12-01T10:00:00Z'), ReplayEndTime: new Date('2026-12-01T10:02:05Z') });
    const r = await runHere(['replay', '--archive', archive.ArchiveArn, '--from', from, '--to', to, '--poll', '1', '--name', 'r1'], { env });
    expect(r.stderr.split('\n').slice(1)).toEqual([
      '  RUNNING, replayed up to 2026-11-30T06:00:00.000Z (25% of the window)',
      '  RUNNING, replayed up to 2026-11-30T18:00:00.000Z (75% of the window)',
      '  COMPLETED',
      '',
    ]);
    expect(r.stdout).toBe('replay r1: COMPLETED in 125 s\n');
    expect(r.code).toBe(0);
    // Without --rule or --vendor the replay goes to every rule on the archive's bus.
    expect(eb.commandCalls(StartReplayCommand)[0].args[0].input).toMatchObject({
      ReplayName: 'r1',
      EventSourceArn: archive.ArchiveArn,
      EventStartTime: new Date(from),
      EventEndTime: new Date(to),
      Destination: { Arn: archive.EventSourceArn },
    });

    const noWait = await runHere(['replay', '--archive', 'callhooks', '--from', from, '--to', to, '--no-wait', '--json', '--name', 'r2'], { env });
    expect(JSON.parse(noWait.stdout)).toMatchObject({ replayName: 'r2', state: 'STARTING' });
    expect(noWait.code).toBe(0);
  });

  it('cancels the replay and exits 130 when stopped with Ctrl-C', async () => {
    eb.on(DescribeArchiveCommand).resolves(archive);
    eb.on(StartReplayCommand).resolves({ State: 'STARTING' });
    eb.on(DescribeReplayCommand).resolves({ State: 'RUNNING' });
    eb.on(CancelReplayCommand).resolves({ State: 'CANCELLING' });
    const r = await runHere(['replay', '--archive', 'callhooks', '--from', from, '--to', to, '--poll', '60', '--name', 'r3'], { env, untilStopped: Promise.resolve('SIGINT') });
    expect(r.code).toBe(130);
    expect(eb.commandCalls(CancelReplayCommand).map((c) => c.args[0].input)).toEqual([{ ReplayName: 'r3' }]);
  });

  it('exits 1 when the replay fails, with its reason', async () => {
    eb.on(DescribeArchiveCommand).resolves(archive);
    eb.on(StartReplayCommand).resolves({ State: 'STARTING' });
    eb.on(DescribeReplayCommand).resolves({ State: 'FAILED', StateReason: 'the archive was deleted' });
    const r = await runHere(['replay', '--archive', 'callhooks', '--from', from, '--to', to, '--name', 'r4'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('replay r4: FAILED (the archive was deleted)\n');
  });

  it.each([
    [['--from', to, '--to', from], /--from must be before --to/],
    [['--from', 'yesterday', '--to', to], /--from "yesterday" is not a date/],
    [['--from', from, '--to', to, '--vendor', 'Quarter Zip'], /--vendor "Quarter Zip" is not a vendor name/],
  ])('exits 2 for %j before calling AWS', async (args, message) => {
    const r = await runHere(['replay', '--archive', 'callhooks', ...args], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(eb.calls()).toHaveLength(0);
  });
});

describe('which rules select only one vendor', () => {
  it.each([
    ['{"source":["callhooks.quarterzip"]}', true],
    ['{"source":["callhooks.quarterzip"],"detail-type":["call.ended"]}', true],
    ['{"source":["callhooks.quarterzip","callhooks.qcall"]}', false],
    ['{"source":[{"prefix":"callhooks.quarterzip"}]}', false],
    ['{"detail":{"vendor":["quarterzip"]}}', false],
    ['not json', false],
  ])('%s → %s', (pattern, expected) => {
    expect(selectsOnlyVendor(pattern, 'quarterzip')).toBe(expected);
  });
});
