/**
 * The IAM evaluator the artifact suite proves the template's grants with (test/artifact/iam.ts): table-driven
 * cases of the policy language it implements, each with the answer IAM's documentation gives.
 */
import { conditionKeyType, evaluate, isAllowed, Statement, wildcardMatch } from './iam';

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/hooks';
const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/hooks';

describe('wildcardMatch', () => {
  it.each([
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/rejected/qcall/x.body', true],
    ['arn:aws:s3:::b/rejected/qcall/*', 'arn:aws:s3:::b/rejected/converc/x.body', false],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::bb/x', false],
    ['quarterzip#*', 'quarterzip#msg_1', true],
    ['quarterzip#*', 'quarterzipx#msg_1', false],
    ['quarterzip#*', 'converc#quarterzip#1', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a.c', 'abc', false],
    ['(x)+[y]', '(x)+[y]', true],
    ['*', '', true],
    ['line*', 'line\nbreak', true],
  ])('%s against %s is %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });

  it('refuses policy variables instead of matching them literally', () => {
    expect(() => wildcardMatch('arn:aws:s3:::b/${aws:username}/*', 'x')).toThrow(/policy variables/);
  });
});

describe('evaluate: actions, resources and effects', () => {
  const put: Statement = { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: TABLE };

  it.each([
    ['the granted action on the granted resource', { action: 'dynamodb:PutItem', resource: TABLE }, 'allow'],
    ['actions case-insensitively', { action: 'DynamoDB:putitem', resource: TABLE }, 'allow'],
    ['another action', { action: 'dynamodb:DeleteItem', resource: TABLE }, 'implicit-deny'],
    ['the table\'s index', { action: 'dynamodb:PutItem', resource: `${TABLE}/index/pending` }, 'implicit-deny'],
    ['resources case-sensitively', { action: 'dynamodb:PutItem', resource: TABLE.toUpperCase() }, 'implicit-deny'],
  ])('%s', (_name, req, decision) => {
    expect(evaluate([put], req).decision).toBe(decision);
  });

  it('allows with an action wildcard', () => {
    expect(isAllowed([{ Effect: 'Allow', Action: 'dynamodb:*Item', Resource: '*' }], { action: 'dynamodb:GetItem', resource: TABLE })).toBe(true);
    expect(isAllowed([{ Effect: 'Allow', Action: 'dynamodb:*Item', Resource: '*' }], { action: 'dynamodb:Scan', resource: TABLE })).toBe(false);
  });

  it('lets an explicit Deny win over any Allow, and names the statements', () => {
    const statements: Statement[] = [put, { Effect: 'Deny', Action: 'dynamodb:*', Resource: '*' }];
    expect(evaluate(statements, { action: 'dynamodb:PutItem', resource: TABLE })).toEqual({ decision: 'explicit-deny', statements: [1] });
    expect(evaluate([put], { action: 'dynamodb:PutItem', resource: TABLE })).toEqual({ decision: 'allow', statements: [0] });
  });

  it('denies everything with no statements', () => {
    expect(evaluate([], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }).decision).toBe('implicit-deny');
  });

  it('applies NotAction and NotResource', () => {
    const statements: Statement[] = [{ Effect: 'Allow', NotAction: 's3:DeleteObject', NotResource: 'arn:aws:s3:::b/secret/*' }];
    expect(isAllowed(statements, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/public/x' })).toBe(true);
    expect(isAllowed(statements, { action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/public/x' })).toBe(false);
    expect(isAllowed(statements, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/secret/x' })).toBe(false);
  });

  it('refuses a statement without Action or Resource rather than guessing', () => {
    expect(() => evaluate([{ Effect: 'Allow', Resource: '*' }], { action: 's3:GetObject', resource: 'x' })).toThrow(/Action/);
    expect(() => evaluate([{ Effect: 'Allow', Action: '*' }], { action: 's3:GetObject', resource: 'x' })).toThrow(/Resource/);
  });
});

describe('evaluate: conditions', () => {
  const leadingKeys: Statement = {
    Effect: 'Allow',
    Action: 'dynamodb:PutItem',
    Resource: TABLE,
    Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['quarterzip#*'] } },
  };
  // The template's form since issue 16: a set operator on the multivalued key, and a Null guard.
  const source: Statement = {
    Effect: 'Allow',
    Action: 'events:PutEvents',
    Resource: BUS,
    Condition: { 'ForAllValues:StringEquals': { 'events:source': 'callhooks.qcall' }, Null: { 'events:source': 'false' } },
  };
  // The template's form before: a single-valued operator on it.
  const plainSource: Statement = { Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS, Condition: { StringEquals: { 'events:source': 'callhooks.qcall' } } };
  const req = (context?: Record<string, string[]>) => ({ action: 'dynamodb:PutItem', resource: TABLE, context });

  it.each([
    ['its own key', { 'dynamodb:LeadingKeys': ['quarterzip#msg_1'] }, true],
    ['another vendor\'s key', { 'dynamodb:LeadingKeys': ['converc#msg_1'] }, false],
    ['one foreign key among its own', { 'dynamodb:LeadingKeys': ['quarterzip#1', 'converc#1'] }, false],
    ['condition key names case-insensitively', { 'DynamoDB:leadingkeys': ['quarterzip#1'] }, true],
    // IAM: ForAllValues over an absent or empty key is true (why the template grants only item actions).
    ['an absent key', undefined, true],
    ['an empty key', { 'dynamodb:LeadingKeys': [] }, true],
  ])('ForAllValues:StringLike with %s', (_name, context, allowed) => {
    expect(isAllowed([leadingKeys], req(context))).toBe(allowed);
  });

  it('types condition keys as the service authorization reference does', () => {
    expect(conditionKeyType('events:source')).toBe('ArrayOfString');
    expect(conditionKeyType('events:detail-type')).toBe('ArrayOfString');
    expect(conditionKeyType('dynamodb:LeadingKeys')).toBe('ArrayOfString');
    expect(conditionKeyType('aws:SecureTransport')).toBe('Bool');
    expect(conditionKeyType('aws:PrincipalAccount')).toBe('String');
    expect(conditionKeyType('events:eventBusArn')).toBe('ArrayOfARN');
    expect(() => conditionKeyType('k:v')).toThrow(/not in the service authorization reference/);
  });

  it.each([
    ['its own source', ['callhooks.qcall'], true],
    ['another vendor\'s source', ['callhooks.atoms'], false],
    ['a prefix of its source', ['callhooks.q'], false],
    ['its own source and another', ['callhooks.qcall', 'callhooks.atoms'], false],
    ['no source at all (the Null guard)', [], false],
  ])('ForAllValues:StringEquals events:source with a Null guard, and %s', (_name, values, allowed) => {
    expect(isAllowed([source], { action: 'events:PutEvents', resource: BUS, context: { 'events:source': values } })).toBe(allowed);
  });

  it('denies even its own source under a plain StringEquals on events:source (a multivalued key: the old template)', () => {
    for (const value of ['callhooks.qcall', 'callhooks.atoms']) {
      expect(isAllowed([plainSource], { action: 'events:PutEvents', resource: BUS, context: { 'events:source': [value] } })).toBe(false);
    }
    const plainLike: Statement = { ...plainSource, Condition: { StringLike: { 'events:source': 'callhooks.*' } } };
    expect(isAllowed([plainLike], { action: 'events:PutEvents', resource: BUS, context: { 'events:source': ['callhooks.qcall'] } })).toBe(false);
    const setLike: Statement = { ...plainSource, Condition: { 'ForAllValues:StringLike': { 'events:source': 'callhooks.*' }, Null: { 'events:source': 'false' } } };
    expect(isAllowed([setLike], { action: 'events:PutEvents', resource: BUS, context: { 'events:source': ['callhooks.qcall'] } })).toBe(true);
    expect(isAllowed([setLike], { action: 'events:PutEvents', resource: BUS, context: { 'events:source': ['aws.s3'] } })).toBe(false);
  });

  it('makes a positive operator false and a negated one true for an absent key, and lets ForAllValues pass it without a Null guard', () => {
    expect(isAllowed([plainSource], { action: 'events:PutEvents', resource: BUS })).toBe(false);
    const negated: Statement = { ...plainSource, Condition: { StringNotEquals: { 'aws:PrincipalAccount': '111111111111' } } };
    expect(isAllowed([negated], { action: 'events:PutEvents', resource: BUS })).toBe(true);
    expect(isAllowed([negated], { action: 'events:PutEvents', resource: BUS, context: { 'aws:PrincipalAccount': ['111111111111'] } })).toBe(false);
    const unguarded: Statement = { ...plainSource, Condition: { 'ForAllValues:StringEquals': { 'events:source': 'callhooks.qcall' } } };
    expect(isAllowed([unguarded], { action: 'events:PutEvents', resource: BUS })).toBe(true);
  });

  it('takes any of a key\'s policy values (OR) and needs every key and operator (AND)', () => {
    const s: Statement = {
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: BUS,
      Condition: {
        'ForAllValues:StringEquals': { 'events:source': ['callhooks.qcall', 'callhooks.atoms'], 'events:detail-type': 'call.ended' },
        'ForAllValues:StringLike': { 'events:source': 'callhooks.*' },
      },
    };
    const ctx = (src: string, type: string) => ({ action: 'events:PutEvents', resource: BUS, context: { 'events:source': [src], 'events:detail-type': [type] } });
    expect(isAllowed([s], ctx('callhooks.atoms', 'call.ended'))).toBe(true);
    expect(isAllowed([s], ctx('callhooks.atoms', 'call.started'))).toBe(false);
    expect(isAllowed([s], ctx('callhooks.koeiq', 'call.ended'))).toBe(false);
  });

  it('handles IfExists, ForAnyValue, Null and Bool', () => {
    const base = { Effect: 'Allow' as const, Action: 'x:Y', Resource: '*' };
    const ask = (Condition: Statement['Condition'], context?: Record<string, string[]>) => isAllowed([{ ...base, Condition }], { action: 'x:Y', resource: 'r', context });
    expect(ask({ StringEqualsIfExists: { 'aws:PrincipalAccount': 'a' } })).toBe(true);
    expect(ask({ StringEqualsIfExists: { 'aws:PrincipalAccount': 'a' } }, { 'aws:PrincipalAccount': ['b'] })).toBe(false);
    expect(ask({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a'] } }, { 'aws:TagKeys': ['b', 'a'] })).toBe(true);
    expect(ask({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a'] } })).toBe(false);
    // A set operator on a single-valued key never matches (a present key).
    expect(ask({ 'ForAnyValue:StringEquals': { 'aws:PrincipalAccount': ['a'] } }, { 'aws:PrincipalAccount': ['a'] })).toBe(false);
    expect(ask({ 'ForAllValues:StringEquals': { 'aws:PrincipalAccount': ['a'] } }, { 'aws:PrincipalAccount': ['a'] })).toBe(false);
    expect(ask({ Null: { 'aws:TagKeys': 'true' } })).toBe(true);
    expect(ask({ Null: { 'aws:TagKeys': 'false' } })).toBe(false);
    expect(ask({ Null: { 'aws:TagKeys': 'false' } }, { 'aws:TagKeys': ['x'] })).toBe(true);
    expect(ask({ Bool: { 'aws:SecureTransport': false } }, { 'aws:SecureTransport': ['false'] })).toBe(true);
    expect(ask({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': ['false'] })).toBe(false);
    expect(ask({ 'ForAllValues:StringNotLike': { 'dynamodb:LeadingKeys': ['converc#*'] } }, { 'dynamodb:LeadingKeys': ['qcall#1'] })).toBe(true);
    expect(ask({ 'ForAllValues:StringNotLike': { 'dynamodb:LeadingKeys': ['converc#*'] } }, { 'dynamodb:LeadingKeys': ['qcall#1', 'converc#1'] })).toBe(false);
  });

  it('refuses an operator it does not implement, a key the reference does not know, and several values of a single-valued key', () => {
    const s = (Condition: Statement['Condition']): Statement => ({ Effect: 'Allow', Action: 'x:Y', Resource: '*', Condition });
    expect(() => isAllowed([s({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3' } })], { action: 'x:Y', resource: 'r', context: { 'aws:MultiFactorAuthAge': ['1'] } })).toThrow(/NumericLessThan/);
    expect(() => isAllowed([s({ StringEquals: { 'k:v': 'a' } })], { action: 'x:Y', resource: 'r', context: { 'k:v': ['a'] } })).toThrow(/not in the service authorization reference/);
    expect(() => isAllowed([s({ StringEquals: { 'aws:PrincipalAccount': 'a' } })], { action: 'x:Y', resource: 'r', context: { 'aws:PrincipalAccount': ['a', 'b'] } })).toThrow(/single-valued/);
  });
});
