import { Duration, Token } from 'aws-cdk-lib';

/**
 * The capture of refused deliveries (`captureRefused`): each delivery answered 401 is kept as it was received
 * (method, URL, query, every header — a token header too — and the body) in the payload bucket under
 * `refused/<vendor>/<day>/`, for `callhooks verify --captured` to say why it was refused. Opt-in: the
 * objects hold whatever the sender sent, possibly an old secret; the bucket is encrypted and the objects expire.
 */
export interface RefusedCaptureOptions {
  /**
   * Refused deliveries captured per minute by each function instance (a token bucket; the rest are only
   * counted and logged as before). An integer from 1 to 600.
   *
   * @default 10
   */
  readonly perMinute?: number;

  /**
   * How long a capture is kept (an S3 lifecycle expiration of `refused/`; whole days, at least 1 and at most
   * `payloadRetention`).
   *
   * @default Duration.days(1)
   */
  readonly retention?: Duration;
}

/** The default of `perMinute`. */
export const DEFAULT_CAPTURE_PER_MINUTE = 10;

/** `captureRefused` checked: the rate and the retention in days. Throws a synthesis error naming the field. */
export function refusedCaptureSettings(options: RefusedCaptureOptions, payloadRetentionDays: number): { perMinute: number; retentionDays: number } {
  const perMinute = options.perMinute ?? DEFAULT_CAPTURE_PER_MINUTE;
  if (Token.isUnresolved(perMinute) || !Number.isInteger(perMinute) || perMinute < 1 || perMinute > 600) {
    throw new Error(`Callhooks: captureRefused.perMinute must be an integer from 1 to 600 (got ${perMinute})`);
  }
  const retention = options.retention ?? Duration.days(1);
  if (retention.isUnresolved()) throw new Error('Callhooks: captureRefused.retention must be a concrete duration');
  const seconds = retention.toSeconds({ integral: false });
  if (seconds < 86_400 || seconds % 86_400 !== 0) {
    throw new Error(`Callhooks: captureRefused.retention must be whole days, at least 1 (got ${retention.toHumanString()})`);
  }
  const retentionDays = seconds / 86_400;
  if (retentionDays > payloadRetentionDays) {
    throw new Error(`Callhooks: captureRefused.retention (${retentionDays} days) must not exceed payloadRetention (${payloadRetentionDays} days): every object of the payload bucket expires then`);
  }
  return { perMinute, retentionDays };
}
