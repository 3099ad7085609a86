import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { recordKeyPrefix, TABLE } from '../lambda/contracts/table';

/** Name of the table's sparse index of events not yet on the bus (read by the redrive). */
export const PENDING_INDEX_NAME = TABLE.pendingIndex.name;

/** Properties of a {@link DedupTable}. */
export interface DedupTableProps {
  /**
   * Customer managed key to encrypt the table with.
   *
   * @default - the AWS managed key `aws/dynamodb`
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the table when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The dedup and durable-record table: one item per vendor event, key `pk`, TTL `expiresAt`, on demand,
 * point-in-time recovery, and the sparse `pending` index the redrive reads. Its shape is `TABLE` in
 * `lambda/contracts/table.ts`, shared with the DynamoDB adapter and the local mode.
 */
export class DedupTable extends dynamodb.Table {
  /** ARN of the `pending` index. */
  public readonly pendingIndexArn: string;

  constructor(scope: Construct, id: string, props: DedupTableProps = {}) {
    super(scope, id, {
      partitionKey: { name: TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: props.encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.addGlobalSecondaryIndex({
      indexName: PENDING_INDEX_NAME,
      partitionKey: { name: TABLE.pendingIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE.pendingIndex.sortKey, type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    this.pendingIndexArn = `${this.tableArn}/index/${PENDING_INDEX_NAME}`;
  }

  /**
   * What a vendor's webhook function needs: claim, settle and read (to wait for a copy in flight) that vendor's records (`GetItem`, `PutItem`, `UpdateItem` on
   * the table, not its indexes), and no other vendor's: every key written must start with `<vendor>#`
   * (`dynamodb:LeadingKeys`), so one vendor's function can neither claim nor overwrite another vendor's records.
   */
  public grantClaim(grantee: iam.IGrantable, vendor: string): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resourceArns: [this.tableArn],
      // The three actions always carry the key, so ForAllValues never passes on an absent one.
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${recordKeyPrefix(vendor)}*`] } },
    });
  }

  /**
   * What the redrive needs: query the `pending` index, then read and lease records (`GetItem`, `UpdateItem`), and
   * claim the records of spooled events (`PutItem`, only under the prefixes of `vendors`).
   */
  public grantRedrive(grantee: iam.IGrantable, vendors: readonly string[] = []): iam.Grant {
    let grant = iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: [this.pendingIndexArn] })
      .combine(iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resourceArns: [this.tableArn] }));
    if (vendors.length > 0) {
      grant = grant.combine(iam.Grant.addToPrincipal({
        grantee,
        actions: ['dynamodb:PutItem'],
        resourceArns: [this.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': vendors.map((v) => `${recordKeyPrefix(v)}*`) } },
      }));
    }
    return grant;
  }
}
