/**
 * The schema library stays out of the functions: the construct validates the configuration at synth time and
 * passes each function its vendor's options, so the code that runs in Lambda reaches the zod definitions
 * (configuration, vendor options, CallEvent) only through `import type` or through functions it never calls,
 * and esbuild drops them. A function's bundle built as the construct builds it must hold no byte of zod.
 */
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { BUILT_IN_VENDORS } from '../../lambda/config/config';

const ROOT = join(__dirname, '..', '..');
const SCHEMA_MODULES = ['lambda/config/config.ts', 'lambda/config/schema.ts', 'lambda/config/event-schema.ts'];

/** Bytes each input contributes to the minified bundle of `entry`. */
function bundleInputs(entry: string, vendor?: string): Record<string, number> {
  const result = buildSync({
    entryPoints: [join(ROOT, entry)],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node24',
    minify: true,
    write: false,
    metafile: true,
    outfile: 'out.js',
    logLevel: 'silent',
    define: vendor === undefined ? {} : { 'process.env.CALLHOOKS_BUNDLE_VENDOR': JSON.stringify(vendor) },
  });
  const [output] = Object.values(result.metafile!.outputs);
  return Object.fromEntries(Object.entries(output.inputs).map(([file, { bytesInOutput }]) => [file, bytesInOutput]));
}

const withBytes = (inputs: Record<string, number>, matches: (file: string) => boolean) =>
  Object.entries(inputs).filter(([file, bytes]) => matches(file) && bytes > 0).map(([file]) => file);

describe('the functions’ bundles', () => {
  // A custom vendor's function is bundled with the vendor define set to "".
  it.each([...BUILT_IN_VENDORS, ''])('the webhook bundle for %p holds no zod and no schema definition', (vendor) => {
    const inputs = bundleInputs('lambda/handlers/webhook.ts', vendor);
    expect(withBytes(inputs, (f) => f.includes('node_modules/zod/'))).toEqual([]);
    expect(withBytes(inputs, (f) => SCHEMA_MODULES.includes(f))).toEqual([]);
    // …while the vendor's own adapter is in it (the check above would pass on an empty bundle).
    expect(withBytes(inputs, (f) => f === `lambda/vendors/${vendor || 'custom'}.ts`)).toHaveLength(1);
  });

  it('the redrive bundle holds no zod', () => {
    const inputs = bundleInputs('lambda/handlers/redrive.ts');
    expect(withBytes(inputs, (f) => f.includes('node_modules/zod/'))).toEqual([]);
    expect(withBytes(inputs, (f) => f === 'lambda/core/redrive.ts')).toHaveLength(1);
  });
});
