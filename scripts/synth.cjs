#!/usr/bin/env node
/**
 * The fast path of `npm run synth` and `cdk8s synth` (cdk8s.yaml): run src/main.ts from one
 * bundle, rebuilt only when a source changed, compiled from V8's code cache.
 *
 * Measured (bench/render.ts) before this existed: of the render's time, a third went to loading
 * modules (the `yaml` package alone, which cdk8s loads for App.synth, cost 20 ms) and compiling
 * them. So:
 * - one esbuild bundle of the app and its packages (.build/synth.cjs), rebuilt when any file under
 *   src/, package.json, package-lock.json or this script has another size or mtime than at the
 *   last build (the list is kept in .build/synth.inputs);
 * - `yaml` is replaced in the bundle by a module that throws: src/manifest-yaml.ts writes dist/,
 *   and a code path that still reached cdk8s's YAML would fail loudly, never write other output;
 * - the bundle is compiled through vm.Script with cached data (.build/synth.cjs.cache), written
 *   after a run so that it also holds the functions the run compiled. A cache V8 rejects (another
 *   Node version) is rewritten.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { wrap } = require('node:module');

const root = path.join(__dirname, '..');
const buildDir = path.join(root, '.build');
const bundle = path.join(buildDir, 'synth.cjs');
const cacheFile = `${bundle}.cache`;
const inputsFile = path.join(buildDir, 'synth.inputs');

/** "path size mtime" of every input, one per line (directory order is stable while nothing is added). */
function inputSignature() {
  let signature = '';
  const add = (file) => {
    const s = fs.statSync(file, { throwIfNoEntry: false });
    if (s !== undefined) signature += `${file} ${s.size} ${s.mtimeMs}\n`;
  };
  for (const f of ['package.json', 'package-lock.json', 'scripts/synth.cjs', 'scripts/synth-yaml-unused.cjs']) add(path.join(root, f));
  // A hand-written walk: readdirSync's `recursive` option costs ten times as much on Node 20.
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(full); else add(full);
    }
  };
  walk(path.join(root, 'src'));
  return signature;
}

function rebuildIfStale() {
  const signature = inputSignature();
  let previous;
  try { previous = fs.readFileSync(inputsFile, 'utf8'); } catch { previous = undefined; }
  if (previous === signature && fs.existsSync(bundle)) return;
  // esbuild is a devDependency: needed only here, when a source changed.
  require('esbuild').buildSync({
    entryPoints: [path.join(root, 'src', 'main.ts')],
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: bundle, logLevel: 'warning',
    alias: { yaml: path.join(__dirname, 'synth-yaml-unused.cjs') },
  });
  fs.rmSync(cacheFile, { force: true });
  fs.writeFileSync(inputsFile, signature);
}

function run() {
  const source = fs.readFileSync(bundle, 'utf8');
  let cachedData;
  try { cachedData = fs.readFileSync(cacheFile); } catch { cachedData = undefined; }
  const script = new vm.Script(wrap(source), { filename: bundle, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, require, mod, bundle, buildDir);
  if (cachedData === undefined || script.cachedDataRejected) {
    try { fs.writeFileSync(cacheFile, script.createCachedData()); } catch { /* a read-only checkout renders without the cache */ }
  }
}

rebuildIfStale();
run();
