#!/usr/bin/env node
/**
 * The CDK app that `cdk deploy` runs: one CallhooksStack configured by the file the context `config` names
 * (`-c config=examples/all-vendors/callhooks.config.json`), else the one `CALLHOOKS_CONFIG` names (as for the local
 * mode), each relative to the current folder, else the repository's callhooks.config.json (the five default
 * vendors). Context: `stackName`, `vendorReservedConcurrency` (e.g. `-c vendorReservedConcurrency=0` in an
 * account with a small Lambda concurrency quota) and `captureRefusedPerMinute` (`-c captureRefusedPerMinute=10`: capture
 * refused deliveries while diagnosing 401s).
 */
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { CallhooksStack, contextProps } from '../lib/callhooks-stack';
import { CallhooksConfigFile } from '../lib';

const app = new App();
const configOption: string | undefined = app.node.tryGetContext('config') || process.env.CALLHOOKS_CONFIG || undefined;
const configFile = configOption ? path.resolve(configOption) : path.join(__dirname, '..', 'callhooks.config.json');
const stackName: string = app.node.tryGetContext('stackName') ?? 'Callhooks';
// A custom domain (README §A stable URL): -c domainName=hooks.example.com -c certificateArn=arn:aws:acm:… [-c basePath=…]
const domainName: string | undefined = app.node.tryGetContext('domainName');
const certificateArn: string | undefined = app.node.tryGetContext('certificateArn');
if ((domainName === undefined) !== (certificateArn === undefined)) {
  throw new Error('callhooks: a custom domain needs both -c domainName=… and -c certificateArn=… (a certificate for that name in the stack\'s region)');
}

new CallhooksStack(app, stackName, {
  description: 'callhooks: voice-AI and calling platform webhooks, verified, deduplicated and normalized onto EventBridge',
  ...CallhooksConfigFile.read(configFile),
  ...contextProps(app),
  domain: domainName && certificateArn ? { domainName, certificateArn, basePath: app.node.tryGetContext('basePath') } : undefined,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
