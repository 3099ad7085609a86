'use strict';
/**
 * Runs one function's bundle as Lambda's Node.js runtime does, in this (child) process: loads the module
 * the template's Handler names from the asset folder (`index.handler` → `<asset>/index.js`, export
 * `handler`), once, then takes invocations one at a time over the IPC channel and calls the handler with
 * the event and a Lambda-like context. Plain CommonJS, no test framework: the bundle runs as deployed.
 *
 * argv: <asset folder> <Handler>. Messages in: { id, event, requestId, timeoutMs }; out: { id, result } or
 * { id, error: { errorType, errorMessage } }.
 */
const path = require('node:path');

const [assetDir, handlerSpec] = process.argv.slice(2);
const dot = handlerSpec.lastIndexOf('.');
const moduleName = handlerSpec.slice(0, dot);
const exportName = handlerSpec.slice(dot + 1);

let handler;
let initError;
try {
  handler = require(path.join(assetDir, moduleName))[exportName];
  if (typeof handler !== 'function') throw new Error(`${handlerSpec} is not a function in ${assetDir}`);
} catch (err) {
  initError = err;
}

function context(requestId, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const env = process.env;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: env.CALLHOOKS_ARTIFACT_FUNCTION_ARN,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
}

const describe = (err) => ({
  errorType: (err && err.name) || typeof err,
  errorMessage: (err && err.message) || String(err),
});

let queue = Promise.resolve();
process.on('message', (msg) => {
  queue = queue.then(async () => {
    if (initError) return process.send({ id: msg.id, error: { ...describe(initError), init: true } });
    try {
      const result = await handler(msg.event, context(msg.requestId, msg.timeoutMs));
      process.send({ id: msg.id, result: result === undefined ? null : result });
    } catch (err) {
      process.send({ id: msg.id, error: describe(err) });
    }
  });
});
process.on('disconnect', () => process.exit(0));
