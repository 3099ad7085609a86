/**
 * The layers of the code (DESIGN.md, issue 17), and a checker that reads every import with the TypeScript
 * compiler, so that `import type`, `export … from`, type-only specifiers (`import { type X }`), `typeof import()`
 * and dynamic `import()` / `require()` are told apart as the compiler tells them apart.
 *
 *   contracts ← core ← schemes ← vendors ← configuration ← handlers, construct (lib/), local mode (local/), command line (cli/)
 *                    ↖ adapters (implement core's ports; used by handlers and the local mode)
 *
 * - contracts (`lambda/contracts/`): plain shared data and types; imports nothing but `node:` modules and itself.
 * - core, schemes, vendors: the runtime that every function bundle holds; no zod.
 * - adapters (`lambda/adapters/`): the AWS and local implementations of core's ports. Above core, beside schemes
 *   and vendors (neither imports the other); no zod.
 * - configuration (`lambda/config/`): the zod schemas (configuration, each vendor's options, custom vendors, the
 *   CallEvent), read at synth time, by the local mode and by the command line, never in a function.
 * - handlers (`lambda/handlers/`), the construct, the local mode and the command line: the top; the command line
 *   also starts the local mode (`cli/` → `local/`).
 *
 * A value import may run only to a layer its file's layer builds on (its `uses`). A type-only import may run
 * anywhere (it leaves no trace in the JavaScript): a vendor's module takes its options' type from the
 * configuration that defines them. Contracts import nothing else at all, not even types.
 */
import * as path from 'node:path';
import * as ts from 'typescript';

export type Layer =
  | 'contracts' | 'core' | 'schemes' | 'adapters' | 'vendors' | 'configuration'
  | 'handlers' | 'construct' | 'local' | 'cli';

/** Each layer's folder (relative to the repository root) and the layers its values may come from (its own included). */
export const LAYERS: { readonly [L in Layer]: { readonly dir: string; readonly uses: readonly Layer[]; readonly runtime: boolean } } = {
  contracts: { dir: 'lambda/contracts', uses: ['contracts'], runtime: true },
  core: { dir: 'lambda/core', uses: ['contracts', 'core'], runtime: true },
  schemes: { dir: 'lambda/schemes', uses: ['contracts', 'core', 'schemes'], runtime: true },
  adapters: { dir: 'lambda/adapters', uses: ['contracts', 'core', 'adapters'], runtime: true },
  vendors: { dir: 'lambda/vendors', uses: ['contracts', 'core', 'schemes', 'vendors'], runtime: true },
  configuration: { dir: 'lambda/config', uses: ['contracts', 'core', 'schemes', 'vendors', 'configuration'], runtime: false },
  handlers: { dir: 'lambda/handlers', uses: ['contracts', 'core', 'schemes', 'adapters', 'vendors', 'configuration', 'handlers'], runtime: true },
  construct: { dir: 'lib', uses: ['contracts', 'core', 'schemes', 'vendors', 'configuration', 'construct'], runtime: false },
  local: { dir: 'local', uses: ['contracts', 'core', 'schemes', 'adapters', 'vendors', 'configuration', 'local'], runtime: false },
  cli: { dir: 'cli', uses: ['contracts', 'core', 'schemes', 'vendors', 'configuration', 'local', 'cli'], runtime: false },
};

/** The folders the checker reads (every `.ts` file under them has a layer, or is reported). */
export const ROOTS = ['lambda', 'lib', 'local', 'cli'];

/** The layer of a path relative to the repository root (`lambda/core/pipeline.ts` → core), or undefined. */
export function layerOf(file: string): Layer | undefined {
  const p = file.split(path.sep).join('/');
  return (Object.keys(LAYERS) as Layer[]).find((l) => p.startsWith(`${LAYERS[l].dir}/`));
}

export interface Import {
  /** The module specifier as written. */
  readonly specifier: string;
  /** True when it leaves nothing in the JavaScript: `import type`, `export type … from`, all specifiers `type`, `typeof import()`. */
  readonly typeOnly: boolean;
  readonly line: number;
}

/** Every import, re-export, `import()`, `require()` and `import x = require()` of a source file. */
export function importsOf(fileName: string, text: string): Import[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Import[] = [];
  const add = (spec: ts.Expression | undefined, typeOnly: boolean, node: ts.Node) => {
    if (spec && ts.isStringLiteralLike(spec)) {
      found.push({ specifier: spec.text, typeOnly, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      let typeOnly = false;
      if (clause) {
        if (clause.isTypeOnly) typeOnly = true;
        else if (!clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
          const elements = clause.namedBindings.elements;
          typeOnly = elements.length > 0 && elements.every((e) => e.isTypeOnly);
        }
      }
      add(node.moduleSpecifier, typeOnly, node);
    } else if (ts.isExportDeclaration(node)) {
      let typeOnly = node.isTypeOnly;
      if (!typeOnly && node.exportClause && ts.isNamedExports(node.exportClause)) {
        const elements = node.exportClause.elements;
        typeOnly = elements.length > 0 && elements.every((e) => e.isTypeOnly);
      }
      add(node.moduleSpecifier, typeOnly, node);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly, node);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal, true, node);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const dynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const requireCall = ts.isIdentifier(callee) && callee.text === 'require';
      if ((dynamicImport || requireCall) && node.arguments.length >= 1) add(node.arguments[0], false, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

export interface SourceFile {
  /** Relative to the repository root, with `/`. */
  readonly path: string;
  readonly text: string;
}

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly rule: 'no-layer' | 'upward' | 'zod-at-runtime' | 'contracts-import';
  readonly message: string;
}

const isZod = (spec: string) => spec === 'zod' || spec.startsWith('zod/');

/** The imports of these files that break the layering, each naming its file, line and import. */
export function checkLayers(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    const from = layerOf(file.path);
    if (from === undefined) {
      violations.push({ file: file.path, line: 1, specifier: '', rule: 'no-layer', message: `${file.path} is in no layer (test/architecture/layers.ts LAYERS)` });
      continue;
    }
    for (const imp of importsOf(file.path, file.text)) {
      const where = `${file.path}:${imp.line} imports "${imp.specifier}"`;
      const relative = imp.specifier.startsWith('.');
      const target = relative ? path.posix.normalize(path.posix.join(path.posix.dirname(file.path), imp.specifier)) : undefined;
      const to = target === undefined ? undefined : layerOf(`${target}/`);
      const report = (rule: Violation['rule'], why: string) =>
        violations.push({ file: file.path, line: imp.line, specifier: imp.specifier, rule, message: `${where}: ${why}` });
      if (from === 'contracts' && !imp.specifier.startsWith('node:') && to !== 'contracts') {
        report('contracts-import', 'contracts import only node: modules and contracts');
      } else if (isZod(imp.specifier) && LAYERS[from].runtime) {
        report('zod-at-runtime', `zod in the runtime layer ${from}`);
      } else if (to !== undefined && !imp.typeOnly && !LAYERS[from].uses.includes(to)) {
        report('upward', `a value import from ${from} into ${to} (import the type only, or move the code down)`);
      }
    }
  }
  return violations;
}
