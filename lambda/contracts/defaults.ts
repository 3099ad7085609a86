/**
 * The configuration's defaults and limits, for the code that runs in the functions. This module imports no
 * schema library, so that a function's bundle stays small: the configuration's schema (`lambda/config/config.ts`) is read at
 * synth time and by the local mode, and the construct passes each function options it has already validated.
 */

export const DEFAULTS = {
  maxBodyBytes: 2 * 1024 * 1024,
  maxEventBytes: 256 * 1024,
  retentionDays: 30,
  toleranceSeconds: 300,
} as const;

/** Largest entry EventBridge accepts (PutEvents, since January 2026). */
export const EVENTBRIDGE_MAX_ENTRY_BYTES = 1024 * 1024;
/** Largest body a synchronous Lambda invocation can carry once API Gateway base64-encodes it. */
export const MAX_BODY_LIMIT = 4 * 1024 * 1024;

/** A vendor's name (route segment, `source` suffix): lower case letters, digits and dashes, at most 40. */
export const VENDOR_NAME_RE = /^[a-z][a-z0-9-]{0,39}$/;
