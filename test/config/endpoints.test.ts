/**
 * The `endpoints` option of a vendor (DESIGN.md §Endpoints): a list of names, or name → that endpoint's own
 * options over the vendor's; clear messages for bad names, duplicates and options an endpoint does not have,
 * and the shipped JSON Schema says the same.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../lambda/config/config';
import { Headers } from '../../lambda/core/http';
import { optionsOfEndpoint, secretEnvNameOf } from '../../lambda/contracts/endpoints';
import { createEndpointAdapters, endpointsOf } from '../../lambda/vendors';
import { RINGLY } from '../construct/app';
import { ENDPOINTS_CONFIG } from '../helpers/endpoints';

const validate = (() => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(__dirname, '..', '..', 'schema', 'callhooks.config.schema.json'), 'utf8')));
})();

describe('the endpoints option', () => {
  it.each<[string, unknown, string]>([
    ['a name in upper case', { vendors: { quarterzip: { endpoints: ['EU'] } } }, 'vendors.quarterzip.endpoints[0] must be an endpoint name: 1 to 32 of a-z, 0-9 and -, got "EU"'],
    ['a name of 33 characters', { vendors: { koeiq: { endpoints: ['t'.repeat(33)] } } }, `vendors.koeiq.endpoints[0] must be an endpoint name: 1 to 32 of a-z, 0-9 and -, got "${'t'.repeat(33)}"`],
    ['a name listed twice', { vendors: { quarterzip: { endpoints: ['eu', 'us', 'eu'] } } }, 'vendors.quarterzip.endpoints[2] lists the endpoint "eu" twice'],
    ['an empty list', { vendors: { atoms: { endpoints: [] } } }, 'vendors.atoms.endpoints must be a non-empty array of endpoint names, or an object of endpoint name → its options, got []'],
    ['a string', { vendors: { atoms: { endpoints: 'eu' } } }, 'vendors.atoms.endpoints must be a non-empty array of endpoint names, or an object of endpoint name → its options, got "eu"'],
    ['a bad name as a key', { vendors: { converc: { endpoints: { 'Org B': {} } } } }, 'vendors.converc.endpoints has a key that is not an endpoint name (1 to 32 of a-z, 0-9 and -), got "Org B"'],
    ['an option of another vendor', { vendors: { quarterzip: { endpoints: { eu: { tokenHeader: 'x' } } } } },
      "vendors.quarterzip.endpoints.eu.tokenHeader is not an option of an endpoint of quarterzip (an endpoint's options: toleranceSeconds)"],
    ['an option that identifies events (dedup stays per vendor)', { vendors: { qcall: { endpoints: { sales: { dedupFields: ['order_id'] } } } } },
      "vendors.qcall.endpoints.sales.dedupFields is not an option of an endpoint of qcall (an endpoint's options: toleranceSeconds, tokenHeader, tokenPrefix)"],
    ['a tolerance out of range', { vendors: { converc: { endpoints: { 'org-b': { toleranceSeconds: 0 } } } } }, 'vendors.converc.endpoints["org-b"].toleranceSeconds must be an integer from 1 to 3600, got 0'],
    ['endpoint options that are no object', { vendors: { quarterzip: { endpoints: { eu: true } } } }, 'vendors.quarterzip.endpoints.eu must be an object (the options of this endpoint), got true'],
    ['a custom vendor endpoint option it does not have', { customVendors: [{ ...RINGLY, endpoints: { a: { auth: {} } } }] },
      "customVendors[0].endpoints.a.auth is not an option of an endpoint of a custom vendor (an endpoint's options: toleranceSeconds, publicUrl, secretField)"],
  ])('refuses %s with a message naming it, and the JSON Schema refuses it too', (_name, config, message) => {
    // Act + Assert
    expect(() => resolveConfig(config)).toThrow(message);
    expect(validate(config)).toBe(false);
  });

  it.each<[string, unknown, Record<string, string[]>]>([
    ['no endpoints: the one endpoint "default"', { vendors: { quarterzip: true } }, { quarterzip: ['default'] }],
    ['the issue\'s configuration', ENDPOINTS_CONFIG, { quarterzip: ['eu', 'us'], qcall: ['sales', 'support'], converc: ['default', 'org-b'] }],
    ['a custom vendor with endpoints', { vendors: {}, customVendors: [{ ...RINGLY, endpoints: { a: { toleranceSeconds: 60 }, b: {} } }] }, { ringly: ['a', 'b'] }],
  ])('accepts %s, as the JSON Schema does', (_name, config, expected) => {
    // Act
    const vendors = resolveConfig(config).vendors;

    // Assert
    expect(validate(config)).toBe(true);
    expect(Object.fromEntries(vendors.map((v) => [v.name, endpointsOf(v)]))).toEqual(expected);
  });

  it("serves each endpoint with its own options over the vendor's", () => {
    // Prepare
    const options = { tokenHeader: 'x-callhooks-token', tokenPrefix: '', endpoints: { sales: { tokenHeader: 'x-sales-token' }, support: {} } };

    // Act + Assert
    expect(optionsOfEndpoint(options, 'sales')).toEqual({ tokenHeader: 'x-sales-token', tokenPrefix: '' });
    expect(optionsOfEndpoint(options, 'support')).toEqual({ tokenHeader: 'x-callhooks-token', tokenPrefix: '' });
    const qcall = resolveConfig(ENDPOINTS_CONFIG).vendors.find((v) => v.name === 'qcall')!;
    const adapters = createEndpointAdapters(qcall);
    expect(Object.keys(adapters.get('sales')!.sign(Buffer.from('{}'), 'tok', new Date()))).toEqual(['x-sales-token']);
    expect(Object.keys(adapters.get('support')!.sign(Buffer.from('{}'), 'tok', new Date()))).toEqual(['x-callhooks-token']);
  });

  it("gives a custom vendor's endpoint its own tolerance", () => {
    // Prepare: a delivery signed 120 s ago
    const ringly = resolveConfig({ vendors: {}, customVendors: [{ ...RINGLY, toleranceSeconds: 60, endpoints: { strict: {}, lenient: { toleranceSeconds: 300 } } }] }).vendors[0];
    const adapters = createEndpointAdapters(ringly);
    const body = Buffer.from('{"type":"call.started","id":"evt_1"}');
    const signedAt = new Date(Date.now() - 120_000);
    const headers = adapters.get('strict')!.sign(body, 'secret', signedAt);
    const delivery = { vendor: 'ringly', method: 'POST', headers: new Headers(Object.entries(headers)), query: {}, body, receivedAt: new Date() };

    // Act + Assert
    expect(adapters.get('strict')!.verify(delivery, 'secret', new Date())).toBe(false);
    expect(adapters.get('lenient')!.verify(delivery, 'secret', new Date())).toBe(true);
  });

  it.each([
    ['quarterzip', 'default', 'CALLHOOKS_SECRET_QUARTERZIP'],
    ['quarterzip', 'eu', 'CALLHOOKS_SECRET_QUARTERZIP_EU'],
    ['converc', 'org-b', 'CALLHOOKS_SECRET_CONVERC_ORG_B'],
    ['my-vendor', 'tenant-7', 'CALLHOOKS_SECRET_MY_VENDOR_TENANT_7'],
  ])('names the local secret of %s/%s %s', (vendor, endpoint, name) => {
    expect(secretEnvNameOf(vendor, endpoint)).toBe(name);
  });
});
