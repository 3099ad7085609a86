/**
 * Deadlines (DESIGN.md §Deadlines and degraded operation): the answer to a delivery comes within a fixed time
 * whatever a dependency does, and every call to a dependency is abandoned when its share of that time is spent.
 *
 * A {@link Budget} is the time one delivery has: from its start to its answer deadline (default
 * {@link DEFAULT_ANSWER_DEADLINE_MS}, never past what the function has left). Each step asks it for a signal
 * ({@link Budget.signal}) that aborts at the step's cap or when only the reserve for the later fallback writes
 * is left, and runs the call {@link within} it: the adapter passes the signal to the SDK, which abandons the
 * request, and the race here answers even when a dependency ignores the signal.
 */
import { CallhooksError } from './errors';

/** Below the shortest common vendor timeout (Converc's 8 s) and well inside the function's 10 s. */
export const DEFAULT_ANSWER_DEADLINE_MS = 6000;

/** Kept between the answer deadline and the end of the function's time (Lambda's own overhead, the answer). */
export const FUNCTION_MARGIN_MS = 1000;

/** What a call to a dependency may be given: a signal that abandons it. */
export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** A call abandoned at its deadline. */
export class DeadlineExceeded extends CallhooksError {}

/** The timer of each signal a budget made, cleared when the call it bounds settles. */
const TIMERS = new WeakMap<AbortSignal, ReturnType<typeof setTimeout>>();

/** The time one delivery has, on the real clock. */
export class Budget {
  /** Epoch milliseconds by which the answer must be given. */
  readonly answerBy: number;

  /**
   * @param deadlineMs the answer deadline, from `startedAt`
   * @param remainingMs what the function has left at `startedAt` (Lambda's `getRemainingTimeInMillis()`): the
   *   answer deadline never passes it less {@link FUNCTION_MARGIN_MS}
   */
  constructor(
    readonly deadlineMs: number = DEFAULT_ANSWER_DEADLINE_MS,
    readonly startedAt: number = Date.now(),
    remainingMs?: number,
    private readonly clock: () => number = Date.now,
  ) {
    const byFunction = remainingMs === undefined ? Infinity : startedAt + Math.max(0, remainingMs - FUNCTION_MARGIN_MS);
    this.answerBy = Math.min(startedAt + deadlineMs, byFunction);
  }

  /** Milliseconds left until the answer deadline (never negative). */
  left(): number {
    return Math.max(0, this.answerBy - this.clock());
  }

  /**
   * A signal for one step: it aborts after `capMs` (a share of the deadline), or when only `reserveMs` of the
   * budget is left for what comes after the step, whichever is first.
   */
  signal(capMs: number, reserveMs = 0): AbortSignal {
    // A timer that holds the event loop open (AbortSignal.timeout's does not: a process whose only pending work
    // is a hung call would end before the deadline answers it); `within` clears it once the call settles.
    const controller = new AbortController();
    const ms = Math.max(0, Math.min(capMs, this.left() - reserveMs));
    TIMERS.set(controller.signal, setTimeout(() => controller.abort(new DeadlineExceeded(`no answer within ${ms} ms`)), ms));
    return controller.signal;
  }

  /** A share of the answer deadline, in ms. */
  share(fraction: number): number {
    return Math.floor(this.deadlineMs * fraction);
  }
}

/**
 * Runs `work` with the signal, and rejects with {@link DeadlineExceeded} as soon as the signal aborts, whether
 * or not `work` honours it (its later result is ignored).
 */
export function within<T>(signal: AbortSignal, work: (options: CallOptions) => Promise<T>, what = 'the call'): Promise<T> {
  const exceeded = () => new DeadlineExceeded(`${what} did not finish before its deadline`);
  if (signal.aborted) {
    clearTimeout(TIMERS.get(signal));
    return Promise.reject(exceeded());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(exceeded());
    signal.addEventListener('abort', onAbort, { once: true });
    let started: Promise<T>;
    try {
      started = work({ signal });
    } catch (err) {
      started = Promise.reject(err);
    }
    started.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(TIMERS.get(signal));
    });
  });
}
