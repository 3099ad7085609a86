/** The configuration: which vendors a config turns on, and the error it raises. */
import { BUILT_IN_VENDORS, ConfigError, DEFAULT_VENDORS, resolveConfig } from '../../lambda/config/config';
import { CallhooksError } from '../../lambda/core/errors';
import { NORMALIZED_TYPES } from '../../lambda/core/event';
import { RINGLY } from '../construct/app';

const names = (raw: unknown) => resolveConfig(raw).vendors.map((v) => v.name);

describe('which built-in vendors are on', () => {
  // Pinned as literals, not read from the registry: a built-in vendor added in a later release must not join them.
  const VENDORS_OF_0_1_0 = ['quarterzip', 'qcall', 'koeiq', 'atoms', 'converc'];

  it('turns on the five vendors of 0.1.0, and no other, when the config has no vendors key', () => {
    expect(names({})).toEqual(VENDORS_OF_0_1_0);
    expect(names({ customVendors: [RINGLY] })).toEqual([...VENDORS_OF_0_1_0, 'ringly']);
    expect(DEFAULT_VENDORS).toEqual(VENDORS_OF_0_1_0);
  });

  it('turns a built-in vendor added since 0.1.0 on only where a vendors key names it', () => {
    const added = BUILT_IN_VENDORS.filter((name) => !VENDORS_OF_0_1_0.includes(name));
    for (const name of added) {
      expect(names({})).not.toContain(name);
      expect(names({ vendors: { [name]: true } })).toEqual([name]);
    }
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

describe('validation messages name the field and the bad value', () => {
  const R = { name: 'ringly', auth: { scheme: 'hmac-sha256', header: 'Ringly-Signature' }, fields: { eventType: '/type' } };
  const hmac = (auth: Record<string, unknown>) => ({ customVendors: [{ ...R, auth: { scheme: 'hmac-sha256', header: 'X-Sig', ...auth } }] });
  it.each<[unknown, string]>([
    [5, 'the configuration must be a JSON object, got 5'],
    [{ foo: 1 }, 'foo is not a configuration option (options: vendors, customVendors, maxBodyBytes, maxEventBytes, retentionDays)'],
    [{ vendors: 3 }, 'vendors must be an object, got 3'],
    [{ vendors: { acme: true } }, `vendors.acme is not a built-in vendor (built in: ${BUILT_IN_VENDORS.join(', ')}); describe it under customVendors`],
    [{ vendors: { qcall: 'yes' } }, 'vendors.qcall must be true, false or an object, got "yes"'],
    [{ vendors: { quarterzip: { tokenHeader: 'x' } } }, 'vendors.quarterzip.tokenHeader is not an option of quarterzip (options: enabled, toleranceSeconds, endpoints)'],
    [{ vendors: { qcall: { enabled: 'no' } } }, 'vendors.qcall.enabled must be a boolean, got "no"'],
    [{ vendors: { converc: { toleranceSeconds: 0 } } }, 'vendors.converc.toleranceSeconds must be an integer from 1 to 3600, got 0'],
    [{ vendors: { qcall: { tokenHeader: 'a b' } } }, 'vendors.qcall.tokenHeader must be an HTTP header name, got "a b"'],
    [{ vendors: { qcall: { tokenPrefix: 5 } } }, 'vendors.qcall.tokenPrefix must be a string, got 5'],
    [{ vendors: { qcall: { dedupFields: [] } } }, 'vendors.qcall.dedupFields must be a non-empty array of field names, got []'],
    [{ vendors: { qcall: { dedupFields: ['a', ''] } } }, 'vendors.qcall.dedupFields[1] must be a field name (a non-empty string), got ""'],
    [{ customVendors: {} }, 'customVendors must be an array, got {}'],
    [{ customVendors: [{ ...R, name: '' }] }, 'customVendors[0].name must be a non-empty string, got ""'],
    [{ customVendors: [{ ...R, name: 'Ringly' }] }, 'customVendors[0].name must be lower case letters, digits and dashes (at most 40), got "Ringly"'],
    [{ customVendors: [{ ...R, name: 'qcall' }] }, 'customVendors[0].name "qcall" is a built-in vendor: configure it under vendors.qcall'],
    [{ customVendors: [R, R] }, 'customVendors[1].name "ringly" is used twice'],
    [{ customVendors: [{ ...R, extra: 1 }] }, 'customVendors[0].extra is not an option of a custom vendor (options: name, auth, methods, toleranceSeconds, publicUrl, secretField, endpoints, fields, typeMap)'],
    [{ customVendors: [{ ...R, auth: { scheme: 'rsa' } }] }, 'customVendors[0].auth.scheme must be "standard-webhooks", "static-token", "hmac-sha256", "hmac", "public-key", "url-signing", "jwt", "canonical-request", got "rsa"'],
    [{ customVendors: [{ ...R, auth: { scheme: 'static-token' } }] }, 'customVendors[0].auth.header must be an HTTP header name, got undefined'],
    [hmac({ encoding: 'b64' }), 'customVendors[0].auth.encoding must be "hex" or "base64", got "b64"'],
    [hmac({ signedPayload: 'x' }), 'customVendors[0].auth.signedPayload must be "body" or "timestamp.body", got "x"'],
    [hmac({ signedPayload: 'timestamp.body' }), 'customVendors[0].auth: signedPayload "timestamp.body" needs timestampHeader or timestampKey'],
    [hmac({ timestampKey: 't' }), 'customVendors[0].auth.timestampKey needs signatureKey (the header must be key=value pairs)'],
    [{ customVendors: [{ ...R, methods: ['FETCH'] }] }, 'customVendors[0].methods[0] must be one of GET, POST, PUT, DELETE, PATCH, got "FETCH"'],
    [{ customVendors: [{ ...R, fields: 5 }] }, 'customVendors[0].fields must be an object with at least eventType, got 5'],
    [{ customVendors: [{ ...R, fields: { eventType: 'type' } }] }, 'customVendors[0].fields.eventType must be a JSON pointer ("/a/b"), "header:<name>" or "claim:<name>", got "type"'],
    [{ customVendors: [{ ...R, typeMap: { 'call.completed': 'call.done' } }] },
      `customVendors[0].typeMap["call.completed"] must be one of ${NORMALIZED_TYPES.join(', ')}, got "call.done"`],
    [{ maxEventBytes: 'big' }, 'maxEventBytes must be an integer from 8192 to 1048576, got "big"'],
    [{ maxBodyBytes: 10, retentionDays: 1 }, 'maxBodyBytes must be an integer from 1024 to 4194304, got 10; retentionDays must be an integer from 7 to 3650, got 1'],
  ])('%j → %s', (config, message) => {
    expect(() => resolveConfig(config)).toThrow(new ConfigError(message));
  });

  it('keeps the input it validated, prototype-named keys included', () => {
    const raw = JSON.parse('{"customVendors":[{"name":"r","auth":{"scheme":"standard-webhooks"},"fields":{"eventType":"/t"},"typeMap":{"__proto__":"call.ended"}}]}');
    const custom = resolveConfig(raw).vendors.find((v) => v.kind === 'custom');
    expect(custom?.kind === 'custom' && custom.definition).toBe(raw.customVendors[0]);
  });
});
