/**
 * Names of the environment variables the construct sets on the functions. None holds a secret: the
 * vendor secret is referenced by ARN and read at run time.
 */
export const ENV = {
  /** JSON of the function's VendorRuntimeConfig (webhook functions). */
  vendorConfig: 'CALLHOOKS_VENDOR_CONFIG',
  /** ARN of the vendor's Secrets Manager secret (webhook functions). */
  secretArn: 'CALLHOOKS_SECRET_ARN',
  tableName: 'CALLHOOKS_TABLE_NAME',
  eventBusName: 'CALLHOOKS_EVENT_BUS_NAME',
  payloadBucket: 'CALLHOOKS_PAYLOAD_BUCKET',
  maxBodyBytes: 'CALLHOOKS_MAX_BODY_BYTES',
  maxEventBytes: 'CALLHOOKS_MAX_EVENT_BYTES',
  retentionDays: 'CALLHOOKS_RETENTION_DAYS',
  /** SQS queue URL for records the redrive gives up on (redrive function). */
  deadLetterQueueUrl: 'CALLHOOKS_DLQ_URL',
  /** Publish attempts before a record goes to the dead-letter queue (redrive function). */
  redriveMaxAttempts: 'CALLHOOKS_REDRIVE_MAX_ATTEMPTS',
} as const;

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
