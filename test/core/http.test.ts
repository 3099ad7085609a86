import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { fromApiGateway, Headers, toProxyResult } from '../../lambda/core/http';

function v2(over: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'ANY /webhooks/quarterzip',
    rawPath: '/webhooks/quarterzip',
    rawQueryString: '',
    headers: {},
    requestContext: { http: { method: 'POST' }, requestId: 'r1' } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: false,
    ...over,
  };
}

describe('fromApiGateway', () => {
  it('decodes a base64 body to the exact bytes', () => {
    const bytes = Buffer.from([0, 255, 10, 13, 0xe2, 0x80]);
    expect(fromApiGateway(v2({ body: bytes.toString('base64'), isBase64Encoded: true })).body).toEqual(bytes);
  });

  it('keeps a text body as UTF-8 bytes', () => {
    expect(fromApiGateway(v2({ body: '{"a":"é"}' })).body.toString('utf8')).toBe('{"a":"é"}');
  });

  it('takes the vendor from the path parameter, else from the path', () => {
    expect(fromApiGateway(v2({ pathParameters: { vendor: 'KoeIQ' } })).vendor).toBe('koeiq');
    expect(fromApiGateway(v2({ rawPath: '/webhooks/atoms' })).vendor).toBe('atoms');
  });

  it('keeps commas inside query values (payload 2.0 joins repeated parameters with commas)', () => {
    const event = v2({ rawQueryString: 'address=42%2C%20Green%20Park&x=1&x=2', queryStringParameters: { address: '42, Green Park', x: '1,2' } });
    expect(fromApiGateway(event).query).toEqual({ address: '42, Green Park', x: '2' });
  });
});

describe('Headers', () => {
  it('reads any case and joins repeated headers', () => {
    const h = new Headers([['Webhook-ID', 'a'], ['webhook-id', 'b']]);
    expect(h.get('WEBHOOK-id')).toBe('a, b');
  });
});

describe('toProxyResult', () => {
  it('answers JSON that is never cached', () => {
    expect(toProxyResult({ statusCode: 200, body: { ok: true } })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: '{"ok":true}',
    });
  });
});

describe('the URL as called', () => {
  it('is the Host, x-forwarded-proto, the raw path and the raw query as sent', () => {
    const d = fromApiGateway(v2({ rawPath: '/webhooks/twilio', rawQueryString: 'b=2&a=%27x%27', headers: { host: 'abc.execute-api.eu-west-1.amazonaws.com', 'x-forwarded-proto': 'https' } }));
    expect(d.url).toEqual({ scheme: 'https', host: 'abc.execute-api.eu-west-1.amazonaws.com', rawPath: '/webhooks/twilio', rawQuery: 'b=2&a=%27x%27' });
  });

  it('falls back to the API\'s domain name and https', () => {
    const d = fromApiGateway(v2({ requestContext: { http: { method: 'POST' }, domainName: 'api.example.com' } as APIGatewayProxyEventV2['requestContext'] }));
    expect(d.url).toEqual({ scheme: 'https', host: 'api.example.com', rawPath: '/webhooks/quarterzip', rawQuery: '' });
  });
});

describe('toProxyResult of a text reply', () => {
  it('sends the text as it is, text/plain unless the reply names its type', () => {
    expect(toProxyResult({ statusCode: 200, body: { handshake: true }, text: 'abc' })).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: 'abc' });
    expect(toProxyResult({ statusCode: 200, body: {}, text: '<x/>', headers: { 'content-type': 'application/xml' } }).headers).toMatchObject({ 'content-type': 'application/xml' });
  });
});
