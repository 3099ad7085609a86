import { parseTimestamp, verdictOfSecrets } from '../../lambda/schemes/common';

describe('parseTimestamp, unit "auto": Unix seconds, or milliseconds from 13 digits on (read to the second)', () => {
  it.each([
    ['10-digit seconds', '1763812800', 1763812800_000],
    ['12 digits are still seconds', '176381280000', 176381280000_000],
    ['13-digit milliseconds', '1763812800123', 1763812800_000],
    ['a 16-digit value read as milliseconds', '1763812800123456', 1763812800123_000],
    ['zero', '0', 0],
    ['leading zeros count as digits', '0001763812800', 1763812_000],
  ])('reads %s', (_label, text, ms) => {
    expect(parseTimestamp(text, 'auto')).toBe(ms);
  });

  it.each([
    ['undefined', undefined],
    ['empty', ''],
    ['negative', '-1763812800'],
    ['decimal', '1763812800.5'],
    ['exponent', '1e9'],
    ['hex', '0x1A'],
    ['padded with spaces', ' 1763812800'],
    ['letters', '17638128a0'],
    ['17 digits', '1'.repeat(17)],
    ['400 digits', '9'.repeat(400)],
  ])('refuses %s', (_label, text) => {
    expect(parseTimestamp(text, 'auto')).toBeUndefined();
    expect(parseTimestamp(text, 's')).toBeUndefined();
    expect(parseTimestamp(text, 'ms')).toBeUndefined();
  });
});

describe('verdictOfSecrets: the verdict of a shared-secret scheme', () => {
  const vouches = { body: true, headers: [], url: false } as const;
  const secrets = (...values: string[]) => values.map((secret) => ({ kind: 'secret' as const, secret }));

  it('accepts with the index of the first secret that matches, trying every one', () => {
    const tried: string[] = [];
    const verdict = verdictOfSecrets(secrets('new', 'old', 'old'), (s) => (tried.push(s), s === 'old'), vouches, { signedAt: new Date(0) });
    expect(verdict).toEqual({ ok: true, credential: 1, vouches, signedAt: new Date(0) });
    expect(tried).toEqual(['new', 'old', 'old']);
  });

  it('refuses no-key-matched when none matches, and never offers an empty secret to match', () => {
    const tried: string[] = [];
    expect(verdictOfSecrets(secrets('', 'a'), (s) => (tried.push(s), true), vouches)).toMatchObject({ ok: true, credential: 1 });
    expect(tried).toEqual(['a']);
    expect(verdictOfSecrets(secrets(''), () => true, vouches)).toEqual({ ok: false, reason: 'no-key-matched' });
    expect(verdictOfSecrets(secrets('a', 'b'), () => false, vouches)).toEqual({ ok: false, reason: 'no-key-matched' });
  });

  it('refuses wrong-key-kind when any credential is not a shared secret, without trying any', () => {
    const matches = jest.fn(() => true);
    expect(verdictOfSecrets([...secrets('a'), { kind: 'fields', fields: { key: 'k' } }], matches, vouches)).toEqual({ ok: false, reason: 'wrong-key-kind' });
    expect(matches).not.toHaveBeenCalled();
  });
});
