/** Every error callhooks raises on purpose extends this one. */
export class CallhooksError extends Error {
  readonly context: Readonly<Record<string, unknown>>;
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? {};
  }
}

/** An authenticated delivery that cannot be understood. The message is safe to send back to the vendor. */
export class ParseError extends CallhooksError {}

/** A dependency (store, secret source, payload store) failed and nothing was stored. */
export class DependencyError extends CallhooksError {}

/** PutEvents threw, or answered with failed entries. */
export class PublishError extends CallhooksError {}

/** Configuration of the running function is missing or wrong. */
export class ConfigurationError extends CallhooksError {}
