/**
 * SDK client settings. The webhook path must answer within its deadline (DESIGN.md §Deadlines and degraded
 * operation): each attempt is abandoned after `requestTimeoutMs` — `throwOnRequestTimeout`, without which
 * `@smithy/node-http-handler` only logs a warning and waits for the socket — and the pipeline's per-step signal
 * abandons the call, retries included, when the step's share of the deadline is spent.
 */
export function fastClientConfig(requestTimeoutMs = 1000) {
  return {
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
  };
}

/**
 * The redrive's clients: longer attempts (a PutEvents of 10 large entries), still abandoned when they hang, so a
 * hung dependency costs one attempt, not the run.
 */
export function redriveClientConfig(requestTimeoutMs = 5000) {
  return {
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 2000, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
  };
}
