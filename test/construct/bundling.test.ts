/**
 * The one construct test that really bundles (the others skip it): every function's code is built by
 * esbuild from lambda/handlers, as CommonJS, with the AWS SDK v3 clients and middy inside the bundle.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CallhooksStack } from '../../lib';
import { projectConfig, testApp } from './app';

describe('bundling', () => {
  let outdir: string;
  let template: { Resources: Record<string, { Type: string; Properties: any }> };

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'callhooks-bundle-'));
    const app = testApp({ bundle: true, outdir });
    const stack = new CallhooksStack(app, 'Callhooks', { config: projectConfig() });
    app.synth();
    template = JSON.parse(fs.readFileSync(path.join(outdir, `${stack.artifactId}.template.json`), 'utf8'));
  });

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  const functions = () => Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  /** The staged asset of a function: `asset.<hash>` next to the template, named by its S3 key. */
  const assetDir = (resource: { Properties: any }) =>
    path.join(outdir, `asset.${String(resource.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
  const bundleOf = (resource: { Properties: any }) => fs.readFileSync(path.join(assetDir(resource), 'index.js'), 'utf8');

  it('bundles every function (six webhooks and the redrive) into an index.js', () => {
    expect(functions()).toHaveLength(7);
    for (const [, fn] of functions()) expect(bundleOf(fn).length).toBeGreaterThan(1000);
  });

  it('puts the AWS SDK clients and middy inside the bundle instead of requiring them at run time', () => {
    for (const [, fn] of functions()) {
      const code = bundleOf(fn);
      // (The SDK's optional, try/catch-guarded require of @aws-sdk/signature-v4-crt for SigV4a stays.)
      expect(code).not.toMatch(/require\(["'](@aws-sdk\/client-|@smithy\/|@middy\/|@aws-lambda-powertools\/)/);
    }
  });

  it('emits CommonJS without a source map', () => {
    for (const [, fn] of functions()) {
      expect(fs.readdirSync(assetDir(fn)).filter((f) => f.endsWith('.map'))).toEqual([]);
      expect(bundleOf(fn)).not.toMatch(/^\s*(import|export)\s/m);
    }
  });

  it("gives each vendor's function only its own adapter (QCall's multipart parser only in QCall's)", () => {
    // Strings that live in one adapter module each.
    const marks: Record<string, string> = {
      quarterzip: 'transcript_truncated',
      qcall: 'Malformed part header',
      koeiq: 'X-KoeIQ-Signature',
      converc: 'X-IC-Signature',
      atoms: 'post-conversation',
    };
    const webhooks = functions().filter(([, r]) => /receives (\S+) webhooks/.test(String(r.Properties.Description)));
    expect(webhooks).toHaveLength(6);
    for (const [, fn] of webhooks) {
      const vendor = /receives (\S+) webhooks/.exec(String(fn.Properties.Description))![1];
      const code = bundleOf(fn);
      for (const [other, mark] of Object.entries(marks)) {
        expect([vendor, other, code.includes(mark)]).toEqual([vendor, other, other === vendor]);
      }
    }
  });
});
