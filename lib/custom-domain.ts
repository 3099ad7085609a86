import { Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Construct } from 'constructs';

/**
 * A custom domain for the webhooks, so that the URLs configured at the vendors stay the same when the API is
 * replaced (a new stack, another region, a rebuilt instance): `https://<domainName>/<basePath>/webhooks/<vendor>`.
 *
 * callhooks creates the API Gateway domain name and its mapping; the DNS record is yours: point `domainName`
 * at the construct's `domainTarget` (a CNAME, or a Route 53 alias to `domain.regionalDomainName` /
 * `domain.regionalHostedZoneId`).
 */
export interface CustomDomainOptions {
  /** The domain name the vendors call, e.g. `hooks.example.com` (lower case, no scheme, no path). */
  readonly domainName: string;

  /** A certificate for `domainName` in the stack's region (API Gateway's regional endpoint uses it). */
  readonly certificate: acm.ICertificate;

  /**
   * A path the API is mapped under on the domain, without slashes around it (`callhooks`, `v1/hooks`): the
   * webhooks are then at `https://<domainName>/<basePath>/webhooks/<vendor>`. Lets one domain serve other APIs.
   *
   * @default - none: the webhooks are at `https://<domainName>/webhooks/<vendor>`
   */
  readonly basePath?: string;

  /**
   * Turns the API's default `execute-api` URL off, so that vendors can reach the webhooks only at the custom
   * domain (requests to the default URL get 403 from API Gateway).
   *
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;
}

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
// An API mapping key: segments of letters, digits and `$-_.+!*'()`, separated by single slashes.
const BASE_PATH_RE = /^[A-Za-z0-9$\-_.+!*'()]+(\/[A-Za-z0-9$\-_.+!*'()]+)*$/;

/** Why the options are wrong (messages for the user), or an empty list. */
export function customDomainProblems(options: CustomDomainOptions): string[] {
  const problems: string[] = [];
  const { domainName, basePath } = options;
  if (!Token.isUnresolved(domainName) && !DOMAIN_RE.test(domainName)) {
    problems.push(`customDomain.domainName must be a lower-case host name such as "hooks.example.com" (no scheme, port or path); got ${JSON.stringify(domainName)}`);
  }
  if (basePath !== undefined && !Token.isUnresolved(basePath) && !BASE_PATH_RE.test(basePath)) {
    problems.push(`customDomain.basePath must be path segments without a leading or trailing slash, such as "callhooks" or "v1/hooks"; got ${JSON.stringify(basePath)}`);
  }
  return problems;
}

/** The API Gateway domain name and its mapping to the API's `$default` stage; `baseUrl` ends with a slash. */
export function mapCustomDomain(scope: Construct, api: apigwv2.IHttpApi, stage: apigwv2.IStage, options: CustomDomainOptions): { domain: apigwv2.DomainName; baseUrl: string } {
  const problems = customDomainProblems(options);
  if (problems.length) throw new Error(`Callhooks: ${problems.join('; ')}`);
  const domain = new apigwv2.DomainName(scope, 'CustomDomain', { domainName: options.domainName, certificate: options.certificate });
  new apigwv2.ApiMapping(scope, 'CustomDomainMapping', { api, domainName: domain, stage, apiMappingKey: options.basePath });
  const path = options.basePath ? `${options.basePath}/` : '';
  return { domain, baseUrl: `https://${options.domainName}/${path}` };
}
