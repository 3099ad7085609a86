import { parseSecretValue, SecretCache, SecretValueError } from '../../lambda/core/secrets';
import { DependencyError } from '../../lambda/core/errors';
import { handleDelivery } from '../../lambda/core/pipeline';
import { koeiq } from '../../lambda/vendors/koeiq';
import { loadFixtures, signedDelivery } from '../helpers/fixtures';
import { MapSecrets, memoryWorld } from '../helpers/memory';

describe('parseSecretValue', () => {
  it.each([
    ['a plain secret', 'whsec_abc', ['whsec_abc']],
    ['surrounding whitespace', '  tok \n', ['tok']],
    ['current and previous', '{"current":"new","previous":"old"}', ['new', 'old']],
    ['current only', '{"current":"new"}', ['new']],
    ['empty previous', '{"current":"new","previous":""}', ['new']],
    ['JSON without the keys is the secret itself', '{"token":"x"}', ['{"token":"x"}']],
    ['broken JSON is the secret itself', '{not json', ['{not json']],
    ['empty', '', []],
  ])('%s', (_label, raw, values) => {
    expect(parseSecretValue(raw)).toEqual(values);
  });

  it.each([
    ['an empty current', '{"current": ""}'],
    ['a blank current', '{"current": "  "}'],
    ['a null current', '{"current": null}'],
    ['a numeric current', '{"current": 42, "previous": "old"}'],
    ['a previous without current', '{"previous": "old"}'],
    ['an empty current beside a previous', '{"current": "", "previous": "old"}'],
  ])('refuses the rotation form with %s as a configuration error, never taking the JSON text as the key', (_label, raw) => {
    expect(() => parseSecretValue(raw)).toThrow(SecretValueError);
    expect(() => parseSecretValue(raw)).toThrow('the secret holds {"current", "previous"} but "current" is not a non-empty string');
  });
});

describe('a secret whose rotation form has no current value', () => {
  it.each(['{"current": ""}', '{"current": null}'])('%s is refused as an unusable credential, never verifying with the JSON text', async (raw) => {
    // Prepare: a delivery signed with the literal text, which was the key before
    const adapter = koeiq();
    const fixture = loadFixtures('koeiq').find((f) => f.name === 'transcription-completed')!;
    const w = memoryWorld([adapter], { koeiq: raw });

    // Act
    const reply = await handleDelivery(signedDelivery(fixture, adapter, raw), w.deps);

    // Assert
    expect(reply.statusCode).toBe(401);
    expect(w.publisher.published).toHaveLength(0);
    expect(w.log.lines.filter((l) => l.message === 'delivery refused: authentication failed').map((l) => l.extra?.reason)).toEqual(['unusable-credential']);
  });

  it('gives an adapter without a scheme no value to verify with', async () => {
    const cache = new SecretCache(new MapSecrets({ v: '{"current": ""}' }));
    expect(await cache.get('v')).toEqual([]);
  });
});

describe('SecretCache', () => {
  it('reads once within maxAge, again after it', async () => {
    let now = 0;
    const source = new MapSecrets({ v: 's1' });
    const cache = new SecretCache(source, { maxAgeMs: 1000, clock: () => now });
    await cache.get('v');
    now = 999;
    await cache.get('v');
    expect(source.fetches).toBe(1);
    now = 1000;
    await cache.get('v');
    expect(source.fetches).toBe(2);
  });

  it('re-reads after a failure at most once per minRefreshInterval', async () => {
    let now = 0;
    const source = new MapSecrets({ v: 's1' });
    const cache = new SecretCache(source, { minRefreshIntervalMs: 5000, clock: () => now });
    await cache.get('v');
    now = 4999;
    expect(await cache.refreshAfterFailure('v')).toBeUndefined();
    expect(source.fetches).toBe(1);
    source.values.v = 's2';
    now = 5000;
    expect(await cache.refreshAfterFailure('v')).toEqual(['s2']);
    expect(await cache.get('v')).toEqual(['s2']);
  });

  it('answers undefined when a refresh finds the same value', async () => {
    const cache = new SecretCache(new MapSecrets({ v: 's1' }), { minRefreshIntervalMs: 0 });
    await cache.get('v');
    expect(await cache.refreshAfterFailure('v')).toBeUndefined();
  });

  it('shares one read between concurrent callers', async () => {
    const source = new MapSecrets({ v: 's1' });
    const cache = new SecretCache(source);
    await Promise.all([cache.get('v'), cache.get('v'), cache.get('v')]);
    expect(source.fetches).toBe(1);
  });

  it('wraps source failures in DependencyError', async () => {
    const source = new MapSecrets({});
    await expect(new SecretCache(source).get('v')).rejects.toBeInstanceOf(DependencyError);
  });
});
