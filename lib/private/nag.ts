/**
 * The cdk-nag (AwsSolutions) findings callhooks acknowledges on purpose, each with its written reason, on the
 * resource it concerns. `test/construct/nag.test.ts` checks that nothing else is found and that this list is
 * exactly what is acknowledged; docs/CONSTRUCT.md lists them for readers.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

function acknowledge(scope: Construct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** AwsSolutions-APIG4 on the HTTP API: its routes have no AWS authorizer. */
export function acknowledgeVendorAuthentication(api: Construct): void {
  acknowledge(api, 'AwsSolutions-APIG4',
    'Webhook routes are called by the vendors, which cannot carry AWS credentials or JWTs; each delivery is ' +
    'authenticated in the function by the vendor\'s own scheme (HMAC over the raw body, Standard Webhooks, or a ' +
    'static token) against the vendor\'s secret, which no API Gateway authorizer can check because it never sees the body.');
}

/** AwsSolutions-S1 on the payload bucket when no access-logs bucket was given. */
export function acknowledgeNoServerAccessLogs(bucket: Construct): void {
  acknowledge(bucket, 'AwsSolutions-S1',
    'Server access logs are off by default (pass payloadAccessLogsBucket to turn them on): only the construct\'s ' +
    'own functions and explicit grantReadPayloads grantees reach this private bucket, through IAM; CloudTrail ' +
    'data events are the better audit trail for it and cost nothing until enabled.');
}

/** AwsSolutions-SQS3 on the dead-letter queue: it has no dead-letter queue of its own. */
export function acknowledgeIsDeadLetterQueue(queue: Construct): void {
  acknowledge(queue, 'AwsSolutions-SQS3',
    'This queue is itself the dead-letter queue: the redrive function sends it the records it could not publish ' +
    'after every attempt; a queue behind it would only move the same messages again.');
}

/** AwsSolutions-SMG4 on a vendor secret the construct creates: it is not rotated by Secrets Manager. */
export function acknowledgeVendorRotatedSecret(secret: Construct): void {
  acknowledge(secret, 'AwsSolutions-SMG4',
    'The vendor issues this secret and rotates it in its own dashboard; Secrets Manager cannot rotate it. The ' +
    'function accepts the new and the previous value during a rotation, so no delivery is lost.');
}

/** AwsSolutions-L1 on every function: the runtime is pinned. */
export function acknowledgePinnedRuntime(fn: Construct): void {
  acknowledge(fn, 'AwsSolutions-L1',
    'Pinned to nodejs24.x on purpose: the bundle is built with esbuild target node24 and tested on that ' +
    'runtime; moving to a newer runtime is a deliberate, tested upgrade rather than a side effect of a CDK update.');
}

/** AwsSolutions-IAM5 for the wildcard actions of the standard KMS grant on the customer managed key. */
export function acknowledgeKeyGrant(role: iam.IRole): void {
  for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
    acknowledge(role, `AwsSolutions-IAM5[Action::${action}]`,
      `${action} comes from the standard KMS grant for the customer managed encryptionKey (table, bucket, queue), ` +
      'limited to that one key.');
  }
}

/**
 * AwsSolutions-IAM5 for `s3:<action>` on the payload bucket's objects under `prefix` (e.g. `rejected/qcall/`),
 * whose keys are only known at run time.
 */
export function acknowledgePayloadObjectWildcard(role: iam.IRole, bucket: s3.IBucket, action: string, prefix: string): void {
  const bucketArn = flattenReference(Stack.of(bucket).resolve(bucket.bucketArn));
  acknowledge(role, `AwsSolutions-IAM5[Resource::${bucketArn}/${prefix}*]`,
    `s3:${action} on the payload bucket's objects under ${prefix}: object keys are made per event at run time ` +
    '(date, digest or event id), so the statement names the prefix and not single objects; no other action is granted.');
}

/** Flattens a resolved CloudFormation reference the way cdk-nag names findings (`<Logical.Arn>`). */
function flattenReference(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flattenReference).join(sep);
    }
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [res, attr] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenReference(res)}.${flattenReference(attr)}>`;
    }
    if (o.Ref !== undefined) return `<${flattenReference(o.Ref)}>`;
    if (o['Fn::Sub'] !== undefined) return flattenReference(o['Fn::Sub']);
  }
  return JSON.stringify(node);
}
