/**
 * `npm run check:kernel -- --tarball callhooks-<version>.tgz`: drives the packed package through the jsii
 * kernel as a Python (or Java, .NET, Go) CDK app does. Those languages' runtimes embed `@jsii/runtime`'s
 * self-contained host (`webpack/bin/jsii-runtime.js`) and speak its line-delimited JSON protocol over stdin and
 * stdout; this script spawns the same host and sends what the generated Python bindings would send:
 *
 * - `load` the tarballs of constructs, aws-cdk-lib's jsii dependencies, aws-cdk-lib (from the npm cache, the
 *   versions this repository has installed) and callhooks;
 * - `create` App, Stack and three `Callhooks` — with no props; with an imported `IEventBus`, vendors given as
 *   structs, a custom vendor with a `CustomVendorAuth.hmacSha256` scheme and enums; `addSubscriber` with
 *   `detailTypes` (an enum) and `grantReadPayloads` to a role — then `synth` and the templates' assertions;
 * - a typo in a subscriber's vendors, which must come back as the construct's error, not a crash.
 *
 * Needs only the npm cache (`npm pack <pkg>@<version> --offline`) after the first run on a machine that has
 * installed this repository; `@jsii/runtime` itself is packed (not installed: its tarball is self-contained).
 * Exits non-zero with a message on the first failed check.
 */
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import * as assert from 'node:assert/strict';

const ROOT = resolve(__dirname, '..');
const RUNTIME_VERSION = '1.140.0';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Ref = { '$jsii.byref': string };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `npm pack <spec>` into `dir` (from the npm cache when `offline`); the tarball's path. */
function pack(spec: string, dir: string, offline = true): string {
  const out = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir, ...(offline ? ['--offline'] : [])], {
    cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  }).trim().split('\n').pop()!;
  return join(dir, out);
}

const versionOf = (name: string, from = ROOT): string =>
  JSON.parse(readFileSync(require.resolve(`${name}/package.json`, { paths: [from] }), 'utf8')).version;

/** The jsii host process and its protocol: one JSON request per line in, one JSON response per line out. */
class Kernel {
  private readonly lines: string[] = [];
  private waiting?: (line: string) => void;
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';

  constructor(runtime: string, cacheDir: string) {
    this.child = spawn(process.execPath, [runtime], {
      env: { ...process.env, JSII_RUNTIME_PACKAGE_CACHE_ROOT: cacheDir, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
    });
    this.child.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      } else this.lines.push(line);
    });
    this.child.on('exit', (code) => {
      if (this.waiting) this.waiting(JSON.stringify({ error: `the jsii host exited (${code}): ${this.stderr.slice(-2000)}` }));
    });
  }

  private next(): Promise<Json> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(JSON.parse(line));
    return new Promise((res) => { this.waiting = (l) => res(JSON.parse(l)); });
  }

  /** The host's greeting: `{"hello": "@jsii/runtime@<version>"}`. */
  async hello(): Promise<string> {
    return (await this.next()).hello;
  }

  /** Sends one request; the `ok` answer, or throws the kernel's error. Console output comes back as `stderr`/`stdout` lines. */
  async request(req: Json): Promise<Json> {
    this.child.stdin.write(`${JSON.stringify(req)}\n`);
    for (;;) {
      const res = await this.next();
      if ('ok' in res) return res.ok;
      if ('error' in res) throw Object.assign(new Error(String(res.error)), { name: res.name ?? 'JsiiError' });
      if ('callback' in res) throw new Error(`unexpected callback from the kernel: ${JSON.stringify(res.callback)}`);
      // `{"stderr": …}` / `{"stdout": …}`: output of the loaded code, forwarded by the host.
    }
  }

  load(tarball: string, name: string, version: string): Promise<{ assembly: string; types: number }> {
    return this.request({ api: 'load', name, version, tarball });
  }
  async create(fqn: string, args: Json[] = []): Promise<Ref> {
    return this.request({ api: 'create', fqn, args, overrides: [], interfaces: [] });
  }
  async invoke(objref: Ref, method: string, args: Json[] = []): Promise<Json> {
    return (await this.request({ api: 'invoke', objref, method, args })).result;
  }
  async sinvoke(fqn: string, method: string, args: Json[] = []): Promise<Json> {
    return (await this.request({ api: 'sinvoke', fqn, method, args })).result;
  }
  async get(objref: Ref, property: string): Promise<Json> {
    return (await this.request({ api: 'get', objref, property })).value;
  }
  async end(): Promise<void> {
    this.child.stdin.write(`${JSON.stringify({ exit: 0 })}\n`);
    await new Promise((res) => this.child.once('exit', res));
  }
}

const struct = (fqn: string, data: Json) => ({ '$jsii.struct': { fqn, data } });
const enumOf = (fqn: string, member: string) => ({ '$jsii.enum': `${fqn}/${member}` });

type Template = { Resources: Record<string, { Type: string; Properties?: Json }>; Outputs?: Json };
const ofType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

async function main(): Promise<void> {
  const t0 = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'callhooks-kernel-'));
  const cache = arg('--cache') ?? join(tmpdir(), 'callhooks-jsii-kernel-cache');
  const step = (what: string) => process.stdout.write(`-- kernel [${((Date.now() - t0) / 1000).toFixed(1)}s]: ${what}\n`);
  try {
    step(`npm pack @jsii/runtime@${RUNTIME_VERSION} (self-contained host, as the Python/Java/.NET/Go runtimes embed it)`);
    const runtimeTgz = pack(`@jsii/runtime@${RUNTIME_VERSION}`, work, false);
    execFileSync('tar', ['-xzf', runtimeTgz, '-C', work]);
    const runtime = join(work, 'package', 'webpack', 'bin', 'jsii-runtime.js');
    assert.ok(existsSync(runtime), `${runtime} is missing from the @jsii/runtime tarball`);

    let tarball = arg('--tarball');
    if (!tarball) {
      step('npm pack callhooks (prepack builds it)');
      tarball = join(work, execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!);
    }
    tarball = resolve(tarball);

    const cdkRoot = resolve(require.resolve('aws-cdk-lib/package.json', { paths: [ROOT] }), '..');
    const deps = [
      ['constructs', versionOf('constructs')],
      ...['@aws-cdk/asset-awscli-v1', '@aws-cdk/asset-node-proxy-agent-v6', '@aws-cdk/cloud-assembly-schema']
        .map((name) => [name, versionOf(name, cdkRoot)]),
      ['aws-cdk-lib', versionOf('aws-cdk-lib')],
    ] as const;
    step(`npm pack --offline ${deps.map(([n, v]) => `${n}@${v}`).join(' ')}`);
    const tarballs = deps.map(([name, version]) => ({ name, version, file: pack(`${name}@${version}`, work) }));

    const kernel = new Kernel(runtime, cache);
    const hello = await kernel.hello();
    assert.match(hello, new RegExp(`^@jsii/runtime@${RUNTIME_VERSION.replace(/\./g, '\\.')}`));
    step(`${hello}: load the assemblies`);
    for (const t of tarballs) await kernel.load(t.file, t.name, t.version);
    const own = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    const loaded = await kernel.load(tarball, own.name, own.version);
    assert.equal(loaded.assembly, 'callhooks');
    assert.ok(loaded.types >= 20, `callhooks' assembly has ${loaded.types} types`);

    step('App, Stack, Callhooks with no props');
    const outdir = join(work, 'cdk.out');
    const app = await kernel.create('aws-cdk-lib.App', [struct('aws-cdk-lib.AppProps', {
      outdir,
      context: { 'aws:cdk:bundling-stacks': [] },
    })]);
    const env = struct('aws-cdk-lib.Environment', { account: '111122223333', region: 'eu-west-1' });
    const plain = await kernel.create('aws-cdk-lib.Stack', [app, 'Plain', struct('aws-cdk-lib.StackProps', { env })]);
    const plainHooks = await kernel.create('callhooks.Callhooks', [plain, 'Callhooks']);
    assert.deepEqual(await kernel.get(plainHooks, 'vendorNames'), ['quarterzip', 'qcall', 'koeiq', 'atoms', 'converc']);

    step('Callhooks with an imported IEventBus, vendors and a custom vendor as structs and enums');
    const stack = await kernel.create('aws-cdk-lib.Stack', [app, 'Custom', struct('aws-cdk-lib.StackProps', { env })]);
    const busArn = 'arn:aws:events:eu-west-1:111122223333:event-bus/calls';
    const bus = await kernel.sinvoke('aws-cdk-lib.aws_events.EventBus', 'fromEventBusArn', [stack, 'Bus', busArn]);
    const ringly = struct('callhooks.CustomVendor', {
      name: 'ringly',
      auth: await kernel.sinvoke('callhooks.CustomVendorAuth', 'hmacSha256', [struct('callhooks.HmacSha256Options', {
        header: 'Ringly-Signature',
        encoding: enumOf('callhooks.SignatureEncoding', 'HEX'),
        signatureKey: 'v1',
        timestampKey: 't',
        signedPayload: enumOf('callhooks.SignedPayload', 'TIMESTAMP_DOT_BODY'),
      })]),
      fields: struct('callhooks.CustomVendorFields', { eventType: '/type', eventId: '/id', callId: '/data/call_id' }),
      methods: [enumOf('callhooks.HttpMethod', 'POST')],
      typeMap: { 'call.completed': enumOf('callhooks.CallEventType', 'CALL_ENDED') },
    });
    const hooks = await kernel.create('callhooks.Callhooks', [stack, 'Hooks', struct('callhooks.CallhooksProps', {
      eventBus: bus,
      vendors: struct('callhooks.BuiltInVendors', {
        quarterzip: struct('callhooks.QuarterzipOptions', { endpoints: ['eu', 'us'], endpointOptions: { eu: struct('callhooks.EndpointOptions', { toleranceSeconds: 60 }) } }),
        qcall: struct('callhooks.QCallOptions', { tokenHeader: 'x-qcall-token', tokenPrefix: '' }),
      }),
      customVendors: [ringly],
      metricsNamespace: 'CallhooksKernel',
    })]);
    assert.deepEqual(await kernel.get(hooks, 'vendorNames'), ['quarterzip', 'qcall', 'ringly']);
    assert.deepEqual(await kernel.get(hooks, 'endpoints'), { '$jsii.map': { quarterzip: ['eu', 'us'], qcall: ['default'], ringly: ['default'] } });

    step('addSubscriber and grantReadPayloads');
    const queue = await kernel.create('aws-cdk-lib.aws_sqs.Queue', [stack, 'Inbox']);
    const target = await kernel.create('aws-cdk-lib.aws_events_targets.SqsQueue', [queue]);
    await kernel.invoke(hooks, 'addSubscriber', ['Ended', target, struct('callhooks.SubscriberOptions', {
      detailTypes: [enumOf('callhooks.CallEventType', 'CALL_ENDED')],
      vendors: ['ringly'],
    })]);
    const principal = await kernel.create('aws-cdk-lib.aws_iam.ServicePrincipal', ['lambda.amazonaws.com']);
    const role = await kernel.create('aws-cdk-lib.aws_iam.Role', [stack, 'Reader', struct('aws-cdk-lib.aws_iam.RoleProps', { assumedBy: principal })]);
    const grant = await kernel.invoke(hooks, 'grantReadPayloads', [role]);
    assert.equal(await kernel.get(grant, 'success'), true);

    step('a typo comes back as the construct\'s error');
    await assert.rejects(
      kernel.invoke(hooks, 'addSubscriber', ['Typo', target, struct('callhooks.SubscriberOptions', { vendors: ['ringlyy'] })]),
      /vendors has "ringlyy", which is not a vendor of this instance \(quarterzip, qcall, ringly\)/,
    );
    await assert.rejects(
      kernel.create('callhooks.Callhooks', [stack, 'Bad', struct('callhooks.CallhooksProps', {
        vendors: struct('callhooks.BuiltInVendors', { qcall: struct('callhooks.QCallOptions', { tokenHeader: 'no spaces allowed' }) }),
      })]),
      /Callhooks: invalid config: vendors\.qcall\.tokenHeader must be an HTTP header name, got "no spaces allowed"/,
    );

    step('synth');
    const assembly = await kernel.invoke(app, 'synth');
    const directory = await kernel.get(assembly, 'directory');
    assert.equal(directory, outdir);
    const read = (name: string): Template => JSON.parse(readFileSync(join(outdir, `${name}.template.json`), 'utf8'));

    step('template assertions');
    const p = read('Plain');
    assert.equal(ofType(p, 'AWS::Events::EventBus').length, 1, 'the construct creates its bus');
    assert.equal(ofType(p, 'AWS::SecretsManager::Secret').length, 5, 'a secret per built-in vendor');
    assert.equal(ofType(p, 'AWS::DynamoDB::Table').length, 1);

    const t = read('Custom');
    assert.equal(ofType(t, 'AWS::Events::EventBus').length, 0, 'the imported bus is used, none is created');
    const fns = ofType(t, 'AWS::Lambda::Function').map(([id]) => id);
    for (const v of ['quarterzip', 'qcall', 'ringly']) {
      assert.ok(fns.some((id) => id.startsWith(`HooksVendors${v}Function`)), `a function for ${v}: ${fns.join(', ')}`);
    }
    assert.ok(!fns.some((id) => /HooksVendors(koeiq|atoms|converc)/.test(id)), 'only the vendors given are on');
    const secrets = ofType(t, 'AWS::SecretsManager::Secret').map(([id]) => id);
    assert.equal(secrets.length, 4, `quarterzip/eu, quarterzip/us, qcall, ringly: ${secrets.join(', ')}`);
    const routes = ofType(t, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey).sort();
    assert.deepEqual(routes, ['ANY /webhooks/qcall', 'ANY /webhooks/quarterzip/eu', 'ANY /webhooks/quarterzip/us', 'ANY /webhooks/ringly']);
    const config = (v: string) => {
      const [, fn] = ofType(t, 'AWS::Lambda::Function').find(([id]) => id.startsWith(`HooksVendors${v}Function`))!;
      return JSON.parse(fn.Properties.Environment.Variables.CALLHOOKS_VENDOR_CONFIG);
    };
    assert.deepEqual(config('quarterzip').options.endpoints, { eu: { toleranceSeconds: 60 }, us: {} });
    assert.deepEqual(config('qcall').options, { tokenHeader: 'x-qcall-token', tokenPrefix: '' });
    assert.deepEqual(config('ringly').definition.auth, {
      scheme: 'hmac-sha256', header: 'Ringly-Signature', encoding: 'hex', signatureKey: 'v1', timestampKey: 't', signedPayload: 'timestamp.body',
    });
    assert.deepEqual(config('ringly').definition.typeMap, { 'call.completed': 'call.ended' });
    const [, rule] = ofType(t, 'AWS::Events::Rule').find(([, r]) => r.Properties.EventPattern?.['detail-type'])!;
    assert.deepEqual(rule.Properties.EventPattern, { 'source': ['callhooks.ringly'], 'detail-type': ['call.ended'] });
    assert.equal(rule.Properties.EventBusName, 'calls');
    const readerPolicy = ofType(t, 'AWS::IAM::Policy').find(([, r]) => (r.Properties.Roles ?? []).some((x: Json) => String(x.Ref).startsWith('Reader')));
    assert.ok(readerPolicy, 'grantReadPayloads attached a policy to the role');
    assert.deepEqual(readerPolicy[1].Properties.PolicyDocument.Statement.map((s: Json) => s.Action), ['s3:GetObject']);
    const namespaces = new Set(ofType(t, 'AWS::Lambda::Function').map(([, r]) => r.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE));
    assert.deepEqual([...namespaces], ['CallhooksKernel']);

    await kernel.end();
    step(`passed: ${readdirSync(outdir).filter((f) => f.endsWith('.template.json')).length} templates synthesized through the kernel`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`kernel check FAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
