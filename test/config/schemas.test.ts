/**
 * The JSON Schemas the project ships are generated from the same zod definitions as the types and the
 * validation (`npm run schemas`): they must be current, and they must say what the validation says.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveConfig } from '../../lambda/config/config';
import { renderSchemas } from '../../scripts/schemas';
import { schemaErrors } from '../helpers/fixtures';
import { RINGLY } from '../construct/app';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('the shipped JSON Schemas', () => {
  it.each(renderSchemas().map((s) => [s.file, s.text]))('%s is what `npm run schemas` writes', (file, text) => {
    expect(read(file)).toBe(text);
  });
});

describe('schema/callhooks.config.schema.json', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(read('schema/callhooks.config.schema.json')));

  it.each([
    ['callhooks.config.json', './schema/callhooks.config.schema.json'],
    ['examples/all-vendors/callhooks.config.json', '../../schema/callhooks.config.schema.json'],
  ])('is the $schema of %s, which it accepts', (file, schemaPath) => {
    const config = JSON.parse(read(file));
    expect(config.$schema).toBe(schemaPath);
    expect(join(ROOT, dirname(file), config.$schema)).toBe(join(ROOT, 'schema', 'callhooks.config.schema.json'));
    expect(validate(config)).toBe(true);
  });

  const hmac = (auth: Record<string, unknown>) => ({ customVendors: [{ ...RINGLY, auth: { scheme: 'hmac-sha256', header: 'X-Sig', ...auth } }] });
  // Each a single field the validation refuses, and the schema must refuse too (an editor marks it).
  it.each<[string, unknown]>([
    ['an unknown option', { retention: 30 }],
    ['an unknown built-in vendor', { vendors: { acme: true } }],
    ['an option of another vendor', { vendors: { quarterzip: { tokenHeader: 'x' } } }],
    ['a vendor as a string', { vendors: { qcall: 'yes' } }],
    ['a tolerance out of range', { vendors: { converc: { toleranceSeconds: 0 } } }],
    ['a header name with a space', { vendors: { qcall: { tokenHeader: 'x token' } } }],
    ['empty dedupFields', { vendors: { qcall: { dedupFields: [] } } }],
    ['a limit out of range', { maxBodyBytes: 10 }],
    ['a fractional retention', { retentionDays: 10.5 }],
    ['a custom vendor in upper case', { customVendors: [{ ...RINGLY, name: 'Ringly' }] }],
    ['an unknown scheme', { customVendors: [{ ...RINGLY, auth: { scheme: 'rsa' } }] }],
    ['a bad encoding', hmac({ encoding: 'b64' })],
    ['timestamp.body without a timestamp', hmac({ signedPayload: 'timestamp.body' })],
    ['timestampKey without signatureKey', hmac({ timestampKey: 't' })],
    ['a field that is no pointer', { customVendors: [{ ...RINGLY, fields: { eventType: 'type' } }] }],
    ['an unknown normalized type', { customVendors: [{ ...RINGLY, typeMap: { a: 'call.done' } }] }],
    ['a bad method', { customVendors: [{ ...RINGLY, methods: ['FETCH'] }] }],
  ])('refuses %s, as resolveConfig does', (_name, config) => {
    expect(() => resolveConfig(config)).toThrow();
    expect(validate(config)).toBe(false);
  });

  it.each<[string, unknown]>([
    ['no key at all', {}],
    ['vendors with options and false', { vendors: { qcall: { tokenHeader: 'x-token', dedupFields: ['order_id'] }, atoms: false, koeiq: { enabled: true } } }],
    ['a static-token custom vendor', { customVendors: [{ ...RINGLY, auth: { scheme: 'static-token', header: 'X-Token', prefix: 'Bearer ' } }] }],
    ['the comment key', { '//': 'only Quarterzip here', vendors: { quarterzip: true } }],
  ])('accepts %s, as resolveConfig does', (_name, config) => {
    expect(() => resolveConfig(config)).not.toThrow();
    expect(validate(config)).toBe(true);
  });
});

describe('schema/call-event.schema.json', () => {
  const valid = {
    schemaVersion: '1',
    eventId: '3f2c1d7e-8a4b-5c6d-9e0f-1a2b3c4d5e6f',
    type: 'call.ended',
    vendor: 'quarterzip',
    vendorEventType: 'call.completed',
    occurredAt: '2026-11-22T12:00:00.000Z',
    receivedAt: '2026-11-22T12:00:01.000Z',
    callId: null,
    test: false,
    transcript: { turns: [{ speaker: 'agent', text: 'Hello' }], truncated: false },
  };

  it('accepts a well-formed detail', () => {
    expect(schemaErrors(valid)).toEqual([]);
  });

  // The fixture suite validates every fixture's event against this schema: it must keep refusing these.
  it.each<[string, Record<string, unknown>]>([
    ['an unknown field', { ...valid, extra: 1 }],
    ['a missing required field', (({ callId: _omit, ...rest }) => rest)(valid)],
    ['an eventId that is no UUID', { ...valid, eventId: 'e1' }],
    ['a receivedAt that is no date-time', { ...valid, receivedAt: 'yesterday' }],
    ['an unknown type', { ...valid, type: 'call.done' }],
    ['another schema version', { ...valid, schemaVersion: '2' }],
    ['an empty callId', { ...valid, callId: '' }],
    ['a transcript turn without text', { ...valid, transcript: { turns: [{ speaker: 'agent' }], truncated: false } }],
    ['a negative duration', { ...valid, call: { durationSeconds: -1 } }],
    ['an offload without its digest', { ...valid, offload: { part: 'detail', url: 's3://b/k', key: 'k', bytes: 1 } }],
  ])('refuses %s', (_name, detail) => {
    expect(schemaErrors(detail)).not.toEqual([]);
  });
});
