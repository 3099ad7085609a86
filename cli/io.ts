import { InvalidArgumentError } from 'commander';

/** What every subcommand shares: where output goes, the exit codes, and an error that carries one. */

/**
 * Exit statuses of `callhooks` (README › The command line):
 * - 0: done; the delivery was accepted, the delivery verifies, the replay completed;
 * - 1: a definite "no": the API refused the delivery, it does not verify, the redrive could not publish,
 *   the replay failed or was cancelled, a `tail --bus` forward failed,
 *   `--max-events` did not all come within `--timeout`, or its temporary rule and queue stayed;
 * - 2: bad usage: unknown option, vendor or sample, unreadable file, missing secret;
 * - 3: could not reach what it talks to: the local mode is not running, a network or AWS API error;
 * - 130: interrupted (Ctrl-C) while waiting for a replay (the replay is cancelled).
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.usage,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Progress and hints go to stderr, and only when a person is watching. */
  readonly interactive: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /**
   * Resolves when the user asks to stop (SIGINT/SIGTERM). Called only by commands that run until stopped:
   * the others keep Node's default (Ctrl-C ends them at once).
   */
  untilStopped(): Promise<string>;
}

export function processIo(): Io {
  let stopped: Promise<string> | undefined;
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
    untilStopped: () =>
      (stopped ??= new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      })),
  };
}

/** An error of fetch() or the AWS SDK that means the other side could not be reached. */
export function unreachable(err: unknown, what: string): CliError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return new CliError(`could not reach ${what}: ${detail}`, EXIT.unreachable, { cause: err });
}

/** An AWS error as a CliError: exit 1 when AWS refused the request (4xx), 3 when nothing answered or it failed (5xx). */
export function awsError(err: unknown, what: string): CliError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return new CliError(`${what}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`, status !== undefined && status < 500 ? EXIT.refused : EXIT.unreachable, { cause: err });
}

/** Awaits an AWS call, turning its error into `awsError(err, what)`. */
export async function awsCall<T>(what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw awsError(err, what);
  }
}

/** Parses an option that must be a whole number within bounds (commander reports the error as usage). */
export function intOption(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`a whole number from ${min} to ${max} is expected.`);
    return n;
  };
}
