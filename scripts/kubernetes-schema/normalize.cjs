// Turns what a kube-apiserver serves at /openapi/v2 into the `definitions` file `cdk8s import`
// and the test suite's schema validator read (schemas/k8s-<version>.json).
//
//   node scripts/kubernetes-schema/normalize.cjs SERVED.json OUT.json
//
// Two steps, each matching a file that already exists upstream:
// 1. what kubernetes' own spec generator does to the served document before it commits
//    api/openapi-spec/swagger.json: string enums and their "Possible enum values" text go;
// 2. what cdk8s-team's kubernetes-schemas add for the importer: the `kind` of every top-level
//    kind is pinned with a one-value enum, and Quantity / IntOrString are reduced to the
//    JSON types they take.
// test/e2e/07 checks both steps on real servers: served 1.36.3 gives the published 1.36 file, definition
// for definition, and served 1.37.2 gives schemas/k8s-1.37.2.json.
'use strict';
const fs = require('fs');

const ENUM_TEXT = /\n*\n\nPossible enum values:[\s\S]*$/;

/** Step 1: drop generated enum lists and their description text, everywhere in the tree. */
function dropServedEnums(node) {
  if (Array.isArray(node)) return node.map(dropServedEnums);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'enum' && Array.isArray(value)) continue;
    out[key] = key === 'description' && typeof value === 'string' ? value.replace(ENUM_TEXT, '') : dropServedEnums(value);
  }
  return out;
}

/** Step 2: the importer's additions. */
function addImporterHints(definitions) {
  for (const def of Object.values(definitions)) {
    const gvks = def['x-kubernetes-group-version-kind'];
    if (!Array.isArray(gvks) || gvks.length === 0 || !def.properties) continue;
    const kinds = [...new Set(gvks.map((g) => g.kind))];
    if (def.properties.kind && kinds.length === 1) def.properties.kind = { ...def.properties.kind, enum: kinds };
  }
  // The served text types both as plain strings; the importer's file states the JSON types they take.
  definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  return definitions;
}

/** The file's content for a served /openapi/v2 document. */
function normalizeServedOpenApi(served) {
  if (!served || typeof served.definitions !== 'object') throw new Error('not an OpenAPI v2 document: no "definitions"');
  const definitions = addImporterHints(dropServedEnums(served.definitions));
  const sorted = Object.fromEntries(Object.keys(definitions).sort().map((k) => [k, definitions[k]]));
  return { definitions: sorted };
}

module.exports = { normalizeServedOpenApi, dropServedEnums, addImporterHints };

if (require.main === module) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) { console.error('usage: normalize.cjs SERVED.json OUT.json'); process.exit(2); }
  const doc = normalizeServedOpenApi(JSON.parse(fs.readFileSync(input, 'utf8')));
  fs.writeFileSync(output, JSON.stringify(doc, null, 2) + '\n');
  console.log(`${output}: ${Object.keys(doc.definitions).length} definitions`);
}
