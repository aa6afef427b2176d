import { afterEach, describe, expect, test } from 'vitest';
import { DOCTOR_BACKFILL_RULES, DOCTOR_READER_RULES } from '../src/catalog/doctor-rbac';
import { connect, runBackfill, runCli, runDoctor } from '../src/cli';
import type { BackfillReport } from '../src/cli';
import { FakeApiServer, forbiddenMessage, RecordedRequest } from './support/fake-apiserver';

const servers: FakeApiServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

const CONTENTS = '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents';
const DRIVER = 'hostpath.csi.k8s.io';
const SNAPSHOT_TIME = '2026-03-01T10:00:00Z';

function vsc(name: string, spec: object, created = SNAPSHOT_TIME) {
  return { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotContent', metadata: { name, creationTimestamp: created },
    spec: { deletionPolicy: 'Delete', driver: DRIVER, volumeSnapshotClassName: 'csi-hostpath-snapclass', ...spec } };
}
function pv(name: string, handle: string, volumeMode?: string) {
  return { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete',
      csi: { driver: DRIVER, volumeHandle: handle }, ...(volumeMode ? { volumeMode } : {}) } };
}
function pvc(ns: string, name: string, created: string, volumeMode?: string, volumeName?: string) {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: ns, creationTimestamp: created },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'csi-hostpath-sc',
      ...(volumeMode ? { volumeMode } : {}), ...(volumeName ? { volumeName } : {}) } };
}
function vs(ns: string, name: string, source: object, uid?: string) {
  return { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name, namespace: ns, ...(uid ? { uid } : {}) },
    spec: { source, volumeSnapshotClassName: 'csi-hostpath-snapclass' } };
}
const ref = (ns: string, name: string, uid?: string) => ({ kind: 'VolumeSnapshot', namespace: ns, name, ...(uid ? { uid } : {}) });

/**
 * One content per path through the resolution rules:
 * by-pv        dynamic, PV with the handle exists (Block)                          -> Block via PV
 * by-pvc       dynamic, PV gone; VS (same uid) -> PVC older than content (Filesystem) -> Filesystem via PVC
 * pvc-nomode   PV gone; PVC exists without volumeMode                              -> Filesystem (API-defined default)
 * imported     pre-provisioned: snapshotHandle, VS sourced from the content itself -> undeterminable
 * pvc-newer    PV gone; PVC re-created after the snapshot                          -> undeterminable
 * vs-recreated PV gone; VS uid differs from the content's ref                      -> undeterminable
 * pvc-missing  PV gone; PVC deleted                                                -> undeterminable (never defaulted)
 * other-pv     PV gone; PVC bound to a PV with another handle                       -> undeterminable
 * done         already has sourceVolumeMode                                        -> untouched
 */
async function cluster(): Promise<FakeApiServer> {
  const s = await FakeApiServer.start();
  servers.push(s);
  s.add(
    pv('pv-block', 'h-by-pv', 'Block'), pv('pv-unrelated', 'h-unrelated', 'Filesystem'),
    vsc('by-pv', { source: { volumeHandle: 'h-by-pv' }, volumeSnapshotRef: ref('apps', 's1', 'uid-s1') }),
    vsc('by-pvc', { source: { volumeHandle: 'h-gone-1' }, volumeSnapshotRef: ref('apps', 's2', 'uid-s2') }),
    vs('apps', 's2', { persistentVolumeClaimName: 'data' }, 'uid-s2'),
    pvc('apps', 'data', '2026-02-01T00:00:00Z', 'Filesystem'),
    vsc('pvc-nomode', { source: { volumeHandle: 'h-gone-2' }, volumeSnapshotRef: ref('apps', 's3') }),
    vs('apps', 's3', { persistentVolumeClaimName: 'legacy' }),
    pvc('apps', 'legacy', '2026-02-01T00:00:00Z'),
    vsc('imported', { source: { snapshotHandle: 'snap-123' }, volumeSnapshotRef: ref('backup', 'restored') }),
    vs('backup', 'restored', { volumeSnapshotContentName: 'imported' }),
    vsc('pvc-newer', { source: { volumeHandle: 'h-gone-3' }, volumeSnapshotRef: ref('apps', 's4') }),
    vs('apps', 's4', { persistentVolumeClaimName: 'recreated' }),
    pvc('apps', 'recreated', '2026-04-01T00:00:00Z', 'Block'),
    vsc('vs-recreated', { source: { volumeHandle: 'h-gone-4' }, volumeSnapshotRef: ref('apps', 's5', 'uid-old') }),
    vs('apps', 's5', { persistentVolumeClaimName: 'data' }, 'uid-new'),
    vsc('pvc-missing', { source: { volumeHandle: 'h-gone-5' }, volumeSnapshotRef: ref('apps', 's6') }),
    vs('apps', 's6', { persistentVolumeClaimName: 'deleted' }),
    vsc('other-pv', { source: { volumeHandle: 'h-gone-6' }, volumeSnapshotRef: ref('apps', 's7') }),
    vs('apps', 's7', { persistentVolumeClaimName: 'moved' }),
    pvc('apps', 'moved', '2026-02-01T00:00:00Z', 'Block', 'pv-unrelated'),
    vsc('done', { source: { volumeHandle: 'h-by-pv' }, volumeSnapshotRef: ref('apps', 's8'), sourceVolumeMode: 'Block' }),
  );
  return s;
}

const backfill = (s: FakeApiServer, apply: boolean, pageSize = 3): Promise<BackfillReport> =>
  runBackfill(connect({ kubeconfig: s.writeKubeconfig(), retryDelayMs: 10 }), { apply, pageSize });
const outcomes = (r: BackfillReport) => Object.fromEntries(r.entries.map((e) => [e.name, e.mode ? `${e.outcome}:${e.mode}` : e.outcome]));
const patches = (s: FakeApiServer) => s.requests.filter((q) => q.method === 'PATCH');

describe('doctor backfill-source-volume-mode against a fake API server', () => {
  test('dry-run resolves every content from evidence and writes nothing', async () => {
    const s = await cluster();
    const r = await backfill(s, false);
    expect(outcomes(r)).toEqual({
      'by-pv': 'would-patch:Block', 'by-pvc': 'would-patch:Filesystem', 'pvc-nomode': 'would-patch:Filesystem',
      'imported': 'undeterminable', 'pvc-newer': 'undeterminable', 'vs-recreated': 'undeterminable',
      'pvc-missing': 'undeterminable', 'other-pv': 'undeterminable',
    });
    expect(r.scanned).toBe(9);
    expect(patches(s)).toHaveLength(0);
    expect(r.exitCode).toBe(1);
  });

  test('each undeterminable content says why', async () => {
    const r = await backfill(await cluster(), false);
    const reason = (n: string) => r.entries.find((e) => e.name === n)!.reason;
    expect(reason('imported')).toMatch(/pre-provisioned .* no source PVC/);
    expect(reason('pvc-newer')).toMatch(/created after the content/);
    expect(reason('vs-recreated')).toMatch(/re-created \(uid uid-new, content expects uid-old\)/);
    expect(reason('pvc-missing')).toMatch(/source PVC apps\/deleted not found/);
    expect(reason('other-pv')).toMatch(/bound to PV pv-unrelated with another volume handle/);
    expect(r.entries.find((e) => e.name === 'pvc-nomode')!.reason).toMatch(/volumeMode absent, which the API defines as Filesystem/);
  });

  test('--apply sends exactly one merge patch per resolvable content, with the resourceVersion precondition', async () => {
    const s = await cluster();
    const rvs = Object.fromEntries(['by-pv', 'by-pvc', 'pvc-nomode'].map((n) => [n, s.object('volumesnapshotcontents', n).metadata.resourceVersion]));
    const r = await backfill(s, true);
    expect(patches(s).map((q: RecordedRequest) => [q.path, q.contentType, q.query.fieldManager, q.body])).toEqual([
      [`${CONTENTS}/by-pv`, 'application/merge-patch+json', 'csi-snapshot-guard-doctor', { metadata: { resourceVersion: rvs['by-pv'] }, spec: { sourceVolumeMode: 'Block' } }],
      [`${CONTENTS}/by-pvc`, 'application/merge-patch+json', 'csi-snapshot-guard-doctor', { metadata: { resourceVersion: rvs['by-pvc'] }, spec: { sourceVolumeMode: 'Filesystem' } }],
      [`${CONTENTS}/pvc-nomode`, 'application/merge-patch+json', 'csi-snapshot-guard-doctor', { metadata: { resourceVersion: rvs['pvc-nomode'] }, spec: { sourceVolumeMode: 'Filesystem' } }],
    ]);
    expect(s.object('volumesnapshotcontents', 'by-pv').spec.sourceVolumeMode).toBe('Block');
    expect(s.object('volumesnapshotcontents', 'imported').spec.sourceVolumeMode).toBeUndefined();
    expect(r.counts).toMatchObject({ patched: 3, undeterminable: 5, failed: 0 });
    expect(r.exitCode).toBe(1);
    // A second run finds only the undeterminable ones.
    const again = await backfill(s, true);
    expect(again.counts).toMatchObject({ patched: 0, undeterminable: 5 });
  });

  test('409 conflict: re-reads the content and retries with the new resourceVersion', async () => {
    const s = await cluster();
    s.onceBeforePatch('by-pv', () => s.modify('volumesnapshotcontents', 'by-pv', (o) => { o.metadata.labels = { touched: 'yes' }; }));
    const r = await backfill(s, true);
    const calls = patches(s).filter((q) => q.path === `${CONTENTS}/by-pv`);
    expect(calls).toHaveLength(2);
    expect(calls[1].body.metadata.resourceVersion).not.toBe(calls[0].body.metadata.resourceVersion);
    expect(s.requestsTo('GET', `${CONTENTS}/by-pv`)).toHaveLength(1);
    const entry = r.entries.find((e) => e.name === 'by-pv')!;
    expect([entry.outcome, entry.attempts]).toEqual(['patched', 2]);
    expect(s.object('volumesnapshotcontents', 'by-pv').metadata.labels).toEqual({ touched: 'yes' });
  });

  test('409 because someone else set the field: leaves their value alone', async () => {
    const s = await cluster();
    s.onceBeforePatch('by-pv', () => s.modify('volumesnapshotcontents', 'by-pv', (o) => { o.spec.sourceVolumeMode = 'Filesystem'; }));
    const r = await backfill(s, true);
    expect(patches(s).filter((q) => q.path === `${CONTENTS}/by-pv`)).toHaveLength(1);
    expect(r.entries.find((e) => e.name === 'by-pv')!.outcome).toBe('set-meanwhile');
    expect(s.object('volumesnapshotcontents', 'by-pv').spec.sourceVolumeMode).toBe('Filesystem');
  });

  test('conflicts that never end stop after 3 attempts and exit 2', async () => {
    const s = await cluster();
    s.fault({ method: 'PATCH', path: `${CONTENTS}/by-pv`, status: 409, reason: 'Conflict', message: 'the object has been modified' });
    const r = await backfill(s, true);
    expect(patches(s).filter((q) => q.path === `${CONTENTS}/by-pv`)).toHaveLength(3);
    expect(r.entries.find((e) => e.name === 'by-pv')!.outcome).toBe('failed');
    expect(r.exitCode).toBe(2);
  });

  test('403 on patch reports the RBAC message and the ClusterRole to bind', async () => {
    const s = await cluster();
    const message = forbiddenMessage('patch', 'volumesnapshotcontents', 'snapshot.storage.k8s.io');
    s.fault({ method: 'PATCH', path: /volumesnapshotcontents/, status: 403, reason: 'Forbidden', message });
    const r = await backfill(s, true);
    const failed = r.entries.filter((e) => e.outcome === 'failed');
    expect(failed).toHaveLength(3);
    expect(failed[0].reason).toContain(message);
    expect(failed[0].reason).toContain('csi-snapshot-guard-doctor-backfill');
    expect(r.exitCode).toBe(2);
  });

  test('the CLI prints the dry-run table and exits 1', async () => {
    const s = await cluster();
    let stdout = '';
    const code = await runCli(['doctor', 'backfill-source-volume-mode', '--kubeconfig', s.writeKubeconfig()],
      { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true, isTTY: false } });
    expect(code).toBe(1);
    expect(stdout).toMatch(/dry-run: nothing written/);
    expect(stdout).toMatch(/WOULD-PATCH\s+by-pv {2}-> Block/);
    expect(patches(s)).toHaveLength(0);
  });
});

describe('doctor RBAC (catalog/doctor-rbac.ts) matches the requests the command makes', () => {
  /** `GET /apis/g/v/plural[/name]` -> `g plural verb`; discovery paths return undefined. */
  function permission(q: RecordedRequest): string | undefined {
    const m = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)(?:\/namespaces\/[^/]+)?\/([^/]+)(\/[^/]+)?$/.exec(q.path);
    if (!m) return undefined;
    const verb = q.method === 'PATCH' ? 'patch' : m[3] ? 'get' : 'list';
    return `${m[1] ?? ''} ${m[2]} ${verb}`;
  }
  const granted = (rules: typeof DOCTOR_READER_RULES) =>
    new Set(rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g} ${res} ${v}`)))));

  test('audit + dry-run need exactly the reader rules; --apply adds exactly the backfill rule', async () => {
    const s = await cluster();
    for (const plural of ['volumesnapshotclasses', 'volumesnapshotcontents', 'volumesnapshots']) {
      s.add({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.snapshot.storage.k8s.io` }, spec: { versions: [] } });
    }
    const kc = connect({ kubeconfig: s.writeKubeconfig() });
    await runDoctor(kc);
    await runBackfill(kc, { apply: false });
    const readUsed = new Set(s.requests.map(permission).filter((p): p is string => p !== undefined));
    expect([...readUsed].sort()).toEqual([...granted(DOCTOR_READER_RULES)].sort());

    // --apply with one conflict, so the re-read happens too.
    const before = s.requests.length;
    s.onceBeforePatch('by-pv', () => s.modify('volumesnapshotcontents', 'by-pv', () => undefined));
    await runBackfill(kc, { apply: true });
    const extra = new Set(s.requests.slice(before).map(permission).filter((p) => p !== undefined && !readUsed.has(p)));
    expect([...extra].sort()).toEqual([...granted(DOCTOR_BACKFILL_RULES)].sort());
  });
});
