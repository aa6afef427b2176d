#!/usr/bin/env node
'use strict';
// Entry of `npx csi-snapshot-guard doctor ...`: the compiled CLI from lib/ (an installed package,
// or a clone after `npm run build`). In a clone that was never built it runs the TypeScript
// sources through tsx, a devDependency, so the doctor works from a fresh clone too.
const path = require('node:path');
const fs = require('node:fs');

function load() {
  const compiled = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
  if (fs.existsSync(compiled)) return require(compiled);
  const source = path.join(__dirname, '..', 'src', 'cli', 'main.ts');
  let register;
  try { ({ register } = require('tsx/cjs/api')); } catch { register = undefined; }
  if (!fs.existsSync(source) || register === undefined) {
    console.error('csi-snapshot-guard: the compiled CLI (lib/cli/main.js) is missing; run `npm run build` (or `npm ci` in a clone) and try again');
    process.exit(2);
  }
  register();
  return require(source);
}

load().runCli(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); process.exitCode = 2; },
);
