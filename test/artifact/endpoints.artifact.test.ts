/**
 * Endpoints in the deployable artifact (issue 11): the app synthesized with a configuration where Quarterzip has
 * the endpoints `eu` and `us` (no plain route) and Converc `default` and `org-b`, its bundles run under the
 * template's roles on moto as in deployed.artifact.test.ts. Each endpoint verifies with its own secret only, the
 * routes are exactly the configured ones, every event names its endpoint, dedup is per endpoint (the same vendor
 * id at two endpoints is two events), and each role reads exactly its own endpoints' secrets.
 *
 * `npm run test:artifact` (needs moto_server; not part of `npm test`). Always synthesizes its own assembly.
 */
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fixtureBody, fixtureHeaders, loadFixtures } from '../../local/fixtures';
import { BusEvent, drainQueue, MOTO_REGION, ruleToQueue } from '../moto/moto-server';
import { Deployment, EndpointSecret, WebhookFunction } from './deployment';
import { evaluate } from './iam';

jest.setTimeout(120_000);

const d = new Deployment({ configFile: join(__dirname, 'endpoints.config.json') });
let queueUrl: string;

beforeAll(async () => {
  await d.start();
  queueUrl = await ruleToQueue(d.clients, d.shared.bus, 'artifact-endpoint-events', { source: [{ prefix: 'callhooks.' }] });
}, 300_000);

afterAll(() => d.stop());

const webhook = (vendor: string): WebhookFunction => d.webhooks.get(vendor)!;
const endpoint = (vendor: string, name: string): EndpointSecret => webhook(vendor).endpoints.get(name)!;

async function post(path: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${d.edge.url}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

const quarterzipBody = fixtureBody(loadFixtures('quarterzip').find((f) => f.name === 'call-completed')!);
/** A Quarterzip delivery signed with `secret` (Standard Webhooks: the signed `webhook-id` is the dedup key). */
const quarterzipHeaders = (secret: string, id: string): Record<string, string> => ({
  'content-type': 'application/json',
  ...endpoint('quarterzip', 'eu').adapter.sign(quarterzipBody, secret, new Date(), id),
});
const convercFixture = loadFixtures('converc').find((f) => f.name === 'call-ended-doc-example')!;

describe('endpoints: the assembly', () => {
  it('has one function per vendor, with a secret per endpoint', () => {
    expect([...d.webhooks.keys()].sort()).toEqual(['converc', 'quarterzip']);
    expect([...webhook('quarterzip').endpoints.keys()]).toEqual(['eu', 'us']);
    expect([...webhook('converc').endpoints.keys()]).toEqual(['default', 'org-b']);
    const arns = [...d.webhooks.values()].flatMap((w) => [...w.endpoints.values()].map((e) => e.secretArn));
    expect(new Set(arns).size).toBe(4);
  });
});

describe('endpoints: deliveries through the edge and the bundles', () => {
  const published = new Map<string, string>();

  it('accepts each endpoint\'s own secret and refuses the other endpoint\'s (401)', async () => {
    const eu = endpoint('quarterzip', 'eu').secret;
    const us = endpoint('quarterzip', 'us').secret;

    const atEu = await post('/webhooks/quarterzip/eu', quarterzipBody, quarterzipHeaders(eu, 'msg_endpoint_eu'));
    const atUs = await post('/webhooks/quarterzip/us', quarterzipBody, quarterzipHeaders(us, 'msg_endpoint_us'));
    const euSignedAtUs = await post('/webhooks/quarterzip/us', quarterzipBody, quarterzipHeaders(eu, 'msg_endpoint_cross'));
    const usSignedAtEu = await post('/webhooks/quarterzip/eu', quarterzipBody, quarterzipHeaders(us, 'msg_endpoint_cross'));

    expect([atEu.status, atEu.body.status, atUs.status, atUs.body.status]).toEqual([200, 'published', 200, 'published']);
    expect([euSignedAtUs.status, usSignedAtEu.status]).toEqual([401, 401]);
    published.set(atEu.body.eventId, 'eu');
    published.set(atUs.body.eventId, 'us');
  });

  it('publishes the same vendor event at two endpoints as two events (dedup is per endpoint), each endpoint\'s redelivery once', async () => {
    const own = (name: string) => fixtureHeaders(convercFixture, endpoint('converc', name).adapter, endpoint('converc', name).secret);

    const atDefault = await post('/webhooks/converc', fixtureBody(convercFixture), own('default'));
    const atOrgB = await post('/webhooks/converc/org-b', fixtureBody(convercFixture), own('org-b'));
    const defaultSignedAtOrgB = await post('/webhooks/converc/org-b', fixtureBody(convercFixture), own('default'));

    const orgBAgain = await post('/webhooks/converc/org-b', fixtureBody(convercFixture), own('org-b'));

    expect([atDefault.status, atDefault.body.status]).toEqual([200, 'published']);
    expect([atOrgB.status, atOrgB.body.status]).toEqual([200, 'published']);
    expect(atOrgB.body.eventId).not.toBe(atDefault.body.eventId);
    expect([orgBAgain.status, orgBAgain.body.status, orgBAgain.body.eventId]).toEqual([200, 'duplicate', atOrgB.body.eventId]);
    expect(defaultSignedAtOrgB.status).toBe(401);
    published.set(atDefault.body.eventId, 'default');
    published.set(atOrgB.body.eventId, 'org-b');
  });

  it('answers 404 for an unknown endpoint and for the plain route of a vendor that lists none', async () => {
    const eu = endpoint('quarterzip', 'eu').secret;
    const unknown = await post('/webhooks/quarterzip/asia', quarterzipBody, quarterzipHeaders(eu, 'msg_endpoint_404'));
    const plain = await post('/webhooks/quarterzip', quarterzipBody, quarterzipHeaders(eu, 'msg_endpoint_404'));
    expect([unknown.status, plain.status]).toEqual([404, 404]);
  });

  it('put each published event on the bus once, naming the endpoint it arrived at', async () => {
    const events = await drainQueue<BusEvent>(d.clients.sqs, queueUrl);
    const got = events.map((e) => [e.detail.eventId, e.detail.endpoint]).sort();
    expect(got).toEqual([...published.entries()].sort());
  });

  it('keeps every endpoint\'s secret out of the bundles\' logs', () => {
    for (const w of d.webhooks.values()) {
      const logs = d.process(w.vendor).logs();
      for (const e of w.endpoints.values()) expect(logs.includes(e.secret)).toBe(false);
    }
  });
});

describe('endpoints: IAM against the template', () => {
  it('allowed every call the bundles made, each reading its own endpoints\' secrets', () => {
    const denied = d.proxy.calls.filter((c) => c.evaluation.decision !== 'allow').map((c) => `${c.principal} ${c.action} ${c.resource}`);
    expect(d.proxy.unmapped).toEqual([]);
    expect(denied).toEqual([]);
    for (const w of d.webhooks.values()) {
      const read = d.proxy.calls.filter((c) => c.principal === w.fn.logicalId && c.action === 'secretsmanager:GetSecretValue').map((c) => c.resource);
      expect(new Set(read)).toEqual(new Set([...w.endpoints.values()].map((e) => e.secretArn)));
    }
  });

  it('lets each role read exactly its own endpoints\' secrets', async () => {
    const all = [...d.webhooks.values()].flatMap((w) => [...w.endpoints.values()].map((e) => ({ owner: w.vendor, arn: e.secretArn })));
    for (const w of d.webhooks.values()) {
      const readable = all.filter((s) => evaluate(d.policies.get(w.fn.logicalId)!, { action: 'secretsmanager:GetSecretValue', resource: s.arn }).decision === 'allow');
      expect(readable.map((s) => s.owner)).toEqual([...w.endpoints.keys()].map(() => w.vendor));
    }
    // Through the enforcing proxy, as the Quarterzip function: its eu secret yes, Converc's org-b secret no.
    const client = new SecretsManagerClient({
      endpoint: d.proxy.endpoint,
      region: MOTO_REGION,
      credentials: { accessKeyId: webhook('quarterzip').fn.logicalId, secretAccessKey: 'artifact-suite' },
      maxAttempts: 1,
    });
    try {
      const own = await client.send(new GetSecretValueCommand({ SecretId: endpoint('quarterzip', 'eu').secretArn }));
      expect(own.SecretString).toBe(endpoint('quarterzip', 'eu').secret);
      const other = await client.send(new GetSecretValueCommand({ SecretId: endpoint('converc', 'org-b').secretArn })).then(() => 'allowed', (err: Error) => err.name);
      expect(other).toBe('AccessDeniedException');
    } finally {
      client.destroy();
    }
  });
});
