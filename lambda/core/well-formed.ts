/**
 * Text that is not well-formed UTF-16 (a lone surrogate, which JSON's `"\ud800"` escape makes) has no UTF-8
 * form: `Buffer.from`, `hash.update(text, 'utf8')` and DynamoDB turn each lone surrogate into U+FFFD, so ids that
 * differ only there would collapse into one. Keys made of such text take these helpers instead.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` holds no lone surrogate (the same as ES2024's `String.prototype.isWellFormed`). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * Bytes that tell every string apart, well-formed or not, and that no well-formed string's UTF-8 can equal: a
 * 0xFF byte (never part of UTF-8) followed by the UTF-16LE code units.
 */
export function illFormedBytes(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff]), Buffer.from(text, 'utf16le')]);
}
