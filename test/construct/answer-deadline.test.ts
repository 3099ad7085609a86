/**
 * The construct's `answerDeadline` (DESIGN.md §Deadlines): 6 s unless told otherwise, passed to every webhook
 * function, and refused at synth when it leaves the function less than 2 s or is under 1 s.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Callhooks } from '../../lib';
import { ENV } from '../../lambda/contracts/env';
import { testApp } from './app';

const VENDORS = { vendors: { qcall: {}, koeiq: {} } };

function webhookDeadlines(props: { answerDeadline?: Duration }): string[] {
  const stack = new Stack(testApp(), 'S');
  new Callhooks(stack, 'Hooks', { ...VENDORS, ...props });
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  return Object.values(functions)
    .map((f) => (f as { Properties: { Environment?: { Variables?: Record<string, string> } } }).Properties.Environment?.Variables ?? {})
    .filter((vars) => vars[ENV.vendorConfig] !== undefined)
    .map((vars) => vars[ENV.answerDeadlineMs]);
}

describe('answerDeadline', () => {
  it('is 6 seconds by default, on every webhook function', () => {
    expect(webhookDeadlines({})).toEqual(['6000', '6000']);
  });

  it('takes a shorter deadline for vendors with short timeouts', () => {
    expect(webhookDeadlines({ answerDeadline: Duration.seconds(3) })).toEqual(['3000', '3000']);
  });

  it.each([
    [Duration.millis(500), /at least 1 second/],
    [Duration.seconds(9), /at least 2 seconds below the function's timeout \(10000 ms\)/],
  ])('refuses %s at synth with a message that says why', (deadline, message) => {
    expect(() => webhookDeadlines({ answerDeadline: deadline })).toThrow(message);
  });
});
