/**
 * The snapshot CRDs' own rules, as the real API server enforces them: sourceVolumeMode is immutable
 * once set (also against removal), v1beta1 is not served, and kubectl's printer columns and short
 * names work.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Cluster, eventually, Obj, removePolicyBindings } from './support/cluster';
import { renderedCrds } from './support/render';

const cluster = new Cluster();
let crds: Obj[];
const VSC = 'snapshot.storage.k8s.io/v1';

function content(name: string, mode?: string): Obj {
  return {
    apiVersion: VSC, kind: 'VolumeSnapshotContent', metadata: { name },
    spec: {
      deletionPolicy: 'Retain', driver: 'hostpath.csi.k8s.io', source: { snapshotHandle: `handle-${name}` },
      volumeSnapshotRef: { name: `snap-${name}`, namespace: 'default' },
      ...(mode ? { sourceVolumeMode: mode } : {}),
    },
  };
}

describe(`snapshot CRD rules on Kubernetes ${cluster.env.version}`, () => {
  beforeAll(async () => {
    // The CRDs alone: the admission policies are proven elsewhere, these rules must hold without them.
    crds = renderedCrds(cluster.env.minor);
    for (const crd of crds) await cluster.put(crd);
    await removePolicyBindings(cluster);
    await eventually(async () => (await cluster.request('GET', '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents')).status === 200, 'the v1 API');
  });

  it('sourceVolumeMode cannot be changed once set', async () => {
    await cluster.purge(VSC, 'VolumeSnapshotContent', 'crd-rule-change');
    const created = await cluster.create(content('crd-rule-change', 'Filesystem'));
    expect(created.status).toBe(201);
    const changed = await cluster.replace({ ...created.body, spec: { ...created.body.spec, sourceVolumeMode: 'Block' } });
    expect(changed.status).toBe(422);
    expect(changed.body.message).toMatch(/sourceVolumeMode/);
  });

  it('sourceVolumeMode cannot be removed once set', async () => {
    await cluster.purge(VSC, 'VolumeSnapshotContent', 'crd-rule-remove');
    const created = await cluster.create(content('crd-rule-remove', 'Block'));
    expect(created.status).toBe(201);
    const { sourceVolumeMode: _dropped, ...spec } = created.body.spec;
    const removed = await cluster.replace({ ...created.body, spec });
    expect(removed.status).toBe(422);
    expect(removed.body.message).toMatch(/sourceVolumeMode/);
  });

  it('sourceVolumeMode can be set once on a content that lacks it (backfill)', async () => {
    await cluster.purge(VSC, 'VolumeSnapshotContent', 'crd-rule-backfill');
    // Until the API server drops the removed bindings, the guard may still refuse the content.
    const created = await eventually(async () => { const r = await cluster.create(content('crd-rule-backfill')); return r.status === 201 ? r : undefined; }, 'the content without a mode to be stored');
    const filled = await cluster.replace({ ...created.body, spec: { ...created.body.spec, sourceVolumeMode: 'Filesystem' } });
    expect(filled.status).toBe(200);
  });

  it('the CRD alone takes any mode string, as upstream does: refusing others is the guard policy\'s job', async () => {
    const res = await cluster.create(content('crd-rule-enum', 'block'), { dryRun: true });
    expect(res.status).toBe(201);
  });

  it('v1beta1 is not served', async () => {
    expect((await cluster.request('GET', '/apis/snapshot.storage.k8s.io/v1beta1')).status).toBe(404);
    const group = await cluster.request('GET', '/apis/snapshot.storage.k8s.io');
    expect(group.body.versions.map((v: { version: string }) => v.version)).toEqual(['v1']);
  });

  it('short names and printer columns work in kubectl', async () => {
    // kubectl asks for a Table; the server fills it from the CRD's additionalPrinterColumns.
    const path = await cluster.pathOf(VSC, 'VolumeSnapshotContent', undefined, 'crd-rule-change');
    const table = (await cluster.request('GET', path, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).body;
    const declared = crds.find((c) => c.spec.names.kind === 'VolumeSnapshotContent')!.spec.versions[0].additionalPrinterColumns
      .map((c: { name: string }) => c.name);
    expect(table.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', ...declared]);
    const cells = table.rows[0].cells;
    expect(cells[0]).toBe('crd-rule-change');
    expect(cells[1 + declared.indexOf('Driver')]).toBe('hostpath.csi.k8s.io');
    expect(cells[1 + declared.indexOf('DeletionPolicy')]).toBe('Retain');
    const res = await cluster.kubectl(['get', 'vsc', 'crd-rule-change']);
    expect(res.stdout.split('\n')[0]).toMatch(/^NAME\s+READYTOUSE\s+RESTORESIZE\s+DELETIONPOLICY\s+DRIVER/);
    for (const short of ['vs', 'vsclass', 'vscs']) {
      const r = await cluster.kubectl(['get', short, '-A']);
      expect(r.code, `${short}: ${r.stderr}`).toBe(0);
    }
  });
});
