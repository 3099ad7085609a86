/**
 * The release workflow (README §Use the construct in your stack, "Releasing"): it runs only on a version tag,
 * checks the tag against package.json, runs CI before anything is built, publishes every jsii target with one
 * pinned publib, grants `id-token: write` only to the trusted-publishing jobs and nothing else beyond reading,
 * and uses exactly the secrets the README's table names. The packaging itself is dry-run by .ci/run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { safeLoad(text: string): unknown };

interface Step { uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> }
interface Job { needs?: string | string[]; permissions?: Record<string, string>; environment?: string; steps: Step[] }
interface Workflow { on: { push: { tags: string[]; branches?: unknown } }; permissions: Record<string, string>; env: Record<string, string>; jobs: Record<string, Job> }

const ROOT = join(__dirname, '..', '..');
const text = readFileSync(join(ROOT, '.github', 'workflows', 'release.yml'), 'utf8');
const workflow = yaml.safeLoad(text) as Workflow;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { jsii: { targets: Record<string, unknown> } };
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

const PUBLISHERS: Record<string, string> = { npm: 'publib-npm dist/js', pypi: 'publib-pypi dist/python', maven: 'publib-maven dist/java', nuget: 'publib-nuget dist/dotnet', go: 'publib-golang dist/go' };

describe('the release workflow', () => {
  it('runs on version tags only, checks the tag is the package version, and runs CI before building the packages', () => {
    expect(workflow.on).toEqual({ push: { tags: [expect.stringMatching(/^v\[0-9\]/)] } });
    const build = workflow.jobs.build.steps.map((s) => s.run ?? s.uses ?? '');
    const tagCheck = build.findIndex((r) => r.includes('require("./package.json").version') && r.includes('$GITHUB_REF_NAME'));
    const ci = build.indexOf('.ci/run');
    const pacmak = build.findIndex((r) => r.includes('jsii-pacmak --outdir dist/release'));
    expect(tagCheck).toBeGreaterThanOrEqual(0);
    expect(ci).toBeGreaterThan(tagCheck);
    expect(pacmak).toBeGreaterThan(ci);
  });

  it('publishes every jsii target and npm, each in its own job after the build, with one pinned publib', () => {
    expect(Object.keys(pkg.jsii.targets).sort()).toEqual(['dotnet', 'go', 'java', 'python']);
    expect(workflow.env.PUBLIB).toMatch(/^publib@\d+\.\d+\.\d+$/);
    for (const [job, command] of Object.entries(PUBLISHERS)) {
      const j = workflow.jobs[job];
      expect(j).toBeDefined();
      expect(j.needs).toBe('build');
      expect(j.environment).toBe('release');
      const runs = j.steps.map((s) => s.run).filter(Boolean);
      expect(runs).toEqual([`npx -y -p "$PUBLIB" ${command}`]);
    }
  });

  it('reads only, except id-token: write for the trusted-publishing jobs (npm with provenance, PyPI, NuGet)', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const oidc = ['npm', 'pypi', 'nuget'].includes(name);
      expect([name, job.permissions]).toEqual([name, oidc ? { 'id-token': 'write' } : undefined]);
    }
    expect(workflow.jobs.npm.steps.at(-1)!.env).toMatchObject({ NPM_TRUSTED_PUBLISHER: 'true' });
    expect(workflow.jobs.pypi.steps.at(-1)!.env).toMatchObject({ PYPI_TRUSTED_PUBLISHER: 'true' });
    expect(workflow.jobs.nuget.steps.at(-1)!.env).toMatchObject({ NUGET_TRUSTED_PUBLISHER: 'true' });
  });

  it('uses exactly the secrets the README names, and holds no credential itself', () => {
    const used = [...new Set([...text.matchAll(/\$\{\{\s*secrets\.([A-Z0-9_]+)\s*\}\}/g)].map((m) => m[1]))].sort();
    expect(used).toEqual(['GO_GITHUB_TOKEN', 'MAVEN_GPG_PRIVATE_KEY', 'MAVEN_GPG_PRIVATE_KEY_PASSPHRASE', 'MAVEN_PASSWORD', 'MAVEN_USERNAME']);
    const releasing = readme.slice(readme.indexOf('**Releasing**'), readme.indexOf('## ', readme.indexOf('**Releasing**')));
    for (const secret of used) expect(releasing).toContain(`\`${secret}\``);
    // Every env value that is not a plain setting comes from secrets or vars.
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps) {
        for (const [name, value] of Object.entries(step.env ?? {})) {
          if (/TOKEN|PASSWORD|KEY|USERNAME/.test(name)) expect([name, value]).toEqual([name, expect.stringMatching(/^\$\{\{ (secrets|vars)\.[A-Z0-9_]+ \}\}$/)]);
        }
      }
    }
  });
});
