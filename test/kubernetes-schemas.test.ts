/**
 * scripts/kubernetes-schema/normalize.cjs turns a served /openapi/v2 document into the file the
 * importer and the validator read. On the real servers, test/e2e/07 checks the whole result (1.36:
 * equal to the published cdk8s file; 1.37: equal to schemas/k8s-1.37.2.json). Here: each step on
 * small inputs, and the committed 1.37 file is already in normal form.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROJECT_SCHEMA_DIR } from './support/manifest-validator';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { normalizeServedOpenApi } = require('../scripts/kubernetes-schema/normalize.cjs');

const served = {
  swagger: '2.0',
  paths: { '/api': {} },
  definitions: {
    'io.k8s.api.core.v1.Widget': {
      'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Widget' }],
      properties: {
        kind: { type: 'string', description: 'Kind.' },
        policy: { type: 'string', enum: ['A', 'B'], description: 'Which one.\n\nPossible enum values:\n - `"A"` first\n - `"B"` second' },
      },
    },
    'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions': {
      'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'DeleteOptions' }, { group: 'apps', version: 'v1', kind: 'DeleteOptions' }],
      properties: { kind: { type: 'string' } },
    },
    'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string', description: 'long text' },
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
  },
};

describe('normalizeServedOpenApi', () => {
  const out = normalizeServedOpenApi(served).definitions;

  it('keeps only definitions, sorted by name', () => {
    expect(Object.keys(normalizeServedOpenApi(served))).toEqual(['definitions']);
    expect(Object.keys(out)).toEqual([...Object.keys(out)].sort());
  });

  it('drops the enums the server generates, with their description text, as kubernetes\' published spec does', () => {
    expect(out['io.k8s.api.core.v1.Widget'].properties.policy).toEqual({ type: 'string', description: 'Which one.' });
  });

  it('pins kind to the one kind a definition has, including one kind under several groups', () => {
    expect(out['io.k8s.api.core.v1.Widget'].properties.kind.enum).toEqual(['Widget']);
    expect(out['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions'].properties.kind.enum).toEqual(['DeleteOptions']);
  });

  it('states the JSON types of Quantity and IntOrString', () => {
    expect(out['io.k8s.apimachinery.pkg.api.resource.Quantity']).toEqual({ oneOf: [{ type: 'string' }, { type: 'number' }] });
    expect(out['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toEqual({ oneOf: [{ type: 'string' }, { type: 'integer' }] });
  });

  it('the committed 1.37 file is a fixed point (normalizing it again changes nothing)', () => {
    const committed = JSON.parse(fs.readFileSync(`${PROJECT_SCHEMA_DIR}/k8s-1.37.2.json`, 'utf8'));
    expect(JSON.stringify(normalizeServedOpenApi(committed))).toBe(JSON.stringify(committed));
    expect(committed.definitions['io.k8s.api.core.v1.PersistentVolumeClaimStatus'].properties.healthStatus).toBeDefined();
  });

  it('refuses a document without definitions', () => {
    expect(() => normalizeServedOpenApi({ openapi: '3.0.0' })).toThrow(/no "definitions"/);
  });
});
