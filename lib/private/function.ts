/**
 * The one way callhooks makes a Lambda function: a prebuilt bundle (lib/private/bundles.ts) on Node.js 24,
 * arm64, its own log group, and its own role that may write to that log group only (instead of
 * AWSLambdaBasicExecutionRole).
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_HANDLER, bundleCode } from './bundles';
import { acknowledgeKeyGrant, acknowledgePinnedRuntime } from './nag';

export interface FunctionOptions {
  /** The prebuilt bundle the function runs (`dist/bundles/<bundle>/`). */
  readonly bundle: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly environment: Record<string, string>;
  /** Reserved concurrency: the function's own bound, taken from the account's pool. @default - none */
  readonly reservedConcurrentExecutions?: number;
}

/** Creates `Logs`, `Role` and `Function` in `scope` (these ids are part of the functions' logical IDs). */
export function createFunction(scope: Construct, options: FunctionOptions): lambda.Function {
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: options.logRetention });
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: options.description,
  });
  logGroup.grantWrite(role);
  const fn = new lambda.Function(scope, 'Function', {
    code: bundleCode(options.bundle),
    handler: BUNDLE_HANDLER,
    description: options.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    reservedConcurrentExecutions: options.reservedConcurrentExecutions,
    role,
    logGroup,
    environment: {
      ...options.environment,
      POWERTOOLS_SERVICE_NAME: 'callhooks',
      POWERTOOLS_LOG_LEVEL: 'INFO',
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
