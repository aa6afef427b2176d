#!/usr/bin/env node
// `npm run install-size`: what installing this library adds to a cdk8s app that already has cdk8s
// and constructs. Packs the library from a temporary copy (prepack builds lib/ there, never here),
// installs cdk8s + constructs into a fresh app, measures node_modules, installs the tarball, and
// measures again. Prints one line and exits 1 above the budget (README "Install size").
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** What the library may add, in bytes (issue: at most 10 MB). */
const BUDGET_BYTES = 10 * 1024 * 1024;
const PROJECT = path.resolve(__dirname, '..');

/** Bytes of every file under a directory (symlinks not followed), and the packages in it. */
function measure(nodeModules) {
  let bytes = 0;
  let packages = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (fs.existsSync(path.join(full, 'package.json')) && path.basename(path.dirname(full)).replace(/^@.*/, 'node_modules') === 'node_modules') packages++;
        walk(full);
      } else if (entry.isFile()) {
        bytes += fs.statSync(full).size;
      }
    }
  };
  if (fs.existsSync(nodeModules)) walk(nodeModules);
  return { bytes, packages };
}

function run(cmd, args, cwd) {
  return execFileSync(cmd, args, {
    cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_loglevel: 'error' },
  });
}

/** Packs the library from a temporary copy; returns the tarball path. */
function pack(root) {
  const copy = path.join(root, 'lib-src');
  fs.mkdirSync(copy);
  for (const entry of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'bin', 'src']) {
    if (fs.existsSync(path.join(PROJECT, entry))) fs.cpSync(path.join(PROJECT, entry), path.join(copy, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(PROJECT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', root], copy))[0];
  return path.join(root, packed.filename);
}

/** Installs cdk8s and constructs, then the tarball, into `app`; returns both measurements. */
function measureInstall(tarball, app, deps) {
  fs.mkdirSync(app, { recursive: true });
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'install-size-app', version: '0.0.0', private: true, dependencies: deps }, null, 2));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
  const before = measure(path.join(app, 'node_modules'));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `file:${tarball}`], app);
  const after = measure(path.join(app, 'node_modules'));
  return { before, after, addedBytes: after.bytes - before.bytes, addedPackages: after.packages - before.packages };
}

module.exports = { BUDGET_BYTES, measure, measureInstall, pack };

if (require.main === module) {
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT, 'package.json'), 'utf8'));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'csi-snapshot-guard-size-'));
  try {
    const tarball = pack(root);
    const r = measureInstall(tarball, path.join(root, 'app'), { cdk8s: pkg.devDependencies.cdk8s, constructs: pkg.devDependencies.constructs });
    const mb = (b) => (b / 1024 / 1024).toFixed(1);
    console.log(`csi-snapshot-guard adds ${mb(r.addedBytes)} MB and ${r.addedPackages} packages to an app with cdk8s and constructs `
      + `(${mb(r.before.bytes)} MB before; budget ${mb(BUDGET_BYTES)} MB; the doctor's @kubernetes/client-node is an optional peer, not included)`);
    process.exitCode = r.addedBytes <= BUDGET_BYTES ? 0 : 1;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
