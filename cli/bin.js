#!/usr/bin/env node
// The `callhooks` command. In a clone (the TypeScript source and tsx are there) it runs the source, so it is
// never a stale build; in the installed package it runs the compiled dist/cli/main.js (`npm run build`).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const source = join(root, 'cli', 'main.ts');
const compiled = join(root, 'dist', 'cli', 'main.js');

function tsxAvailable() {
  try {
    require.resolve('tsx/cjs/api', { paths: [root] });
    return true;
  } catch {
    return false;
  }
}

if (process.env.CALLHOOKS_CLI_COMPILED !== '1' && existsSync(source) && tsxAvailable()) {
  require(require.resolve('tsx/cjs/api', { paths: [root] })).register();
  require(source).main();
} else if (existsSync(compiled)) {
  require(compiled).main();
} else {
  process.stderr.write('callhooks: the command is not built: run `npm run build` (or `npm ci` for tsx in a clone)\n');
  process.exitCode = 3;
}
