/**
 * doctor and backfill against the real API server, seeded with the field report's traps: a content
 * CRD without spec.sourceVolumeMode, controllers without the protection flag, contents without a
 * mode and two default classes. The audit writes nothing; `--apply` patches exactly the contents
 * whose mode is knowable and survives a real 409; a kubeconfig for `kubectl proxy` (http://) works.
 * Runs last: it replaces the content CRD and removes the guard's bindings.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfill } from '../../src/cli/backfill';
import { runDoctor } from '../../src/cli/doctor';
import { connect, KubeApiError, type Cluster as DoctorCluster } from '../../src/cli/kube';
import { runCli } from '../../src/cli/main';
import { Cluster, crdEstablished, eventually, Obj, removePolicyBindings } from './support/cluster';
import { renderedCrds, withoutSourceVolumeMode } from './support/render';

const cluster = new Cluster();
const VSC = 'snapshot.storage.k8s.io/v1';
const CRD_API = 'apiextensions.k8s.io/v1';
const CONTENT_CRD = 'volumesnapshotcontents.snapshot.storage.k8s.io';
let ourCrds: Obj[];

function content(name: string, handle: string): Obj {
  return {
    apiVersion: VSC, kind: 'VolumeSnapshotContent', metadata: { name },
    spec: { deletionPolicy: 'Retain', driver: 'hostpath.csi.k8s.io', source: { volumeHandle: handle }, volumeSnapshotRef: { name: `snap-${name}`, namespace: 'doctor-e2e' } },
  };
}
function pv(name: string, handle: string, volumeMode: 'Block' | 'Filesystem'): Obj {
  return {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], volumeMode, persistentVolumeReclaimPolicy: 'Retain', csi: { driver: 'hostpath.csi.k8s.io', volumeHandle: handle } },
  };
}
function controller(name: string, image: string, args: string[]): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'doctor-e2e' },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image, args }] } } },
  };
}
/** resourceVersion of every object the audit could touch. */
async function versions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [api, kind] of [[VSC, 'VolumeSnapshotContent'], [VSC, 'VolumeSnapshotClass'], ['storage.k8s.io/v1', 'StorageClass'], [CRD_API, 'CustomResourceDefinition'], ['apps/v1', 'Deployment'], ['v1', 'PersistentVolume']]) {
    for (const o of await cluster.list(api, kind)) out[`${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`] = o.metadata.resourceVersion;
  }
  return out;
}

beforeAll(async () => {
  ourCrds = renderedCrds(cluster.env.minor);
  // The field report's cluster has none of this project's policies.
  await removePolicyBindings(cluster);
  for (const crd of ourCrds) await eventually(() => cluster.put(crd), `${crd.metadata.name} written`);
  await eventually(async () => (await cluster.request('GET', '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents')).status === 200, 'the snapshot API');
  for (const o of await cluster.list(VSC, 'VolumeSnapshotContent')) await cluster.purge(VSC, 'VolumeSnapshotContent', o.metadata.name);
  await cluster.ensureNamespace('doctor-e2e');
  const legacy = withoutSourceVolumeMode(ourCrds.find((c) => c.metadata.name === CONTENT_CRD)!);
  // The API server drops the removed bindings within moments; until then the guard refuses this.
  await eventually(() => cluster.put(legacy), 'the legacy content CRD to be written');
  await eventually(async () => {
    const live = await crdEstablished(cluster, CONTENT_CRD);
    return live && !JSON.stringify(live.spec).includes('sourceVolumeMode');
  }, 'the legacy content CRD');
  // Until the server drops the removed bindings, the flag-adding policy may still rewrite these: re-write until stored as given.
  for (const c of [
    controller('old-snapshot-controller', 'registry.k8s.io/sig-storage/snapshot-controller:v6.3.0', ['--leader-election=true']),
    controller('provisioner-flag-off', 'registry.k8s.io/sig-storage/csi-provisioner:v5.3.0', ['--csi-address=/csi/csi.sock', '--prevent-volume-mode-conversion=false']),
    // A cloud add-on's controller beside the field report's own: two controllers act on every snapshot.
    controller('addon-snapshot-controller', 'registry.k8s.io/sig-storage/snapshot-controller:v8.6.0', ['--leader-election=true']),
  ]) {
    await eventually(async () => {
      const stored = await cluster.put(c);
      return JSON.stringify(stored.spec.template.spec.containers[0].args) === JSON.stringify(c.spec.template.spec.containers[0].args);
    }, `${c.metadata.name} stored as written`);
  }
  for (const n of ['vsclass-a', 'vsclass-b']) {
    await cluster.put({ apiVersion: VSC, kind: 'VolumeSnapshotClass', metadata: { name: n, annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } }, driver: 'hostpath.csi.k8s.io', deletionPolicy: 'Delete' });
  }
  await cluster.put(pv('pv-known-block', 'handle-known', 'Block'));
  // Written while the CRD lacks the field: any sourceVolumeMode would be pruned.
  await cluster.put(content('content-known', 'handle-known'));
  await cluster.put(content('content-unknown', 'handle-nowhere'));
});

describe(`doctor on the field report's cluster, Kubernetes ${cluster.env.version}`, () => {
  it('finds every trap and writes nothing', async () => {
    const before = await versions();
    const report = await runDoctor(connect());
    const failed = report.findings.filter((f) => f.status === 'fail').map((f) => `${f.id} ${f.subject ?? ''}`.trim());
    expect(failed).toEqual(expect.arrayContaining([
      expect.stringMatching(/^crds\.source-volume-mode/),
      expect.stringMatching(/^workloads\..*old-snapshot-controller/),
      expect.stringMatching(/^workloads\..*provisioner-flag-off/),
      expect.stringMatching(/^classes\.default-snapshot-class/),
      expect.stringMatching(/^workloads\.snapshot-controller\.several/),
    ]));
    expect(report.exitCode).toBe(2);
    expect(await versions()).toEqual(before);
  });

  it('after the CRD upgrade, backfill dry-run finds the knowable content and writes nothing', async () => {
    for (const crd of ourCrds) await cluster.put(crd);
    await eventually(async () => JSON.stringify((await cluster.get(CRD_API, 'CustomResourceDefinition', CONTENT_CRD))?.status?.acceptedNames ?? {}).includes('VolumeSnapshotContent')
      && (await cluster.request('GET', '/openapi/v3/apis/snapshot.storage.k8s.io/v1')).body?.components?.schemas && true, 'the upgraded CRD');
    const before = await versions();
    const dry = await runBackfill(connect());
    expect(dry.entries.map((e) => [e.name, e.outcome, e.mode])).toEqual([['content-known', 'would-patch', 'Block'], ['content-unknown', 'undeterminable', undefined]]);
    expect(await versions()).toEqual(before);
  });

  it('--apply patches exactly the knowable content and retries after a real 409', async () => {
    const real = connect();
    const conflicts: number[] = [];
    let raced = false;
    // Between backfill's read and its patch, someone else updates the content: the server must refuse the stale patch.
    const racing: DoctorCluster = {
      ...real, server: real.server, version: () => real.version(), groupVersions: (g) => real.groupVersions(g), resourcesOf: (g, v) => real.resourcesOf(g, v),
      get: (r, n, ns) => real.get(r, n, ns), listPage: (r, l, c) => real.listPage(r, l, c),
      mergePatch: async (ref, name, patch, manager) => {
        if (!raced) {
          raced = true;
          const p = await cluster.pathOf(VSC, 'VolumeSnapshotContent', undefined, name);
          await cluster.request('PATCH', p, { body: { metadata: { labels: { touched: 'meanwhile' } } }, contentType: 'application/merge-patch+json' });
        }
        try { return await real.mergePatch(ref, name, patch, manager); } catch (e) { if (e instanceof KubeApiError) conflicts.push(e.status); throw e; }
      },
    };
    const applied = await runBackfill(racing, { apply: true });
    expect(conflicts).toEqual([409]);
    expect(applied.entries.map((e) => [e.name, e.outcome, e.attempts])).toEqual([['content-known', 'patched', 2], ['content-unknown', 'undeterminable', undefined]]);
    const known = (await cluster.get(VSC, 'VolumeSnapshotContent', 'content-known'))!;
    expect(known.spec.sourceVolumeMode).toBe('Block');
    expect(known.metadata.labels.touched).toBe('meanwhile');
    expect((await cluster.get(VSC, 'VolumeSnapshotContent', 'content-unknown'))!.spec.sourceVolumeMode).toBeUndefined();
  });
});

describe(`doctor through kubectl proxy (http://), Kubernetes ${cluster.env.version}`, () => {
  let proxy: ReturnType<typeof spawn> | undefined;
  let kubeconfig: string;
  beforeAll(async () => {
    proxy = spawn(cluster.env.kubectl, ['proxy', '--port=0', '--address=127.0.0.1'], { env: { ...process.env, KUBECONFIG: cluster.env.kubeconfig } });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      proxy!.stdout!.on('data', (d: Buffer) => { out += d; const m = /Starting to serve on (127\.0\.0\.1:\d+)/.exec(out); if (m) resolve(`http://${m[1]}`); });
      proxy!.on('exit', (code) => reject(new Error(`kubectl proxy exited with ${code}`)));
      setTimeout(() => reject(new Error('kubectl proxy did not start')), 20_000);
    });
    kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proxy-kubeconfig-')), 'config');
    fs.writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: proxy, cluster: {server: '${url}'}}]\nusers: [{name: none, user: {}}]\ncontexts: [{name: proxy, context: {cluster: proxy, user: none}}]\ncurrent-context: proxy\n`);
  });
  afterAll(() => { proxy?.kill(); });

  it('the doctor CLI audits the cluster over plain http', async () => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['doctor', '--kubeconfig', kubeconfig, '--output', 'json'], { stdout: { write: (t: string) => { stdout += t; } }, stderr: { write: (t: string) => { stderr += t; } } });
    expect(stderr).toBe('');
    const report = JSON.parse(stdout);
    expect(report.server).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect(report.findings.find((f: Obj) => f.id === 'server.version').status).not.toBe('fail');
    expect(code).toBe(2); // the seeded traps are still there
  });
});

describe(`a stored version left behind blocks the next CRD upgrade, Kubernetes ${cluster.env.version}`, () => {
  const NAME = 'volumesnapshotclasses.snapshot.storage.k8s.io';
  let ours: Obj;
  beforeAll(async () => {
    ours = ourCrds.find((c) => c.metadata.name === NAME)!;
    // An older install stored objects as v1beta1 (then the storage version).
    const older = JSON.parse(JSON.stringify(ours));
    for (const v of older.spec.versions) Object.assign(v, v.name === 'v1beta1' ? { served: true, storage: true } : { storage: false });
    await cluster.put(older);
    await eventually(async () => (await cluster.create({ apiVersion: 'snapshot.storage.k8s.io/v1beta1', kind: 'VolumeSnapshotClass', metadata: { name: 'stored-as-beta' }, driver: 'hostpath.csi.k8s.io', deletionPolicy: 'Delete' })).status === 201, 'a v1beta1 object');
    await cluster.put(ours);
  });
  afterAll(() => cluster.put(ours));

  it('doctor warns, the upgrade is refused until the fix is followed, and then it goes through', async () => {
    const stored = (await cluster.get(CRD_API, 'CustomResourceDefinition', NAME))!.status.storedVersions;
    expect(stored).toContain('v1beta1');
    const finding = (await runDoctor(connect())).findings.find((f) => f.id === 'crds.volumesnapshotclasses.stored-versions');
    expect(finding?.status).toBe('warn');

    const withoutBeta = (crd: Obj) => ({ ...crd, spec: { ...crd.spec, versions: crd.spec.versions.filter((v: Obj) => v.name !== 'v1beta1') } });
    const live = (await cluster.get(CRD_API, 'CustomResourceDefinition', NAME))!;
    const refused = await cluster.replace(withoutBeta(live));
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/storedVersions/);

    // The fix as doctor prints it: rewrite every object in v1, then trim the list.
    const objects = await cluster.kubectl(['get', 'volumesnapshotclasses', '-A', '-o', 'json']);
    const replaced = await cluster.kubectl(['replace', '-f', '-'], { input: objects.stdout });
    expect(replaced.code, replaced.stderr).toBe(0);
    const patched = await cluster.kubectl(['patch', 'crd', NAME, '--subresource=status', '--type=merge', '-p', '{"status":{"storedVersions":["v1"]}}']);
    expect(patched.code, patched.stderr).toBe(0);
    const upgraded = await cluster.replace(withoutBeta((await cluster.get(CRD_API, 'CustomResourceDefinition', NAME))!));
    expect(upgraded.status, upgraded.body.message).toBe(200);
  });
});
