#!/usr/bin/env node
// Runs a TypeScript entry point straight from source (tsx, plus the "inboard-source" export
// condition so workspace packages resolve to their src/). Used by `npm start` and `npm run bench`.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.js <file.ts> [args…]');
  process.exit(2);
}
const child = spawn(
  process.execPath,
  ['--require', require.resolve('tsx/cjs'), '--conditions=inboard-source', path.resolve(entry), ...args],
  { stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
