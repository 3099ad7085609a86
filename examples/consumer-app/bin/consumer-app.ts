#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConsumerStack } from '../lib/consumer-stack';

const app = new App();
new ConsumerStack(app, 'CallhooksConsumer', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
