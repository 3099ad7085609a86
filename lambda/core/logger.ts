/**
 * The one structured logger (Powertools Logger: JSON lines). The core is given it as a `Log`; callers
 * pass identifiers only (vendor, eventId, type, error class), never secrets or payload content.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { Log } from './ports';

export function createLogger(serviceName = 'callhooks'): Logger {
  return new Logger({ serviceName });
}

export function asLog(logger: Logger): Log {
  const wrap = (fn: (m: string, ...extra: LogAttributes[]) => void) => (message: string, extra?: Record<string, unknown>) =>
    extra ? fn.call(logger, message, extra as LogAttributes) : fn.call(logger, message);
  return { debug: wrap(logger.debug), info: wrap(logger.info), warn: wrap(logger.warn), error: wrap(logger.error) };
}
