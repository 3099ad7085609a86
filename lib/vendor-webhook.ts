import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ResolvedConfig, VendorRuntimeConfig } from '../lambda/config/config';
import { ENV } from '../lambda/config/env';
import type { DedupTable } from './dedup-table';
import type { PayloadBucket } from './payload-bucket';
import type { WebhookApi } from './webhook-api';
import { webhookBundleName } from './private/bundles';
import { sourceOf } from '../lambda/core/event';
import { grantPutEventsFrom } from './private/events';
import { createFunction, grantKeyUse } from './private/function';
import { acknowledgeVendorRotatedSecret } from './private/nag';

/** Properties of a {@link VendorWebhook}. */
export interface VendorWebhookProps {
  /** The vendor's resolved configuration (one entry of `resolveConfig(...).vendors`). */
  readonly vendor: VendorRuntimeConfig;
  /** The limits every webhook function applies. */
  readonly limits: Pick<ResolvedConfig, 'maxBodyBytes' | 'maxEventBytes' | 'retentionDays'>;
  readonly table: DedupTable;
  readonly eventBus: events.IEventBus;
  readonly payloadBucket: PayloadBucket;
  /** The API that gets the vendor's route. */
  readonly api: WebhookApi;

  /**
   * An existing secret holding the value the vendor issued.
   *
   * @default - a new secret with a random placeholder, replaced by the customer after the first deployment
   */
  readonly secret?: secretsmanager.ISecret;

  /**
   * Customer managed key: encrypts a created secret, and the function is granted its use.
   *
   * @default - AWS managed keys
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Memory of the function, in MiB.
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Timeout of the function.
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;

  /**
   * Retention of the function's log group.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Everything one vendor has of its own: its secret, its function (with its own role and log group) and its
 * route `/webhooks/<vendor>`. Least privilege: the function reads only this vendor's secret, claims only this
 * vendor's records (`GetItem`/`PutItem`/`UpdateItem` on keys `<vendor>#…`), puts only events whose `source` is
 * `callhooks.<vendor>`, and puts payload objects only under `rejected/<vendor>/`, `offload/<vendor>/` and
 * `events/<vendor>/`.
 */
export class VendorWebhook extends Construct {
  /** The vendor's name (its route is `/webhooks/<name>`, its events' source `callhooks.<name>`). */
  public readonly vendorName: string;
  /** The secret the function verifies deliveries with. */
  public readonly secret: secretsmanager.ISecret;
  /** The function that receives the vendor's webhooks. */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: VendorWebhookProps) {
    super(scope, id);
    const vendor = props.vendor;
    this.vendorName = vendor.name;
    this.secret = props.secret ?? this.createSecret(props.encryptionKey);

    this.function = createFunction(this, {
      // A built-in vendor's bundle holds only its own adapter; a custom vendor's only the configurable one.
      bundle: webhookBundleName(vendor),
      description: `callhooks: receives ${vendor.name} webhooks`,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      environment: {
        [ENV.vendorConfig]: JSON.stringify(vendor),
        [ENV.secretArn]: this.secret.secretArn,
        [ENV.tableName]: props.table.tableName,
        [ENV.eventBusName]: props.eventBus.eventBusName,
        [ENV.payloadBucket]: props.payloadBucket.bucketName,
        [ENV.maxBodyBytes]: String(props.limits.maxBodyBytes),
        [ENV.maxEventBytes]: String(props.limits.maxEventBytes),
        [ENV.retentionDays]: String(props.limits.retentionDays),
      },
    });

    this.secret.grantRead(this.function);
    // Least privilege per vendor: its own records, its own events' source, its own payload prefixes.
    props.table.grantClaim(this.function, vendor.name);
    grantPutEventsFrom(props.eventBus, this.function, [sourceOf(vendor.name)]);
    props.payloadBucket.grantPutPayloads(this.function, vendor.name);
    grantKeyUse(this.function, props.encryptionKey);

    props.api.addVendorRoute(vendor.name, this.function);
  }

  private createSecret(encryptionKey?: kms.IKey): secretsmanager.Secret {
    const vendor = this.vendorName;
    const secret = new secretsmanager.Secret(this, 'Secret', {
      description:
        `callhooks: ${vendor} webhook secret. Created with a random placeholder: replace it with the value ` +
        `${vendor} issues (put-secret-value); during a rotation it may hold the new and the previous value.`,
      encryptionKey,
      // A random placeholder, so no secret value is ever written in the template.
      generateSecretString: { excludePunctuation: true, passwordLength: 32 },
    });
    acknowledgeVendorRotatedSecret(secret);
    return secret;
  }
}
