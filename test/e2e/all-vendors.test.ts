/**
 * Every documented sample of every vendor, sent over HTTP to the local mode as the vendor sends it (JSON,
 * form and multipart bodies, GET with query parameters), becomes exactly one event of the right source and
 * type with the vendor's callId; its redelivery answers duplicate (QCall's, which never retries, is a second
 * call: a second event); a bad signature answers 401.
 */
import type { LocalServer } from '../../local/server';
import { Fixture, fixtureBody, fixtureHeaders, fixtureUrl, loadFixtures } from '../../local/fixtures';
import type { DeliveredEvent } from '../../lambda/adapters/local/file-publisher';
import { startTestLocal, TestLocal } from '../helpers/local';

let t: TestLocal;
let local: LocalServer;
let events: DeliveredEvent[];
const fixtures = loadFixtures();

beforeAll(async () => {
  t = await startTestLocal();
  ({ local, events } = t);
});
afterAll(() => t.close());

function send(f: Fixture, headers: Record<string, string>, body = fixtureBody(f)) {
  const method = f.method ?? 'POST';
  const query = f.query ? `?${new URLSearchParams(f.query)}` : '';
  return fetch(`${local.url}/webhooks/${f.vendor}${query}`, {
    method,
    headers,
    body: method === 'GET' || method === 'DELETE' || body.length === 0 ? undefined : body,
  });
}

describe('every vendor sample through the local mode', () => {
  it.each(fixtures.map((f) => [`${f.vendor}/${f.name}`, f] as const))('%s', async (_name, f) => {
    // Prepare
    const secret = local.secrets.get(f.vendor)!;
    // Signed for the URL it is sent to (a URL-signing vendor, Twilio, signs it).
    const headers = fixtureHeaders(f, local.deps.adapters.get(f.vendor)!, secret, new Date(), undefined, fixtureUrl(f, `${local.url}/webhooks/${f.vendor}`));
    const before = events.length;

    // Act
    const first = await send(f, headers);
    const firstBody = (await first.json()) as { status: string; eventId: string };
    const again = await send(f, headers);
    const againBody = (await again.json()) as { status: string; eventId: string };
    const afterTwo = events.length;
    // A forgery: the body changed under a signature (signing vendors), or a wrong token (QCall signs no body).
    const forged =
      f.vendor === 'qcall'
        ? await send(f, { ...headers, authorization: 'Bearer not-the-token' })
        : f.vendor === 'vapi' // a static token too (X-Vapi-Secret, its default auth)
        ? await send(f, { ...headers, 'X-Vapi-Secret': 'not-the-token' })
        : await send(f, headers, Buffer.concat([fixtureBody(f), Buffer.from(' ')]));

    // Assert
    expect(first.status).toBe(200);
    expect(['published', 'duplicate']).toContain(firstBody.status);
    const mine = events.filter((e) => e.detail.eventId === firstBody.eventId);
    expect(mine).toHaveLength(1);
    if (f.vendor === 'qcall') {
      // No dedupFields in the default configuration: every QCall delivery is its own event.
      expect(againBody.status).toBe('published');
      expect(againBody.eventId).not.toBe(firstBody.eventId);
      expect(afterTwo - before).toBe(2);
    } else {
      expect(againBody).toEqual({ status: 'duplicate', duplicate: true, eventId: firstBody.eventId });
      expect(afterTwo - before).toBe(firstBody.status === 'published' ? 1 : 0);
    }
    expect(mine[0]).toMatchObject({ source: `callhooks.${f.vendor}`, 'detail-type': f.expect.type, detail: { callId: f.expect.callId ?? null } });
    expect(forged.status).toBe(401);
    expect(events.length).toBe(afterTwo);
  });

  it('published each distinct vendor event once', () => {
    const ids = events.map((e) => e.detail.eventId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
