import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Construct } from 'constructs';
import { Callhooks, CallhooksProps } from './callhooks';
import { pascal } from './private/names';
import { DEFAULT_ENDPOINT, secretKeyOf } from '../lambda/contracts/endpoints';

/**
 * The construct properties the ready-made app takes from CDK context (`npx cdk deploy -c vendorReservedConcurrency=0`),
 * for what an account may need changed before its first deployment without editing code: `vendorReservedConcurrency`
 * (an account whose Lambda concurrency quota is too small to reserve from), and `captureRefusedPerMinute` (turns on
 * `captureRefused` with that rate, kept 1 day: `-c captureRefusedPerMinute=10` while diagnosing 401s). Context given
 * on the command line is a string; the construct validates the numbers.
 */
export function contextProps(scope: Construct): Pick<CallhooksProps, 'vendorReservedConcurrency' | 'captureRefused'> {
  const reserved: unknown = scope.node.tryGetContext('vendorReservedConcurrency');
  const capture: unknown = scope.node.tryGetContext('captureRefusedPerMinute');
  return {
    ...(reserved === undefined ? {} : { vendorReservedConcurrency: Number(reserved) }),
    ...(capture === undefined ? {} : { captureRefused: { perMinute: Number(capture) } }),
  };
}

/** Properties of a {@link CallhooksStack}: the stack's own properties and those of its {@link Callhooks}. */
export interface CallhooksStackProps extends StackProps, CallhooksProps {
  /**
   * A custom domain by the ARN of its certificate (what `cdk deploy -c domainName=… -c certificateArn=…` gives);
   * the construct's `customDomain` with the certificate imported.
   */
  readonly domain?: { readonly domainName: string; readonly certificateArn: string; readonly basePath?: string };
}

/**
 * The ready-made stack that `cdk deploy` uses (`bin/callhooks.ts`; not part of the package's API): one {@link Callhooks} and outputs for what you need after
 * deploying (webhook URLs, the bus, the table, the archive, the schema registry, each endpoint's secret ARN — ARNs only, never values).
 */
export class CallhooksStack extends Stack {
  public readonly callhooks: Callhooks;

  constructor(scope: Construct, id: string, props: CallhooksStackProps = {}) {
    super(scope, id, props);
    const { domain, ...callhooksProps } = props;
    const customDomain = domain
      ? { domainName: domain.domainName, basePath: domain.basePath, certificate: acm.Certificate.fromCertificateArn(this, 'CustomDomainCertificate', domain.certificateArn) }
      : callhooksProps.customDomain;
    this.callhooks = new Callhooks(this, 'Callhooks', { ...callhooksProps, customDomain });

    new CfnOutput(this, 'WebhookBaseUrl', {
      description: 'Base URL of the webhooks: append the vendor name',
      value: this.callhooks.url,
    });
    if (this.callhooks.domainTarget) {
      new CfnOutput(this, 'CustomDomainTarget', {
        description: 'Point the custom domain here: a CNAME to this name (or a Route 53 alias to the API Gateway domain)',
        value: this.callhooks.domainTarget,
      });
    }
    new CfnOutput(this, 'EventBusName', { description: 'Bus of the normalized call events', value: this.callhooks.eventBus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: this.callhooks.eventBus.eventBusArn });
    new CfnOutput(this, 'TableName', { description: 'Dedup and durable record table', value: this.callhooks.table.tableName });
    new CfnOutput(this, 'RedriveFunctionName', {
      description: 'The scheduled redrive (callhooks redrive --function)',
      value: this.callhooks.redriveFunction.functionName,
    });
    const { archive, schemaRegistry } = this.callhooks;
    if (archive) {
      new CfnOutput(this, 'ArchiveName', { description: 'Archive of the published events (callhooks replay --archive)', value: archive.archiveName });
      new CfnOutput(this, 'ArchiveArn', { value: archive.archiveArn });
    }
    if (schemaRegistry) {
      new CfnOutput(this, 'SchemaRegistryName', { description: 'Schema registry of the call events (code bindings)', value: schemaRegistry.attrRegistryName });
    }
    for (const vendor of this.callhooks.vendorNames) {
      for (const endpoint of this.callhooks.endpoints[vendor]) {
        // The default endpoint keeps the outputs a vendor without endpoints always had.
        const name = endpoint === DEFAULT_ENDPOINT ? pascal(vendor) : `${pascal(vendor)}Endpoint${pascal(endpoint)}`;
        const what = endpoint === DEFAULT_ENDPOINT ? vendor : `${vendor} (endpoint ${endpoint})`;
        new CfnOutput(this, `${name}WebhookUrl`, {
          description: `URL to give ${what} as the webhook endpoint`,
          value: endpoint === DEFAULT_ENDPOINT ? `${this.callhooks.url}${vendor}` : `${this.callhooks.url}${vendor}/${endpoint}`,
        });
        new CfnOutput(this, `${name}SecretArn`, {
          description: `Secret that must hold the value ${what} issues (put it with put-secret-value)`,
          value: this.callhooks.secrets[secretKeyOf(vendor, endpoint)].secretArn,
        });
      }
    }
  }
}
