/**
 * A local "deployment" of a synthesized cloud assembly: moto holds the template's resources, the enforcing
 * proxy stands between every function and moto, each function runs its bundle in its own child process, and
 * the HTTP edge serves the template's routes. The repository's app is synthesized, bundling on, into a temporary
 * folder with the configuration file given (`CALLHOOKS_CONFIG`), or the repository's callhooks.config.json; a suite
 * that allows it runs instead the assembly in `CALLHOOKS_ARTIFACT_ASSEMBLY=<dir>`, already synthesized from that
 * same file (CI reuses its `cdk synth -c config=examples/all-vendors/callhooks.config.json`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { VendorRuntimeConfig } from '../../lambda/config/config';
import { ENV, secretArnsFromEnv } from '../../lambda/contracts/env';
import type { VendorAdapter } from '../../lambda/core/vendor';
import { createEndpointAdapters, endpointsOf } from '../../lambda/vendors';
import { secretKeyOf } from '../../lambda/contracts/endpoints';
import { MotoClients, motoClients, MotoServer, MOTO_REGION, startMoto } from '../moto/moto-server';
import { Assembly, AssemblyFunction, httpRoutes, readAssembly, Resolver, roleStatements } from './assembly';
import { HttpEdge } from './edge';
import { FunctionProcess, functionEnvironment } from './functions';
import type { Statement } from './iam';
import { EnforcingProxy } from './proxy';
import { provision, Provisioned } from './provision';

const ROOT = join(__dirname, '..', '..');
/** moto's account. */
export const ACCOUNT_ID = '123456789012';

/**
 * Synthesizes the repository's app (bin/callhooks.ts) with the pinned CDK CLI, configured by callhooks.config.json
 * or by `configFile`.
 */
export function synthesize(outdir: string, configFile?: string): void {
  const cli = join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const run = spawnSync(process.execPath, [cli, 'synth', '--quiet', '--no-notices', '--output', outdir], {
    cwd: ROOT,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: '1', ...(configFile ? { CALLHOOKS_CONFIG: configFile } : {}) },
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (run.status !== 0) throw new Error(`cdk synth failed (${run.status ?? run.signal}):\n${run.stderr.slice(-4000)}`);
}

/** One endpoint of a webhook function: its adapter (the endpoint's own options) and the secret the suite stored. */
export interface EndpointSecret {
  readonly adapter: VendorAdapter;
  readonly secret: string;
  readonly secretArn: string;
}

export interface WebhookFunction {
  readonly vendor: string;
  readonly fn: AssemblyFunction;
  /** The adapter, secret and secret ARN of the vendor's first endpoint (`default` for a vendor that lists none). */
  readonly adapter: VendorAdapter;
  /** The vendor secret the suite put into the function's Secrets Manager secret. */
  readonly secret: string;
  readonly secretArn: string;
  /** Every endpoint of the vendor, by name. */
  readonly endpoints: ReadonlyMap<string, EndpointSecret>;
}

export interface DeploymentOptions {
  /** The configuration file to synthesize the app with. @default - the repository's callhooks.config.json */
  readonly configFile?: string;
  /**
   * Run the assembly in `CALLHOOKS_ARTIFACT_ASSEMBLY`, when set, instead of synthesizing one: it must have been
   * synthesized from `configFile` (what the suite checks of it, e.g. one function per vendor, tells otherwise).
   * @default false
   */
  readonly assemblyFromEnv?: boolean;
}

export class Deployment {
  readonly webhooks = new Map<string, WebhookFunction>();
  readonly processes = new Map<string, FunctionProcess>();
  readonly policies = new Map<string, Statement[]>();
  redrive!: AssemblyFunction;
  env = new Map<string, Record<string, string>>();
  moto!: MotoServer;
  clients!: MotoClients;
  proxy!: EnforcingProxy;
  edge!: HttpEdge;
  assembly!: Assembly;
  provisioned!: Provisioned;
  resolver!: Resolver;
  private tmp?: string;

  constructor(private readonly options: DeploymentOptions = {}) {}

  /** Resolved template values shared by every function (table, bus, bucket, dead-letter queue). */
  get shared(): { table: string; bus: string; bucket: string; deadLetterQueueUrl: string } {
    const env = this.env.get(this.redrive.logicalId)!;
    return {
      table: env[ENV.tableName],
      bus: env[ENV.eventBusName],
      bucket: env[ENV.payloadBucket],
      // The suite reads the queue as an administrator, straight from moto (the functions' URL names the proxy).
      deadLetterQueueUrl: env[ENV.deadLetterQueueUrl].replace(this.proxy.endpoint, this.moto.endpoint),
    };
  }

  async start(): Promise<void> {
    // Resolved: the runtime requires `<assembly>/asset.…/index`, which a relative path would make a package name.
    const { configFile, assemblyFromEnv } = this.options;
    let dir = process.env.CALLHOOKS_ARTIFACT_ASSEMBLY && assemblyFromEnv ? resolve(process.env.CALLHOOKS_ARTIFACT_ASSEMBLY) : undefined;
    if (!dir) {
      this.tmp = mkdtempSync(join(tmpdir(), 'callhooks-artifact-'));
      dir = join(this.tmp, 'cdk.out');
      synthesize(dir, configFile);
    }
    this.assembly = readAssembly(dir);
    this.moto = await startMoto();
    this.clients = motoClients(this.moto);
    const partitionKeys = new Map<string, string>();
    const secretArns = new Map<string, string>();
    this.proxy = new EnforcingProxy({
      target: this.moto.endpoint,
      region: MOTO_REGION,
      accountId: ACCOUNT_ID,
      policies: this.policies,
      partitionKeys,
      secretArns,
    });
    await this.proxy.start();
    const pseudo = { region: MOTO_REGION, accountId: ACCOUNT_ID, stackName: this.assembly.stackName };
    this.provisioned = await provision(this.assembly.template, this.clients, pseudo, { queueUrlBase: this.proxy.endpoint });
    this.provisioned.partitionKeys.forEach((v, k) => partitionKeys.set(k, v));
    this.provisioned.secretArns.forEach((v, k) => secretArns.set(k, v));
    this.resolver = new Resolver(this.provisioned.physical, pseudo);
    for (const fn of this.assembly.functions) {
      this.policies.set(fn.logicalId, roleStatements(this.assembly.template, fn.roleLogicalId, this.resolver));
    }

    for (const fn of this.assembly.functions) {
      const physical = this.provisioned.physical.get(fn.logicalId)!;
      const logGroupRef = this.assembly.template.Resources[fn.logicalId].Properties?.LoggingConfig?.LogGroup;
      const env = functionEnvironment(fn, this.resolver, {
        region: MOTO_REGION,
        endpoint: this.proxy.endpoint,
        functionName: physical.ref,
        functionArn: physical.attributes.Arn,
        logGroupName: logGroupRef ? String(this.resolver.resolve(logGroupRef)) : `/aws/lambda/${physical.ref}`,
      });
      this.env.set(fn.logicalId, env);
      const vendorJson = env[ENV.vendorConfig];
      if (vendorJson) {
        // What the README's deploy step does: put the vendor-issued secret into the created secret.
        // One secret per endpoint, each with its own value, found by the ARNs the template gives the function.
        const vendor = JSON.parse(vendorJson) as VendorRuntimeConfig;
        const adapters = createEndpointAdapters(vendor);
        const arns = secretArnsFromEnv(vendor.name, endpointsOf(vendor), env);
        const endpoints = new Map<string, EndpointSecret>();
        for (const [endpoint, adapter] of adapters) {
          const secret = adapter.generateSecret();
          const secretArn = arns.get(secretKeyOf(vendor.name, endpoint))!;
          await this.clients.secrets.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: secret }));
          endpoints.set(endpoint, { adapter, secret, secretArn });
        }
        const [first] = endpoints.values();
        this.webhooks.set(vendor.name, { vendor: vendor.name, fn, ...first, endpoints });
      } else if (env[ENV.deadLetterQueueUrl]) {
        this.redrive = fn;
      } else {
        throw new Error(`deployment: ${fn.logicalId} is neither a webhook function nor the redrive`);
      }
      this.processes.set(fn.logicalId, new FunctionProcess(fn, env));
    }
    if (!this.redrive) throw new Error('deployment: the assembly has no redrive function');

    this.edge = new HttpEdge(httpRoutes(this.assembly.template), this.processes);
    await this.edge.start();
  }

  /** The child process running `vendor`'s webhook function, or the redrive's. */
  process(vendorOrRedrive: string): FunctionProcess {
    const fn = vendorOrRedrive === 'redrive' ? this.redrive : this.webhooks.get(vendorOrRedrive)?.fn;
    if (!fn) throw new Error(`deployment: no function for ${vendorOrRedrive}`);
    return this.processes.get(fn.logicalId)!;
  }

  /** A fresh process for `vendor`'s function (a cold start: nothing cached, the secret read again). */
  async restart(vendorOrRedrive: string): Promise<void> {
    const old = this.process(vendorOrRedrive);
    await old.stop();
    this.processes.set(old.fn.logicalId, new FunctionProcess(old.fn, old.env));
  }

  async stop(): Promise<void> {
    await this.edge?.stop();
    await Promise.all([...this.processes.values()].map((p) => p.stop()));
    await this.proxy?.stop();
    this.clients?.destroy();
    await this.moto?.stop();
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
  }
}
