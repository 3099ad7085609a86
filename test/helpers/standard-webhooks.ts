/**
 * Standard Webhooks deliveries for tests that need a signed request but test something else (the pipeline, the
 * handlers, the store): the three `webhook-*` headers, signed by the library's scheme (the one Quarterzip uses).
 */
import { standardWebhooksScheme } from '../../lambda/schemes/standard-webhooks';

const SCHEME = standardWebhooksScheme();

/** The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers of `body`, signed with `secret` at `now`. */
export function signStandardWebhook(body: Buffer, secret: string, now: Date, id: string): Record<string, string> {
  return { ...SCHEME.sign({ body, id }, secret, now).headers };
}

/** A new `whsec_…` secret, as Standard Webhooks senders issue them. */
export function generateStandardWebhooksSecret(): string {
  return SCHEME.generateCredential().secret;
}
