/**
 * Which configuration the ready-made stack deploys: bin/callhooks.ts run as `cdk synth` runs it (a child process with
 * the context of cdk.json in `CDK_CONTEXT_JSON`, the template written to `CDK_OUTDIR`). With no option it reads the
 * repository's callhooks.config.json, the documented default: exactly the five vendors of 0.1.0, with the routes,
 * functions, secrets and alarms the README counts (the figures are read from the README, so prose and template
 * cannot drift apart). `-c config=examples/all-vendors/callhooks.config.json` or `CALLHOOKS_CONFIG` deploys another
 * file: the example turns on every built-in vendor and the custom vendor Ringly.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_IN_VENDORS, DEFAULT_VENDORS, resolveConfig } from '../../lambda/config/config';
import { cleanEnv } from '../cli/cli';
import { ALL_VENDORS_CONFIG_FILE, DEFAULT_CONFIG_FILE, readConfig } from '../helpers/configs';
import { projectContext } from './app';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

/** The ready-made app synthesized with `context` added to cdk.json's (the prebuilt bundles referenced, not copied). */
async function synthReadyMade(context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<Resources> {
  const outdir = mkdtempSync(join(tmpdir(), 'callhooks-ready-made-'));
  try {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), join(ROOT, 'bin', 'callhooks.ts')], {
      cwd: ROOT,
      env: cleanEnv({
        ...env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...projectContext(), 'aws:cdk:disable-asset-staging': true, ...context }),
      }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`bin/callhooks.ts exited ${code}:\n${stderr.slice(-3000)}`);
    return JSON.parse(readFileSync(join(outdir, 'Callhooks.template.json'), 'utf8')).Resources;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const ofType = (resources: Resources, type: string) => Object.values(resources).filter((r) => r.Type === type);
const routes = (resources: Resources) => ofType(resources, 'AWS::ApiGatewayV2::Route').map((r) => r.Properties!.RouteKey as string).sort();
const routesOf = (vendors: readonly string[]) => vendors.map((v) => `ANY /webhooks/${v}`).sort();

/** The README's alarm table: how many alarms each vendor gets, and how many each instance. */
function readmeAlarmsPer(): { vendor: number; instance: number } {
  const rows = README.split('\n').filter((l) => /^\| `[A-Za-z<>0-9]+Alarm` \|/.test(l)).map((l) => l.split('|')[2].trim());
  return { vendor: rows.filter((p) => p === 'vendor').length, instance: rows.filter((p) => p === 'instance').length };
}

/** The README's figures for the repository's configuration (§ Deploy to AWS). */
function readmeDefaultCounts(): { routes: number; functions: number; secrets: number; alarms: number } {
  const m = /the five default vendors\) has (\d+) routes, (\d+) functions \(one per vendor and the redrive\), (\d+) secrets and (\d+) alarms/.exec(README.replace(/\s+/g, ' '));
  if (!m) throw new Error('the README no longer states what the repository configuration deploys (§ Deploy to AWS)');
  const [routes, functions, secrets, alarms] = m.slice(1).map(Number);
  return { routes, functions, secrets, alarms };
}

let byDefault: Resources;
let allVendors: Resources;
let byEnv: Resources;

beforeAll(async () => {
  [byDefault, allVendors, byEnv] = await Promise.all([
    synthReadyMade({}),
    // CALLHOOKS_CONFIG set as well: the context wins.
    synthReadyMade({ config: 'examples/all-vendors/callhooks.config.json' }, { CALLHOOKS_CONFIG: 'test/artifact/endpoints.config.json' }),
    synthReadyMade({}, { CALLHOOKS_CONFIG: 'test/artifact/endpoints.config.json' }),
  ]);
}, 240_000);

describe('the repository configuration (callhooks.config.json)', () => {
  it('is the documented default: the same vendors and limits as a file without a vendors key', () => {
    expect(resolveConfig(readConfig(DEFAULT_CONFIG_FILE))).toEqual(resolveConfig({}));
    expect(resolveConfig(readConfig(DEFAULT_CONFIG_FILE)).vendors.map((v) => v.name)).toEqual([...DEFAULT_VENDORS]);
  });

  it('makes `cdk synth` deploy the five vendors of 0.1.0 only: a route, a function and a secret each, no custom vendor', () => {
    expect(routes(byDefault)).toEqual(routesOf(DEFAULT_VENDORS));
    const descriptions = ofType(byDefault, 'AWS::Lambda::Function').map((f) => f.Properties!.Description as string);
    expect(descriptions.filter((d) => d.startsWith('callhooks: receives')).sort()).toEqual(DEFAULT_VENDORS.map((v) => `callhooks: receives ${v} webhooks`).sort());
    expect(ofType(byDefault, 'AWS::SecretsManager::Secret')).toHaveLength(DEFAULT_VENDORS.length);
    expect(Object.keys(byDefault).filter((id) => /ringly/i.test(id))).toEqual([]);
  });

  it('has the routes, functions, secrets and alarms the README counts', () => {
    const per = readmeAlarmsPer();
    const counts = readmeDefaultCounts();
    expect(counts).toEqual({
      routes: ofType(byDefault, 'AWS::ApiGatewayV2::Route').length,
      functions: ofType(byDefault, 'AWS::Lambda::Function').length,
      secrets: ofType(byDefault, 'AWS::SecretsManager::Secret').length,
      alarms: ofType(byDefault, 'AWS::CloudWatch::Alarm').length,
    });
    expect(counts.alarms).toBe(per.vendor * DEFAULT_VENDORS.length + per.instance);
  });
});

describe('another configuration file', () => {
  it('-c config=examples/all-vendors/callhooks.config.json (over CALLHOOKS_CONFIG) deploys every built-in vendor and Ringly, with the alarms the README\'s table gives them', () => {
    const vendors = [...BUILT_IN_VENDORS, 'ringly'];
    expect(routes(allVendors)).toEqual(routesOf(vendors));
    expect(ofType(allVendors, 'AWS::Lambda::Function')).toHaveLength(vendors.length + 1);
    expect(ofType(allVendors, 'AWS::SecretsManager::Secret')).toHaveLength(vendors.length);
    const per = readmeAlarmsPer();
    expect(ofType(allVendors, 'AWS::CloudWatch::Alarm')).toHaveLength(per.vendor * vendors.length + per.instance);
    // The figures examples/all-vendors/README.md and the README's alarm section give.
    const example = readFileSync(join(ROOT, 'examples', 'all-vendors', 'README.md'), 'utf8').replace(/\s+/g, ' ');
    const m = /deploys (\d+) routes, (\d+) functions \(one per vendor and the redrive\), (\d+) secrets and (\d+) alarms/.exec(example);
    expect(m?.slice(1).map(Number)).toEqual(['AWS::ApiGatewayV2::Route', 'AWS::Lambda::Function', 'AWS::SecretsManager::Secret', 'AWS::CloudWatch::Alarm'].map((t) => ofType(allVendors, t).length));
    expect(README.replace(/\s+/g, ' ')).toContain(`(${ofType(allVendors, 'AWS::CloudWatch::Alarm').length} with every vendor of \`examples/all-vendors/\`)`);
    expect(resolveConfig(readConfig(ALL_VENDORS_CONFIG_FILE)).vendors.map((v) => v.name).sort()).toEqual([...vendors].sort());
  });

  it('CALLHOOKS_CONFIG names the file as for the local mode', () => {
    expect(routes(byEnv)).toEqual(['ANY /webhooks/converc', 'ANY /webhooks/converc/org-b', 'ANY /webhooks/quarterzip/eu', 'ANY /webhooks/quarterzip/us'].sort());
  });
});
