/**
 * Building blocks of the schemas (zod 4) that define the configuration, each vendor's options and the
 * CallEvent: every block carries the message a bad value gets, `formatIssues` turns zod's issues into
 * `<field path> <expectation>, got <value>`, and `toJsonSchema` gives the JSON Schema the project ships.
 *
 * Synth time, local mode, tests and scripts only. Runtime code reaches these through `import type`, or through
 * functions that build a schema when called (`quarterzipOptions()`), so that esbuild drops them, and zod with
 * them, from every function's bundle (`test/config/bundles.test.ts` checks it).
 */
import { z } from 'zod';
import { ENDPOINT_NAME_RE } from '../contracts/endpoints';

/** The type with every property and array element read-only, all the way down. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The options a schema-building function accepts, read-only (the type a factory takes). */
export type OptionsOf<F extends () => z.ZodType> = DeepReadonly<z.input<ReturnType<F>>>;

const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const quote = (values: readonly string[]): string => {
  const q = values.map((v) => JSON.stringify(v));
  return q.length <= 2 ? q.join(' or ') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
};

/** An integer in [min, max]. */
export function intRange(min: number, max: number) {
  const error = `must be an integer from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

export function nonEmptyString() {
  const error = 'must be a non-empty string';
  return z.string({ error }).min(1, { error, abort: true });
}

export function stringValue() {
  return z.string({ error: 'must be a string' });
}

export function flag() {
  return z.boolean({ error: 'must be a boolean' });
}

export function headerName() {
  const error = 'must be an HTTP header name';
  return z.string({ error }).regex(HEADER_NAME_RE, { error });
}

/** One of a few strings: `must be "a" or "b"`. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be ${quote(values)}` });
}

/**
 * An object that accepts only the keys of `shape`; an unknown key `k` reads
 * `<path>.k ${unknownKey(list of keys)}`.
 */
export function strictObject<S extends z.ZodRawShape>(
  shape: S,
  messages: { readonly notObject?: string; readonly unknownKey: (keys: string) => string },
) {
  const keys = Object.keys(shape).filter((k) => !k.startsWith('$') && k !== '//').join(', ');
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? messages.unknownKey(keys) : (messages.notObject ?? 'must be an object')),
  });
}

/** The options every built-in vendor accepts. */
export function commonVendorOptions() {
  return {
    enabled: flag().optional().meta({ description: 'Whether the vendor gets a route, a function and a secret.', default: true }),
    toleranceSeconds: intRange(1, 3600).optional().meta({
      description: 'Accepted clock skew for vendors that sign a timestamp, in seconds.',
      default: 300,
    }),
  };
}

const ENDPOINT_NAME_ERROR = 'must be an endpoint name: 1 to 32 of a-z, 0-9 and -';

function endpointName() {
  return z.string({ error: ENDPOINT_NAME_ERROR }).regex(ENDPOINT_NAME_RE, { error: ENDPOINT_NAME_ERROR });
}

/**
 * A vendor's `endpoints` (DESIGN.md §Endpoints): a list of endpoint names, or an object of endpoint name →
 * that endpoint's own options (`endpointOptions`: those that may differ per account), overriding the vendor's.
 */
export function endpointsOption<T extends z.ZodRawShape>(what: string, endpointOptions: T) {
  const listError = 'must be a non-empty array of endpoint names, or an object of endpoint name → its options';
  const list = z.array(endpointName(), { error: listError }).min(1, { error: listError }).meta({ uniqueItems: true }).superRefine((names, ctx) => {
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `lists the endpoint "${name}" twice` });
    });
  });
  const options = strictObject(endpointOptions, {
    notObject: 'must be an object (the options of this endpoint)',
    unknownKey: (keys) => `is not an option of an endpoint of ${what} (an endpoint's options: ${keys})`,
  });
  const byName = z.record(endpointName(), options, {
    error: (iss) => (iss.code === 'invalid_key' ? 'has a key that is not an endpoint name (1 to 32 of a-z, 0-9 and -)' : listError),
  }).refine((o) => Object.keys(o).length > 0, { error: listError });
  return z.union([list, byName], { error: listError }).optional().meta({
    description: `The ${what} accounts (workspaces, organizations, tenants, assistants) to receive, each with its own route ` +
      '/webhooks/<vendor>/<endpoint> and its own secret: a list of names (1 to 32 of a-z, 0-9 and -), or an object of name → ' +
      "that endpoint's own options, which override the vendor's. List \"default\" to keep the plain route /webhooks/<vendor>. " +
      'Default: one endpoint, "default", at the plain route.',
  });
}

/**
 * A built-in vendor's options: the common ones plus its own, and `endpoints`, whose objects may override
 * `toleranceSeconds` and the own options named in `perEndpoint` (how a delivery is authenticated; never how
 * it is identified, so that the same vendor event at two endpoints stays one event).
 */
export function vendorOptions<S extends z.ZodRawShape, K extends keyof S & string = never>(
  vendor: string,
  own: S,
  description: string,
  perEndpoint: readonly K[] = [],
) {
  const common = commonVendorOptions();
  const picked = Object.fromEntries(perEndpoint.map((key) => [key, own[key]])) as Pick<S, K>;
  const endpointShape = { toleranceSeconds: common.toleranceSeconds, ...picked };
  return strictObject(
    { ...common, ...own, endpoints: endpointsOption(vendor, endpointShape) },
    { notObject: 'must be true, false or an object', unknownKey: (keys) => `is not an option of ${vendor} (options: ${keys})` },
  ).meta({ description });
}

/** The options every built-in vendor takes: `enabled` (default true) and `toleranceSeconds` (1–3600, default 300). */
export type CommonVendorOptions = DeepReadonly<{ [K in keyof ReturnType<typeof commonVendorOptions>]?: z.input<ReturnType<typeof commonVendorOptions>[K]> }>;

// ---- messages -----------------------------------------------------------------------------------------

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

function formatPath(path: Path): string {
  return path
    .map((seg, i) => {
      if (typeof seg === 'number') return `[${seg}]`;
      const s = String(seg);
      if (/^[A-Za-z_$][\w$]*$/.test(s)) return i === 0 ? s : `.${s}`;
      return `[${JSON.stringify(s)}]`;
    })
    .join('');
}

function valueAt(input: unknown, path: Path): unknown {
  let cur: unknown = input;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null || !Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** A union's issues: those of the one branch that took the value's type, else the union's own. */
function flatten(issue: Issue, base: Path): Array<{ issue: Issue; path: Path }> {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const matching = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
    if (matching.length === 1) return matching[0].flatMap((i) => flatten(i, path));
  }
  return [{ issue, path }];
}

/**
 * zod's issues as messages that name the field and the bad value, in the order of the input's fields:
 * `customVendors[0].auth.encoding must be "hex" or "base64", got "b64"`. `root` names the value itself.
 */
export function formatIssues(issues: readonly Issue[], input: unknown, root: string): string[] {
  const lines = issues.flatMap((i) => flatten(i, [])).flatMap(({ issue, path }) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${formatPath([...path, k])} ${issue.message}`);
    // A record's bad key: named at the record, the key as the bad value.
    if (issue.code === 'invalid_key') return [`${path.length <= 1 ? root : formatPath(path.slice(0, -1))} ${issue.message}, got ${show(path[path.length - 1])}`];
    const where = path.length === 0 ? root : formatPath(path);
    const sep = issue.message.startsWith(':') ? '' : ' ';
    const got = issue.code === 'custom' ? '' : `, got ${show(valueAt(input, path))}`;
    return [`${where}${sep}${issue.message}${got}`];
  });
  return [...new Set(lines)];
}

// ---- JSON Schema --------------------------------------------------------------------------------------

const SAFE_INT = 9007199254740991;

/**
 * The JSON Schema (draft-07, what editors and ajv read) of a schema's input. Two things zod adds are left
 * out, so that the schema says what the contract says: the regular expression zod writes beside a `format`
 * (`uuid`, `date-time`: the format is the contract), and the ±2^53 bounds it writes on every integer.
 */
export function toJsonSchema(schema: z.ZodType, head: { readonly $id: string; readonly title: string; readonly description: string }): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'throw',
    override: ({ jsonSchema: js }) => {
      if (typeof js.format === 'string') delete js.pattern;
      if (js.type === 'integer') {
        if (js.minimum === -SAFE_INT) delete js.minimum;
        if (js.maximum === SAFE_INT) delete js.maximum;
      }
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, ...head, ...rest };
}
