#!/usr/bin/env node
// The `tapescope` command: a tiny launcher for the bundled CLI (dist/cli.js, made by npm run build).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`tapescope: ${cli} is missing: run npm run build first\n`);
  process.exit(2);
}
require(cli)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`tapescope: internal error: ${error && error.stack ? error.stack : error}\n`);
      process.exitCode = 70;
    },
  );
