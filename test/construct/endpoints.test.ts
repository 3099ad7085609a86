/**
 * Endpoints in the construct (DESIGN.md §Endpoints): with Quarterzip endpoints `eu` and `us` and Converc
 * endpoints `default` and `org-b`, the template has a route and a secret per endpoint, each vendor's one function
 * may read exactly its endpoints' secrets, the outputs give each endpoint's URL and secret ARN, and the function
 * set up from the template's own environment verifies each endpoint with its own secret only.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Callhooks } from '../../lib';
import { CallhooksStack } from '../../lib/callhooks-stack';
import { depsFromEnv } from '../../lambda/handlers/webhook';
import { handleDelivery } from '../../lambda/core/pipeline';
import { fromApiGateway } from '../../lambda/core/http';
import { fixtureBody, fixtureHeaders, type Fixture } from '../../local/fixtures';
import { MemoryBlobs, MemoryLog, MemoryPublisher, MemoryStore } from '../helpers/memory';
import { CONVERC_ACCEPTED, CONVERC_CALL, QUARTERZIP_CALL } from '../helpers/endpoints';
import { actionsOf, logicalId, resourcesOf, roleOfFunction, statementsOfRole, testApp, testStack, fromConfig } from './app';

type TemplateJson = Parameters<typeof statementsOfRole>[0];

const CONFIG = { vendors: { quarterzip: { endpoints: ['eu', 'us'] }, converc: { endpoints: ['default', 'org-b'] } } };
const stack = new CallhooksStack(testApp(), 'Callhooks', fromConfig(CONFIG));
const template = Template.fromStack(stack);
const json = template.toJSON() as TemplateJson;

const secretId = (prefix: string) => logicalId(json, 'AWS::SecretsManager::Secret', prefix);
const functionId = (vendor: string) => logicalId(json, 'AWS::Lambda::Function', `CallhooksVendors${vendor}Function`);
const secretReads = (vendor: string) =>
  statementsOfRole(json, roleOfFunction(json, functionId(vendor)))
    .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
    .flatMap((s) => resourcesOf(s))
    .map((r) => (r as { Ref: string }).Ref)
    .sort();

describe('the template with endpoints', () => {
  it('has a secret per endpoint; the converc default endpoint keeps the logical ID of a vendor without endpoints', () => {
    // Assert
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret')).sort()).toEqual([
      'CallhooksVendorsconvercSecret2A103D52',
      expect.stringMatching(/^CallhooksVendorsconvercSecretorgb[0-9A-F]{8}$/),
      expect.stringMatching(/^CallhooksVendorsquarterzipSecreteu[0-9A-F]{8}$/),
      expect.stringMatching(/^CallhooksVendorsquarterzipSecretus[0-9A-F]{8}$/),
    ]);
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('CallhooksVendors'))).toHaveLength(2);
  });

  it("lets each vendor's function read exactly its own endpoints' secrets", () => {
    // Assert
    expect(secretReads('quarterzip')).toEqual([secretId('CallhooksVendorsquarterzipSecreteu'), secretId('CallhooksVendorsquarterzipSecretus')].sort());
    expect(secretReads('converc')).toEqual([secretId('CallhooksVendorsconvercSecret2A103D52'), secretId('CallhooksVendorsconvercSecretorgb')].sort());
  });

  it('routes /webhooks/<vendor>/<endpoint> per endpoint, and the plain route only for a listed default', () => {
    // Assert
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey).sort();
    expect(routes).toEqual(['ANY /webhooks/converc', 'ANY /webhooks/converc/org-b', 'ANY /webhooks/quarterzip/eu', 'ANY /webhooks/quarterzip/us']);
    // One integration per vendor; API Gateway may invoke the function from each of its routes.
    expect(Object.keys(template.findResources('AWS::ApiGatewayV2::Integration'))).toHaveLength(2);
    const sources = Object.values(template.findResources('AWS::Lambda::Permission'))
      .filter((p) => p.Properties.FunctionName['Fn::GetAtt']?.[0] === functionId('quarterzip'))
      .map((p) => JSON.stringify(p.Properties.SourceArn));
    expect(sources).toHaveLength(2);
    expect(sources.some((s) => s.includes('/webhooks/quarterzip/eu'))).toBe(true);
    expect(sources.some((s) => s.includes('/webhooks/quarterzip/us'))).toBe(true);
  });

  it("passes the secrets' ARNs in the environment (never their values): CALLHOOKS_SECRET_ARN for default, CALLHOOKS_SECRET_ARNS for the others", () => {
    // Assert
    const env = (vendor: string) => json.Resources[functionId(vendor)].Properties!.Environment.Variables;
    expect(env('quarterzip').CALLHOOKS_SECRET_ARN).toBeUndefined();
    expect(JSON.stringify(env('quarterzip').CALLHOOKS_SECRET_ARNS)).toContain(`"Ref":"${secretId('CallhooksVendorsquarterzipSecreteu')}"`);
    expect(env('converc').CALLHOOKS_SECRET_ARN).toEqual({ Ref: 'CallhooksVendorsconvercSecret2A103D52' });
    expect(JSON.stringify(env('converc').CALLHOOKS_SECRET_ARNS)).toContain(`"Ref":"${secretId('CallhooksVendorsconvercSecretorgb')}"`);
  });

  it("gives each endpoint's URL and secret ARN as outputs; the default endpoint keeps the outputs it had", () => {
    // Assert
    const outputs = (template.toJSON() as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    expect(Object.keys(outputs).filter((k) => /WebhookUrl$|SecretArn$/.test(k)).sort()).toEqual([
      'ConvercEndpointOrgBSecretArn', 'ConvercEndpointOrgBWebhookUrl', 'ConvercSecretArn', 'ConvercWebhookUrl',
      'QuarterzipEndpointEuSecretArn', 'QuarterzipEndpointEuWebhookUrl', 'QuarterzipEndpointUsSecretArn', 'QuarterzipEndpointUsWebhookUrl',
    ]);
    expect(JSON.stringify(outputs.QuarterzipEndpointEuWebhookUrl.Value)).toMatch(/\/webhooks\/quarterzip\/eu"/);
    expect(outputs.QuarterzipEndpointEuSecretArn.Value).toEqual({ Ref: secretId('CallhooksVendorsquarterzipSecreteu') });
    expect(JSON.stringify(outputs.ConvercWebhookUrl.Value)).toMatch(/\/webhooks\/converc"/);
  });

  it('exposes the secrets by "<vendor>/<endpoint>" (the vendor name for default), and each endpoint\'s URL', () => {
    // Assert
    expect(Object.keys(stack.callhooks.secrets)).toEqual(['quarterzip/eu', 'quarterzip/us', 'converc', 'converc/org-b']);
    expect(stack.callhooks.endpoints).toEqual({ quarterzip: ['eu', 'us'], converc: ['default', 'org-b'] });
    expect(stack.resolve(stack.callhooks.webhookUrl('quarterzip', 'eu'))).toEqual(stack.resolve(`${stack.callhooks.api.apiEndpoint}/webhooks/quarterzip/eu`));
    expect(() => stack.callhooks.webhookUrl('quarterzip')).toThrow('Callhooks: quarterzip/default is not an endpoint of an enabled vendor');
  });
});

describe('secrets passed in per endpoint', () => {
  const imported = (scope: Callhooks | ReturnType<typeof testStack>, name: string) =>
    secretsmanager.Secret.fromSecretNameV2(scope, `Imported${name}`, name);

  it('uses a passed secret for its endpoint and creates the others', () => {
    // Prepare
    const s = testStack();
    const eu = imported(s, 'qz-eu');
    const convercDefault = imported(s, 'converc-main');

    // Act
    const hooks = new Callhooks(s, 'Hooks', { ...fromConfig(CONFIG), secrets: { 'quarterzip/eu': eu, converc: convercDefault } });

    // Assert
    expect(hooks.secrets['quarterzip/eu']).toBe(eu);
    expect(hooks.secrets.converc).toBe(convercDefault);
    const created = Object.keys(Template.fromStack(s).findResources('AWS::SecretsManager::Secret')).sort();
    expect(created).toEqual([expect.stringMatching(/^HooksVendorsconvercSecretorgb/), expect.stringMatching(/^HooksVendorsquarterzipSecretus/)]);
  });

  it.each([
    ['quarterzip', "Callhooks: secrets.quarterzip is the secret of quarterzip's default endpoint, which its configuration does not list (endpoints: eu, us); key an endpoint's secret \"quarterzip/<endpoint>\""],
    ['quarterzip/asia', 'Callhooks: secrets["quarterzip/asia"] is not an endpoint of quarterzip (endpoints: eu, us)'],
    ['acme/eu', 'Callhooks: secrets.acme/eu is not an enabled vendor (enabled: quarterzip, converc)'],
  ])('refuses secrets[%j] with a message naming it', (key, message) => {
    // Prepare
    const s = testStack();

    // Act + Assert
    expect(() => new Callhooks(s, 'Hooks', { ...fromConfig(CONFIG), secrets: { [key]: imported(s, 'x') } })).toThrow(message);
  });

  it('refuses more endpoints than the environment of one function holds', () => {
    // Prepare
    const many = Array.from({ length: 40 }, (_, i) => `workspace-${i}`);

    // Act + Assert
    expect(() => new Callhooks(testStack(), 'Hooks', { vendors: { quarterzip: { endpoints: many } } }))
      .toThrow(/^Callhooks: vendor "quarterzip" has 40 endpoints; with their secret ARNs its function's environment would take about \d+ bytes/);
  });
});

describe("the function, set up from the template's environment", () => {
  const sm = mockClient(SecretsManagerClient);
  const SECRETS: Record<string, string> = {
    [secretId('CallhooksVendorsquarterzipSecreteu')]: 'whsec_' + Buffer.from('the eu workspace secret!').toString('base64'),
    [secretId('CallhooksVendorsquarterzipSecretus')]: 'whsec_' + Buffer.from('the us workspace secret!').toString('base64'),
    CallhooksVendorsconvercSecret2A103D52: 'converc-main-organization-secret',
    [secretId('CallhooksVendorsconvercSecretorgb')]: 'converc-organization-b-secret',
  };
  const arnOf = (id: string) => `arn:aws:secretsmanager:us-east-1:111122223333:secret:${id}`;

  /** A template value as the function receives it: a secret's Ref becomes its ARN, a join is joined, any other reference a stand-in. */
  function resolveValue(value: unknown): string {
    if (typeof value === 'string') return value;
    const v = value as Record<string, any>;
    if (v.Ref && SECRETS[v.Ref] !== undefined) return arnOf(v.Ref);
    if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(resolveValue).join(v['Fn::Join'][0]);
    return `stand-in-${JSON.stringify(value).replace(/[^A-Za-z0-9]+/g, '-')}`;
  }

  function world(vendor: string) {
    const vars = json.Resources[functionId(vendor)].Properties!.Environment.Variables as Record<string, unknown>;
    const env = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, resolveValue(v)]));
    const publisher = new MemoryPublisher();
    const deps = { ...depsFromEnv({ ...env, AWS_REGION: 'us-east-1' }), store: new MemoryStore(), publisher, blobs: new MemoryBlobs(), log: new MemoryLog() };
    return { deps, publisher };
  }

  beforeAll(() => {
    sm.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => {
      const id = Object.keys(SECRETS).find((k) => arnOf(k) === input.SecretId);
      if (!id) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      return { SecretString: SECRETS[id] };
    });
  });
  afterAll(() => sm.restore());

  const secretOf = (prefix: string) => SECRETS[prefix.startsWith('CallhooksVendorsconvercSecret2A') ? prefix : secretId(prefix)];
  const deliver = (deps: ReturnType<typeof world>['deps'], path: string, f: Fixture, vendor: string, secret: string, id: string) => {
    const adapter = deps.adapters.get(vendor)!;
    return handleDelivery(fromApiGateway({
      version: '2.0',
      rawPath: path,
      headers: { 'content-type': 'application/json', ...fixtureHeaders(f, adapter, secret, new Date(), id) },
      body: fixtureBody(f).toString('utf8'),
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST' } },
    } as never), deps);
  };

  it.each([
    ['quarterzip', '/webhooks/quarterzip/eu', 'CallhooksVendorsquarterzipSecreteu', 'CallhooksVendorsquarterzipSecretus', QUARTERZIP_CALL, 'eu'],
    ['quarterzip', '/webhooks/quarterzip/us', 'CallhooksVendorsquarterzipSecretus', 'CallhooksVendorsquarterzipSecreteu', QUARTERZIP_CALL, 'us'],
    ['converc', '/webhooks/converc', 'CallhooksVendorsconvercSecret2A103D52', 'CallhooksVendorsconvercSecretorgb', CONVERC_CALL, 'default'],
    ['converc', '/webhooks/converc/org-b', 'CallhooksVendorsconvercSecretorgb', 'CallhooksVendorsconvercSecret2A103D52', CONVERC_ACCEPTED, 'org-b'],
  ] as const)('%s at %s accepts its own secret, refuses the other endpoint\'s (401), and names its endpoint', async (vendor, path, own, other, f, endpoint) => {
    // Prepare
    const w = world(vendor);

    // Act
    const refused = await deliver(w.deps, path, f, vendor, secretOf(other), 'msg_construct');
    const accepted = await deliver(w.deps, path, f, vendor, secretOf(own), 'msg_construct');

    // Assert
    expect(refused.statusCode).toBe(401);
    expect(accepted.statusCode).toBe(200);
    expect(w.publisher.published.map((e) => [e.detail.vendor, e.detail.endpoint])).toEqual([[vendor, endpoint]]);
  });

  it('answers an unknown endpoint and the unlisted plain route 404, and dedups per endpoint', async () => {
    // Prepare
    const w = world('quarterzip');
    const eu = secretOf('CallhooksVendorsquarterzipSecreteu');
    const us = secretOf('CallhooksVendorsquarterzipSecretus');

    // Act
    const unknown = await deliver(w.deps, '/webhooks/quarterzip/asia', QUARTERZIP_CALL, 'quarterzip', eu, 'msg_x');
    const plain = await deliver(w.deps, '/webhooks/quarterzip', QUARTERZIP_CALL, 'quarterzip', eu, 'msg_x');
    const atEu = await deliver(w.deps, '/webhooks/quarterzip/eu', QUARTERZIP_CALL, 'quarterzip', eu, 'msg_twice');
    const atUs = await deliver(w.deps, '/webhooks/quarterzip/us', QUARTERZIP_CALL, 'quarterzip', us, 'msg_twice');

    // Assert
    expect([unknown.statusCode, plain.statusCode]).toEqual([404, 404]);
    expect([atEu.body.status, atUs.body.status]).toEqual(['published', 'published']);
    expect(atUs.body.eventId).not.toBe(atEu.body.eventId);
    expect(w.publisher.published.map((e) => e.detail.endpoint)).toEqual(['eu', 'us']);
  });
});
