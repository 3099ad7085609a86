/**
 * Every documented payload of every vendor (fixtures/<vendor>/*.json), signed as that vendor signs,
 * becomes exactly one schema-valid event of the right source and type; its redelivery is a duplicate — except
 * QCall's without `dedupFields`: QCall fires once per call and never retries, so a second delivery is a second call.
 */
import { resolveConfig } from '../../lambda/config/config';
import { handleDelivery } from '../../lambda/core/pipeline';
import { createAdapters } from '../../lambda/vendors';
import { loadFixtures, schemaErrors, signedDelivery } from '../helpers/fixtures';
import { memoryWorld } from '../helpers/memory';
import { ALL_VENDORS_CONFIG_FILE, readConfig } from '../helpers/configs';

const config = resolveConfig(readConfig(ALL_VENDORS_CONFIG_FILE));
const adapters = createAdapters(config.vendors);
const fixtures = loadFixtures();

describe('vendor fixtures', () => {
  it('covers every enabled vendor', () => {
    const covered = new Set(fixtures.map((f) => f.vendor));
    expect([...adapters.keys()].filter((v) => !covered.has(v))).toEqual([]);
  });

  /** QCall without dedupFields: every delivery is its own event. */
  const everyDeliveryNew = (vendor: string) =>
    config.vendors.some((v) => v.kind === 'builtin' && v.name === 'qcall' && vendor === 'qcall' && v.options.dedupFields === undefined);

  it.each(fixtures.map((f) => [`${f.vendor}/${f.name}`, f] as const))('%s → one event, then a duplicate (QCall: a second event)', async (_name, fixture) => {
    // Prepare
    const adapter = adapters.get(fixture.vendor);
    if (!adapter) throw new Error(`fixture for ${fixture.vendor}, which is not enabled in examples/all-vendors/callhooks.config.json`);
    const secret = adapter.generateSecret();
    const world = memoryWorld([adapter], { [adapter.name]: secret });
    const now = new Date();

    // Act
    const first = await handleDelivery({ ...signedDelivery(fixture, adapter, secret, now), requestId: 'req-1' }, world.deps);
    const again = await handleDelivery({ ...signedDelivery(fixture, adapter, secret, new Date(now.getTime() + 1000)), requestId: 'req-2' }, world.deps);

    // Assert
    expect(first.statusCode).toBe(200);
    expect(first.body).toMatchObject({ status: 'published' });
    const [entry] = world.publisher.published;
    expect(entry.source).toBe(`callhooks.${fixture.vendor}`);
    expect(entry.detailType).toBe(fixture.expect.type);
    expect(entry.detail).toMatchObject(fixture.expect);
    expect(schemaErrors(JSON.parse(JSON.stringify(entry.detail)))).toEqual([]);
    expect(again.statusCode).toBe(200);
    if (everyDeliveryNew(fixture.vendor)) {
      expect(again.body).toMatchObject({ status: 'published' });
      expect(world.publisher.published.map((e) => e.detail.eventId)).toEqual([entry.detail.eventId, again.body.eventId]);
      expect(again.body.eventId).not.toBe(entry.detail.eventId);
    } else {
      expect(again.body).toEqual({ status: 'duplicate', duplicate: true, eventId: entry.detail.eventId });
      expect(world.publisher.published).toHaveLength(1);
    }
  });
});
