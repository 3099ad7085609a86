/**
 * The schema registry: one JSONSchemaDraft4 schema per normalized detail-type, generated from the shipped
 * schema/call-event.schema.json, valid draft-04 within the registry's size limit, and describing what a rule's
 * target receives (every fixture's event validates against the schema of its own detail-type, and only that).
 */
import { Template } from 'aws-cdk-lib/assertions';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { Callhooks } from '../../lib';
import { CallEventSchemas, MAX_SCHEMA_CONTENT_CHARS, schemaName } from '../../lib/event-schemas';
import { DRAFT4, laterDraftKeywords, toDraft4 } from '../../lib/private/draft4';
import { resolveConfig } from '../../lambda/config/config';
import { NORMALIZED_TYPES } from '../../lambda/core/event';
import { handleDelivery } from '../../lambda/core/pipeline';
import { createAdapters } from '../../lambda/vendors';
import { loadFixtures, signedDelivery } from '../helpers/fixtures';
import { memoryWorld } from '../helpers/memory';
import { testStack } from './app';
import { ALL_VENDORS_CONFIG_FILE, readConfig } from '../helpers/configs';

type Schema = Record<string, any>;

function schemasOf(props: ConstructorParameters<typeof Callhooks>[2] = {}): { template: Template; byType: Map<string, Schema> } {
  const stack = testStack();
  new Callhooks(stack, 'Hooks', props);
  const template = Template.fromStack(stack);
  const byType = new Map<string, Schema>();
  for (const r of Object.values(template.findResources('AWS::EventSchemas::Schema'))) {
    const content = JSON.parse(r.Properties.Content);
    byType.set(content.properties['detail-type'].enum[0], { ...r.Properties, content });
  }
  return { template, byType };
}

function draft4Validator(): Ajv04 {
  const ajv = new Ajv04({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv;
}

describe('schema registry', () => {
  const { template, byType } = schemasOf();

  it('has one registry and one JSONSchemaDraft4 schema per normalized detail-type', () => {
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    template.resourceCountIs('AWS::EventSchemas::Schema', NORMALIZED_TYPES.length);
    expect([...byType.keys()].sort()).toEqual([...NORMALIZED_TYPES].sort());
    for (const [type, s] of byType) {
      expect(s.Type).toBe('JSONSchemaDraft4');
      expect(s.SchemaName).toBe(schemaName(type));
      expect(s.RegistryName).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^HooksSchemasRegistry/), 'RegistryName'] });
    }
  });

  it('names schemas source@DetailType as the registry does for AWS events', () => {
    expect(schemaName('call.ended')).toBe('callhooks@CallEnded');
    expect(schemaName('vendor.other')).toBe('callhooks@VendorOther');
  });

  it.each([...NORMALIZED_TYPES])('%s: content is valid draft-04 without later-draft keywords, within the size limit', (type) => {
    const s = byType.get(type)!;
    expect(s.Content.length).toBeLessThanOrEqual(MAX_SCHEMA_CONTENT_CHARS);
    expect(s.content.$schema).toBe(DRAFT4);
    expect(laterDraftKeywords(s.content)).toEqual([]);
    const ajv = draft4Validator();
    expect(ajv.validateSchema(s.content)).toBe(true);
    expect(() => ajv.compile(s.content)).not.toThrow();
    expect(s.content.properties.detail).toEqual({ $ref: '#/definitions/CallEventDetail' });
    expect(s.content.definitions.CallEventDetail.properties.type).toEqual({ type: 'string', enum: [type] });
  });

  it('describes the events a rule target receives: each fixture validates against its own detail-type only', async () => {
    const config = resolveConfig(readConfig(ALL_VENDORS_CONFIG_FILE));
    const adapters = createAdapters(config.vendors);
    const validators = new Map([...byType].map(([type, s]) => [type, draft4Validator().compile(s.content)]));
    const fixtures = loadFixtures();
    expect(fixtures.length).toBeGreaterThan(10);
    for (const fixture of fixtures) {
      const adapter = adapters.get(fixture.vendor)!;
      const secret = adapter.generateSecret();
      const world = memoryWorld([adapter], { [adapter.name]: secret });
      await handleDelivery(signedDelivery(fixture, adapter, secret), world.deps);
      const [entry] = world.publisher.published;
      const event = {
        version: '0',
        id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
        'detail-type': entry.detailType,
        source: entry.source,
        account: '111122223333',
        time: entry.time.toISOString(),
        region: 'us-east-1',
        resources: [],
        detail: JSON.parse(JSON.stringify(entry.detail)),
      };
      const own = validators.get(entry.detailType)!;
      expect({ fixture: `${fixture.vendor}/${fixture.name}`, valid: own(event), errors: own.errors ?? null }).toEqual({
        fixture: `${fixture.vendor}/${fixture.name}`, valid: true, errors: null,
      });
      const other = NORMALIZED_TYPES.find((t) => t !== entry.detailType)!;
      expect(validators.get(other)!(event)).toBe(false);
    }
  });

  it('is absent when schemaRegistry is false', () => {
    const off = schemasOf({ schemaRegistry: false });
    off.template.resourceCountIs('AWS::EventSchemas::Registry', 0);
    off.template.resourceCountIs('AWS::EventSchemas::Schema', 0);
  });

  it('refuses a detail schema whose envelope would exceed the registry limit', () => {
    const huge = { type: 'object', properties: { blob: { type: 'string', description: 'x'.repeat(MAX_SCHEMA_CONTENT_CHARS) } } };
    expect(() => new CallEventSchemas(testStack(), 'S', { detailSchema: huge })).toThrow(/schema registry takes at most 100000/);
  });
});

describe('toDraft4', () => {
  it('turns draft-06+ keywords into their draft-04 forms', () => {
    expect(toDraft4({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'urn:x',
      $defs: { n: { type: 'number', exclusiveMinimum: 0, examples: [1] } },
      type: 'object',
      properties: { v: { const: '1' }, n: { $ref: '#/$defs/n' }, any: true, none: false, $comment: { type: 'string' } },
      additionalProperties: false,
    })).toEqual({
      id: 'urn:x',
      definitions: { n: { type: 'number', minimum: 0, exclusiveMinimum: true } },
      type: 'object',
      properties: { v: { enum: ['1'] }, n: { $ref: '#/definitions/n' }, any: {}, none: { not: {} }, $comment: { type: 'string' } },
      additionalProperties: false,
    });
  });

  it.each(['if', 'contains', 'propertyNames', 'prefixItems'])('refuses %s rather than loosen the schema', (keyword) => {
    expect(() => toDraft4({ type: 'object', properties: { a: { [keyword]: { type: 'string', minLength: 2 } } } })).toThrow(`schema keyword ${keyword} at #/properties/a/${keyword}`);
  });

  it("drops a record's propertyNames { type: 'string' }, which every JSON object satisfies", () => {
    expect(toDraft4({ type: 'object', propertyNames: { type: 'string' }, additionalProperties: { type: 'number' } }))
      .toEqual({ type: 'object', additionalProperties: { type: 'number' } });
  });

  it('finds the later-draft keywords left in a schema (the check the registry test relies on)', () => {
    expect(laterDraftKeywords({ properties: { a: { const: 1 }, examples: { type: 'string' } }, exclusiveMaximum: 3 })).toEqual(['#/properties/a/const', '#/exclusiveMaximum']);
  });
});
