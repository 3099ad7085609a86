/**
 * Reads a synthesized cloud assembly: the stack's template, its functions (asset folder, handler, environment,
 * role and policies) and its HTTP routes, and resolves the template's intrinsic functions (`Ref`,
 * `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`) against the resources that were created for it.
 * A reference it cannot resolve throws: nothing is guessed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Statement } from './iam';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
  readonly DependsOn?: string | string[];
}

export interface Template {
  readonly Resources: Record<string, TemplateResource>;
}

/** What a created (or, for resources not created, named) resource answers to `Ref` and `Fn::GetAtt`. */
export interface Physical {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface Pseudo {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
}

export class Resolver {
  constructor(
    private readonly physical: ReadonlyMap<string, Physical>,
    private readonly pseudo: Pseudo,
  ) {}

  private pseudoRef(name: string): string | undefined {
    switch (name) {
      case 'AWS::Region': return this.pseudo.region;
      case 'AWS::AccountId': return this.pseudo.accountId;
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.pseudo.stackName;
      default: return undefined;
    }
  }

  private ref(name: string): string {
    const p = this.pseudoRef(name) ?? this.physical.get(name)?.ref;
    if (p === undefined) throw new Error(`assembly: Ref to ${name}, which was not created`);
    return p;
  }

  private getAtt(logicalId: string, attribute: string): string {
    const value = this.physical.get(logicalId)?.attributes[attribute];
    if (value === undefined) throw new Error(`assembly: Fn::GetAtt ${logicalId}.${attribute} is not known`);
    return value;
  }

  /** The value with every intrinsic function replaced by what it stands for. */
  resolve(value: any): any {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = value[k];
      switch (k) {
        case 'Ref': return this.ref(arg);
        case 'Fn::GetAtt': {
          const [id, attr] = typeof arg === 'string' ? arg.split(/\.(.+)/) : arg;
          return this.getAtt(id, attr);
        }
        case 'Fn::Join': {
          const [sep, items] = arg;
          return (this.resolve(items) as unknown[]).map(String).join(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = typeof arg === 'string' ? [arg, {}] : arg;
          const resolvedVars = this.resolve(vars) as Record<string, string>;
          return (text as string).replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
            if (name in resolvedVars) return resolvedVars[name];
            if (name.includes('.')) {
              const [id, attr] = name.split(/\.(.+)/);
              return this.getAtt(id, attr);
            }
            return this.ref(name);
          });
        }
        case 'Fn::Select': {
          const [index, items] = arg;
          return (this.resolve(items) as unknown[])[Number(index)];
        }
        case 'Fn::Split': {
          const [sep, text] = arg;
          return String(this.resolve(text)).split(sep);
        }
        default:
          if (k.startsWith('Fn::') || k === 'Condition') throw new Error(`assembly: ${k} is not supported`);
      }
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
  }
}

export interface AssemblyFunction {
  readonly logicalId: string;
  /** `aws:cdk:path` of the function. */
  readonly path: string;
  /** Absolute path of the function's asset folder in the assembly. */
  readonly assetDir: string;
  /** The template's `Handler`, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  readonly roleLogicalId: string;
  /** The template's environment, unresolved. */
  readonly environment: Record<string, Json>;
}

export interface Assembly {
  readonly dir: string;
  readonly stackName: string;
  readonly template: Template;
  readonly functions: readonly AssemblyFunction[];
}

/** The one stack of the assembly in `dir` (manifest.json), with its functions. */
export function readAssembly(dir: string): Assembly {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const stacks = Object.entries(manifest.artifacts as Record<string, any>).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  if (stacks.length !== 1) throw new Error(`assembly: expected one stack in ${dir}, found ${stacks.length}`);
  const [stackName, stack] = stacks[0];
  const template = JSON.parse(readFileSync(join(dir, stack.properties.templateFile), 'utf8')) as Template;
  const functions = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([logicalId, r]) => {
      const props = r.Properties ?? {};
      const asset = r.Metadata?.['aws:asset:path'];
      if (r.Metadata?.['aws:asset:property'] !== 'Code' || typeof asset !== 'string') {
        throw new Error(`assembly: function ${logicalId} has no code asset (Metadata aws:asset:path)`);
      }
      const assetDir = join(dir, asset);
      if (!existsSync(assetDir)) throw new Error(`assembly: the asset folder ${assetDir} of ${logicalId} is missing (synthesized without bundling?)`);
      const role = props.Role?.['Fn::GetAtt'];
      if (!Array.isArray(role) || role[1] !== 'Arn') throw new Error(`assembly: function ${logicalId} has no role of the stack`);
      return {
        logicalId,
        path: String(r.Metadata?.['aws:cdk:path'] ?? logicalId),
        assetDir,
        handler: String(props.Handler),
        runtime: String(props.Runtime),
        memorySize: Number(props.MemorySize ?? 128),
        timeoutSeconds: Number(props.Timeout ?? 3),
        roleLogicalId: role[0],
        environment: (props.Environment?.Variables ?? {}) as Record<string, Json>,
      };
    });
  return { dir, stackName, template, functions };
}

/** Every statement of the identity policies attached to the role (inline `Policies` and `AWS::IAM::Policy`), resolved. */
export function roleStatements(template: Template, roleLogicalId: string, resolver: Resolver): Statement[] {
  const role = template.Resources[roleLogicalId];
  if (!role || role.Type !== 'AWS::IAM::Role') throw new Error(`assembly: ${roleLogicalId} is not a role`);
  if ((role.Properties?.ManagedPolicyArns ?? []).length > 0) {
    throw new Error(`assembly: ${roleLogicalId} has managed policies, which this evaluation cannot read`);
  }
  const inline = (role.Properties?.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement);
  const attached = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties?.Roles ?? []).some((x: any) => x?.Ref === roleLogicalId))
    .flatMap((r) => r.Properties!.PolicyDocument.Statement);
  return resolver.resolve([...inline, ...attached]) as Statement[];
}

export interface Route {
  /** e.g. `ANY /webhooks/quarterzip` */
  readonly routeKey: string;
  readonly method: string;
  readonly path: string;
  /** Logical id of the Lambda function behind the route. */
  readonly functionLogicalId: string;
  readonly payloadFormatVersion: string;
}

/** The HTTP API's routes, each with the function its Lambda proxy integration invokes. */
export function httpRoutes(template: Template): Route[] {
  const R = template.Resources;
  return Object.entries(R)
    .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')
    .map(([id, r]) => {
      const routeKey = String(r.Properties!.RouteKey);
      const target = r.Properties!.Target?.['Fn::Join']?.[1];
      const integrationId = Array.isArray(target) && target[0] === 'integrations/' ? target[1]?.Ref : undefined;
      const integration = integrationId ? R[integrationId] : undefined;
      const fnId = integration?.Properties?.IntegrationUri?.['Fn::GetAtt']?.[0];
      if (!integration || integration.Properties?.IntegrationType !== 'AWS_PROXY' || !fnId) {
        throw new Error(`assembly: route ${id} (${routeKey}) does not target a Lambda proxy integration`);
      }
      const [method, path] = routeKey.split(' ');
      return { routeKey, method, path, functionLogicalId: fnId, payloadFormatVersion: String(integration.Properties.PayloadFormatVersion) };
    });
}
