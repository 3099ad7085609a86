import { Names } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_ENDPOINT, routePathOf } from '../lambda/contracts/endpoints';
import { pascal } from './private/names';
import { acknowledgeVendorAuthentication } from './private/nag';

/**
 * Each route's default throttling: sized for a dialer ending hundreds of calls at once (each call sends 2–3
 * webhooks), not for a steady trickle; the reasoning is in the README (Bursts and floods).
 */
export const DEFAULT_THROTTLING = { rateLimit: 200, burstLimit: 500 } as const;

/** Properties of a {@link WebhookApi}. */
export interface WebhookApiProps {
  /** Log group of the stage's JSON access logs (no header, query string or body is logged). */
  readonly accessLogs: logs.ILogGroup;

  /**
   * Steady-state requests per second of every route.
   *
   * @default 200
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests every route accepts above the steady rate.
   *
   * @default 500
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Turns off the default `execute-api` URL (with a custom domain, so that only its URL reaches the webhooks).
   *
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;
}

/**
 * The HTTP API the vendors call (payload format 2.0), with one auto-deployed `$default` stage: throttled per
 * route, JSON access logs. Each vendor's route is added with {@link addVendorRoute}.
 */
export class WebhookApi extends apigwv2.HttpApi {
  /** The `$default` stage. */
  public readonly stage: apigwv2.HttpStage;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id, {
      description: 'callhooks: vendor webhooks at /webhooks/{vendor}',
      createDefaultStage: false,
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint,
    });
    // A name that tells instances apart in the console and the CLI: the stack name and the construct path,
    // and a hash of them (`Callhooks-Api-0FDE0376` for the ready-made stack), instead of CDK's default `Api`.
    (this.node.defaultChild as apigwv2.CfnApi).name =
      Names.uniqueResourceName(this, { maxLength: 128, separator: '-', allowedSpecialCharacters: '-_' });
    this.stage = this.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttlingRateLimit ?? DEFAULT_THROTTLING.rateLimit,
        burstLimit: props.throttlingBurstLimit ?? DEFAULT_THROTTLING.burstLimit,
      },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(props.accessLogs),
        // No header, query string or body: nothing a vendor sends (signatures, tokens, PII) is logged.
        format: AccessLogFormat.custom(JSON.stringify({
          requestId: '$context.requestId',
          time: '$context.requestTime',
          ip: '$context.identity.sourceIp',
          method: '$context.httpMethod',
          path: '$context.path',
          routeKey: '$context.routeKey',
          status: '$context.status',
          protocol: '$context.protocol',
          responseLength: '$context.responseLength',
          latency: '$context.responseLatency',
          integrationLatency: '$context.integrationLatency',
          integrationStatus: '$context.integrationStatus',
          integrationError: '$context.integrationErrorMessage',
          error: '$context.error.message',
        })),
      },
    });
    acknowledgeVendorAuthentication(this);
  }

  /**
   * Routes every method of each endpoint's path to `fn` (Lambda proxy, payload format 2.0), through one
   * integration: `/webhooks/<vendor>` for the endpoint `default`, `/webhooks/<vendor>/<endpoint>` for the others.
   * A path of an endpoint not listed has no route (API Gateway answers 404).
   *
   * @default endpoints - `["default"]`: the plain route only
   */
  public addVendorRoute(vendor: string, fn: lambda.IFunction, endpoints: readonly string[] = [DEFAULT_ENDPOINT]): apigwv2.HttpRoute[] {
    const integration = new HttpLambdaIntegration(`${pascal(vendor)}Integration`, fn, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    return endpoints.flatMap((endpoint) => this.addRoutes({
      path: routePathOf(vendor, endpoint),
      methods: [apigwv2.HttpMethod.ANY],
      integration,
    }));
  }
}
