/**
 * A stable URL (issue 20 point 8): with `customDomain`, the template has an API Gateway domain name with the
 * certificate and a mapping of the API's `$default` stage under the base path; `url`, `webhookUrl()` and the
 * ready-made stack's outputs are at the domain; bad names fail at synth with a message that says what is wrong.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Callhooks } from '../../lib';
import { CallhooksStack } from '../../lib/callhooks-stack';
import { fromConfig, testApp, testStack } from './app';

const CERT_ARN = 'arn:aws:acm:us-east-1:111122223333:certificate/0b1e6a2c-1111-2222-3333-444455556666';
const certificate = (stack: Stack) => acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN);
const CONFIG = fromConfig({ vendors: { quarterzip: { endpoints: ['default', 'eu'] }, qcall: true } });

describe('a custom domain', () => {
  it('maps the $default stage under the base path, with the certificate, and gives URLs at the domain', () => {
    // Arrange
    const stack = testStack();
    // Act
    const hooks = new Callhooks(stack, 'Hooks', { ...CONFIG, customDomain: { domainName: 'hooks.example.com', certificate: certificate(stack), basePath: 'v1/calls' } });
    // Assert
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'hooks.example.com',
      DomainNameConfigurations: [{ CertificateArn: CERT_ARN, EndpointType: 'REGIONAL' }],
    });
    const stageId = Object.keys(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    // The mapping names the $default stage and is created after it.
    template.hasResource('AWS::ApiGatewayV2::ApiMapping', { Properties: { ApiMappingKey: 'v1/calls', Stage: '$default' }, DependsOn: [stageId] });
    expect(hooks.url).toBe('https://hooks.example.com/v1/calls/webhooks/');
    expect(hooks.webhookUrl('quarterzip')).toBe('https://hooks.example.com/v1/calls/webhooks/quarterzip');
    expect(hooks.webhookUrl('quarterzip', 'eu')).toBe('https://hooks.example.com/v1/calls/webhooks/quarterzip/eu');
    expect(stack.resolve(hooks.domainTarget)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/CustomDomain/), 'RegionalDomainName'] });
    // The execute-api URL stays on unless asked.
    expect(Object.values(template.findResources('AWS::ApiGatewayV2::Api'))[0].Properties.DisableExecuteApiEndpoint).toBeUndefined();
  });

  it('without a base path the webhooks are at the domain root; disableExecuteApiEndpoint turns the default URL off', () => {
    // Arrange
    const stack = testStack();
    // Act
    const hooks = new Callhooks(stack, 'Hooks', {
      ...CONFIG,
      customDomain: { domainName: 'hooks.example.com', certificate: certificate(stack), disableExecuteApiEndpoint: true },
    });
    // Assert
    const template = Template.fromStack(stack);
    expect(hooks.webhookUrl('qcall')).toBe('https://hooks.example.com/webhooks/qcall');
    const mapping = Object.values(template.findResources('AWS::ApiGatewayV2::ApiMapping'))[0];
    expect(mapping.Properties.ApiMappingKey).toBeUndefined();
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
  });

  it('without one, there is no domain and the URLs are the execute-api URL', () => {
    // Arrange
    const stack = testStack();
    // Act
    const hooks = new Callhooks(stack, 'Hooks', CONFIG);
    // Assert
    Template.fromStack(stack).resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    expect(hooks.domain).toBeUndefined();
    expect(stack.resolve(hooks.webhookUrl('qcall'))).toEqual({ 'Fn::Join': ['', [expect.anything(), '/webhooks/qcall']] });
  });

  it.each([
    ['https://hooks.example.com', {}, /domainName must be a lower-case host name.*"https:\/\/hooks\.example\.com"/],
    ['Hooks.Example.com', {}, /domainName must be a lower-case host name/],
    ['hooks.example.com/path', {}, /domainName must be a lower-case host name/],
    ['hooks.example.com', { basePath: '/v1' }, /basePath must be path segments without a leading or trailing slash.*"\/v1"/],
    ['hooks.example.com', { basePath: 'v1//x' }, /basePath must be path segments/],
    ['hooks.example.com', { basePath: 'a b' }, /basePath must be path segments/],
  ])('refuses %s %j at synth with a message that says what is wrong', (domainName, extra, message) => {
    // Arrange
    const stack = testStack();
    // Act + Assert
    expect(() => new Callhooks(stack, 'Hooks', { ...CONFIG, customDomain: { domainName, certificate: certificate(stack), ...extra } })).toThrow(message);
  });

  it('the ready-made stack (cdk deploy -c domainName -c certificateArn) outputs the URLs at the domain and the DNS target', () => {
    // Arrange
    const app: App = testApp();
    // Act
    const stack = new CallhooksStack(app, 'Callhooks', {
      ...CONFIG,
      env: { account: '111122223333', region: 'us-east-1' },
      domain: { domainName: 'hooks.example.com', certificateArn: CERT_ARN },
    });
    // Assert
    const outputs = Template.fromStack(stack).toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.WebhookBaseUrl.Value).toBe('https://hooks.example.com/webhooks/');
    expect(outputs.QuarterzipWebhookUrl.Value).toBe('https://hooks.example.com/webhooks/quarterzip');
    expect(outputs.QuarterzipEndpointEuWebhookUrl.Value).toBe('https://hooks.example.com/webhooks/quarterzip/eu');
    expect(outputs.CustomDomainTarget.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/CustomDomain/), 'RegionalDomainName'] });
  });
});
