/**
 * The layers are visible and kept (DESIGN.md, issue 17): contracts ← core ← schemes ← vendors ← configuration ←
 * handlers, construct, local mode, command line, with the adapters above core beside schemes and vendors
 * (test/architecture/layers.ts). Every .ts file under lambda/, lib/, local/ and cli/ is read with the TypeScript
 * compiler; a value import into a layer above, zod in a runtime layer, or anything but node: and contracts in
 * the contracts fails, naming the file, the line and the import.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkLayers, LAYERS, layerOf, ROOTS, type SourceFile } from './layers';

const REPO = path.resolve(__dirname, '../..');

function sources(): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (rel.endsWith('.ts') && !rel.endsWith('.d.ts')) out.push({ path: rel, text: fs.readFileSync(path.join(REPO, rel), 'utf8') });
    }
  };
  ROOTS.forEach(walk);
  return out;
}

describe('the layers of the code', () => {
  const files = sources();

  it('reads every layer', () => {
    const seen = new Set(files.map((f) => layerOf(f.path)));
    expect([...seen].sort()).toEqual(Object.keys(LAYERS).sort());
    expect(files.length).toBeGreaterThan(100);
  });

  it('no value import runs upward, no runtime layer imports zod, the contracts import nothing', () => {
    expect(checkLayers(files).map((v) => v.message)).toEqual([]);
  });
});

describe('the checker', () => {
  const check = (files: Record<string, string>) => checkLayers(Object.entries(files).map(([p, text]) => ({ path: p, text })));

  it('reports a value import into a higher layer, in each form the compiler knows', () => {
    const violations = check({
      'lambda/core/a.ts': "import { resolveConfig } from '../config/config';",
      'lambda/core/b.ts': "export { REGISTRY } from '../vendors';",
      'lambda/core/c.ts': "import '../handlers/webhook';",
      'lambda/schemes/d.ts': "export async function f() { return import('../vendors/custom'); }",
      'lambda/vendors/e.ts': "const m = require('../config/vendors');",
      'lambda/vendors/f.ts': "import { a, type B } from '../config/schema';",
      'lambda/adapters/aws/g.ts': "import { hmacScheme } from '../../schemes/hmac';",
      'lambda/handlers/h.ts': "import { serve } from '../../local/server';",
      'lib/i.ts': "import { cli } from '../cli/main';",
    });
    expect(violations.map((v) => [v.file, v.rule, v.specifier, v.line])).toEqual([
      ['lambda/core/a.ts', 'upward', '../config/config', 1],
      ['lambda/core/b.ts', 'upward', '../vendors', 1],
      ['lambda/core/c.ts', 'upward', '../handlers/webhook', 1],
      ['lambda/schemes/d.ts', 'upward', '../vendors/custom', 1],
      ['lambda/vendors/e.ts', 'upward', '../config/vendors', 1],
      ['lambda/vendors/f.ts', 'upward', '../config/schema', 1],
      ['lambda/adapters/aws/g.ts', 'upward', '../../schemes/hmac', 1],
      ['lambda/handlers/h.ts', 'upward', '../../local/server', 1],
      ['lib/i.ts', 'upward', '../cli/main', 1],
    ]);
    expect(violations[0].message).toBe('lambda/core/a.ts:1 imports "../config/config": a value import from core into configuration (import the type only, or move the code down)');
  });

  it('lets types run upward and values run down', () => {
    expect(check({
      'lambda/core/a.ts': [
        "import type { ResolvedConfig } from '../config/config';",
        "import { type VendorOptions, type BuiltInVendor } from '../config/config';",
        "export type { CustomVendorConfig } from '../config/vendors/custom';",
        "type T = typeof import('../vendors');",
        "import { DEFAULTS } from '../contracts/defaults';",
        "import { createHash } from 'node:crypto';",
      ].join('\n'),
      'lambda/vendors/b.ts': "import { hmacScheme } from '../schemes/hmac';\nimport type { AcmeOptions } from '../config/vendors/acme';",
      'lambda/config/c.ts': "import { z } from 'zod';\nimport { BUILT_IN_VENDORS } from '../vendors';",
      'lambda/handlers/d.ts': "import { dynamoStore } from '../adapters/aws/dynamo-store';\nimport { resolveConfig } from '../config/config';",
      'cli/e.ts': "import { startLocal } from '../local/runtime';",
    })).toEqual([]);
  });

  it('reports zod in a runtime layer, also as a type, and anything but node: and contracts in the contracts', () => {
    const violations = check({
      'lambda/core/a.ts': "import { z } from 'zod';",
      'lambda/vendors/b.ts': "import type { z } from 'zod';",
      'lambda/handlers/c.ts': "import { toJSONSchema } from 'zod/v4';",
      'lambda/contracts/d.ts': "import type { Delivery } from '../core/http';\nimport { x } from 'lodash';\nimport { y } from './request';\nimport { KeyObject } from 'node:crypto';",
      'lambda/e.ts': '',
    });
    expect(violations.map((v) => [v.file, v.rule, v.specifier])).toEqual([
      ['lambda/core/a.ts', 'zod-at-runtime', 'zod'],
      ['lambda/vendors/b.ts', 'zod-at-runtime', 'zod'],
      ['lambda/handlers/c.ts', 'zod-at-runtime', 'zod/v4'],
      ['lambda/contracts/d.ts', 'contracts-import', '../core/http'],
      ['lambda/contracts/d.ts', 'contracts-import', 'lodash'],
      ['lambda/e.ts', 'no-layer', ''],
    ]);
  });
});
