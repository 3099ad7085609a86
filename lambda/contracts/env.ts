/**
 * Names of the environment variables the construct sets on the functions. None holds a secret: the
 * vendor secret is referenced by ARN and read at run time.
 */
import { DEFAULT_ENDPOINT, secretKeyOf } from './endpoints';

export const ENV = {
  /** JSON of the function's VendorRuntimeConfig (webhook functions). */
  vendorConfig: 'CALLHOOKS_VENDOR_CONFIG',
  /** ARN of the Secrets Manager secret of the vendor's `default` endpoint (webhook functions). */
  secretArn: 'CALLHOOKS_SECRET_ARN',
  /**
   * JSON object endpoint name → ARN of its Secrets Manager secret, for the vendor's endpoints other than
   * `default` (webhook functions of a vendor that lists endpoints; unset otherwise). ARNs, never values.
   */
  secretArns: 'CALLHOOKS_SECRET_ARNS',
  tableName: 'CALLHOOKS_TABLE_NAME',
  eventBusName: 'CALLHOOKS_EVENT_BUS_NAME',
  payloadBucket: 'CALLHOOKS_PAYLOAD_BUCKET',
  maxBodyBytes: 'CALLHOOKS_MAX_BODY_BYTES',
  maxEventBytes: 'CALLHOOKS_MAX_EVENT_BYTES',
  retentionDays: 'CALLHOOKS_RETENTION_DAYS',
  /** Milliseconds from a delivery's start to its answer, whatever a dependency does (webhook functions). */
  answerDeadlineMs: 'CALLHOOKS_ANSWER_DEADLINE_MS',
  /**
   * Refused (401) deliveries captured to the payload bucket per minute per function instance; unset or 0: no
   * capture (webhook functions).
   */
  captureRefusedPerMinute: 'CALLHOOKS_CAPTURE_REFUSED_PER_MINUTE',
  /** SQS queue URL for records the redrive gives up on (redrive function). */
  deadLetterQueueUrl: 'CALLHOOKS_DLQ_URL',
  /** Age in seconds after which an event that still cannot be published goes to the dead-letter queue (redrive function). */
  redriveMaxAgeSeconds: 'CALLHOOKS_REDRIVE_MAX_AGE_SECONDS',
  /** The configured vendors, comma-separated: the redrive refuses a record of any other (redrive function). */
  redriveVendors: 'CALLHOOKS_REDRIVE_VENDORS',
} as const;

/**
 * The ARN of each endpoint's secret, by secret key (`secretKeyOf`): `default` from CALLHOOKS_SECRET_ARN, the
 * others from CALLHOOKS_SECRET_ARNS. Throws naming the variable when an endpoint's ARN is missing.
 */
export function secretArnsFromEnv(vendor: string, endpoints: readonly string[], env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const named = endpoints.filter((e) => e !== DEFAULT_ENDPOINT);
  let arns: Record<string, unknown> = {};
  if (named.length > 0) {
    const raw = requireEnv(ENV.secretArns, env);
    try {
      arns = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new Error(`environment variable ${ENV.secretArns} is not JSON`);
    }
  }
  return new Map(endpoints.map((endpoint) => {
    if (endpoint === DEFAULT_ENDPOINT) return [secretKeyOf(vendor, endpoint), requireEnv(ENV.secretArn, env)];
    const arn = Object.prototype.hasOwnProperty.call(arns, endpoint) ? arns[endpoint] : undefined;
    if (typeof arn !== 'string' || arn === '') throw new Error(`environment variable ${ENV.secretArns} has no secret ARN for endpoint "${endpoint}"`);
    return [secretKeyOf(vendor, endpoint), arn];
  }));
}

/** Reads a required variable; throws an error naming it when unset. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[name];
  if (v === undefined || v === '') throw new Error(`environment variable ${name} is not set`);
  return v;
}

export function intEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`environment variable ${name} must be a positive integer, got "${v}"`);
  return n;
}

/** Refused deliveries captured per minute (`CALLHOOKS_CAPTURE_REFUSED_PER_MINUTE`): 0 or unset captures nothing. */
export function capturePerMinuteOf(env: NodeJS.ProcessEnv = process.env): number {
  return env[ENV.captureRefusedPerMinute] === '0' ? 0 : intEnv(ENV.captureRefusedPerMinute, 0, env);
}
