/**
 * The guard must never break what it does not guard. A policy with a param kind is a configuration
 * error for the API server while that kind does not resolve (snapshot CRDs absent, being
 * reinstalled, or their informer not yet synced after an API server start), and a configuration
 * error denies every request the policy matches unless its failurePolicy is Ignore. Here the CRDs
 * are deleted under an installed guard: ordinary PersistentVolumeClaims must still be created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_NAMES } from '../../src/catalog';
import { Cluster, crdEstablished, eventually, Obj, startFreshControlPlane } from './support/cluster';
import { objectsIn, renderedCrds, renderFor, withoutSourceVolumeMode } from './support/render';

const cluster = new Cluster();
const CRD_API = 'apiextensions.k8s.io/v1';
let platform: Obj[];

/** The VolumeSnapshotContent CRD from before sourceVolumeMode existed, which the CRD policy refuses. */
function oldContentCrd(): Obj {
  return withoutSourceVolumeMode(renderedCrds(cluster.env.minor).find((c) => c.spec.names.kind === 'VolumeSnapshotContent')!);
}

function claim(name: string, dataSource?: Obj): Obj {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'outage-e2e' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(dataSource ? { dataSource, dataSourceRef: dataSource } : {}) },
  };
}

describe(`the guard on an API server that has never seen the snapshot CRDs, Kubernetes ${cluster.env.version}`, () => {
  // What a GitOps tool that applies the policies before the CRDs (or an API server restarted while
  // they are being reinstalled) produces: the param kind does not resolve.
  let fresh: Awaited<ReturnType<typeof startFreshControlPlane>>;
  beforeAll(async () => {
    fresh = await startFreshControlPlane();
    const guardOnly = objectsIn(renderFor(cluster.env.minor)).filter((o) => /AdmissionPolicy/.test(o.kind));
    for (const o of guardOnly) await fresh.cluster.put(o);
    await fresh.cluster.ensureNamespace('outage-e2e');
    // The bindings are live once the CRD policy refuses an old CRD.
    await eventually(async () => (await fresh.cluster.create(oldContentCrd(), { dryRun: true })).status === 422, 'the guard to be active');
  });
  afterAll(() => fresh?.stop());

  it('an ordinary PersistentVolumeClaim is created', async () => {
    const res = await fresh.cluster.create(claim('plain'), { dryRun: true });
    expect(res.status, res.body.message).toBe(201);
  });

  it('a claim restoring a snapshot is created too: csi-provisioner refuses a mode change itself', async () => {
    const res = await fresh.cluster.create(claim('restore', { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'db-snap' }), { dryRun: true });
    expect(res.status, res.body.message).toBe(201);
  });

  it('the policies without params still enforce', async () => {
    const res = await fresh.cluster.create(oldContentCrd(), { dryRun: true });
    expect(res.status).toBe(422);
    expect(res.body.message).toContain(POLICY_NAMES.crdKeepsSourceVolumeMode);
  });
});

describe(`snapshot CRDs deleted under an installed guard, Kubernetes ${cluster.env.version}`, () => {
  beforeAll(async () => {
    platform = objectsIn(renderFor(cluster.env.minor));
    for (const o of platform) await eventually(() => cluster.put(o), `${o.kind} ${o.metadata.name} written`);
    await cluster.ensureNamespace('outage-e2e');
    const crds = platform.filter((o) => o.kind === 'CustomResourceDefinition');
    // Deleted once Established, and gone before the tests (and the re-creation after them) run.
    for (const crd of crds) await eventually(() => crdEstablished(cluster, crd.metadata.name), `${crd.metadata.name} Established`);
    for (const crd of crds) await cluster.remove(CRD_API, 'CustomResourceDefinition', crd.metadata.name);
    for (const crd of crds) {
      await eventually(async () => (await cluster.get(CRD_API, 'CustomResourceDefinition', crd.metadata.name)) === undefined || undefined,
        `${crd.metadata.name} deleted`, 90_000);
    }
    await eventually(async () => (await cluster.request('GET', '/apis/snapshot.storage.k8s.io/v1')).status === 404, 'the snapshot API to be gone');
  });
  afterAll(async () => {
    for (const crd of platform.filter((o) => o.kind === 'CustomResourceDefinition')) {
      await eventually(() => cluster.put(crd), `${crd.metadata.name} written again`);
    }
  });

  it('an ordinary PersistentVolumeClaim is created', async () => {
    const res = await cluster.create(claim('plain'), { dryRun: true });
    expect(res.status, res.body.message).toBe(201);
  });

  it('a claim restoring a snapshot is left to csi-provisioner, which refuses a mode change itself', async () => {
    const res = await cluster.create(claim('restore', { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'db-snap' }), { dryRun: true });
    expect(res.status, res.body.message).toBe(201);
  });

  it(`${POLICY_NAMES.restoreKeepsVolumeMode} fails open on its own configuration, by design`, async () => {
    const policy = await cluster.get('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', POLICY_NAMES.restoreKeepsVolumeMode);
    expect(policy!.spec.failurePolicy).toBe('Ignore');
  });
});
