/**
 * The registry (lambda/vendors/registry.ts) is the one list of built-in vendors, and what else names them agrees
 * with it: each vendor's module, fixtures and page, the README's table and links, the construct's field names.
 * (The options schemas, the construct's option structs and the configuration's vendors are held to it at compile
 * time by lib/private/agreement.ts; the bundles by test/construct/bundling.test.ts.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_IN_VENDORS, createAdapter, DEFAULT_VENDORS, docsPageOf, fixturesDirOf, REGISTRY } from '../../lambda/vendors';
import { VENDOR_NAME_RE } from '../../lambda/contracts/defaults';
import { vendorFieldOf, vendorNameOfField } from '../../lib/private/names';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const CUSTOM = (JSON.parse(read('examples/all-vendors/callhooks.config.json')) as { customVendors: Array<{ name: string }> }).customVendors.map((c) => c.name);
const README = read('README.md');

describe('the vendor registry', () => {
  it.each(BUILT_IN_VENDORS)('%s: a valid name, an adapter of that name, fixtures and a page', (name) => {
    expect(name).toMatch(VENDOR_NAME_RE);
    expect(createAdapter({ kind: 'builtin', name, options: {} } as never).name).toBe(name);
    expect(readdirSync(join(ROOT, fixturesDirOf(name))).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);
    expect(existsSync(join(ROOT, docsPageOf(name)))).toBe(true);
  });

  it('knows every fixture folder and vendor page: each is a registry vendor or a custom vendor of examples/all-vendors/callhooks.config.json', () => {
    const folders = readdirSync(join(ROOT, 'fixtures'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    const pages = readdirSync(join(ROOT, 'docs/vendors')).filter((f) => f.endsWith('.md')).map((f) => f.replace(/\.md$/, ''));
    expect(folders.sort()).toEqual([...BUILT_IN_VENDORS, ...CUSTOM].sort());
    expect(pages.sort()).toEqual([...BUILT_IN_VENDORS].sort());
  });

  it('turns on, without a vendors key, exactly the vendors marked of010', () => {
    expect(DEFAULT_VENDORS).toEqual(BUILT_IN_VENDORS.filter((name) => REGISTRY[name].of010));
  });

  it("gives each vendor the construct field of its name in camelCase, and back (jsii's properties are camelCase)", () => {
    for (const name of BUILT_IN_VENDORS) expect(vendorNameOfField(vendorFieldOf(name))).toBe(name);
    expect([vendorFieldOf('zz-example'), vendorNameOfField('zzExample')]).toEqual(['zzExample', 'zz-example']);
  });
});

describe("the README's lists of vendors", () => {
  it('has one row per registry vendor in its Vendors table, with its page and whether it is on without a vendors key', () => {
    const section = README.slice(README.indexOf('\n## Vendors\n'), README.indexOf('\n## ', README.indexOf('\n## Vendors\n') + 1));
    const rows = [...section.matchAll(/^\| `([a-z0-9-]+)` \| .* \| (yes|no) \| \[([^\]]+)\]\(([^)]+)\) \|$/gm)]
      .map(([, name, on, title, page]) => ({ name, on: on === 'yes', title, page }));
    const expected = BUILT_IN_VENDORS.map((name) => ({ name, on: REGISTRY[name].of010, title: expect.any(String), page: docsPageOf(name) }));
    expect(rows.sort((a, b) => a.name.localeCompare(b.name))).toEqual(expected.sort((a, b) => a.name.localeCompare(b.name)));
  });

  it("links every registry vendor's page, by its title, in the Contents", () => {
    const line = README.split('\n').find((l) => l.startsWith('- Per vendor: '))!;
    const links = [...line.matchAll(/\[([^\]]+)\]\(([^)]+)\)/g)].map(([, title, page]) => `${title} ${page}`);
    expect(links.sort()).toEqual(BUILT_IN_VENDORS.map((name) => `${REGISTRY[name].title} ${docsPageOf(name)}`).sort());
  });
});
