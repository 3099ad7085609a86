/**
 * A real, shipped bundle runs as Lambda would run it: `require(bundle).handler(event, context)` in a child Node
 * process, its environment taken from the synthesized template, every AWS endpoint pointed at a closed port on
 * 127.0.0.1 so that the Secrets Manager call fails at once. Its log must name the failure by the class the
 * source gives it (`DependencyError`), not by a minified two-letter name.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { CallhooksStack } from '../../lib/callhooks-stack';
import { BUNDLE_FILE, BUNDLES_DIR, packageRoot, webhookBundleName } from '../../lib/private/bundles';
import { signStandardWebhook } from '../helpers/standard-webhooks';
import { logicalId, testApp } from './app';
import { closedPort } from '../helpers/ports';


/** The function's environment as the template declares it; a reference to another resource becomes a stand-in name. */
function environmentOf(template: Template, functionId: string): Record<string, string> {
  const vars = (template.toJSON().Resources[functionId].Properties.Environment.Variables ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(vars).map(([key, value]) =>
    [key, typeof value === 'string' ? value : `stand-in-for-${JSON.stringify(value).replace(/[^A-Za-z0-9]+/g, '-')}`]));
}

const RUN = `
const { handler } = require(process.argv[1]);
const event = JSON.parse(process.argv[2]);
const context = { functionName: 'callhooks-quarterzip', functionVersion: '$LATEST', memoryLimitInMB: '256',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:callhooks-quarterzip', awsRequestId: 'req-bundle-run',
  getRemainingTimeInMillis: () => 10000 };
handler(event, context).then((r) => process.stdout.write('RESULT ' + JSON.stringify(r) + '\\n'), (e) => { process.stdout.write('THREW ' + String(e) + '\\n'); process.exitCode = 1; });
`;

describe('a shipped webhook bundle, run in a child process', () => {
  /** stdout and stderr (the Lambda runtime sends both to CloudWatch; Powertools writes errors to stderr). */
  let output: string;

  beforeAll(async () => {
    const stack = new CallhooksStack(testApp(), 'Callhooks', { vendors: { quarterzip: {} } });
    const template = Template.fromStack(stack);
    const env = environmentOf(template, logicalId(template.toJSON() as never, 'AWS::Lambda::Function', 'CallhooksVendorsquarterzipFunction'));

    const body = JSON.stringify({ type: 'call.completed', timestamp: new Date().toISOString(), data: { call_id: 'bundle-run' } });
    const secret = 'whsec_' + Buffer.from('any secret: the call fails first').toString('base64');
    const event = {
      version: '2.0',
      routeKey: 'ANY /webhooks/quarterzip',
      rawPath: '/webhooks/quarterzip',
      rawQueryString: '',
      headers: { 'content-type': 'application/json', ...signStandardWebhook(Buffer.from(body), secret, new Date(), 'msg_bundle_run') },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
      requestContext: { http: { method: 'POST', path: '/webhooks/quarterzip' }, requestId: 'api-req-1' },
    };

    const bundle = path.join(packageRoot(), BUNDLES_DIR, webhookBundleName({ kind: 'builtin', name: 'quarterzip' }), BUNDLE_FILE);
    const result = spawnSync(process.execPath, ['-e', RUN, bundle, JSON.stringify(event)], {
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: process.env.PATH,
        ...env,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDBUNDLERUN',
        AWS_SECRET_ACCESS_KEY: 'bundle-run-not-a-secret',
        AWS_ENDPOINT_URL: `http://127.0.0.1:${await closedPort()}`,
        AWS_CONFIG_FILE: '/nonexistent/aws-config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    output = result.stdout + result.stderr;
    if (result.status !== 0) throw new Error(`the bundle failed (status ${result.status}): ${result.stderr}\n${result.stdout}`);
  }, 60_000);

  it('answers 503, so that a retrying vendor retries', () => {
    const line = output.split('\n').find((l) => l.startsWith('RESULT '));
    expect(JSON.parse(line!.slice('RESULT '.length))).toMatchObject({ statusCode: 503 });
  });

  it('logs the dependency failure by its class name', () => {
    const logs = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(logs).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'secret unavailable', error: 'DependencyError', vendor: 'quarterzip' }));
  });
});
