/**
 * What became of a delivery, read from the pipeline's answer: the bounded set of outcomes the metrics count
 * (one CloudWatch metric per outcome, so no outcome needs a dimension and alarms need no metric math).
 */
import type { Reply } from './http';
import type { RefusalReason } from '../contracts/scheme';

export const OUTCOMES = [
  'published',
  'duplicate',
  'accepted',
  'unauthorized',
  'bad_request',
  'too_large',
  'method_not_allowed',
  'not_found',
  'conflict',
  'unavailable',
  'handshake',
  'synchronous',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The CloudWatch metric name of each outcome (namespace: the construct's `metricsNamespace`). */
export const OUTCOME_METRICS: Readonly<Record<Outcome, string>> = {
  published: 'Published',
  duplicate: 'Duplicate',
  accepted: 'AcceptedNotPublished',
  unauthorized: 'Unauthorized',
  bad_request: 'BadRequest',
  too_large: 'TooLarge',
  method_not_allowed: 'MethodNotAllowed',
  not_found: 'NotFound',
  conflict: 'Conflict',
  unavailable: 'Unavailable',
  handshake: 'Handshake',
  synchronous: 'SynchronousRefused',
};

/**
 * The CloudWatch metric of each refusal reason (counted beside `Unauthorized`): which check refused, for the
 * operator, never for the vendor.
 */
export const REFUSAL_METRICS: Readonly<Record<RefusalReason, string>> = {
  'missing-header': 'RefusedMissingHeader',
  'malformed-signature': 'RefusedMalformedSignature',
  'stale-timestamp': 'RefusedStaleTimestamp',
  'future-timestamp': 'RefusedFutureTimestamp',
  'no-key-matched': 'RefusedNoKeyMatched',
  'body-mismatch': 'RefusedBodyMismatch',
  'wrong-key-kind': 'RefusedWrongKeyKind',
  'unusable-credential': 'RefusedUnusableCredential',
  'scheme-error': 'RefusedSchemeError',
};

const BY_STATUS: Readonly<Record<number, Outcome>> = {
  202: 'accepted',
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'too_large',
  422: 'synchronous',
};

/**
 * The outcome of the pipeline's reply, for an answer whose outcome is not given (the pipeline's `handle` gives it,
 * a handshake's included): 200 is `duplicate` when the body says so, else `published`; 202 is
 * accepted (stored durably, not on the bus yet); any other status maps by its meaning, any 5xx (and a status the
 * pipeline does not answer) is `unavailable`.
 */
export function outcomeOf(reply: Pick<Reply, 'statusCode' | 'body'>): Outcome {
  if (reply.statusCode === 200) {
    return reply.body.status === 'duplicate' || reply.body.duplicate === true ? 'duplicate' : 'published';
  }
  return BY_STATUS[reply.statusCode] ?? 'unavailable';
}
