#!/usr/bin/env node
'use strict';
// Entry of `npx csi-snapshot-guard doctor ...`: the compiled CLI (npm run build writes lib/).
const { runCli } = require('../lib/cli/main.js');
runCli(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); process.exitCode = 2; },
);
