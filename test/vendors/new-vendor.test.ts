/**
 * `npm run new-vendor <name>` (scripts/new-vendor.ts) refuses a name that cannot be a new built-in vendor, says why,
 * and writes nothing. That a name it accepts gives a vendor that builds and passes the vendor tests is proved by
 * scripts/scaffold-check.sh (in CI), which scaffolds one in a copy of the repository.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { namesOf, refusalOf } from '../../scripts/new-vendor';

const ROOT = join(__dirname, '..', '..');

describe('npm run new-vendor: the name', () => {
  it.each(['Acme', 'acme_voice', 'acme voice', 'acme--voice', '-acme', 'acme-', '9acme', 'acme-9x', 'a'.repeat(41), ''])(
    'refuses %p: not kebab-case',
    (name) => {
      expect(refusalOf(name)).toMatch(/is not a vendor name: use kebab-case/);
    },
  );

  it.each([
    ['telnyx', /"telnyx" is already a built-in vendor/],
    ['quarterzip', /"quarterzip" is already a built-in vendor/],
    ['ringly', /"ringly" is a custom vendor of examples\/all-vendors\/callhooks\.config\.json/],
    ['custom', /"custom" is taken: lambda\/vendors\/custom\.ts exists/],
    ['json-source', /"json-source" is taken: lambda\/vendors\/json-source\.ts exists/],
    ['default', /"default" is a JavaScript reserved word/],
  ])('refuses %p: %p', (name, message) => {
    expect(refusalOf(name)).toMatch(message);
  });

  it('accepts a new kebab-case name, and names its code after it', () => {
    expect(refusalOf('acme-voice')).toBeUndefined();
    expect(namesOf('acme-voice')).toEqual({
      name: 'acme-voice', camel: 'acmeVoice', pascal: 'AcmeVoice', title: 'Acme Voice', header: 'X-Acme-Voice-Signature',
    });
  });

  it.each([['Bad_Name', /not a vendor name/], ['telnyx', /already a built-in vendor/]])(
    'the command exits 2 on %p with the reason, and writes nothing',
    (name, message) => {
      const registry = readFileSync(join(ROOT, 'lambda/vendors/registry.ts'), 'utf8');
      const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/new-vendor.ts', name], { cwd: ROOT, encoding: 'utf8' });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/nothing was written/);
      expect(readFileSync(join(ROOT, 'lambda/vendors/registry.ts'), 'utf8')).toBe(registry);
    },
  );
});
