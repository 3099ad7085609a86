import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ResolvedConfig, VendorRuntimeConfig } from '../lambda/config/config';
import { ENV } from '../lambda/contracts/env';
import { DEFAULT_ENDPOINT, routePathOf } from '../lambda/contracts/endpoints';
import { endpointsOf } from '../lambda/vendors';
import type { DedupTable } from './dedup-table';
import type { PayloadBucket } from './payload-bucket';
import type { WebhookApi } from './webhook-api';
import { webhookBundleName } from './private/bundles';
import { sourceOf } from '../lambda/core/event';
import { DEFAULT_ANSWER_DEADLINE_MS } from '../lambda/core/deadline';
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
   * An existing secret holding the value the vendor issued, for the vendor's `default` endpoint.
   *
   * @default - a new secret with a random placeholder, replaced by the customer after the first deployment
   */
  readonly secret?: secretsmanager.ISecret;

  /**
   * Existing secrets by endpoint name (`eu`, or `default`, which takes precedence over `secret`), for a vendor
   * whose configuration lists `endpoints`. Every key must be one of its endpoints.
   *
   * @default - a new secret, with a random placeholder, for each endpoint not given
   */
  readonly endpointSecrets?: { readonly [endpoint: string]: secretsmanager.ISecret };

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

  /**
   * Time from the start of a delivery to its answer, whatever a dependency does: each call to DynamoDB,
   * EventBridge, S3 or Secrets Manager is abandoned when its share of it is spent, and the event is kept by a
   * fallback (README, Deadlines). At least 1 second, and at least 2 seconds below `timeout`; keep it below the
   * vendors' own timeouts (Converc 8 s, most 10–30 s).
   *
   * @default Duration.seconds(6)
   */
  readonly answerDeadline?: Duration;

  /**
   * Reserved concurrency of the function: its own bound, so that one vendor's flood (or a dependency hanging
   * under it) cannot take the account's whole concurrency from the other vendors, and a guaranteed share for
   * it. It is taken from the account's pool (AWS keeps at least 100 unreserved). `0` reserves nothing: the
   * function shares the account's unreserved pool, unbounded.
   *
   * @default 25
   */
  readonly reservedConcurrency?: number;

  /**
   * Refused (401) deliveries the function captures to `refused/<vendor>/` of the payload bucket per minute per
   * instance (lambda/core/capture.ts); it may write there only when set.
   *
   * @default - none captured
   */
  readonly captureRefusedPerMinute?: number;
}

/** The answer deadline unless told otherwise (lambda/core/deadline.ts). */
export const DEFAULT_ANSWER_DEADLINE = Duration.millis(DEFAULT_ANSWER_DEADLINE_MS);

/** The answer deadline in ms; throws when it is under 1 s or leaves less than 2 s of the function's timeout. */
function answerDeadlineOf(deadline: Duration | undefined, timeout: Duration): number {
  const ms = (deadline ?? DEFAULT_ANSWER_DEADLINE).toMilliseconds();
  if (Token.isUnresolved(ms)) throw new Error('answerDeadline must be a concrete duration');
  if (ms < 1000) throw new Error(`answerDeadline must be at least 1 second (got ${ms} ms)`);
  if (ms > timeout.toMilliseconds() - 2000) {
    throw new Error(`answerDeadline (${ms} ms) must be at least 2 seconds below the function's timeout (${timeout.toMilliseconds()} ms)`);
  }
  return ms;
}

/**
 * Reserved concurrency of each vendor function unless told otherwise: 25 environments serve about 500 warm
 * deliveries/s (≈ 50 ms each), 2.5× a route's 200/s, while ten vendors reserve only 250 of the default account
 * quota of 1,000 (README, Bursts and floods).
 */
export const DEFAULT_VENDOR_RESERVED_CONCURRENCY = 25;

/**
 * What an account with Lambda's default concurrency quota (1,000 per region) can reserve in all: AWS keeps at
 * least 100 unreserved, and refuses (fails the deployment of) a reservation that would leave fewer.
 */
export const RESERVABLE_AT_DEFAULT_QUOTA = 900;

/**
 * Everything one vendor has of its own: a secret per endpoint, its function (with its own role and log group)
 * serving all of its endpoints, and a route per endpoint: `/webhooks/<vendor>` for `default` (the only endpoint
 * of a vendor whose configuration lists none), `/webhooks/<vendor>/<endpoint>` for the others. Least privilege:
 * the function reads only this vendor's endpoints' secrets, claims only this
 * vendor's records (`GetItem`/`PutItem`/`UpdateItem` on keys `<vendor>#…`), puts only events whose `source` is
 * `callhooks.<vendor>`, and puts payload objects only under `rejected/<vendor>/`, `offload/<vendor>/` and
 * `events/<vendor>/`.
 */
export class VendorWebhook extends Construct {
  /** The vendor's name (its route is `/webhooks/<name>`, its events' source `callhooks.<name>`). */
  public readonly vendorName: string;
  /** The names of the vendor's endpoints, in configuration order (`["default"]` when it lists none). */
  public readonly endpointNames: readonly string[];
  /** The secret of each endpoint (created or passed in), by endpoint name. */
  public readonly endpointSecrets: { readonly [endpoint: string]: secretsmanager.ISecret };
  /** The secret of the vendor's first endpoint: the `default` endpoint's when the vendor lists no endpoints. */
  public readonly secret: secretsmanager.ISecret;
  /** The function that receives the vendor's webhooks, at every one of its endpoints. */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: VendorWebhookProps) {
    super(scope, id);
    const vendor = props.vendor;
    this.vendorName = vendor.name;
    this.endpointNames = endpointsOf(vendor);
    for (const key of Object.keys(props.endpointSecrets ?? {})) {
      if (!this.endpointNames.includes(key)) {
        throw new Error(`Callhooks: ${vendor.name} has no endpoint "${key}" (endpoints: ${this.endpointNames.join(', ')})`);
      }
    }
    const secrets: Record<string, secretsmanager.ISecret> = {};
    for (const endpoint of this.endpointNames) {
      const given = props.endpointSecrets?.[endpoint] ?? (endpoint === DEFAULT_ENDPOINT ? props.secret : undefined);
      secrets[endpoint] = given ?? this.createSecret(endpoint, props.encryptionKey);
    }
    this.endpointSecrets = secrets;
    this.secret = secrets[this.endpointNames[0]];
    const named = this.endpointNames.filter((e) => e !== DEFAULT_ENDPOINT);
    // ARNs only: each endpoint's secret is read at run time. A vendor without endpoints keeps exactly its
    // earlier environment (CALLHOOKS_SECRET_ARN alone).
    const secretEnv: Record<string, string> = {};
    if (secrets[DEFAULT_ENDPOINT]) secretEnv[ENV.secretArn] = secrets[DEFAULT_ENDPOINT].secretArn;
    if (named.length > 0) {
      secretEnv[ENV.secretArns] = Stack.of(this).toJsonString(Object.fromEntries(named.map((e) => [e, secrets[e].secretArn])));
    }

    const timeout = props.timeout ?? Duration.seconds(10);
    const answerDeadlineMs = answerDeadlineOf(props.answerDeadline, timeout);
    this.function = createFunction(this, {
      // A built-in vendor's bundle holds only its own adapter; a custom vendor's only the configurable one.
      bundle: webhookBundleName(vendor),
      description: `callhooks: receives ${vendor.name} webhooks`,
      memorySize: props.memorySize ?? 256,
      timeout,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      reservedConcurrentExecutions: (props.reservedConcurrency ?? DEFAULT_VENDOR_RESERVED_CONCURRENCY) || undefined,
      environment: {
        [ENV.vendorConfig]: JSON.stringify(vendor),
        ...secretEnv,
        [ENV.tableName]: props.table.tableName,
        [ENV.eventBusName]: props.eventBus.eventBusName,
        [ENV.payloadBucket]: props.payloadBucket.bucketName,
        [ENV.maxBodyBytes]: String(props.limits.maxBodyBytes),
        [ENV.maxEventBytes]: String(props.limits.maxEventBytes),
        [ENV.retentionDays]: String(props.limits.retentionDays),
        [ENV.answerDeadlineMs]: String(answerDeadlineMs),
        ...(props.captureRefusedPerMinute ? { [ENV.captureRefusedPerMinute]: String(props.captureRefusedPerMinute) } : {}),
      },
    });

    for (const secret of Object.values(secrets)) secret.grantRead(this.function);
    // Least privilege per vendor: its own records, its own events' source, its own payload prefixes.
    props.table.grantClaim(this.function, vendor.name);
    grantPutEventsFrom(props.eventBus, this.function, [sourceOf(vendor.name)]);
    props.payloadBucket.grantPutPayloads(this.function, vendor.name, { captureRefused: props.captureRefusedPerMinute !== undefined });
    grantKeyUse(this.function, props.encryptionKey);

    props.api.addVendorRoute(vendor.name, this.function, this.endpointNames);
  }

  /**
   * The `default` endpoint's secret keeps the id `Secret` (its logical ID, so an upgrade never replaces it);
   * another endpoint's is `Secret-<endpoint>`.
   */
  private createSecret(endpoint: string, encryptionKey?: kms.IKey): secretsmanager.Secret {
    const vendor = this.vendorName;
    const what = endpoint === DEFAULT_ENDPOINT ? vendor : `${vendor} endpoint ${endpoint}`;
    const secret = new secretsmanager.Secret(this, endpoint === DEFAULT_ENDPOINT ? 'Secret' : `Secret-${endpoint}`, {
      description:
        `callhooks: ${what} webhook secret. Created with a random placeholder: replace it with the value ` +
        `${vendor} issues${endpoint === DEFAULT_ENDPOINT ? '' : ` for this endpoint (${routePathOf(vendor, endpoint)})`} (put-secret-value); ` +
        'during a rotation it may hold the new and the previous value.',
      encryptionKey,
      // A random placeholder, so no secret value is ever written in the template.
      generateSecretString: { excludePunctuation: true, passwordLength: 32 },
      // It will hold what the customer pasted from the vendor: retained like the table, so deleting the stack or
      // renaming an endpoint does not destroy it (whatever the construct's removalPolicy; delete it by hand).
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeVendorRotatedSecret(secret);
    return secret;
  }
}
