/**
 * The one error hierarchy of callhooks: every error it raises on purpose extends {@link CallhooksError},
 * sets `name` to its class name, accepts `{ cause }` and carries context (identifiers only, never payload).
 */
export class CallhooksError extends Error {
  readonly context: Readonly<Record<string, unknown>>;
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? {};
  }
}

/**
 * An authenticated delivery that cannot be understood; thrown by vendor adapters only. The message is safe
 * to send back to the vendor (it never echoes the payload).
 */
export class ParseError extends CallhooksError {}

/** A dependency (dedup store, secret source, payload store) failed. */
export class DependencyError extends CallhooksError {}

/**
 * An authenticated message that expects a synchronous answer callhooks cannot give (Twilio's TwiML voice URL,
 * Vapi's `assistant-request` or `tool-calls`): thrown by vendor adapters. The pipeline answers it 422 with the
 * message, which names the feature it is for, and stores and publishes nothing (it is a request, not a record).
 */
export class SynchronousMessageError extends CallhooksError {}
