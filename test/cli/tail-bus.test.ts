/**
 * `callhooks tail --bus` where moto cannot help: usage refused before any AWS call, and what is removed when
 * AWS refuses a step of the set-up or Ctrl-C comes during it (the SDK mocked with aws-sdk-client-mock). The
 * path through a real bus and queue is in test/moto/tail-bus.test.ts.
 */
import { DeleteRuleCommand, DescribeEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { tailPattern } from '../../cli/tail-bus';
import { runHere } from './cli';

const eb = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
const env = { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
const BUS_ARN = 'arn:aws:events:eu-west-1:123456789012:event-bus/callhooks';
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/callhooks-tail-0a1b2c3d';

function awsAnswers(): void {
  eb.on(DescribeEventBusCommand).resolves({ Name: 'callhooks', Arn: BUS_ARN });
  eb.on(PutRuleCommand).resolves({ RuleArn: 'arn:aws:events:eu-west-1:123456789012:rule/callhooks/callhooks-tail-0a1b2c3d' });
  eb.on(PutTargetsCommand).resolves({ FailedEntryCount: 0 });
  eb.on(RemoveTargetsCommand).resolves({});
  eb.on(DeleteRuleCommand).resolves({});
  sqs.on(CreateQueueCommand).resolves({ QueueUrl: QUEUE_URL });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: 'arn:aws:sqs:eu-west-1:123456789012:callhooks-tail-0a1b2c3d' } });
  sqs.on(SetQueueAttributesCommand).resolves({});
  sqs.on(DeleteQueueCommand).resolves({});
}

afterEach(() => {
  eb.reset();
  sqs.reset();
});

describe('callhooks tail --bus', () => {
  it.each([
    [['--bus', 'callhooks', '--forward', 'ftp://127.0.0.1/hook'], /--forward "ftp:\/\/127\.0\.0\.1\/hook" is not an http\(s\) URL/],
    [['--bus', 'callhooks', '--forward', 'localhost:8080'], /--forward "localhost:8080" is not an http\(s\) URL/],
    [['--bus', 'callhooks', '--detail-type', 'call.end'], /--detail-type "call\.end" is not a callhooks detail type — did you mean "call\.ended"\?/],
    [['--bus', 'callhooks', '--vendor', 'Quarter Zip'], /--vendor "Quarter Zip" is not a vendor name/],
    [['--bus', 'callhooks', '--file', 'events.jsonl', '--no-follow'], /--bus follows a deployed bus: --file, --no-follow are for the local events file/],
    [['--forward', 'http://127.0.0.1:8080/hook', '--max-events', '1'], /--forward, --max-events need --bus <name>/],
  ])('%j exits 2 before calling AWS', async (args, message) => {
    const r = await runHere(['tail', ...args], { env });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(eb.calls()).toHaveLength(0);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('selects every callhooks source, or the chosen vendors and detail types', () => {
    expect(tailPattern([], [])).toEqual({ source: [{ prefix: 'callhooks.' }] });
    expect(tailPattern(['qcall', 'atoms'], ['call.ended'])).toEqual({ source: ['callhooks.qcall', 'callhooks.atoms'], 'detail-type': ['call.ended'] });
  });

  it('removes the rule and the queue it created when AWS refuses a later step, and exits 1 with the reason', async () => {
    // Prepare
    awsAnswers();
    eb.on(PutTargetsCommand).rejects(Object.assign(new Error('not authorized to perform events:PutTargets'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    // Act
    const r = await runHere(['tail', '--bus', BUS_ARN], { env });
    // Assert
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/adding the queue as the target of callhooks-tail-[0-9a-f]{8}: AccessDeniedException: not authorized/);
    expect(r.stderr).toMatch(/removed rule (callhooks-tail-[0-9a-f]{8}) and queue \1\n/);
    const rule = eb.commandCalls(PutRuleCommand)[0].args[0].input.Name;
    expect(eb.commandCalls(DeleteRuleCommand).map((c) => c.args[0].input)).toEqual([{ Name: rule, EventBusName: BUS_ARN }]);
    expect(sqs.commandCalls(DeleteQueueCommand).map((c) => c.args[0].input)).toEqual([{ QueueUrl: QUEUE_URL }]);
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });

  it('when the queue cannot be created, removes nothing and does not claim to', async () => {
    awsAnswers();
    sqs.on(CreateQueueCommand).rejects(Object.assign(new Error('not authorized to perform sqs:createqueue'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const r = await runHere(['tail', '--bus', 'callhooks'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^creating rule (callhooks-tail-[0-9a-f]{8}) on callhooks and queue \1; both are removed on exit .*\ncallhooks: creating the queue \1: AccessDenied: not authorized to perform sqs:createqueue\n$/);
    expect(eb.commandCalls(PutRuleCommand)).toHaveLength(0);
    expect(eb.commandCalls(DeleteRuleCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteQueueCommand)).toHaveLength(0);
  });

  it('Ctrl-C while it sets up: what was created is removed, nothing is received, exit 0', async () => {
    awsAnswers();
    const r = await runHere(['tail', '--bus', 'callhooks'], { env, untilStopped: Promise.resolve('SIGINT') });
    expect(r.code).toBe(0);
    expect(eb.commandCalls(DeleteRuleCommand)).toHaveLength(1);
    expect(sqs.commandCalls(DeleteQueueCommand)).toHaveLength(1);
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });

  it('names what it could not remove, and how to remove it later, with exit 1', async () => {
    awsAnswers();
    sqs.on(DeleteQueueCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const r = await runHere(['tail', '--bus', 'callhooks'], { env, untilStopped: Promise.resolve('SIGINT') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not remove queue (callhooks-tail-[0-9a-f]{8}): ThrottlingException: throttled\ncallhooks: left behind: queue \1 \(callhooks tail --bus callhooks --cleanup removes them\)\n$/);
  });
});
