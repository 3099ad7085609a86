/**
 * The one way callhooks makes a Lambda function: Node.js 22 on arm64, its own log group, and its own role
 * that may write to that log group only (instead of AWSLambdaBasicExecutionRole).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeKeyGrant, acknowledgePinnedRuntime } from './nag';

export interface FunctionOptions {
  /** The handler module in `lambda/handlers/`. */
  readonly handler: 'webhook' | 'redrive';
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly environment: Record<string, string>;
  /** esbuild `define` replacements for this function's bundle. */
  readonly define?: Record<string, string>;
}

/** Creates `Logs`, `Role` and `Function` in `scope` (these ids are part of the functions' logical IDs). */
export function createFunction(scope: Construct, options: FunctionOptions): NodejsFunction {
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: options.logRetention });
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: options.description,
  });
  logGroup.grantWrite(role);
  const fn = new NodejsFunction(scope, 'Function', {
    entry: handlerEntry(options.handler),
    handler: 'handler',
    description: options.description,
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    role,
    logGroup,
    environment: {
      ...options.environment,
      POWERTOOLS_SERVICE_NAME: 'callhooks',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
    bundling: {
      minify: true,
      sourceMap: false,
      target: 'node22',
      format: OutputFormat.CJS,
      // Bundle the AWS SDK v3 clients: the code runs with the versions it was tested with, not the runtime's.
      externalModules: [],
      define: options.define,
    },
  });
  acknowledgePinnedRuntime(fn);
  return fn;
}

/** Lets `fn` encrypt and decrypt with the customer managed key, when there is one (table, bucket, queue, secrets). */
export function grantKeyUse(fn: lambda.IFunction, key: kms.IKey | undefined): void {
  if (!key) return;
  key.grantEncryptDecrypt(fn);
  if (fn.role) acknowledgeKeyGrant(fn.role);
}

/** The handler's source next to this package's root: `.ts` in the repository, `.js` once compiled. */
function handlerEntry(name: string): string {
  const base = path.join(__dirname, '..', '..', 'lambda', 'handlers', name);
  for (const candidate of [`${base}.ts`, `${base}.js`]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`Callhooks: cannot find the ${name} handler (looked for ${base}.ts and ${base}.js)`);
}
