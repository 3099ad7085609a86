/**
 * The real webhook handler of a vendor with endpoints (the environment the construct gives it): it reads each
 * endpoint's secret by its own ARN, verifies a delivery only with its endpoint's secret, and counts each answer
 * under the endpoint it arrived at (the metrics' `endpoint` dimension).
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ENV } from '../../lambda/contracts/env';
import { signStandardWebhook } from '../helpers/standard-webhooks';
import { emfWhile, HANDLER_CONTEXT, healthyAwsEachTest, mockAws, setHandlerEnv } from '../helpers/handler-env';

const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;
const SECRETS: Record<string, string> = {
  [ARN('qz-eu')]: 'whsec_' + Buffer.from('handler eu secret 24 b..').toString('base64'),
  [ARN('qz-us')]: 'whsec_' + Buffer.from('handler us secret 24 b..').toString('base64'),
};
const aws = mockAws();
const { secrets, eventbridge } = aws;

setHandlerEnv({
  [ENV.vendorConfig]: JSON.stringify({ kind: 'builtin', name: 'quarterzip', options: { endpoints: ['eu', 'us'] } }),
  [ENV.secretArn]: '',
  [ENV.secretArns]: JSON.stringify({ eu: ARN('qz-eu'), us: ARN('qz-us') }),
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../lambda/handlers/webhook') as typeof import('../../lambda/handlers/webhook');

let n = 0;
function event(path: string, secret: string): APIGatewayProxyEventV2 {
  const body = JSON.stringify({ type: 'call.completed', data: { call_id: 'c-1' } });
  return {
    version: '2.0',
    routeKey: `ANY ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...signStandardWebhook(Buffer.from(body), secret, new Date(), `msg_endpoints_${++n}`) },
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST' }, requestId: `r${n}` },
  } as unknown as APIGatewayProxyEventV2;
}

/** The answer, and the endpoint dimension and outcome metrics of the EMF line written while handling it. */
async function deliver(path: string, secret: string) {
  const { result, lines } = await emfWhile(() => handler(event(path, secret), HANDLER_CONTEXT));
  const emf = lines.map((l) => JSON.parse(l) as Record<string, any>);
  return { status: result.statusCode, metrics: emf.map((e) => ({ endpoint: e.endpoint, outcomes: e._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name).filter((m: string) => !['Deliveries', 'Latency'].includes(m)) })) };
}

healthyAwsEachTest(aws, (secretId) => SECRETS[secretId]);

describe('the webhook handler of a vendor with endpoints', () => {
  it("verifies each endpoint with its own secret, read by that secret's ARN, and counts the answer under the endpoint", async () => {
    // Act
    const eu = await deliver('/webhooks/quarterzip/eu', SECRETS[ARN('qz-eu')]);
    const euSecretAtUs = await deliver('/webhooks/quarterzip/us', SECRETS[ARN('qz-eu')]);

    // Assert
    expect(eu).toEqual({ status: 200, metrics: [{ endpoint: 'eu', outcomes: ['Published'] }] });
    expect(euSecretAtUs).toEqual({ status: 401, metrics: [{ endpoint: 'us', outcomes: ['Unauthorized', 'RefusedNoKeyMatched'] }] });
    const read = secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId);
    expect([...new Set(read)].sort()).toEqual([ARN('qz-eu'), ARN('qz-us')]);
    const put = JSON.parse(eventbridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0].Detail!);
    expect(put).toMatchObject({ vendor: 'quarterzip', endpoint: 'eu' });
  });
});
