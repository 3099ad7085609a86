/**
 * SDK client settings for a webhook path that must answer well within the vendors' 8–30 s timeouts:
 * short connection and request timeouts, few retries.
 */
export function fastClientConfig(requestTimeoutMs = 3000) {
  return {
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: requestTimeoutMs },
  };
}
