/**
 * dist/ as a user applies it: `kubectl apply -f dist/` on a fresh cluster, in one pass, with the
 * kubectl of the same release. Rendered for the server's own minor.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { toYamlDocuments } from '../../src/manifest-yaml';
import { allowlistEntry, readmeApplyFolders, readmePruneArgs } from '../support/readme';
import { Cluster, crdEstablished, eventually, Obj } from './support/cluster';
import { objectsIn, renderFor } from './support/render';
import { differenceIn } from './support/replay';

const cluster = new Cluster();

/** Per object, what changes when its spec does: metadata.generation, else resourceVersion (kinds without one). */
async function specVersions(objects: Obj[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const o of objects) {
    const live = await cluster.get(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace);
    out[`${o.kind}/${o.metadata.name}`] = live?.metadata.generation !== undefined ? `generation ${live.metadata.generation}` : live?.metadata.resourceVersion;
  }
  return out;
}
let root: string;

describe(`kubectl apply -f dist/ on Kubernetes ${cluster.env.version}`, () => {
  beforeAll(() => { root = renderFor(cluster.env.minor); });

  it('applies in one pass, every object created, nothing refused', async () => {
    const expected = objectsIn(root);
    const first = await cluster.kubectl(['apply', '-f', root]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(expected.length);
    for (const line of lines) expect(line).toMatch(/ created$/);
    console.log(`applied ${expected.length} objects on ${cluster.env.version}`);
  });

  it('every CRD becomes Established; snapshot CRDs serve only v1, group snapshot CRDs serve v1 with no conversion webhook', async () => {
    const crds = objectsIn(root).filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds.map((c) => c.spec.group).sort()).toEqual([...Array(3).fill('groupsnapshot.storage.k8s.io'), ...Array(3).fill('snapshot.storage.k8s.io')]);
    for (const crd of crds) {
      const live = await eventually(() => crdEstablished(cluster, crd.metadata.name), `${crd.metadata.name} Established`);
      const served = live.spec.versions.filter((v: { served: boolean }) => v.served).map((v: { name: string }) => v.name);
      if (crd.spec.group === 'snapshot.storage.k8s.io') {
        expect(served, crd.metadata.name).toEqual(['v1']);
      } else {
        // As external-snapshotter v8.6.0-v8.7.0 ship them: v1 served, v1beta2 stored, v1beta1 deprecated.
        expect(served, crd.metadata.name).toContain('v1');
        expect(live.spec.conversion?.strategy ?? 'None', crd.metadata.name).toBe('None');
        const list = await cluster.request('GET', `/apis/groupsnapshot.storage.k8s.io/v1/${live.spec.names.plural}`);
        expect(list.status, crd.metadata.name).toBe(200);
      }
    }
  });

  it('the server keeps every field that was rendered (no field is dropped as unknown or gated off)', async () => {
    for (const o of objectsIn(root)) {
      const live = await cluster.get(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace);
      const { metadata, status: _s, ...rest } = o;
      const rendered = { ...rest, metadata: { labels: metadata.labels, annotations: metadata.annotations } };
      expect(differenceIn(rendered, live), `${o.kind} ${o.metadata.name}`).toBeUndefined();
    }
  });

  it('a second apply changes nothing', async () => {
    // kubectl prints "configured" for objects whose patch always carries a field the strategic merge
    // replaces whole (a PodDisruptionBudget's selector, a policy's atomic resourceRules), even when
    // the server finds nothing to change. What counts is the stored objects: the same generation (status
    // writers such as the policy type checker move resourceVersion on their own).
    const before = await specVersions(objectsIn(root));
    const again = await cluster.kubectl(['apply', '-f', root]);
    expect(again.code).toBe(0);
    expect(await specVersions(objectsIn(root))).toEqual(before);
    const diff = await cluster.kubectl(['diff', '-f', root]);
    expect(diff.stdout).toBe('');
    expect(diff.code).toBe(0);
  });

  it('is a kustomize base: kubectl kustomize builds the same objects, and apply -k changes nothing', async () => {
    const built = await cluster.kubectl(['kustomize', root]);
    expect(built.code, built.stderr).toBe(0);
    const names = (objs: Obj[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(names(parseAllDocuments(built.stdout).map((d) => d.toJS() as Obj))).toEqual(names(objectsIn(root)));
    const before = await specVersions(objectsIn(root));
    const applied = await cluster.kubectl(['apply', '-k', root]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(await specVersions(objectsIn(root))).toEqual(before);
  });

  it('the hostpath demo driver applies afterwards, as the README says', async () => {
    // The README's set-up block: `kubectl apply -f dist/`, then the demo folder.
    const folders = readmeApplyFolders();
    expect(folders).toEqual(['', 'examples/csi-hostpath']);
    const demo = path.join(root, folders[1]);
    const res = await cluster.kubectl(['apply', '-f', demo]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout.trim().split('\n')).toHaveLength(objectsIn(demo).length);
  });

  it("the README's prune command deletes what a newer render left out, and nothing else", async () => {
    // A "newer version" of dist/: the platform without the doctor's backfill ClusterRole.
    const platform = objectsIn(root);
    const removed = platform.find((o) => o.kind === 'ClusterRole' && /doctor-backfill$/.test(o.metadata.name))!;
    expect(removed).toBeDefined();
    const next = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-prune-'));
    fs.writeFileSync(path.join(next, 'snapshot-platform.k8s.yaml'), toYamlDocuments(platform.filter((o) => o !== removed)));
    // The README's command as written, for this folder; allow-list entries of kinds this target's
    // render does not hold (MutatingAdmissionPolicy v1 before 1.36) are dropped, as the README says.
    const present = new Set(platform.map((o) => allowlistEntry(o as { apiVersion: string; kind: string })));
    const args = readmePruneArgs()
      .map((a) => (a === 'dist/' ? next : a))
      .filter((a) => !a.startsWith('--prune-allowlist=') || present.has(a.slice('--prune-allowlist='.length)));
    const res = await cluster.kubectl(args);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`clusterrole.rbac.authorization.k8s.io/${removed.metadata.name} pruned`));
    expect(await cluster.get(removed.apiVersion, removed.kind, removed.metadata.name)).toBeUndefined();
    for (const o of [...platform.filter((x) => x !== removed), ...objectsIn(path.join(root, 'examples', 'csi-hostpath'))]) {
      expect(await cluster.get(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace), `${o.kind}/${o.metadata.name} is still there`).toBeDefined();
    }
    // Back to the full platform for the files that follow.
    expect((await cluster.kubectl(['apply', '-f', root])).code).toBe(0);
  });
});
