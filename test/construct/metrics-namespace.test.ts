/**
 * Two instances in one app that write metrics to one namespace in one account and region add up each other's
 * metrics and fire each other's alarms (issue 20 point 10): the second gets a synth warning that names the first;
 * instances with their own namespaces, or in other regions, get none.
 */
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Callhooks } from '../../lib';
import { testApp } from './app';

const VENDORS = { vendors: { qcall: {} } };
const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('already writes its metrics'));

describe('a metrics namespace shared by two instances', () => {
  it('warns on the second instance in the same account and region, naming the first and the namespace', () => {
    // Arrange
    const app = testApp();
    const a = new Stack(app, 'A', { env: { account: '111122223333', region: 'eu-west-1' } });
    const b = new Stack(app, 'B', { env: { account: '111122223333', region: 'eu-west-1' } });
    // Act
    new Callhooks(a, 'Hooks', VENDORS);
    new Callhooks(b, 'Hooks', VENDORS);
    // Assert
    expect(warnings(a)).toHaveLength(0);
    const found = warnings(b);
    expect(found).toHaveLength(1);
    expect(JSON.stringify(found[0].entry.data)).toMatch(/A\/Hooks already writes its metrics to the namespace \\"Callhooks\\"/);
  });

  it('warns for two instances in one stack', () => {
    // Arrange
    const stack = new Stack(testApp(), 'S', { env: { account: '111122223333', region: 'eu-west-1' } });
    // Act
    new Callhooks(stack, 'One', { ...VENDORS, metricsNamespace: 'Hooks' });
    new Callhooks(stack, 'Two', { ...VENDORS, metricsNamespace: 'Hooks' });
    // Assert
    expect(warnings(stack)).toHaveLength(1);
  });

  it('does not warn when each instance has its own namespace, or they are in other regions', () => {
    // Arrange
    const app = testApp();
    const stack = new Stack(app, 'S', { env: { account: '111122223333', region: 'eu-west-1' } });
    const other = new Stack(app, 'O', { env: { account: '111122223333', region: 'us-east-1' } });
    // Act
    new Callhooks(stack, 'One', { ...VENDORS, metricsNamespace: 'HooksOne' });
    new Callhooks(stack, 'Two', { ...VENDORS, metricsNamespace: 'HooksTwo' });
    new Callhooks(other, 'Three', { ...VENDORS, metricsNamespace: 'HooksOne' });
    // Assert
    expect(warnings(stack)).toHaveLength(0);
    expect(warnings(other)).toHaveLength(0);
  });
});
