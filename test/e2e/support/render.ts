/**
 * Renders the shipped app for the cluster's own Kubernetes minor, the way
 * `npm run synth -- --kubernetes-version 1.<minor>` does, into a temporary folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { synthApps } from '../../../src/synth-output';
import type { Obj } from './cluster';

/** Renders every shipped app for `1.<minor>`; returns the output root. */
export function renderFor(minor: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `e2e-render-1.${minor}-`));
  synthApps(root, { kubernetesVersion: `1.${minor}` });
  return root;
}

/** The objects of every YAML file directly in `dir` (what `kubectl apply -f dir` reads). */
export function objectsIn(dir: string): Obj[] {
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS() as Obj))
    .filter((o) => o && o.kind);
}

/** This project's snapshot CRDs, rendered for `1.<minor>`. */
export function renderedCrds(minor: number): Obj[] {
  return objectsIn(renderFor(minor)).filter((o) => o.kind === 'CustomResourceDefinition');
}

/**
 * `crd` (this project's VolumeSnapshotContent CRD) as a pre-v6 add-on shipped it: without
 * spec.sourceVolumeMode, its rules and its printer column.
 */
export function withoutSourceVolumeMode(crd: Obj): Obj {
  const copy = structuredClone(crd);
  for (const v of copy.spec.versions) {
    const spec = v.schema.openAPIV3Schema.properties.spec;
    delete spec.properties.sourceVolumeMode;
    spec['x-kubernetes-validations'] = (spec['x-kubernetes-validations'] ?? []).filter((r: { rule: string }) => !r.rule.includes('sourceVolumeMode'));
    if (spec['x-kubernetes-validations'].length === 0) delete spec['x-kubernetes-validations'];
    v.additionalPrinterColumns = (v.additionalPrinterColumns ?? []).filter((c: { jsonPath: string }) => !c.jsonPath.includes('sourceVolumeMode'));
  }
  return copy;
}
