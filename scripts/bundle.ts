/**
 * `npm run bundle`: builds every Lambda function's bundle once, into `dist/bundles/<name>/index.js` (the folder
 * the package ships and the construct deploys with `lambda.Code.fromAsset`), plus `dist/bundles/<name>.inputs.json`
 * (from esbuild's metafile: each module that went in and its bytes in the output; not deployed). The construct, the tests, `cdk synth` and the
 * package all use these same files: there is no other build of the functions.
 *
 * One CommonJS file per function for Node.js 24, minified with class and function names kept (an error logged
 * as `DependencyError` stays `DependencyError`), no source map, nothing external (the AWS SDK v3 clients are
 * bundled: the code runs with the versions it was tested with) except `@aws-sdk/client-s3`: it is bundled on its
 * own into `s3-client.js` beside `index.js` in each folder that requires it, and required from there on the first
 * payload-store put or get, so that a cold start neither parses nor evaluates it. Deterministic: the same sources give the same
 * bytes, hence the same asset hash. Each built-in vendor's webhook bundle holds only its own adapter
 * (docs/BENCHMARKS.md, "Per-vendor or shared webhook bundle", has the measurements behind that choice).
 *
 * Options: --outdir DIR (default dist/bundles), --quiet.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';
import { BUILT_IN_VENDORS } from '../lambda/vendors';
import { copyFileSync } from 'node:fs';
import { BUNDLE_FILE, BUNDLES_DIR, REDRIVE_BUNDLE, S3_CLIENT_FILE, webhookBundleName } from '../lib/private/bundles';

const ROOT = resolve(__dirname, '..');

/** What one bundle is built from. */
export interface BundleSpec {
  readonly name: string;
  /** Entry module, relative to the repository root. */
  readonly entry: string;
  /** esbuild `define` replacements. */
  readonly define?: Record<string, string>;
}

/** `process.env.CALLHOOKS_BUNDLE_VENDOR` folds the vendor registry down to one vendor (lambda/vendors/registry.ts). */
const vendorDefine = (vendor: string) => ({ 'process.env.CALLHOOKS_BUNDLE_VENDOR': JSON.stringify(vendor) });

/** The bundles the construct deploys: one per built-in vendor, one for custom vendors, the redrive. */
export const BUNDLES: readonly BundleSpec[] = [
  ...BUILT_IN_VENDORS.map((name) => ({
    name: webhookBundleName({ kind: 'builtin', name }),
    entry: 'lambda/handlers/webhook.ts',
    define: vendorDefine(name),
  })),
  { name: webhookBundleName({ kind: 'custom', name: '' }), entry: 'lambda/handlers/webhook.ts', define: vendorDefine('') },
  { name: REDRIVE_BUNDLE, entry: 'lambda/handlers/redrive.ts' },
];

const S3_MODULE = '@aws-sdk/client-s3';

/** Leaves the S3 client out of a bundle, as `require("./s3-client.js")` (the file {@link buildBundles} writes beside it). */
const s3Apart: Plugin = {
  name: 's3-client-apart',
  setup: (build) => void build.onResolve({ filter: /^@aws-sdk\/client-s3$/ }, () => ({ path: `./${S3_CLIENT_FILE}`, external: true })),
};

/** What every bundle is built with: one minified CommonJS file for Node.js 24, class names kept, no source map. */
const COMMON: BuildOptions = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  keepNames: true,
  sourcemap: false,
  logLevel: 'warning',
};

/** esbuild's options for one bundle (exported so that the benchmark measures exactly what ships). */
export function esbuildOptions(spec: BundleSpec, outdir: string): BuildOptions {
  return {
    ...COMMON,
    entryPoints: [join(ROOT, spec.entry)],
    outfile: join(outdir, spec.name, BUNDLE_FILE),
    plugins: [s3Apart],
    define: spec.define ?? {},
    metafile: true,
  };
}

/** The file beside a bundle's folder that lists the modules in it: `{ "<path>": <bytes in the output> }`. */
export const inputsFile = (name: string) => `${name}.inputs.json`;

/** esbuild's options for the S3 client on its own (`module.exports` is `@aws-sdk/client-s3`'s). */
const s3ClientOptions = (outfile: string): BuildOptions => ({ ...COMMON, entryPoints: [require.resolve(S3_MODULE, { paths: [ROOT] })], outfile });

/**
 * Builds `specs` into `outdir` (emptied first), in parallel; returns each bundle's file. Each bundle that requires
 * the S3 client gets the same `s3-client.js` beside it.
 */
export async function buildBundles(outdir: string, specs: readonly BundleSpec[] = BUNDLES): Promise<Array<{ name: string; file: string }>> {
  const esbuild = await import('esbuild');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const s3Client = join(outdir, S3_CLIENT_FILE);
  const s3Built = esbuild.build(s3ClientOptions(s3Client));
  const built = await Promise.all(specs.map(async (spec) => {
    const options = esbuildOptions(spec, outdir);
    const result = await esbuild.build(options);
    const [output] = Object.values(result.metafile!.outputs);
    const inputs = Object.fromEntries(Object.entries(output.inputs).map(([file, { bytesInOutput }]) => [file, bytesInOutput]));
    writeFileSync(join(outdir, inputsFile(spec.name)), `${JSON.stringify(inputs, null, 1)}\n`);
    const needsS3 = output.imports.some((i) => i.external && i.path === `./${S3_CLIENT_FILE}`);
    return { name: spec.name, file: options.outfile!, needsS3 };
  }));
  await s3Built;
  for (const b of built) if (b.needsS3) copyFileSync(s3Client, join(outdir, b.name, S3_CLIENT_FILE));
  rmSync(s3Client);
  return built.map(({ name, file }) => ({ name, file }));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--outdir');
  const outdir = resolve(ROOT, i >= 0 ? argv[i + 1] : BUNDLES_DIR);
  const t0 = Date.now();
  const built = await buildBundles(outdir);
  if (!argv.includes('--quiet')) {
    process.stdout.write(`bundle: ${built.length} bundles in ${outdir} (${Date.now() - t0} ms): ${built.map((b) => b.name).join(', ')}\n`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bundle: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
