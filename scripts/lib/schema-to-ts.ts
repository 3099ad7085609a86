/**
 * TypeScript declarations of a JSON Schema (the subset `z.toJSONSchema` writes for the CallEvent: objects with
 * `properties`/`required`/`additionalProperties`, arrays, `enum`, `const`, `anyOf`, `type` lists, `{}` for
 * unknown), so that `callhooks/events` declares the event without a zod type in it: a subscriber type-checks
 * it with `skipLibCheck: false` and no `esModuleInterop`. Every property and array is read-only, as the zod
 * type's `DeepReadonly` makes them; descriptions become TSDoc.
 */
type Schema = {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Schema;
  readonly items?: Schema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly Schema[];
};

const SCALARS: Readonly<Record<string, string>> = { string: 'string', number: 'number', integer: 'number', boolean: 'boolean', null: 'null' };

function doc(description: string | undefined, indent: string): string {
  if (!description) return '';
  return `${indent}/** ${description.replace(/\*\//g, '*\\/')} */\n`;
}

/** The TypeScript type of `schema`, at `indent` (for object literals over several lines). */
export function typeOf(schema: Schema, indent = ''): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.anyOf) return schema.anyOf.map((s) => typeOf(s, indent)).join(' | ');
  if (Array.isArray(schema.type)) return schema.type.map((t) => SCALARS[t] ?? 'unknown').join(' | ');
  const type = schema.type as string | undefined;
  if (type === 'array') {
    const item = typeOf(schema.items ?? {}, indent);
    return /[|&]/.test(item) && !item.trimStart().startsWith('{') ? `ReadonlyArray<${item}>` : `ReadonlyArray<${item}>`;
  }
  if (type === 'object') {
    if (!schema.properties) {
      const value = typeof schema.additionalProperties === 'object' ? typeOf(schema.additionalProperties, indent) : 'unknown';
      return `{ readonly [key: string]: ${value} }`;
    }
    return `{\n${members(schema, `${indent}  `)}${indent}}`;
  }
  if (type !== undefined) return SCALARS[type] ?? 'unknown';
  return 'unknown';
}

/** The members of an object schema, one per line with its TSDoc. */
export function members(schema: Schema, indent: string): string {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
    return `${doc(property.description, indent)}${indent}readonly ${key}${required.has(name) ? '' : '?'}: ${typeOf(property, indent)};\n`;
  }).join('');
}
