/**
 * The whole guard as dist/ installs it, on the real API server: the mutating policies store the
 * protection flag exactly once and stamp the approver, nobody forges the stamp, and the server's
 * type checker finds nothing to warn about in any ValidatingAdmissionPolicy.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALLOW_VOLUME_MODE_CHANGE_ANNOTATION, MODE_CHANGE_APPROVED_BY_ANNOTATION, MODE_CHANGE_APPROVER_CLUSTER_ROLE, POLICY_NAMES,
  PREVENT_VOLUME_MODE_CONVERSION_FLAG, RESTORES_SNAPSHOT_LABEL, SNAPSHOT_NAME_BUCKET_LABEL, SOURCE_VOLUME_MODE_LABEL,
} from '../../src/catalog';
import { catalogImage, snapshotContent } from '../../src/policies/_fixtures';
import { Component } from '../../src/catalog';
import { Cluster, denialMessage, eventually, Obj } from './support/cluster';
import { objectsIn, renderFor } from './support/render';
import { renderPolicy } from './support/replay';
import { readmeShellCommands } from '../support/readme';
import { MUTATING_POLICIES } from '../../src/policies';

const cluster = new Cluster();
const minor = cluster.env.minor;
const RBAC = 'rbac.authorization.k8s.io/v1';
const FLAG = `${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=true`;
let platform: Obj[];

function deployment(name: string, containers: Obj[]): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'guard-e2e' },
    spec: {
      replicas: 1, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  };
}

beforeAll(async () => {
  const root = renderFor(minor);
  platform = objectsIn(root);
  const applied = await cluster.kubectl(['apply', '-f', root]);
  expect(applied.code, applied.stderr).toBe(0);
  // On 1.34/1.35 the default render leaves the beta mutating policies out; a user opts in with
  // allowBetaMutatingApi on a server started with the gate (as this one is). Render them that way.
  if (minor >= 34 && minor < 36) {
    for (const def of Object.values(MUTATING_POLICIES)) {
      const { policy, binding } = renderPolicy(def, minor);
      await cluster.put(policy);
      await cluster.put(binding);
    }
  }
  await cluster.ensureNamespace('guard-e2e');
  await guardActive();
});

/**
 * Waits until the API server enforces what was just applied: policies reach the admission plugins
 * through informers, and a MutatingAdmissionPolicy that applies a configuration to a custom resource
 * also waits for the server's OpenAPI type converter.
 */
async function guardActive(): Promise<void> {
  const VSC = 'snapshot.storage.k8s.io/v1';
  // Each policy becomes active on its own (the server compiles it when its informer sees it), so
  // every policy the tests below lean on gets its own probe.
  await eventually(async () => (await cluster.create({ ...snapshotContent('probe-no-mode', { sourceVolumeMode: null }) }, { dryRun: true })).status === 422, 'the validating policies');
  await eventually(async () => {
    const res = await cluster.create(deployment('probe-flag-off', [{ name: 'csi-provisioner', image: catalogImage(Component.CSI_PROVISIONER), args: [`${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=false`] }]), { dryRun: true });
    return res.status === 422;
  }, 'the protection-flag policy');
  if (minor < 34) return;
  await eventually(async () => {
    const res = await cluster.create(deployment('probe-flag', [{ name: 'csi-provisioner', image: catalogImage(Component.CSI_PROVISIONER) }]), { dryRun: true });
    return res.status === 201 && (res.body.spec.template.spec.containers[0].args ?? []).includes(FLAG);
  }, 'the flag-adding mutating policy');
  await cluster.purge(VSC, 'VolumeSnapshotContent', 'probe-stamp');
  const probe = await cluster.create(snapshotContent('probe-stamp'));
  expect(probe.status, probe.body.message).toBe(201);
  await eventually(async () => {
    const res = await cluster.replace({ ...probe.body, metadata: { ...probe.body.metadata, annotations: { [ALLOW_VOLUME_MODE_CHANGE_ANNOTATION]: 'true' } } }, { dryRun: true });
    return res.status === 200 && res.body.metadata.annotations?.[MODE_CHANGE_APPROVED_BY_ANNOTATION] === 'e2e-admin';
  }, 'the stamping mutating policy', 60_000, 500);
  await eventually(async () => (await cluster.create(snapshotContent('probe-labels', { sourceVolumeMode: 'Block' }), { dryRun: true }))
    .body.metadata?.labels?.[SOURCE_VOLUME_MODE_LABEL] === 'Block', 'the content-labelling mutating policy', 60_000, 500);
  const restoring = {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'probe-restore', namespace: 'guard-e2e' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'probe-snap' } },
  };
  await eventually(async () => (await cluster.create(restoring, { dryRun: true })).body.metadata?.labels?.[RESTORES_SNAPSHOT_LABEL] !== undefined,
    'the restore-marking mutating policy');
}

describe.skipIf(minor < 34)(`mutating policies on Kubernetes ${cluster.env.version}`, () => {
  const provisioner = (args?: string[]) => ({ name: 'csi-provisioner', image: catalogImage(Component.CSI_PROVISIONER), ...(args ? { args } : {}) });
  const snapshotter = (args?: string[]) => ({ name: 'snapshot-controller', image: catalogImage(Component.SNAPSHOT_CONTROLLER), ...(args ? { args } : {}) });
  const flagsOf = (o: Obj) => o.spec.template.spec.containers.map((c: Obj) => (c.args ?? []).filter((a: string) => a.startsWith(PREVENT_VOLUME_MODE_CONVERSION_FLAG)));

  it('a stored Deployment gets the flag exactly once per guarded container', async () => {
    await cluster.purge('apps/v1', 'Deployment', 'flagless', 'guard-e2e');
    const body = deployment('flagless', [provisioner(['--csi-address=/csi/csi.sock']), snapshotter(), { name: 'app', image: 'registry.k8s.io/pause:3.10' }]);
    const created = await eventually(async () => {
      const res = await cluster.create(body);
      if (res.status !== 201) throw new Error(`${res.status} ${res.body.message}`);
      if (flagsOf(res.body)[0].length === 0) { await cluster.remove('apps/v1', 'Deployment', 'flagless', 'guard-e2e'); return undefined; }
      return res.body;
    }, 'the mutating policy to act');
    const stored = (await cluster.get('apps/v1', 'Deployment', 'flagless', 'guard-e2e'))!;
    expect(stored.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    expect(flagsOf(stored)).toEqual([[FLAG], [FLAG], []]);
    expect(stored.spec.template.spec.containers[0].args).toEqual(['--csi-address=/csi/csi.sock', FLAG]);
  });

  it('an update that touches the pod spec keeps one flag (reinvocation adds no second one)', async () => {
    const stored = (await cluster.get('apps/v1', 'Deployment', 'flagless', 'guard-e2e'))!;
    stored.spec.template.spec.containers[0].args = ['--csi-address=/csi/csi.sock', '--timeout=60s'];
    stored.spec.template.metadata.annotations = { restartedAt: 'now' };
    const res = await cluster.replace(stored);
    expect(res.status, res.body.message).toBe(200);
    expect(flagsOf(res.body)).toEqual([[FLAG], [FLAG], []]);
    expect(res.body.spec.template.spec.containers[0].args).toEqual(['--csi-address=/csi/csi.sock', '--timeout=60s', FLAG]);
  });

  it('an explicit false is refused, not rewritten', async () => {
    const res = await cluster.create(deployment('flag-off', [provisioner([`${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=false`])]), { dryRun: true });
    expect(res.status).toBe(422);
    expect(res.body.message).toContain(POLICY_NAMES.keepProtectionFlag);
  });
});

describe.skipIf(minor < 34)(`approver stamp on Kubernetes ${cluster.env.version}`, () => {
  const VSC = 'snapshot.storage.k8s.io/v1';
  const name = 'stamp-e2e';
  const alice = { token: cluster.env.aliceToken };
  const bob = { token: cluster.env.bobToken };

  beforeAll(async () => {
    // alice approves; both may update contents (what a backup tool's role holds).
    await cluster.put({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'e2e-content-writer' }, rules: [{ apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshotcontents'], verbs: ['get', 'update', 'patch'] }] });
    await cluster.put({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'e2e-content-writer' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'e2e-content-writer' }, subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'e2e-users' }] });
    await cluster.put({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'e2e-alice-approves' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: MODE_CHANGE_APPROVER_CLUSTER_ROLE }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }] });
    await cluster.purge(VSC, 'VolumeSnapshotContent', name);
    const created = await cluster.create(snapshotContent(name));
    expect(created.status, created.body.message).toBe(201);
  });

  const patch = (annotations: Record<string, string | null>, as: { token: string }, dryRun = false) => cluster.pathOf(VSC, 'VolumeSnapshotContent', undefined, name)
    .then((p) => cluster.request('PATCH', p, { ...as, dryRun, body: { metadata: { annotations } }, contentType: 'application/merge-patch+json' }));

  it('a plain user cannot allow a mode change', async () => {
    // Dry runs while the approval policy may still be compiling, so an early pass stores nothing.
    const res = await eventually(async () => { const r = await patch({ [ALLOW_VOLUME_MODE_CHANGE_ANNOTATION]: 'true' }, bob, true); return r.status === 403 || r.status === 422 ? r : undefined; }, 'the denial');
    expect(denialMessage(res)).toMatch(/^user bob may not/);
    const real = await patch({ [ALLOW_VOLUME_MODE_CHANGE_ANNOTATION]: 'true' }, bob);
    expect(real.status).toBeGreaterThanOrEqual(400);
  });

  it('a plain user cannot write the stamp', async () => {
    const res = await patch({ [MODE_CHANGE_APPROVED_BY_ANNOTATION]: 'alice' }, bob);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(denialMessage(res)).toMatch(/^user bob may not/);
  });

  it('an approver allows it and the stored object names the approver, even when the request names someone else', async () => {
    const res = await patch({ [ALLOW_VOLUME_MODE_CHANGE_ANNOTATION]: 'true', [MODE_CHANGE_APPROVED_BY_ANNOTATION]: 'someone-else' }, alice);
    expect(res.status, res.body.message).toBe(200);
    const stored = (await cluster.get(VSC, 'VolumeSnapshotContent', name))!;
    expect(stored.metadata.annotations[MODE_CHANGE_APPROVED_BY_ANNOTATION]).toBe('alice');
    expect(stored.metadata.annotations[ALLOW_VOLUME_MODE_CHANGE_ANNOTATION]).toBe('true');
  });

  it('nobody rewrites the stamp afterwards, the approver included', async () => {
    for (const who of [bob, alice]) {
      const res = await patch({ [MODE_CHANGE_APPROVED_BY_ANNOTATION]: 'mallory' }, who);
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    expect((await cluster.get(VSC, 'VolumeSnapshotContent', name))!.metadata.annotations[MODE_CHANGE_APPROVED_BY_ANNOTATION]).toBe('alice');
  });
});

describe(`type checking on Kubernetes ${cluster.env.version}`, () => {
  it('every ValidatingAdmissionPolicy compiles and status.typeChecking carries no warning', async () => {
    const policies = platform.filter((o) => o.kind === 'ValidatingAdmissionPolicy');
    expect(policies.length).toBe(7);
    for (const p of policies) {
      const live = await eventually(async () => {
        const v = await cluster.get(p.apiVersion, p.kind, p.metadata.name);
        return v?.status?.typeChecking && v.status.observedGeneration === v.metadata.generation ? v : undefined;
      }, `status.typeChecking of ${p.metadata.name} (kube-controller-manager fills it)`, 60_000, 500);
      expect(live.status.typeChecking.expressionWarnings ?? [], p.metadata.name).toEqual([]);
      expect(live.status.conditions ?? [], p.metadata.name).not.toContainEqual(expect.objectContaining({ status: 'False' }));
    }
  });
});

describe(`the restore check through the whole guard on Kubernetes ${cluster.env.version}`, () => {
  const claim = (name: string, volumeMode: string, restore: boolean): Obj => ({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'guard-e2e' },
    spec: {
      accessModes: ['ReadWriteOnce'], volumeMode, resources: { requests: { storage: '1Gi' } },
      ...(restore ? { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'guard-snap' } } : {}),
    },
  });
  beforeAll(async () => {
    await cluster.put(snapshotContent('guard-restore-content', { sourceVolumeMode: 'Filesystem', snapshot: 'guard-snap', namespace: 'guard-e2e' }));
  });

  it('a claim restoring a Filesystem snapshot as Block is refused with the reason', async () => {
    const res = await eventually(async () => {
      const r = await cluster.create(claim('restore-as-block', 'Block', true), { dryRun: true });
      return r.status >= 400 ? r : undefined;
    }, 'the restore policy to refuse');
    expect(denialMessage(res)).toMatch(/restores VolumeSnapshot guard-e2e\/guard-snap \(content guard-restore-content\) whose source volume was Filesystem as Block/);
  });

  it('the same restore in the source mode is created', async () => {
    const res = await cluster.create(claim('restore-as-fs', 'Filesystem', true), { dryRun: true });
    expect(res.status, res.body.message).toBe(201);
  });

  it.skipIf(minor < 34)('only restoring claims are labelled, with their volume mode, so only they meet the restore policy', async () => {
    const restoring = await cluster.create(claim('restore-as-fs', 'Filesystem', true), { dryRun: true });
    expect(restoring.body.metadata.labels?.[RESTORES_SNAPSHOT_LABEL]).toBe('Filesystem');
    const asBlock = await cluster.create(claim('restore-as-block', 'Block', true), { dryRun: true });
    expect(asBlock.status).toBe(403);
    const plain = await cluster.create(claim('plain', 'Block', false), { dryRun: true });
    expect(plain.status).toBe(201);
    expect(plain.body.metadata.labels?.[RESTORES_SNAPSHOT_LABEL]).toBeUndefined();
  });
});

// Where dist/ renders the mutating policies (1.36+), the restore policy has one binding per volume
// mode and snapshot-name bucket, each reading only the contents labelled with another mode and not
// another bucket, or not labelled at all. The snapshots below end in "ap": (10 + 25) % 4 = bucket 3.
describe.skipIf(minor < 36)(`restore bindings split by volume mode on Kubernetes ${cluster.env.version}`, () => {
  const VSC = 'snapshot.storage.k8s.io/v1';
  const MAP_API = 'admissionregistration.k8s.io/v1';
  const labelBinding = `${POLICY_NAMES.labelSnapshotContents}-binding`;
  const claim = (name: string, volumeMode: string, snapshot: string): Obj => ({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'guard-e2e' },
    spec: {
      accessModes: ['ReadWriteOnce'], volumeMode, resources: { requests: { storage: '1Gi' } },
      dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: snapshot },
    },
  });

  it('dist/ renders one restore binding per mode and bucket', () => {
    const bindings = platform.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding' && o.spec.policyName === POLICY_NAMES.restoreKeepsVolumeMode);
    expect(bindings.map((b) => b.metadata.name).sort())
      .toEqual(['block', 'filesystem'].flatMap((m) => [0, 1, 2, 3].map((b) => `${POLICY_NAMES.restoreKeepsVolumeMode}-binding-${m}-${b}`)));
  });

  it('a stored content carries its source mode as a label, whatever the client sent', async () => {
    await cluster.purge(VSC, 'VolumeSnapshotContent', 'split-block-content');
    const sent = snapshotContent('split-block-content', { sourceVolumeMode: 'Block', snapshot: 'split-block-snap', namespace: 'guard-e2e' });
    const res = await cluster.create({ ...sent, metadata: { ...(sent.metadata as Obj), labels: { [SOURCE_VOLUME_MODE_LABEL]: 'Filesystem' } } });
    expect(res.status, res.body.message).toBe(201);
    expect(res.body.metadata.labels?.[SOURCE_VOLUME_MODE_LABEL]).toBe('Block');
    expect(res.body.metadata.labels?.[SNAPSHOT_NAME_BUCKET_LABEL]).toBe('3');
  });

  it('a Block content refuses a Filesystem restore, through the binding of its mode and bucket', async () => {
    // Every binding becomes active on its own: wait for this one.
    const res = await eventually(async () => {
      const r = await cluster.create(claim('split-fs-from-block', 'Filesystem', 'split-block-snap'), { dryRun: true });
      return r.status === 403 ? r : undefined;
    }, 'the Filesystem binding of bucket 3');
    expect(res.body.message).toContain(`${POLICY_NAMES.restoreKeepsVolumeMode}-binding-filesystem-3'`);
    expect(denialMessage(res)).toMatch(/restores VolumeSnapshot guard-e2e\/split-block-snap \(content split-block-content\) whose source volume was Block as Filesystem/);
    const same = await cluster.create(claim('split-block-from-block', 'Block', 'split-block-snap'), { dryRun: true });
    expect(same.status, same.body.message).toBe(201);
  });

  it('a content stored before the labelling policy ran (no label) is still read by both bindings', async () => {
    const binding = await cluster.get(MAP_API, 'MutatingAdmissionPolicyBinding', labelBinding);
    expect(binding).toBeDefined();
    await cluster.remove(MAP_API, 'MutatingAdmissionPolicyBinding', labelBinding);
    try {
      await cluster.purge(VSC, 'VolumeSnapshotContent', 'split-legacy-content');
      const legacy = snapshotContent('split-legacy-content', { sourceVolumeMode: 'Filesystem', snapshot: 'split-legacy-snap', namespace: 'guard-e2e' });
      const stored = await eventually(async () => {
        const r = await cluster.create(legacy, { dryRun: true });
        return r.status === 201 && r.body.metadata.labels?.[SOURCE_VOLUME_MODE_LABEL] === undefined ? r : undefined;
      }, 'the labelling policy to stop');
      expect(stored.status).toBe(201);
      expect((await cluster.create(legacy)).status).toBe(201);
    } finally {
      const { metadata, ...rest } = binding!;
      await cluster.put({ ...rest, metadata: { name: metadata.name, labels: metadata.labels } });
      const probe = snapshotContent('split-probe', { sourceVolumeMode: 'Block' });
      await eventually(async () => (await cluster.create(probe, { dryRun: true })).body.metadata?.labels?.[SOURCE_VOLUME_MODE_LABEL] === 'Block', 'the labelling policy to run again');
    }
    const live = await cluster.get(VSC, 'VolumeSnapshotContent', 'split-legacy-content');
    expect(live!.metadata.labels?.[SOURCE_VOLUME_MODE_LABEL]).toBeUndefined();
    const res = await cluster.create(claim('split-block-from-legacy', 'Block', 'split-legacy-snap'), { dryRun: true });
    expect(res.status).toBe(403);
    expect(res.body.message).toContain(`${POLICY_NAMES.restoreKeepsVolumeMode}-binding-block-3'`);
    expect((await cluster.create(claim('split-fs-from-legacy', 'Filesystem', 'split-legacy-snap'), { dryRun: true })).status).toBe(201);
  });

  it("the README's relabel command gives such contents their true labels", async () => {
    const args = readmeShellCommands().find((c) => c.startsWith('kubectl label volumesnapshotcontents'))!.split(/\s+/).slice(1);
    const res = await cluster.kubectl(args);
    expect(res.code, res.stderr).toBe(0);
    const live = await cluster.get(VSC, 'VolumeSnapshotContent', 'split-legacy-content');
    expect(live!.metadata.labels).toMatchObject({ [SOURCE_VOLUME_MODE_LABEL]: 'Filesystem', [SNAPSHOT_NAME_BUCKET_LABEL]: '3' });
    const block = await cluster.get(VSC, 'VolumeSnapshotContent', 'split-block-content');
    expect(block!.metadata.labels?.[SOURCE_VOLUME_MODE_LABEL]).toBe('Block');
  });
});
