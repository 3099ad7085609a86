import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PAYLOAD_KINDS } from '../lambda/contracts/payloads';
import { acknowledgeNoServerAccessLogs, acknowledgePayloadObjectWildcard } from './private/nag';

/** Properties of a {@link PayloadBucket}. */
export interface PayloadBucketProps {
  /**
   * Customer managed key to encrypt the objects with (with an S3 bucket key).
   *
   * @default - SSE-S3
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long objects are kept (an S3 lifecycle expiration; whole days).
   *
   * @default Duration.days(30)
   */
  readonly retention?: Duration;

  /**
   * Bucket that receives this bucket's S3 server access logs (prefix `callhooks-payloads/`).
   *
   * @default - no server access logs
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * What happens to the bucket when it leaves the stack; with `DESTROY` it is deleted only when empty.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Bulky event parts, events too large for a DynamoDB item, and rejected deliveries kept for inspection.
 * Private: encrypted, TLS only, public access blocked, bucket owner enforced, unversioned, objects expire.
 */
export class PayloadBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: PayloadBucketProps = {}) {
    super(scope, id, {
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.encryptionKey ? true : undefined,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [
        {
          id: 'expire-payloads',
          expiration: props.retention ?? Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: props.accessLogsBucket ? 'callhooks-payloads/' : undefined,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    if (!props.accessLogsBucket) acknowledgeNoServerAccessLogs(this);
  }

  /**
   * `s3:PutObject` for a vendor's webhook function, under that vendor's own prefixes only:
   * `rejected/<vendor>/*`, `offload/<vendor>/*`, `events/<vendor>/*` and `spool/<vendor>/*`, and `refused/<vendor>/*`
   * only with `captureRefused` (lambda/contracts/payloads.ts). Object keys are made at run time, so the cdk-nag
   * wildcard finding is acknowledged on the function's role.
   */
  public grantPutPayloads(fn: lambda.IFunction, vendor: string, options: { readonly captureRefused?: boolean } = {}): iam.Grant {
    const kinds = Object.values(PAYLOAD_KINDS).filter((kind) => kind !== PAYLOAD_KINDS.refused || options.captureRefused === true);
    return this.grantObjects(fn, 'PutObject', kinds.map((kind) => `${kind}/${vendor}/`));
  }

  /** Expires the captured refused deliveries (`refused/`) after `retention`, before the other objects. */
  public expireRefusedCaptures(retention: Duration): void {
    this.addLifecycleRule({ id: 'expire-refused-captures', prefix: `${PAYLOAD_KINDS.refused}/`, expiration: retention });
  }

  /** `s3:GetObject` on the stored events (`events/*`), for the redrive, which reads nothing else. */
  public grantGetPayloads(fn: lambda.IFunction): iam.Grant {
    return this.grantObjects(fn, 'GetObject', [`${PAYLOAD_KINDS.events}/`]);
  }

  /**
   * What the redrive needs of the bucket: `s3:GetObject` on the stored events (`events/*`) and the spool
   * (`spool/*`), `s3:DeleteObject` on the spool, `s3:ListBucket` under `spool/` only, and `s3:PutObject` under
   * `offload/*` (an event kept whole while the bucket was down is offloaded before it is published).
   */
  public grantRedrive(fn: lambda.IFunction): iam.Grant {
    const list = iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${PAYLOAD_KINDS.spool}/*`] } },
    });
    return list
      .combine(this.grantObjects(fn, 'GetObject', [`${PAYLOAD_KINDS.events}/`, `${PAYLOAD_KINDS.spool}/`]))
      .combine(this.grantObjects(fn, 'DeleteObject', [`${PAYLOAD_KINDS.spool}/`]))
      .combine(this.grantObjects(fn, 'PutObject', [`${PAYLOAD_KINDS.offload}/`]));
  }

  /**
   * `s3:GetObject` on the objects, and `kms:Decrypt` with the customer managed key when there is one: what a
   * subscriber needs to follow an event's pointer to its bulky part.
   */
  public grantReadPayloads(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [this.arnForObjects('*')] });
    return this.encryptionKey ? grant.combine(this.encryptionKey.grantDecrypt(grantee)) : grant;
  }

  private grantObjects(fn: lambda.IFunction, action: 'PutObject' | 'GetObject' | 'DeleteObject', prefixes: readonly string[]): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee: fn, actions: [`s3:${action}`], resourceArns: prefixes.map((p) => this.arnForObjects(`${p}*`)) });
    if (fn.role) for (const prefix of prefixes) acknowledgePayloadObjectWildcard(fn.role, this, action, prefix);
    return grant;
  }
}
