/**
 * Validates rendered manifests against the Kubernetes OpenAPI definitions of the default target
 * (schemas/, or ../shared/reference/k8s-schemas) and the external-snapshotter CRDs (upstream). Objects are made strict
 * (no unknown fields) so a misspelt field fails instead of being pruned silently by the API server.
 * Callers must run inside describeWithShared.
 */
import * as fs from 'node:fs';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';
import { schemaFileFor } from './manifest-validator';
import { sharedPath } from './shared';
import { SNAPSHOT_STACK_KUBERNETES } from '../../src/catalog';

function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = strict(v);
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

let ajv: Ajv | undefined;
function instance(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  const defs = JSON.parse(fs.readFileSync(schemaFileFor(SNAPSHOT_STACK_KUBERNETES.default), 'utf8'));
  ajv.addSchema(strict(defs) as object, 'k8s');
  return ajv;
}

/** Errors of `manifest` against a definition of the default target's schema (e.g. `io.k8s.api.storage.v1.StorageClass`); [] when valid. */
export function k8sSchemaErrors(definition: string, manifest: unknown): string[] {
  const validate = instance().getSchema(`k8s#/definitions/${definition}`);
  if (!validate) throw new Error(`no definition ${definition}`);
  return validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Errors of `manifest` against the v1 schema of an external-snapshotter v8.6.0 CRD file; [] when valid. */
export function snapshotCrdErrors(crdFile: string, manifest: unknown): string[] {
  const file = sharedPath('reference', 'upstream', 'external-snapshotter-v8.6.0', 'crd', crdFile);
  const crd = parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).find((d) => d?.kind === 'CustomResourceDefinition');
  const version = crd.spec.versions.find((v: { name: string }) => v.name === 'v1');
  const schema = strict(version.schema.openAPIV3Schema) as Record<string, unknown>;
  // metadata is validated by the API server, not by the CRD schema.
  (schema.properties as Record<string, unknown>).metadata = { type: 'object' };
  const validate = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(schema);
  return validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}
