/**
 * One child Node process per function of the assembly, running its bundle with test/artifact/lambda-runtime.js
 * as Lambda would: the template's handler, the template's environment (resolved to the created resources)
 * plus what Lambda's runtime sets, and AWS credentials that name the function (its logical id as access key
 * id) so the enforcing proxy knows whose policies apply. Invocations go one at a time over IPC, each bounded
 * by the function's template timeout; stdout/stderr (the function's logs) are kept.
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AssemblyFunction, Resolver } from './assembly';

export interface InvokeResult<T = unknown> {
  readonly result?: T;
  readonly error?: { errorType: string; errorMessage: string; init?: boolean };
  readonly requestId: string;
}

export interface FunctionEnvOptions {
  readonly region: string;
  /** `AWS_ENDPOINT_URL` of the function (the enforcing proxy). */
  readonly endpoint: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly logGroupName: string;
}

/** The process environment of `fn`: the template's variables, Lambda's reserved ones, the SDK pointed at moto. */
export function functionEnvironment(fn: AssemblyFunction, resolver: Resolver, o: FunctionEnvOptions): Record<string, string> {
  const declared = resolver.resolve(fn.environment) as Record<string, unknown>;
  for (const [k, v] of Object.entries(declared)) {
    if (typeof v !== 'string') throw new Error(`functions: ${fn.logicalId} environment ${k} does not resolve to a string`);
  }
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...(declared as Record<string, string>),
    // What Lambda's Node.js runtime sets (a subset that the SDK and Powertools read).
    AWS_REGION: o.region,
    AWS_DEFAULT_REGION: o.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: o.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: o.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: `2026/12/01/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    LAMBDA_TASK_ROOT: fn.assetDir,
    TZ: ':UTC',
    // The role's temporary credentials, as Lambda injects them; the access key id names the function.
    AWS_ACCESS_KEY_ID: fn.logicalId,
    AWS_SECRET_ACCESS_KEY: 'artifact-suite',
    AWS_SESSION_TOKEN: `session-of-${fn.logicalId}`,
    AWS_ENDPOINT_URL: o.endpoint,
    CALLHOOKS_ARTIFACT_FUNCTION_ARN: o.functionArn,
  };
}

const RUNTIME = join(__dirname, 'lambda-runtime.js');

export class FunctionProcess {
  readonly output: string[] = [];
  private readonly child: ChildProcess;
  private readonly pending = new Map<string, (r: InvokeResult) => void>();
  private exited = false;

  constructor(
    readonly fn: AssemblyFunction,
    readonly env: Record<string, string>,
  ) {
    this.child = fork(RUNTIME, [fn.assetDir, fn.handler], {
      env,
      execArgv: [],
      cwd: fn.assetDir,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const keep = (b: Buffer) => this.output.push(b.toString('utf8'));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.child.on('message', (m: { id: string } & InvokeResult) => {
      const resolve = this.pending.get(m.id);
      this.pending.delete(m.id);
      resolve?.({ result: m.result, error: m.error, requestId: m.id });
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      for (const [id, resolve] of this.pending) {
        resolve({ error: { errorType: 'Runtime.ExitError', errorMessage: `exited (${code ?? signal})` }, requestId: id });
      }
      this.pending.clear();
    });
  }

  /** Invokes the handler with `event`; a timeout past the template's `Timeout` kills the process, as Lambda does. */
  invoke<T = unknown>(event: unknown): Promise<InvokeResult<T>> {
    if (this.exited) return Promise.resolve({ error: { errorType: 'Runtime.ExitError', errorMessage: 'the process has exited' }, requestId: '' });
    const id = randomUUID();
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    return new Promise<InvokeResult<T>>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.child.kill('SIGKILL');
        resolve({ error: { errorType: 'Sandbox.Timedout', errorMessage: `timed out after ${this.fn.timeoutSeconds} s` }, requestId: id });
      }, timeoutMs + 2000);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r as InvokeResult<T>);
      });
      this.child.send({ id, event, requestId: id, timeoutMs });
    });
  }

  /** Everything the function wrote, as text. */
  logs(): string {
    return this.output.join('');
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.disconnect();
      setTimeout(() => this.child.kill('SIGKILL'), 3000).unref();
    });
  }
}
