/** The configuration: which vendors a config turns on, and the error it raises. */
import { BUILT_IN_VENDORS, ConfigError, resolveConfig } from '../../lambda/config/config';
import { CallhooksError } from '../../lambda/core/errors';
import { RINGLY } from '../construct/app';

const names = (raw: unknown) => resolveConfig(raw).vendors.map((v) => v.name);

describe('which built-in vendors are on', () => {
  it('turns every built-in vendor on when the config has no vendors key', () => {
    expect(names({})).toEqual([...BUILT_IN_VENDORS]);
    expect(names({ customVendors: [RINGLY] })).toEqual([...BUILT_IN_VENDORS, 'ringly']);
  });

  it('turns on only the vendors a vendors key names: one it leaves out is off', () => {
    expect(names({ vendors: { qcall: true } })).toEqual(['qcall']);
    expect(names({ vendors: { converc: { toleranceSeconds: 120 }, quarterzip: true } })).toEqual(['quarterzip', 'converc']);
  });

  it('keeps a vendor named with false, or with enabled: false, off', () => {
    expect(names({ vendors: { quarterzip: true, atoms: false, koeiq: { enabled: false } } })).toEqual(['quarterzip']);
  });

  it('leaves only the custom vendors on with an empty vendors key', () => {
    expect(names({ vendors: {}, customVendors: [RINGLY] })).toEqual(['ringly']);
  });

  it('says why nothing is on when the vendors key names only vendors that are off', () => {
    expect(() => resolveConfig({ vendors: { atoms: false } })).toThrow(
      'no vendor is enabled: enable a built-in vendor or add a custom one (a config that lists vendors enables only the built-in vendors it names)',
    );
  });
});

describe('ConfigError', () => {
  it('is a CallhooksError named ConfigError', () => {
    let caught: unknown;
    try {
      resolveConfig({ retentionDays: 1 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toBeInstanceOf(CallhooksError);
    expect((caught as Error).name).toBe('ConfigError');
    expect((caught as Error).message).toBe('retentionDays must be an integer from 7 to 3650, got 1');
  });
});
