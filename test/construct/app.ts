/** Shared set-up of the construct tests: Apps with the project's feature flags, bundling skipped. */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import type { CallhooksConfig } from '../../lambda/config/config';
import {
  CallEventType, CustomVendorAuth, SignatureEncoding, SignedPayload, type CallhooksConfiguration, type CustomVendor,
} from '../../lib';
import { configurationFromJson } from '../../lib/private/config';
import { ALL_VENDORS_CONFIG_FILE, DEFAULT_CONFIG_FILE, readConfig } from '../helpers/configs';

const ROOT = path.join(__dirname, '..', '..');

/** The context of cdk.json (feature flags), so that tests synthesize what `cdk synth` does. */
export function projectContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
  return cdkJson.context ?? {};
}

/** The repository's callhooks.config.json: the documented default (the five vendors of 0.1.0). */
export function projectConfig(): CallhooksConfig {
  return readConfig(DEFAULT_CONFIG_FILE);
}

/** examples/all-vendors/callhooks.config.json: every built-in vendor and the custom vendor Ringly. */
export function allVendorsConfig(): CallhooksConfig {
  return readConfig(ALL_VENDORS_CONFIG_FILE);
}

/**
 * An App with the project's feature flags. The functions' code is the prebuilt bundles in dist/bundles
 * (`npm run bundle`, which `npm test` runs first); by default they are referenced where they are instead of
 * being copied into every test's cloud assembly (`stageAssets: true` copies them, as `cdk synth` does). CDK's
 * built-in CloudFormation validation is off unless asked for (about 4 s to start).
 */
export function testApp(options: { stageAssets?: boolean; cfnValidation?: boolean; outdir?: string } = {}): App {
  const context: Record<string, unknown> = { ...projectContext() };
  if (!options.stageAssets) context['aws:cdk:disable-asset-staging'] = true;
  // `builtinCloudFormationValidation` is an App prop of newer aws-cdk-lib releases than the lower bound this
  // repository builds against; older ones have no such validation.
  return new App({ context, outdir: options.outdir, ...({ builtinCloudFormationValidation: options.cfnValidation ?? false } as object) });
}

export function testStack(app: App = testApp(), id = 'Test'): Stack {
  return new Stack(app, id, { env: { account: '111122223333', region: 'us-east-1' } });
}

/** A custom vendor signing like Stripe (same as the one in examples/all-vendors/callhooks.config.json). */
export const RINGLY = {
  name: 'ringly',
  auth: {
    scheme: 'hmac-sha256',
    header: 'Ringly-Signature',
    encoding: 'hex',
    signatureKey: 'v1',
    timestampKey: 't',
    signedPayload: 'timestamp.body',
  },
  fields: { eventType: '/type', eventId: '/id', callId: '/data/call_id', occurredAt: '/created', accountId: '/account' },
  typeMap: { 'call.completed': 'call.ended', 'call.started': 'call.started' },
} as const;

/** The same custom vendor as {@link RINGLY}, as the construct's struct. */
export const RINGLY_VENDOR: CustomVendor = {
  name: 'ringly',
  auth: CustomVendorAuth.hmacSha256({
    header: 'Ringly-Signature',
    encoding: SignatureEncoding.HEX,
    signatureKey: 'v1',
    timestampKey: 't',
    signedPayload: SignedPayload.TIMESTAMP_DOT_BODY,
  }),
  fields: { eventType: '/type', eventId: '/id', callId: '/data/call_id', occurredAt: '/created', accountId: '/account' },
  typeMap: { 'call.completed': CallEventType.CALL_ENDED, 'call.started': CallEventType.CALL_STARTED },
};

/** The construct's props of a `callhooks.config.json`'s contents (what `CallhooksConfigFile` reads). */
export function fromConfig(raw: unknown): CallhooksConfiguration {
  return configurationFromJson(raw, 'the test configuration');
}

type Resource = { Type: string; Properties?: Record<string, any>; [k: string]: any };
type TemplateJson = { Resources: Record<string, Resource> };

/** Logical id of the one resource of `type` whose logical id starts with `prefix`. */
export function logicalId(template: TemplateJson, type: string, prefix: string): string {
  const ids = Object.entries(template.Resources)
    .filter(([id, r]) => r.Type === type && id.startsWith(prefix))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}

/** Every IAM statement attached (by AWS::IAM::Policy) to the role with logical id `roleId`. */
export function statementsOfRole(template: TemplateJson, roleId: string): Array<Record<string, any>> {
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties?.Roles ?? []).some((x: any) => x.Ref === roleId))
    .flatMap((r) => r.Properties!.PolicyDocument.Statement);
}

/** Role logical id of a Lambda function. */
export function roleOfFunction(template: TemplateJson, functionId: string): string {
  return template.Resources[functionId].Properties!.Role['Fn::GetAtt'][0];
}

export function actionsOf(statement: Record<string, any>): string[] {
  return ([] as string[]).concat(statement.Action);
}

export function resourcesOf(statement: Record<string, any>): unknown[] {
  return ([] as unknown[]).concat(statement.Resource);
}
