// The newest Kubernetes minor the catalog supports, read from the catalog source itself so the
// e2e default can never drift from it (no TypeScript tooling needed at this point).
const fs = require('node:fs');
const path = require('node:path');

module.exports = function newestMinor() {
  const source = fs.readFileSync(path.join(__dirname, '../../src/catalog/kubernetes.ts'), 'utf8');
  const m = /SNAPSHOT_STACK_KUBERNETES = \{ min: (\d+), max: (\d+)/.exec(source);
  if (!m) throw new Error('SNAPSHOT_STACK_KUBERNETES not found in src/catalog/kubernetes.ts');
  return `1.${m[2]}`;
};
