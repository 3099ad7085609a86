/**
 * Upgrade safety: the eventId of every documented vendor event is pinned. Subscribers dedup on eventId, so a
 * redelivery that spans an upgrade of callhooks must carry the same id. A change here is a breaking change
 * for every subscriber: never update the pinned values to make the test pass.
 *
 * The one deliberate change (issue 16, finding 6): QCall without `dedupFields` keys each delivery by API Gateway's
 * request id, so its pinned ids are those of the request ids given here (`fixture:<vendor>/<fixture>`, as in docs/EVENTS.md).
 */
import { resolveConfig } from '../../lambda/config/config';
import { handleDelivery } from '../../lambda/core/pipeline';
import { createAdapters } from '../../lambda/vendors';
import { qcall } from '../../lambda/vendors/qcall';
import { loadFixtures, signedDelivery } from '../helpers/fixtures';
import { memoryWorld } from '../helpers/memory';
import { ALL_VENDORS_CONFIG_FILE, readConfig } from '../helpers/configs';
import pinned from './event-ids.json';

const config = resolveConfig(readConfig(ALL_VENDORS_CONFIG_FILE));
const adapters = createAdapters(config.vendors);
const fixtures = loadFixtures();
const PINNED = pinned as Record<string, string>;

async function eventIdOf(vendor: string, name: string): Promise<string> {
  const fixture = fixtures.find((f) => f.vendor === vendor && f.name === name);
  if (!fixture) throw new Error(`no fixture ${vendor}/${name}`);
  const adapter = adapters.get(vendor)!;
  const secret = adapter.generateSecret();
  const world = memoryWorld([adapter], { [vendor]: secret });
  const delivery = { ...signedDelivery(fixture, adapter, secret, new Date()), requestId: `fixture:${vendor}/${name}` };
  const reply = await handleDelivery(delivery, world.deps);
  expect(reply.statusCode).toBe(200);
  return (reply.body as { eventId: string }).eventId;
}

describe('eventIds are stable across versions', () => {
  it('every fixture has a pinned eventId', () => {
    expect(fixtures.map((f) => `${f.vendor}/${f.name}`).sort()).toEqual(Object.keys(PINNED).sort());
  });

  it.each(Object.entries(PINNED))('%s keeps eventId %s', async (name, eventId) => {
    const [vendor, fixture] = name.split('/');
    expect(await eventIdOf(vendor, fixture)).toBe(eventId);
  });

  it("keeps QCall's eventId with dedupFields (only the key without them changed)", async () => {
    // Prepare: the documented example, keyed on order, caller and day
    const fixture = fixtures.find((f) => f.vendor === 'qcall' && f.name === 'end-of-call-json')!;
    const adapter = qcall({ dedupFields: ['order_id', 'phone_number', 'call_date'] });
    const world = memoryWorld([adapter], { qcall: 'token' });

    // Act
    const reply = await handleDelivery({ ...signedDelivery(fixture, adapter, 'token', new Date()), requestId: 'any' }, world.deps);

    // Assert: the value callhooks 0.1.0 gave it
    expect(reply.body).toEqual({ status: 'published', eventId: '5b2fd3ac-25f3-59f4-a49f-3400a6b39001' });
  });
});
