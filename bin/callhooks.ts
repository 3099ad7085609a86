#!/usr/bin/env node
/**
 * The CDK app that `cdk deploy` runs: one CallhooksStack configured by the file `CALLHOOKS_CONFIG` names (relative to
 * the current folder), else the repository's callhooks.config.json — the same rule as the local mode's. Context:
 * `stackName`, and `vendorReservedConcurrency` (e.g. `-c vendorReservedConcurrency=0` in an account with a small
 * Lambda concurrency quota).
 */
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { CallhooksStack, contextProps } from '../lib/callhooks-stack';
import { CallhooksConfigFile } from '../lib';

const app = new App();
const configFile = process.env.CALLHOOKS_CONFIG ? path.resolve(process.env.CALLHOOKS_CONFIG) : path.join(__dirname, '..', 'callhooks.config.json');
const stackName: string = app.node.tryGetContext('stackName') ?? 'Callhooks';

new CallhooksStack(app, stackName, {
  description: 'callhooks: voice-AI and calling platform webhooks, verified, deduplicated and normalized onto EventBridge',
  ...CallhooksConfigFile.read(configFile),
  ...contextProps(app),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
