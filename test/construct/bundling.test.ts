/**
 * The prebuilt Lambda bundles (scripts/bundle.ts → dist/bundles, built by `npm run bundle`, which `npm test`
 * runs first): what each one holds, that the construct deploys exactly those files, and that the build is
 * deterministic. Everything is derived from the vendor registry, so a new vendor needs no edit here.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CallhooksStack } from '../../lib/callhooks-stack';
import { BUNDLE_FILE, BUNDLES_DIR, packageRoot, REDRIVE_BUNDLE, S3_CLIENT_FILE, webhookBundleName } from '../../lib/private/bundles';
import { resolveConfig } from '../../lambda/config/config';
import { BUILT_IN_VENDORS } from '../../lambda/vendors';
import { BUNDLES, buildBundles, inputsFile } from '../../scripts/bundle';
import { allVendorsConfig, testApp, fromConfig } from './app';

const ROOT = packageRoot();
const SHIPPED = path.join(ROOT, BUNDLES_DIR);
const code = (dir: string, name: string) => fs.readFileSync(path.join(dir, name, BUNDLE_FILE));
/** Modules in a bundle with their bytes in its output (written beside it by scripts/bundle.ts). */
const inputs = (name: string): Record<string, number> => JSON.parse(fs.readFileSync(path.join(SHIPPED, inputsFile(name)), 'utf8'));

describe('the prebuilt bundles', () => {
  it('are one per built-in vendor of the registry, one for custom vendors and one for the redrive', () => {
    expect(BUNDLES.map((b) => b.name).sort()).toEqual(
      [...BUILT_IN_VENDORS.map((name) => `webhook-${name}`), 'webhook-custom', 'redrive'].sort());
    for (const { name } of BUNDLES) expect([name, code(SHIPPED, name).length > 100_000]).toEqual([name, true]);
  });

  it('put the AWS SDK clients and middy inside the bundle instead of requiring them at run time', () => {
    for (const { name } of BUNDLES) {
      // (The SDK's optional, try/catch-guarded require of @aws-sdk/signature-v4-crt for SigV4a stays.)
      expect([name, code(SHIPPED, name).toString('utf8')]).not.toEqual([name, expect.stringMatching(/require\(["'](@aws-sdk\/client-|@smithy\/|@middy\/|@aws-lambda-powertools\/)/)]);
    }
  });

  it('are one CommonJS file each, without a source map, and the S3 client apart in the same folder', () => {
    for (const { name } of BUNDLES) {
      expect([name, fs.readdirSync(path.join(SHIPPED, name)).sort()]).toEqual([name, [BUNDLE_FILE, S3_CLIENT_FILE]]);
      expect([name, /^\s*(import|export)\s/m.test(code(SHIPPED, name).toString('utf8'))]).toEqual([name, false]);
    }
  });

  it('require the S3 client only from the file beside them, which is the whole client', () => {
    const s3Client = fs.readFileSync(path.join(SHIPPED, BUNDLES[0].name, S3_CLIENT_FILE));
    for (const { name } of BUNDLES) {
      const text = code(SHIPPED, name).toString('utf8');
      // The client's own code (its command classes) is not in index.js; index.js requires the file beside it.
      expect([name, text.includes('"PutObjectCommand"'), text.includes('require("./s3-client.js")')]).toEqual([name, false, true]);
      expect([name, fs.readFileSync(path.join(SHIPPED, name, S3_CLIENT_FILE)).equals(s3Client)]).toEqual([name, true]);
    }
    const exported = require(path.join(SHIPPED, BUNDLES[0].name, S3_CLIENT_FILE));
    expect([typeof exported.S3Client, typeof exported.PutObjectCommand, typeof exported.GetObjectCommand]).toEqual(['function', 'function', 'function']);
  });

  it("give each built-in vendor's function only its own adapter, and a custom vendor's none (QCall's multipart parser only in QCall's)", () => {
    const adapterBytes = (bundle: string, vendor: string) => inputs(bundle)[`lambda/vendors/${vendor}.ts`] ?? 0;
    for (const bundle of [...BUILT_IN_VENDORS.map((name) => ({ kind: 'builtin' as const, name })), { kind: 'custom' as const, name: 'ringly' }]) {
      const name = webhookBundleName(bundle);
      for (const vendor of BUILT_IN_VENDORS) {
        // Another vendor's module may leave a shared constant behind (tens of bytes), never its adapter.
        const own = bundle.kind === 'builtin' && vendor === bundle.name;
        // (Twilio's own module is small: its form normalization is in twiml-form.ts, shared with Telnyx's TeXML.)
        expect([name, vendor, own ? adapterBytes(name, vendor) > 500 : adapterBytes(name, vendor) < 100]).toEqual([name, vendor, true]);
      }
      expect([name, Object.keys(inputs(name)).some((f) => f.includes('node_modules/busboy/'))]).toEqual([name, bundle.name === 'qcall']);
    }
  });

  it('are in the package (package.json files), without the inputs lists', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.files).toEqual(expect.arrayContaining([`${BUNDLES_DIR}/`, `!${BUNDLES_DIR}/*.inputs.json`]));
    expect(pkg.scripts.bundle).toBe('tsx scripts/bundle.ts');
    expect(pkg.scripts.build).toMatch(/&& npm run bundle$/);
  });

  it('keep class names (an error logged by its name stays readable)', () => {
    for (const { name } of BUNDLES) expect([name, code(SHIPPED, name).includes('"DependencyError"')]).toEqual([name, true]);
  });

  describe('built again from the same sources', () => {
    let dir: string;

    // `npm test` has just built dist/bundles (`npm run bundle`); this is the second build of the same sources.
    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callhooks-bundles-'));
      await buildBundles(dir);
    }, 120_000);

    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The S3 key CDK gives the asset: its hash of the folder's files. */
    const assetKey = (root: string, name: string) => lambda.Code.fromAsset(path.join(root, name)).bind(new Stack()).s3Location!.objectKey;

    it('give the same asset hash as dist/bundles (deterministic; if you changed the sources since, run `npm run bundle`)', () => {
      for (const { name } of BUNDLES) expect([name, assetKey(dir, name)]).toEqual([name, assetKey(SHIPPED, name)]);
    });

    it('hold no path of the machine that built them', () => {
      for (const { name } of BUNDLES) expect([name, code(dir, name).includes(ROOT), code(dir, name).includes(dir)]).toEqual([name, false, false]);
    });
  });
});

describe('the synthesized stack', () => {
  let outdir: string;
  let template: { Resources: Record<string, { Type: string; Properties: any }> };

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'callhooks-synth-'));
    const app = testApp({ stageAssets: true, outdir });
    const stack = new CallhooksStack(app, 'Callhooks', fromConfig(allVendorsConfig()));
    app.synth();
    template = JSON.parse(fs.readFileSync(path.join(outdir, `${stack.artifactId}.template.json`), 'utf8'));
  });

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it("deploys each function with its prebuilt bundle, byte for byte (a vendor's own, the custom one, the redrive's)", () => {
    const vendors = resolveConfig(allVendorsConfig()).vendors;
    const expected = [...vendors.map((v) => [`callhooks: receives ${v.name} webhooks`, webhookBundleName(v)]), [expect.stringMatching(/^callhooks: publishes/), REDRIVE_BUNDLE]];
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const deployed = functions.map((fn) => {
      const staged = fs.readFileSync(path.join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`, BUNDLE_FILE));
      const bundle = BUNDLES.find((b) => staged.equals(code(SHIPPED, b.name)))?.name;
      return [fn.Properties.Description, bundle];
    });
    expect(deployed).toEqual(expect.arrayContaining(expected));
    expect(deployed).toHaveLength(expected.length);
    for (const fn of functions) expect([fn.Properties.Handler, fn.Properties.Runtime]).toEqual(['index.handler', 'nodejs24.x']);
  });
});
