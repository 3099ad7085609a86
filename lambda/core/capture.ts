/**
 * The opt-in capture of refused deliveries (401s): each one, as received, to the payload bucket under
 * `refused/<vendor>/<day>/<sha256 of the request>.json`, at most `perMinute` a minute per function instance,
 * so that `callhooks verify --captured` can say why it was refused. The object holds the request whole (a
 * token header too: a refused token may be an old secret); the bucket is encrypted and the construct expires
 * `refused/` after a day by default. Nothing of the request is ever logged.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Delivery, RequestUrl } from '../contracts/request';
import type { RefusalReason } from '../contracts/scheme';
import { payloadPrefix } from '../contracts/payloads';
import { calledUrl } from './scheme-request';

/** The format of a capture object (`capture: 1`). */
export interface RefusedCaptureObject {
  readonly capture: 1;
  readonly vendor: string;
  readonly endpoint: string;
  readonly method: string;
  /** The URL the request arrived at, as sent. */
  readonly url: RequestUrl;
  readonly query: Readonly<Record<string, string>>;
  /** Every header as received, in order, names lower-cased (a repeated header joined with ", "). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly bodyBase64: string;
  /** ISO 8601: when it arrived (a timestamped signature is checked against this time). */
  readonly receivedAt: string;
  readonly reason: RefusalReason;
  readonly requestId?: string;
}

/**
 * Captures allowed per function instance: a token bucket of `perMinute` tokens, refilled continuously at
 * `perMinute` a minute. One per instance: it lives in the pipeline's dependencies, not in a global.
 */
export class RefusedCapture {
  private tokens: number;
  private at: number | undefined;

  constructor(readonly perMinute: number) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new Error(`perMinute must be a positive integer, got ${perMinute}`);
    this.tokens = perMinute;
  }

  /** Takes a token at `nowMs` (epoch ms); false when none is left. */
  take(nowMs: number): boolean {
    if (this.at !== undefined) this.tokens = Math.min(this.perMinute, this.tokens + ((nowMs - this.at) * this.perMinute) / 60_000);
    this.at = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The key and the JSON text of a refused delivery's capture. */
export function refusedCaptureOf(delivery: Delivery, vendor: string, endpoint: string, reason: RefusalReason): { key: string; json: string } {
  const receivedAt = delivery.receivedAt.toISOString();
  const digest = createHash('sha256')
    .update(JSON.stringify([delivery.requestId ?? randomUUID(), receivedAt, delivery.method, delivery.query]))
    .update(delivery.body)
    .digest('hex');
  const object: RefusedCaptureObject = {
    capture: 1,
    vendor,
    endpoint,
    method: delivery.method,
    url: calledUrl(delivery),
    query: { ...delivery.query },
    headers: [...delivery.headers.entries()],
    bodyBase64: delivery.body.toString('base64'),
    receivedAt,
    reason,
    requestId: delivery.requestId,
  };
  return { key: `${payloadPrefix('refused', vendor)}${receivedAt.slice(0, 10)}/${digest}.json`, json: JSON.stringify(object) };
}
