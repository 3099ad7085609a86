/**
 * Where the construct finds the prebuilt Lambda bundles: `dist/bundles/<name>/index.js` at the package's root,
 * written by `npm run bundle` (scripts/bundle.ts) and shipped in the package. The construct deploys them as they
 * are (`lambda.Code.fromAsset`), so a consumer's synth needs neither esbuild nor Docker.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { VendorRuntimeConfig } from '../../lambda/config/config';

/** The bundles' folder, relative to the package root. */
export const BUNDLES_DIR = path.join('dist', 'bundles');

/** The file inside each bundle's folder, and the functions' handler: its export `handler`. */
export const BUNDLE_FILE = 'index.js';
export const BUNDLE_HANDLER = 'index.handler';
/**
 * The S3 client, bundled on its own beside `index.js` in each function's folder and required from there on the
 * first payload-store put or get: V8 then neither parses nor evaluates its ≈ 200 KB when the function loads
 * (docs/BENCHMARKS.md, Cold start).
 */
export const S3_CLIENT_FILE = 's3-client.js';

/**
 * The bundle a vendor's webhook function runs: a built-in vendor's has only its own adapter in it, a custom
 * vendor's only the configurable one (see lambda/vendors/registry.ts).
 */
export function webhookBundleName(vendor: Pick<VendorRuntimeConfig, 'kind' | 'name'>): string {
  return vendor.kind === 'builtin' ? `webhook-${vendor.name}` : 'webhook-custom';
}

/** The redrive function's bundle. */
export const REDRIVE_BUNDLE = 'redrive';

/** The package root: the nearest folder above this file with a package.json (`lib/private/` or `dist/lib/private/`). */
export function packageRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`Callhooks: no package.json above ${from}`);
  }
}

/** The code of the bundle `name`; throws, naming the command that builds it, when it is missing. */
export function bundleCode(name: string): lambda.Code {
  const dir = path.join(packageRoot(), BUNDLES_DIR, name);
  if (!fs.existsSync(path.join(dir, BUNDLE_FILE))) {
    throw new Error(
      `Callhooks: the prebuilt Lambda bundle ${path.join(dir, BUNDLE_FILE)} is missing. In a clone of callhooks, ` +
      'run `npm run bundle` (npm test, npm run build and cdk synth run it too); an installed package ships it.',
    );
  }
  return lambda.Code.fromAsset(dir);
}
