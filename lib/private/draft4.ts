/**
 * Turns the shipped CallEvent JSON Schema (draft-07, generated) into JSON Schema draft-04, the dialect the
 * EventBridge schema registry takes (`JSONSchemaDraft4`), and wraps it in the EventBridge envelope.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const DRAFT4 = 'http://json-schema.org/draft-04/schema#';

/** Keywords of draft-06 and later with no draft-04 meaning: annotations only, dropped. */
const DROPPED = new Set(['$comment', 'examples', 'readOnly', 'writeOnly', 'contentEncoding', 'contentMediaType', 'deprecated']);
/** Keywords of draft-06 and later that constrain instances and that draft-04 cannot express. */
const UNSUPPORTED = new Set(['contains', 'propertyNames', 'if', 'then', 'else', 'dependentRequired', 'dependentSchemas', 'unevaluatedProperties', 'unevaluatedItems', 'prefixItems', '$dynamicRef', '$anchor']);
/** Keywords whose value is a map of name → schema. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);
/** Keywords whose value is a schema or a list of schemas. */
const SCHEMA_VALUES = new Set(['items', 'additionalItems', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf']);

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function isTrivialPropertyNames(v: Json): boolean {
  return v === true || (isObject(v) && Object.keys(v).length === 1 && v.type === 'string');
}

function convertRef(ref: string): string {
  return ref.replace(/^#\/\$defs\//, '#/definitions/');
}

/**
 * A draft-04 copy of `schema`: `const` becomes a one-value `enum`, numeric `exclusiveMinimum`/`exclusiveMaximum`
 * become `minimum`/`maximum` with the draft-04 boolean, `$defs` become `definitions`, `$id` becomes `id`, a boolean
 * schema becomes `{}` or `{ not: {} }`, and annotations draft-04 lacks (`examples`, `$comment`, …) are dropped.
 * Throws on a keyword that constrains instances and has no draft-04 form, rather than loosening the schema.
 */
export function toDraft4(schema: Json, path = '#'): Json {
  if (schema === true) return {};
  if (schema === false) return { not: {} };
  if (!isObject(schema)) throw new Error(`schema at ${path} is not an object`);
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    const at = `${path}/${key}`;
    if (DROPPED.has(key)) continue;
    // `propertyNames: { type: 'string' }` (what zod writes for a record) holds for every object: JSON keys are strings.
    if (key === 'propertyNames' && isTrivialPropertyNames(value)) continue;
    if (UNSUPPORTED.has(key)) throw new Error(`schema keyword ${key} at ${at} has no JSON Schema draft-04 form`);
    if (key === '$schema') continue;
    if (key === '$id') {
      out.id = value;
    } else if (key === '$ref') {
      out.$ref = convertRef(String(value));
    } else if (key === 'const') {
      out.enum = [value];
    } else if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value === 'number') {
      out[key === 'exclusiveMinimum' ? 'minimum' : 'maximum'] = value;
      out[key] = true;
    } else if (SCHEMA_MAPS.has(key)) {
      if (!isObject(value)) throw new Error(`schema keyword ${key} at ${at} is not an object`);
      const target = key === '$defs' ? 'definitions' : key;
      const converted = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, toDraft4(s, `${at}/${name}`)]));
      out[target] = { ...(isObject(out[target]) ? (out[target] as JsonObject) : {}), ...converted };
    } else if (SCHEMA_VALUES.has(key)) {
      out[key] = Array.isArray(value) ? value.map((s, i) => toDraft4(s, `${at}/${i}`)) : typeof value === 'boolean' && key === 'additionalProperties' ? value : toDraft4(value, at);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Keywords a draft-04 validator must not meet in a converted schema (used by the tests and the construct). */
export function laterDraftKeywords(schema: Json, path = '#'): string[] {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => laterDraftKeywords(s, `${path}/${i}`));
  if (!isObject(schema)) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    const inMap = key === 'properties' || key === 'patternProperties' || key === 'definitions' || key === 'enum';
    if (!inMap && (DROPPED.has(key) || UNSUPPORTED.has(key) || key === 'const' || key === '$defs' || key === '$id')) found.push(`${path}/${key}`);
    if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value !== 'boolean') found.push(`${path}/${key}`);
    if (key === 'enum') continue;
    if (inMap && isObject(value)) {
      for (const [name, s] of Object.entries(value)) found.push(...laterDraftKeywords(s, `${path}/${key}/${name}`));
    } else {
      found.push(...laterDraftKeywords(value, `${path}/${key}`));
    }
  }
  return found;
}

/**
 * The JSON Schema (draft-04) of a whole EventBridge event of one detail-type: the envelope fields EventBridge
 * adds, `source` = `callhooks.<vendor>`, `detail-type` fixed, and `detail` the CallEvent detail with its `type`
 * fixed to the same value.
 */
export function envelopeSchema(detailSchema: Json, detailType: string, title: string): JsonObject {
  const detail = toDraft4(detailSchema) as JsonObject;
  const { definitions, id: _id, title: detailTitle, ...detailBody } = detail;
  const properties = isObject(detailBody.properties) ? detailBody.properties : {};
  const fixedDetail: JsonObject = {
    ...detailBody,
    ...(typeof detailTitle === 'string' ? { description: `${detailTitle}. ${detailBody.description ?? ''}`.trim() } : {}),
    properties: { ...properties, type: { type: 'string', enum: [detailType] } },
  };
  const str: JsonObject = { type: 'string' };
  return {
    $schema: DRAFT4,
    title,
    description: `A callhooks event of detail-type ${detailType} as EventBridge delivers it to a rule's target.`,
    type: 'object',
    required: ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'],
    properties: {
      version: str,
      id: str,
      'detail-type': { type: 'string', enum: [detailType] },
      source: { type: 'string', pattern: '^callhooks\\.[a-z][a-z0-9-]*$' },
      account: str,
      time: { type: 'string', format: 'date-time' },
      region: str,
      resources: { type: 'array', items: str },
      detail: { $ref: '#/definitions/CallEventDetail' },
    },
    definitions: { ...(isObject(definitions) ? definitions : {}), CallEventDetail: fixedDetail },
  };
}
