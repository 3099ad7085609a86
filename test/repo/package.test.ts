/**
 * What an installer of the package relies on and can only see once it is too late: one shared copy of
 * aws-cdk-lib, entry points that exist, and a subscriber entry that pulls no code in.
 * `scripts/consumer-check.sh` (run by `.ci/run`) proves the same on the packed tarball in a real CDK app.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import type { EventBridgeEvent } from 'aws-lambda';
import type { CallEvent, CallEventDetail } from '../../lib/events';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** The TypeScript source that the build compiles to a `./dist/….js` or `./dist/….d.ts` target. */
function sourceOf(target: string): string {
  return join(ROOT, target.replace(/^\.\/dist\//, '').replace(/\.d\.ts$|\.js$/, '.ts'));
}

describe('package.json', () => {
  it.each(['aws-cdk-lib', 'constructs'])('takes %s from the consumer (a peer dependency, never a dependency of its own)', (name) => {
    expect(pkg.dependencies[name]).toBeUndefined();
    expect(pkg.peerDependencies[name]).toMatch(/^\^\d+\.\d+\.\d+$/);
  });

  it.each(['aws-cdk-lib', 'constructs'])('develops and tests against an exact %s inside its own peer range', (name) => {
    const dev: string = pkg.devDependencies[name];
    expect(dev).toMatch(/^\d+\.\d+\.\d+$/);
    const [major, minor, patch] = dev.split('.').map(Number);
    const [pMajor, pMinor, pPatch] = (pkg.peerDependencies[name] as string).slice(1).split('.').map(Number);
    expect(major).toBe(pMajor);
    expect(minor * 1e6 + patch).toBeGreaterThanOrEqual(pMinor * 1e6 + pPatch);
  });

  it('points every entry of its exports map at a file the build produces', () => {
    const targets: string[] = [pkg.main, pkg.types];
    for (const entry of Object.values(pkg.exports) as Array<string | Record<string, string>>) {
      if (typeof entry === 'string') continue; // ./package.json
      targets.push(...Object.values(entry));
    }
    const missing = targets.map((t) => (t.startsWith('./') ? t : `./${t}`)).filter((t) => !existsSync(sourceOf(t)));
    expect(missing).toEqual([]);
    expect(pkg.exports['.'].default).toBe(`./${pkg.main}`);
    // TypeScript's node10 resolution (the CDK app template's) ignores exports: typesVersions serves `callhooks/events`.
    expect(pkg.typesVersions['*'].events).toEqual([pkg.exports['./events'].types.slice(2)]);
  });

  it('ships the build, the schema and the license, and builds before every pack', () => {
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/lib/', 'dist/lambda/', 'dist/bundles/', 'schema/', 'LICENSE']));
    expect(pkg.files.filter((f: string) => /^(test|scripts|local|bin|\.ci|examples)\b/.test(f))).toEqual([]);
    expect(pkg.scripts.prepack).toContain('npm run build');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
  });
});

describe("the subscriber entry 'callhooks/events'", () => {
  it('compiles to a module that imports nothing at run time (types only)', () => {
    const source = readFileSync(join(ROOT, 'lib', 'events.ts'), 'utf8');
    // verbatimModuleSyntax keeps every import that is not written `import type`, as a bundler would.
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    }).outputText;
    expect(js.replace(/\/\*[\s\S]*?\*\//g, '').trim()).toBe('export {};');
  });

  it('types the envelope a Lambda target receives, assignable to aws-lambda’s EventBridgeEvent', () => {
    const event: CallEvent<'call.ended'> = {
      version: '0',
      id: '6f2d1c0e-0000-4000-8000-000000000000',
      'detail-type': 'call.ended',
      source: 'callhooks.quarterzip',
      account: '123456789012',
      time: '2026-11-22T12:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: {
        schemaVersion: '1',
        eventId: '1b0f3770-834b-5f93-ae4e-5b66a21e8a42',
        type: 'call.ended',
        vendor: 'quarterzip',
        vendorEventType: 'call.completed',
        occurredAt: '2026-06-19T14:32:05.123Z',
        receivedAt: '2026-11-22T12:00:00.000Z',
        callId: 'abc123',
        test: false,
      },
    };
    // Compile-time: a handler typed with @types/aws-lambda accepts a CallEvent as it is.
    const asAws: EventBridgeEvent<string, CallEventDetail> = event;
    expect(asAws['detail-type']).toBe(asAws.detail.type);
  });
});
