/**
 * The webhook function's capture of refused deliveries is off unless CALLHOOKS_CAPTURE_REFUSED_PER_MINUTE is a
 * positive integer (the construct sets it only with `captureRefused`); a bad value stops the function at setup.
 */
import { depsFromEnv } from '../../lambda/handlers/webhook';
import { ENV } from '../../lambda/contracts/env';

const BASE = {
  [ENV.vendorConfig]: JSON.stringify({ kind: 'builtin', name: 'quarterzip', options: {} }),
  [ENV.secretArn]: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:qz',
  [ENV.tableName]: 'callhooks-dedup',
  [ENV.eventBusName]: 'callhooks-bus',
  [ENV.payloadBucket]: 'callhooks-payloads',
};

describe('CALLHOOKS_CAPTURE_REFUSED_PER_MINUTE', () => {
  it('is off when unset or 0', () => {
    expect(depsFromEnv(BASE).captureRefused).toBeUndefined();
    expect(depsFromEnv({ ...BASE, [ENV.captureRefusedPerMinute]: '0' }).captureRefused).toBeUndefined();
  });

  it('captures that many a minute when set', () => {
    expect(depsFromEnv({ ...BASE, [ENV.captureRefusedPerMinute]: '7' }).captureRefused?.perMinute).toBe(7);
  });

  it('refuses a value that is not a positive integer, naming the variable', () => {
    expect(() => depsFromEnv({ ...BASE, [ENV.captureRefusedPerMinute]: 'ten' })).toThrow(/CALLHOOKS_CAPTURE_REFUSED_PER_MINUTE must be a positive integer/);
  });
});
