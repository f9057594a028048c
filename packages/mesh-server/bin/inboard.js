#!/usr/bin/env node
// The `inboard` command. Runs the compiled CLI (dist/) when it exists, as in a published package;
// otherwise runs the TypeScript source through tsx, as in the repository before a build.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const compiled = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
const source = path.join(__dirname, '..', 'src', 'cli', 'main.ts');
const SOURCE_CONDITION = '--conditions=inboard-source';

if (fs.existsSync(compiled)) {
  run(require(compiled));
} else if (process.execArgv.includes(SOURCE_CONDITION)) {
  require('tsx/cjs');
  run(require(source));
} else {
  // Workspace packages resolve to their src/ only under the "inboard-source" export condition,
  // which must be given to node at start: run the source in a child node that has it.
  const { spawn } = require('node:child_process');
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), SOURCE_CONDITION, __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}

function run(cli) {
  cli.main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Exit even if a stray handle lingers; an unref'd timer never delays a normal exit.
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
