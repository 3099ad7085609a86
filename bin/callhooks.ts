#!/usr/bin/env node
/** The CDK app that `cdk deploy` runs: one CallhooksStack configured by callhooks.config.json. */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { CallhooksStack } from '../lib/callhooks-stack';

const app = new App();
const configFile = path.join(__dirname, '..', 'callhooks.config.json');
const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
const stackName: string = app.node.tryGetContext('stackName') ?? 'Callhooks';

new CallhooksStack(app, stackName, {
  description: 'callhooks: voice-AI and calling platform webhooks, verified, deduplicated and normalized onto EventBridge',
  config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
