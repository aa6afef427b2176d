/**
 * Stands in for the `yaml` package inside the synth bundle (scripts/synth.cjs). cdk8s loads `yaml`
 * at start-up for App.synth; this app writes YAML with src/manifest-yaml.ts and never calls it.
 * Should a code path reach it after all, the synth fails with this message instead of writing
 * something else.
 */
'use strict';
function unused() {
  throw new Error('the synth bundle leaves the yaml package out (src/manifest-yaml.ts writes the files); a code path reached cdk8s\'s YAML: see scripts/synth-yaml-unused.cjs');
}
module.exports = { parse: unused, parseAllDocuments: unused, parseDocument: unused, stringify: unused, Document: function Document() { unused(); } };
