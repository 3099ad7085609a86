/**
 * Validation of the {@link CallhooksProps} in the constructor: every message names the property and the bad
 * value; unresolved tokens are skipped (they are only known at deploy time).
 */
import { Duration, Token } from 'aws-cdk-lib';
import type { ResolvedConfig } from '../../lambda/config/config';
import { resolveConfiguration } from './config';
import type { CallhooksProps } from '../callhooks';
import { DEFAULT_ENDPOINT, secretKeyOf } from '../../lambda/contracts/endpoints';
import { endpointsOf } from '../../lambda/vendors';

/** Lambda allows 4 KB of environment per function, and the vendor's configuration is one variable of it. */
const MAX_VENDOR_CONFIG_BYTES = 3 * 1024;
/** What one endpoint's secret ARN takes in CALLHOOKS_SECRET_ARNS, beside its name: the ARN and the JSON around it. */
const ARN_ENTRY_BYTES = 130;
const BUS_NAME_RE = /^[A-Za-z0-9._\-/]{1,256}$/;
/** CloudWatch namespaces: 1–255 of these characters, and `AWS/` is reserved. */
const METRICS_NAMESPACE_RE = /^(?!AWS\/)[A-Za-z0-9 .\-_/#:]{1,255}$/;

/** Validates the props and resolves the configuration; throws an `Error` starting with `Callhooks:`. */
export function validateProps(props: CallhooksProps): ResolvedConfig {
  const config = resolveConfiguration(props);

  if (props.eventBus && props.eventBusName !== undefined) {
    throw new Error(
      `Callhooks: pass either eventBus (an existing bus) or eventBusName (a name for a new bus), not both ` +
      `(eventBusName: ${JSON.stringify(props.eventBusName)})`,
    );
  }
  if (props.eventBusName !== undefined && !Token.isUnresolved(props.eventBusName)) {
    if (!BUS_NAME_RE.test(props.eventBusName) || props.eventBusName === 'default') {
      throw new Error(
        `Callhooks: eventBusName must be 1 to 256 letters, digits, ".", "-", "_" or "/" and not "default", ` +
        `got ${JSON.stringify(props.eventBusName)}`,
      );
    }
  }

  if (props.metricsNamespace !== undefined && !Token.isUnresolved(props.metricsNamespace) && !METRICS_NAMESPACE_RE.test(props.metricsNamespace)) {
    throw new Error(
      `Callhooks: metricsNamespace must be 1 to 255 letters, digits, spaces or . - _ / # : and not start with "AWS/", ` +
      `got ${JSON.stringify(props.metricsNamespace)}`,
    );
  }

  const enabled = config.vendors.map((v) => v.name);
  const keys = config.vendors.flatMap((v) => endpointsOf(v).map((e) => secretKeyOf(v.name, e)));
  for (const key of Object.keys(props.secrets ?? {})) {
    if (keys.includes(key)) continue;
    const [vendor, endpoint] = key.split('/');
    const owner = config.vendors.find((v) => v.name === vendor);
    if (!owner) throw new Error(`Callhooks: secrets.${key} is not an enabled vendor (enabled: ${enabled.join(', ')})`);
    const names = endpointsOf(owner);
    throw new Error(endpoint === undefined
      ? `Callhooks: secrets.${key} is the secret of ${vendor}'s default endpoint, which its configuration does not list ` +
        `(endpoints: ${names.join(', ')}); key an endpoint's secret "${vendor}/<endpoint>"`
      : `Callhooks: secrets["${key}"] is not an endpoint of ${vendor} (endpoints: ${names.join(', ')})`);
  }

  checkNumber('throttlingRateLimit', props.throttlingRateLimit, (n) => Number.isFinite(n) && n > 0, 'a positive number of requests per second');
  checkNumber('throttlingBurstLimit', props.throttlingBurstLimit, (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
  checkNumber('vendorReservedConcurrency', props.vendorReservedConcurrency, (n) => Number.isInteger(n) && n >= 0 && n <= 10_000, 'an integer from 0 (reserve nothing) to 10000');
  checkNumber('memorySize', props.memorySize, (n) => Number.isInteger(n) && n >= 128 && n <= 10240, 'an integer from 128 to 10240 (MiB)');

  checkDuration('timeout', props.timeout, (s) => Number.isInteger(s) && s >= 3 && s <= 29,
    'from 3 to 29 whole seconds (API Gateway ends an HTTP API integration after 30 seconds)');
  checkDuration('payloadRetention', props.payloadRetention, (s) => s >= 86400 && s % 86400 === 0, 'a whole number of days, at least 1');
  checkDuration('archiveRetention', props.archiveRetention, (s) => s >= 0 && s % 86400 === 0, 'a whole number of days (0 keeps events forever)');
  checkDuration('redriveMaxAge', props.redriveMaxAge, (s) => s >= 3600 && s <= 14 * 86400, 'from 1 hour to 14 days (the dead-letter queue keeps a message 14 days)');
  checkDuration('redriveSchedule', props.redriveSchedule, (s) => s >= 60 && s % 60 === 0, 'a whole number of minutes, at least 1');

  for (const vendor of config.vendors) {
    const bytes = Buffer.byteLength(JSON.stringify(vendor));
    if (bytes > MAX_VENDOR_CONFIG_BYTES) {
      throw new Error(
        `Callhooks: the configuration of vendor "${vendor.name}" is ${bytes} bytes of JSON, more than the ` +
        `${MAX_VENDOR_CONFIG_BYTES} that fit in the function's environment (Lambda allows 4 KB in all)`,
      );
    }
    // Each endpoint other than default adds its secret's ARN to the environment (CALLHOOKS_SECRET_ARNS).
    const named = endpointsOf(vendor).filter((e) => e !== DEFAULT_ENDPOINT);
    const withArns = bytes + named.reduce((sum, e) => sum + e.length + ARN_ENTRY_BYTES, 0);
    if (named.length > 0 && withArns > MAX_VENDOR_CONFIG_BYTES) {
      throw new Error(
        `Callhooks: vendor "${vendor.name}" has ${named.length} endpoints; with their secret ARNs its function's ` +
        `environment would take about ${withArns} bytes, more than the ${MAX_VENDOR_CONFIG_BYTES} that fit (Lambda allows 4 KB in all): ` +
        'list fewer endpoints, or receive some of the accounts with a second callhooks instance',
      );
    }
  }
  return config;
}

function checkNumber(prop: string, value: number | undefined, ok: (n: number) => boolean, expected: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!ok(value)) throw new Error(`Callhooks: ${prop} must be ${expected}, got ${value}`);
}

function checkDuration(prop: string, value: Duration | undefined, ok: (seconds: number) => boolean, expected: string): void {
  if (value === undefined || value.isUnresolved()) return;
  const seconds = value.toSeconds({ integral: false });
  if (!ok(seconds)) throw new Error(`Callhooks: ${prop} must be ${expected}, got ${value.toHumanString()}`);
}
