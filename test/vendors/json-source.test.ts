/** The lossless reading of integer literals beyond 2^53 (lambda/vendors/json-source.ts). */
import fc from 'fast-check';
import { idAt, numberText, unsafeIntegerLiterals } from '../../lambda/vendors/json-source';

/** A JSON tree whose leaves may be big integer literals, kept as their text. */
type Tree = { big: string } | string | number | boolean | null | Tree[] | { [k: string]: Tree };
const bigLiteral = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 2n ** 53n + 1n, max: 10n ** 30n }))
  .map(([neg, n]) => ({ big: `${neg ? '-' : ''}${n}` }));
const keyArb = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a/b', '~x', 'id', '"q"', '\\', 'é'));
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    bigLiteral,
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(keyArb, tie('tree'), { maxKeys: 4 }),
  ),
}));

const isBig = (t: Tree): t is { big: string } => typeof t === 'object' && t !== null && !Array.isArray(t) && Object.keys(t).length === 1 && typeof (t as { big?: unknown }).big === 'string';
const ptr = (parent: string, key: string | number) => `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** Serializes with random whitespace; returns the text and the expected literals by pointer. */
function render(t: Tree, pointer: string, out: Map<string, string>, ws: string): string {
  if (isBig(t)) {
    out.set(pointer, t.big);
    return t.big;
  }
  if (Array.isArray(t)) return `[${ws}${t.map((x, i) => render(x, ptr(pointer, i), out, ws)).join(`${ws},${ws}`)}${ws}]`;
  if (typeof t === 'object' && t !== null) {
    return `{${ws}${Object.entries(t)
      .map(([k, v]) => `${JSON.stringify(k)}${ws}:${ws}${render(v, ptr(pointer, k), out, ws)}`)
      .join(`${ws},${ws}`)}${ws}}`;
  }
  const text = JSON.stringify(t);
  // A double written as an integer literal past the safe range (2^53 itself, 1e20) is one too.
  if (typeof t === 'number' && /^-?\d+$/.test(text) && !Number.isSafeInteger(t)) out.set(pointer, text);
  return text;
}

describe('unsafeIntegerLiterals', () => {
  it('finds every integer literal beyond 2^53, by pointer, in any document', () => {
    fc.assert(
      fc.property(tree, fc.constantFrom('', ' ', '\n\t '), (t, ws) => {
        const expected = new Map<string, string>();
        const text = render(t, '', expected, ws);
        expect(() => JSON.parse(text)).not.toThrow();
        expect(unsafeIntegerLiterals(text)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('ignores digits inside strings, fractions and exponents', () => {
    expect(unsafeIntegerLiterals('{"a":"9007199254740993","b":9007199254740993.5,"c":9.007199254740993e15,"d":"\\"}9007199254740995"}')).toEqual(new Map());
  });

  it('keeps the last of repeated keys, as JSON.parse does', () => {
    const text = '{"a":{"b":9007199254740993},"a":{"b":9007199254740995.0},"c":9007199254740995,"c":9007199254740997,"d":9007199254740999,"d":"x"}';
    const literals = unsafeIntegerLiterals(text);
    expect([literals.get('/c'), literals.get('/d')]).toEqual(['9007199254740997', undefined]);
    // A stale literal deeper under a repeated key is not used: it is not the number JSON.parse read there.
    const doc = JSON.parse(text) as unknown;
    expect(idAt(Buffer.from(text), doc, '/a/b')).toBe(String(9007199254740995));
  });

  it('never throws nor recurses: deep nesting, truncated and non-JSON text', () => {
    const nested = (depth: number) => `${'['.repeat(depth)}9007199254740993${']'.repeat(depth)}`;
    expect(unsafeIntegerLiterals(nested(200)).get('/0'.repeat(200))).toBe('9007199254740993');
    // Past MAX_SCAN_DEPTH the scan stops, at once: 1 MB of nesting is no work.
    const started = Date.now();
    expect(unsafeIntegerLiterals(nested(500_000))).toEqual(new Map());
    expect(Date.now() - started).toBeLessThan(1000);
    for (const text of ['{"a":9007199254740993', '{"a" 1}', 'order_id=9007199254740993&x=1', '', '{', '"abc', '[1,,2]', 'nul']) {
      expect(() => unsafeIntegerLiterals(text)).not.toThrow();
    }
  });
});

describe('numberText and idAt', () => {
  const body = Buffer.from('{"id":9007199254740993,"n":42,"s":"x","e":""}');
  const doc = JSON.parse(body.toString()) as unknown;

  it('reads ids as they were sent', () => {
    expect(idAt(body, doc, '/id')).toBe('9007199254740993');
    expect(idAt(body, doc, '/n')).toBe('42');
    expect(idAt(body, doc, '/s')).toBe('x');
    expect(idAt(body, doc, '/e')).toBeUndefined();
    expect(idAt(body, doc, '/missing')).toBeUndefined();
  });

  it('falls back to String(value) when the text does not hold that number there', () => {
    expect(numberText(body, '/other', 2 ** 60)).toBe(String(2 ** 60));
    expect(numberText(body, '/id', 2 ** 60)).toBe(String(2 ** 60));
  });
});
