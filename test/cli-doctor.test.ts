import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { afterEach, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import {
  POLICY_BINDING_SUFFIX, POLICY_NAMES, RELABEL_CONTENTS_COMMAND, SNAPSHOT_NAME_BUCKET_LABEL, SOURCE_VOLUME_MODE_LABEL,
} from '../src/catalog/policy-names';
import { SNAPSHOT_STACK_KUBERNETES } from '../src/catalog';
import { connect, runCli, runDoctor } from '../src/cli';
import { VolumeModeGuard } from '../src/constructs/guard/volume-mode-guard';
import type { DoctorReport } from '../src/cli';
import { FakeApiServer, FakeApiServerOptions, forbiddenMessage } from './support/fake-apiserver';
import { describeWithShared, sharedPath } from './support/shared';

const servers: FakeApiServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

const upstreamCrd = (tag: string, plural: string) =>
  parse(fs.readFileSync(sharedPath('reference', 'upstream', `external-snapshotter-${tag}`, 'crd', `snapshot.storage.k8s.io_${plural}.yaml`), 'utf8'));
const CRD_PLURALS = ['volumesnapshotclasses', 'volumesnapshotcontents', 'volumesnapshots'];

/** Admission objects VolumeModeGuard renders for a minor (ClusterRoles etc. left out). */
function guardObjects(minor: string): any[] {
  const chart = Testing.chart();
  const target = Math.min(SNAPSHOT_STACK_KUBERNETES.max, Math.max(SNAPSHOT_STACK_KUBERNETES.min, Number.parseInt(minor, 10)));
  new VolumeModeGuard(chart, 'Guard', { kubernetesVersion: `1.${target}` });
  return Testing.synth(chart).filter((o) => /AdmissionPolicy/.test(o.kind));
}

function deployment(kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', ns: string, name: string, containers: object[], replicas?: number) {
  return {
    apiVersion: 'apps/v1', kind, metadata: { name, namespace: ns },
    spec: { ...(kind === 'DaemonSet' ? {} : { replicas: replicas ?? 1 }), selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } } },
  };
}

function content(name: string, extra: { mode?: string; annotations?: Record<string, string>; labels?: Record<string, string> } = {}) {
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotContent',
    metadata: { name, annotations: extra.annotations, labels: extra.labels },
    spec: {
      deletionPolicy: 'Delete', driver: 'hostpath.csi.k8s.io', volumeSnapshotClassName: 'csi-hostpath-snapclass',
      source: { volumeHandle: `vol-${name}` }, volumeSnapshotRef: { kind: 'VolumeSnapshot', name: `snap-${name}`, namespace: 'apps', uid: `uid-${name}` },
      ...(extra.mode ? { sourceVolumeMode: extra.mode } : {}),
    },
  };
}

/** A cluster where every check passes: v8.6.0 CRDs, protected controllers, policies enforcing. */
async function healthyCluster(opts: FakeApiServerOptions = { admissionVersions: ['v1'] }, crdTag = 'v8.6.0'): Promise<FakeApiServer> {
  const s = await FakeApiServer.start(opts);
  servers.push(s);
  for (const plural of CRD_PLURALS) s.add(upstreamCrd(crdTag, plural));
  s.add(
    deployment('Deployment', 'kube-system', 'snapshot-controller', [{ name: 'snapshot-controller',
      image: 'registry.k8s.io/sig-storage/snapshot-controller:v8.6.0', args: ['--v=5', '--leader-election=true'] }], 2),
    deployment('StatefulSet', 'csi-hostpath', 'csi-hostpathplugin', [
      { name: 'hostpath', image: 'registry.k8s.io/sig-storage/hostpathplugin:v1.17.1', args: ['--drivername=hostpath.csi.k8s.io'] },
      { name: 'csi-provisioner', image: 'registry.k8s.io/sig-storage/csi-provisioner:v6.3.0', args: ['-v=5', '--csi-address=/csi/csi.sock', '--leader-election'] },
    ], 1),
  );
  // Exactly what the project ships: the VolumeModeGuard construct's policies and bindings.
  s.add(...guardObjects(opts.minor ?? '36'));
  // As label-snapshot-content-source-mode stores them ("c1": (12 + 1) % 4 = bucket 1, "c2": bucket 2).
  s.add(content('c1', { mode: 'Filesystem', labels: { [SOURCE_VOLUME_MODE_LABEL]: 'Filesystem', [SNAPSHOT_NAME_BUCKET_LABEL]: '1' } }),
    content('c2', { mode: 'Block', labels: { [SOURCE_VOLUME_MODE_LABEL]: 'Block', [SNAPSHOT_NAME_BUCKET_LABEL]: '2' } }));
  s.add({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: { name: 'csi-hostpath-snapclass',
    annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } }, driver: 'hostpath.csi.k8s.io', deletionPolicy: 'Delete' });
  s.add({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'csi-hostpath-sc',
    annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'hostpath.csi.k8s.io', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
  s.add({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: 'hostpath.csi.k8s.io' }, spec: { attachRequired: false } });
  return s;
}

async function doctor(s: FakeApiServer, opts: { pageSize?: number; token?: string; timeoutMs?: number } = {}): Promise<DoctorReport> {
  const cluster = connect({ kubeconfig: s.writeKubeconfig(undefined, opts.token), timeoutMs: opts.timeoutMs ?? 5000, retryDelayMs: 10 });
  return runDoctor(cluster, { pageSize: opts.pageSize ?? 500 });
}

const find = (r: DoctorReport, id: string) => r.findings.filter((f) => f.id === id);
const one = (r: DoctorReport, id: string, subject?: string) => {
  const hits = find(r, id).filter((f) => subject === undefined || f.subject === subject);
  expect(hits, `${id} ${subject ?? ''}: ${JSON.stringify(r.findings.map((f) => [f.id, f.subject]))}`).toHaveLength(1);
  return hits[0];
};

describeWithShared('doctor against a fake API server', () => {
  test('a healthy cluster passes every check and exits 0', async () => {
    const r = await doctor(await healthyCluster());
    expect(r.findings.filter((f) => f.status !== 'pass').map((f) => `${f.id}: ${f.summary}`)).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(one(r, 'crds.source-volume-mode').status).toBe('pass');
    expect(one(r, 'server.admission-apis').summary).toMatch(/MutatingAdmissionPolicy v1/);
  });

  describe('check 1: server', () => {
    test('a release below the supported range fails', async () => {
      const r = await doctor(await healthyCluster({ minor: '29' }));
      expect(one(r, 'server.version').status).toBe('fail');
      expect(r.exitCode).toBe(2);
    });

    test('a managed minor like "31+" is read as 31, and no VAP v1 fails the admission check', async () => {
      const s = await healthyCluster({ minor: '31+', unserved: ['validatingadmissionpolicies'], admissionVersions: ['v1'] });
      const r = await doctor(s);
      expect(one(r, 'server.version').status).toBe('pass');
      expect(one(r, 'server.admission-apis').status).toBe('fail');
      expect(one(r, 'policies.validating').status).toBe('skip');
    });

    test('1.36 without MutatingAdmissionPolicy v1 warns; 1.34 with v1beta1 is fine', async () => {
      const r36 = await doctor(await healthyCluster({ minor: '36', unserved: ['mutatingadmissionpolicies', 'mutatingadmissionpolicybindings'] }));
      expect(one(r36, 'server.admission-apis').status).toBe('warn');
      const r34 = await doctor(await healthyCluster({ minor: '34', admissionVersions: ['v1', 'v1beta1'],
        unserved: [] }));
      expect(one(r34, 'server.admission-apis').status).toBe('pass');
    });
  });

  describe('check 2: CRDs', () => {
    test('v7.0.0 CRDs: the field exists but without its set-once rules -> warn', async () => {
      const r = await doctor(await healthyCluster(undefined, 'v7.0.0'));
      const f = one(r, 'crds.source-volume-mode');
      expect(f.status).toBe('warn');
      expect(f.evidence.join('\n')).toMatch(/immutable rule .* missing/);
      expect(r.exitCode).toBe(1);
    });

    test('a content CRD without spec.sourceVolumeMode (pre-v6) fails: trap (a) of the field report', async () => {
      const s = await healthyCluster();
      const crd = upstreamCrd('v8.6.0', 'volumesnapshotcontents');
      const v1 = crd.spec.versions.find((v: any) => v.name === 'v1');
      delete v1.schema.openAPIV3Schema.properties.spec.properties.sourceVolumeMode;
      s.add(crd);
      const r = await doctor(s);
      expect(one(r, 'crds.source-volume-mode').status).toBe('fail');
      expect(r.exitCode).toBe(2);
    });

    test('a version still in status.storedVersions warns that the next CRD upgrade will be refused, with the migration', async () => {
      const s = await healthyCluster();
      const crd = upstreamCrd('v8.6.0', 'volumesnapshots');
      crd.status = { storedVersions: ['v1beta1', 'v1'] };
      s.add(crd);
      const f = one(await doctor(s), 'crds.volumesnapshots.stored-versions');
      expect(f.status).toBe('warn');
      expect(f.summary).toMatch(/still lists v1beta1/);
      expect(f.fix).toMatch(/kubectl replace -f -.*--subresource=status.*"storedVersions":\["v1"\]/);
    });

    test('a CRD another manager keeps in place is reported, with the platform setting that leaves it alone', async () => {
      const s = await healthyCluster();
      const crd = upstreamCrd('v8.6.0', 'volumesnapshotclasses');
      crd.metadata.labels = { 'addonmanager.kubernetes.io/mode': 'Reconcile' };
      s.add(crd);
      const r = await doctor(s);
      const f = one(r, 'crds.volumesnapshotclasses.managed');
      expect(f.status).toBe('warn');
      expect(f.fix).toMatch(/crds: false/);
      expect(r.findings.some((x) => x.id === 'crds.volumesnapshots.managed')).toBe(false);
    });

    test('a missing CRD (404) fails its check and skips the content scan', async () => {
      const s = await FakeApiServer.start({ unserved: ['volumesnapshotcontents'] });
      servers.push(s);
      for (const plural of ['volumesnapshotclasses', 'volumesnapshots']) s.add(upstreamCrd('v8.6.0', plural));
      const r = await doctor(s);
      expect(one(r, 'crds.volumesnapshotcontents').status).toBe('fail');
      expect(one(r, 'contents.source-volume-mode').status).toBe('skip');
      expect(s.requestsTo('GET', '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents')).toHaveLength(0);
    });

    test('v1 not the storage version fails', async () => {
      const s = await healthyCluster();
      const crd = upstreamCrd('v8.6.0', 'volumesnapshots');
      for (const v of crd.spec.versions) v.storage = v.name === 'v1beta1';
      s.add(crd);
      expect(one(await doctor(s), 'crds.volumesnapshots').status).toBe('fail');
    });
  });

  describe('check 3: workloads', () => {
    test('a second snapshot-controller (a cloud add-on beside this project\'s) fails, naming both', async () => {
      const s = await healthyCluster();
      s.add(deployment('Deployment', 'snapshot-system', 'snapshot-controller', [{ name: 'snapshot-controller',
        image: 'registry.k8s.io/sig-storage/snapshot-controller:v8.6.0', args: ['--leader-election=true'] }], 2));
      const f = one(await doctor(s), 'workloads.snapshot-controller.several');
      expect(f.status).toBe('fail');
      expect(f.evidence).toEqual(expect.arrayContaining([expect.stringMatching(/kube-system\/snapshot-controller/), expect.stringMatching(/snapshot-system\/snapshot-controller/)]));
      expect(f.fix).toMatch(/controller: false, crds: false/);
    });

    const controller = (image: string, args: string[], replicas = 1, kind: 'Deployment' | 'DaemonSet' = 'Deployment') =>
      deployment(kind, 'kube-system', 'snapshot-controller', [{ name: 'snapshot-controller', image, args }], replicas);
    const SUBJECT = 'Deployment kube-system/snapshot-controller container snapshot-controller';

    test('v6.3.4 without the flag fails: off by default before v7.0.0 (trap b)', async () => {
      const s = await healthyCluster();
      s.add(controller('registry.k8s.io/sig-storage/snapshot-controller:v6.3.4', ['--v=5']));
      const f = one(await doctor(s), 'workloads.snapshot-controller', SUBJECT);
      expect(f.status).toBe('fail');
      expect(f.evidence.join('\n')).toMatch(/off by default before v7\.0\.0/);
    });

    test('v6.3.4 with a single-dash -prevent-volume-mode-conversion passes', async () => {
      const s = await healthyCluster();
      s.add(controller('registry.k8s.io/sig-storage/snapshot-controller:v6.3.4', ['-prevent-volume-mode-conversion']));
      expect(one(await doctor(s), 'workloads.snapshot-controller', SUBJECT).status).toBe('pass');
    });

    test('v8.6.0 with --prevent-volume-mode-conversion=F (Go false) fails', async () => {
      const s = await healthyCluster();
      s.add(controller('registry.k8s.io/sig-storage/snapshot-controller:v8.6.0', ['--prevent-volume-mode-conversion=F']));
      const f = one(await doctor(s), 'workloads.snapshot-controller', SUBJECT);
      expect(f.status).toBe('fail');
      expect(f.evidence.join('\n')).toMatch(/switched off/);
    });

    test('a release before the flag existed fails (csi-provisioner v3.3.0)', async () => {
      const s = await healthyCluster();
      s.add(deployment('Deployment', 'csi', 'old-provisioner', [{ name: 'p', image: 'quay.io/k8scsi/csi-provisioner:v3.3.0', args: ['--prevent-volume-mode-conversion=true'] }]));
      const f = one(await doctor(s), 'workloads.csi-provisioner', 'Deployment csi/old-provisioner container p');
      expect(f.status).toBe('fail');
      expect(f.evidence.join('\n')).toMatch(/needs >= v3\.4\.0/);
    });

    test('a digest-only image warns: the release and so the default are unknown', async () => {
      const s = await healthyCluster();
      s.add(controller(`registry.k8s.io/sig-storage/snapshot-controller@sha256:${'a'.repeat(64)}`, []));
      const f = one(await doctor(s), 'workloads.snapshot-controller', SUBJECT);
      expect(f.status).toBe('warn');
      expect(f.evidence.join('\n')).toMatch(/pulled by digest/);
    });

    test('2 replicas without leader election fail; upstream v8.6.0 setup (v8.5.0, 2 replicas, leader election) passes', async () => {
      const s = await healthyCluster();
      s.add(controller('registry.k8s.io/sig-storage/snapshot-controller:v8.6.0', [], 2));
      const f = one(await doctor(s), 'workloads.snapshot-controller', SUBJECT);
      expect(f.status).toBe('fail');
      expect(f.evidence.join('\n')).toMatch(/2 replicas without --leader-election/);

      const setup = parse(fs.readFileSync(sharedPath('reference', 'upstream', 'external-snapshotter-v8.6.0', 'setup-snapshot-controller.yaml'), 'utf8'));
      s.add(setup);
      const g = one(await doctor(s), 'workloads.snapshot-controller', SUBJECT);
      expect(g.status).toBe('pass');
      expect(g.evidence.join('\n')).toMatch(/v8\.5\.0/);
    });

    test('a DaemonSet controller without leader election fails; a --node-deployment provisioner DaemonSet passes', async () => {
      const s = await healthyCluster();
      s.add(deployment('DaemonSet', 'kube-system', 'snapshot-controller', [{ name: 'snapshot-controller', image: 'registry.k8s.io/sig-storage/snapshot-controller:v8.6.0', args: [] }]));
      s.add(deployment('DaemonSet', 'csi', 'node-provisioner', [{ name: 'p', image: 'registry.k8s.io/sig-storage/csi-provisioner:v6.3.0', args: ['--node-deployment=true'] }]));
      const r = await doctor(s);
      expect(one(r, 'workloads.snapshot-controller', 'DaemonSet kube-system/snapshot-controller container snapshot-controller').status).toBe('fail');
      expect(one(r, 'workloads.csi-provisioner', 'DaemonSet csi/node-provisioner container p').status).toBe('pass');
    });

    test('no snapshot-controller anywhere warns', async () => {
      const s = await FakeApiServer.start();
      servers.push(s);
      const r = await doctor(s);
      expect(one(r, 'workloads.snapshot-controller.absent').status).toBe('warn');
    });
  });

  describe('check 4: policies', () => {
    test('a binding left in Warn/Audit warns and names the binding', async () => {
      const s = await healthyCluster();
      const name = POLICY_NAMES.requireSourceVolumeMode;
      s.add({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: name + POLICY_BINDING_SUFFIX },
        spec: { policyName: name, validationActions: ['Warn', 'Audit'] } });
      const r = await doctor(s);
      const f = one(r, `policies.${name}`);
      expect(f.status).toBe('warn');
      expect(f.summary).toContain(`${name}${POLICY_BINDING_SUFFIX} only Warn/Audit`);
      expect(r.exitCode).toBe(1);
    });

    test('a policy without its binding fails; a binding pointing elsewhere fails', async () => {
      const s = await healthyCluster();
      s.add({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: POLICY_NAMES.singleDefaultStorageClass + POLICY_BINDING_SUFFIX }, spec: { policyName: 'something-else', validationActions: ['Deny'] } });
      s.add({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'unrelated' }, spec: {} });
      const r = await doctor(s);
      expect(one(r, `policies.${POLICY_NAMES.singleDefaultStorageClass}`).summary).toMatch(/points at another policy/);
    });

    test('the restore policy needs every one of its split bindings: a missing one fails and is named', async () => {
      const s = await healthyCluster();
      const name = POLICY_NAMES.restoreKeepsVolumeMode;
      expect(s.object('validatingadmissionpolicybindings', `${name}${POLICY_BINDING_SUFFIX}-filesystem-0`)).toBeDefined();
      s.remove('validatingadmissionpolicybindings', `${name}${POLICY_BINDING_SUFFIX}-block-2`);
      const f = one(await doctor(s), `policies.${name}`);
      expect(f.status).toBe('fail');
      expect(f.summary).toContain(`${name}${POLICY_BINDING_SUFFIX}-block-2`);
    });

    test('nothing installed fails once', async () => {
      const s = await FakeApiServer.start();
      servers.push(s);
      const r = await doctor(s);
      expect(one(r, 'policies.validating').status).toBe('fail');
    });

    /** Replaces a stored admission object by an edited copy, as `kubectl edit` would. */
    const edit = (s: FakeApiServer, plural: string, name: string, change: (o: any) => void) => {
      const o = structuredClone(s.object(plural, name));
      change(o);
      s.add({ ...o, apiVersion: 'admissionregistration.k8s.io/v1', kind: KIND[plural] });
    };
    const KIND: Record<string, string> = {
      validatingadmissionpolicies: 'ValidatingAdmissionPolicy', validatingadmissionpolicybindings: 'ValidatingAdmissionPolicyBinding',
      mutatingadmissionpolicies: 'MutatingAdmissionPolicy', mutatingadmissionpolicybindings: 'MutatingAdmissionPolicyBinding',
    };
    const FIX = /re-apply dist\/snapshot-platform\.k8s\.yaml/;

    test('the fixture is stored with the fields the API server adds, and still passes', async () => {
      const s = await healthyCluster();
      const live = s.object('validatingadmissionpolicies', POLICY_NAMES.requireSourceVolumeMode);
      expect(live.spec.matchConstraints).toMatchObject({ matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {} });
      expect(live.spec.matchConstraints.resourceRules[0].scope).toBe('*');
      expect(live.metadata.managedFields).toHaveLength(1);
      const f = one(await doctor(s), `policies.${POLICY_NAMES.requireSourceVolumeMode}`);
      expect(f.status).toBe('pass');
      expect(f.evidence).toContain('policy and binding specs match what the project renders for Kubernetes 1.37');
    });

    test('an edited validation expression fails, naming the field, the expected and the found value', async () => {
      const s = await healthyCluster();
      const name = POLICY_NAMES.requireSourceVolumeMode;
      const original = s.object('validatingadmissionpolicies', name).spec.validations[0].expression;
      edit(s, 'validatingadmissionpolicies', name, (o) => { o.spec.validations[0].expression = 'true'; });
      const r = await doctor(s);
      const f = one(r, `policies.${name}`);
      expect(f.status).toBe('fail');
      expect(f.summary).toBe(`ValidatingAdmissionPolicy ${name} spec.validations[0].expression differs from what the project renders, so enforcement may be weaker`);
      const line = f.evidence.find((e) => e.startsWith(`ValidatingAdmissionPolicy ${name} spec.validations[0].expression: expected `));
      expect(line).toContain(`expected ${JSON.stringify(original).slice(0, 100)}`);
      expect(line).toMatch(/, found "true" \(weakens enforcement\)$/);
      expect(f.fix).toMatch(FIX);
      expect(r.exitCode).toBe(2);
    });

    test('a binding whose paramRef was removed fails', async () => {
      const s = await healthyCluster();
      const name = POLICY_NAMES.singleDefaultStorageClass;
      edit(s, 'validatingadmissionpolicybindings', name + POLICY_BINDING_SUFFIX, (o) => { delete o.spec.paramRef; });
      const f = one(await doctor(s), `policies.${name}`);
      expect(f.status).toBe('fail');
      expect(f.evidence).toContain(`ValidatingAdmissionPolicyBinding ${name}${POLICY_BINDING_SUFFIX} spec.paramRef: expected {"parameterNotFoundAction":"Allow","selector":{}}, found (absent) (weakens enforcement)`);
    });

    test('a binding narrowed by matchResources fails (the API server defaults its other fields)', async () => {
      const s = await healthyCluster();
      const name = POLICY_NAMES.requireSourceVolumeMode;
      edit(s, 'validatingadmissionpolicybindings', name + POLICY_BINDING_SUFFIX, (o) => {
        o.spec.matchResources = { objectSelector: { matchLabels: { guarded: 'true' } } };
      });
      const live = s.object('validatingadmissionpolicybindings', name + POLICY_BINDING_SUFFIX);
      expect(live.spec.matchResources.matchPolicy).toBe('Equivalent');
      const f = one(await doctor(s), `policies.${name}`);
      expect(f.status).toBe('fail');
      expect(f.summary).toMatch(/Binding .* spec\.matchResources differs/);
      expect(f.evidence).toContain(`ValidatingAdmissionPolicyBinding ${name}${POLICY_BINDING_SUFFIX} spec.matchResources: expected (absent), found `
        + '{"matchPolicy":"Equivalent","namespaceSelector":{},"objectSelector":{"matchLabels":{"guarded":"true"}}} (weakens enforcement)');
    });

    test.each([
      ['matchConditions removed', POLICY_NAMES.keepProtectionFlag, (o: any) => { delete o.spec.matchConditions; }, 'spec.matchConditions'],
      ['matchConstraints narrowed to CREATE', POLICY_NAMES.requireSourceVolumeMode, (o: any) => { o.spec.matchConstraints.resourceRules[0].operations = ['CREATE']; },
        'spec.matchConstraints.resourceRules[0].operations'],
      ['a namespaceSelector added to matchConstraints', POLICY_NAMES.requireSourceVolumeMode,
        (o: any) => { o.spec.matchConstraints.namespaceSelector = { matchLabels: { x: 'y' } }; }, 'spec.matchConstraints.namespaceSelector.matchLabels'],
      ['a variable edited', POLICY_NAMES.requireSourceVolumeMode, (o: any) => { o.spec.variables[0].expression = "'Block'"; }, 'spec.variables[0].expression'],
      ['paramKind changed', POLICY_NAMES.singleDefaultStorageClass, (o: any) => { o.spec.paramKind = { apiVersion: 'v1', kind: 'ConfigMap' }; }, 'spec.paramKind.apiVersion'],
      ['failurePolicy Ignore', POLICY_NAMES.crdKeepsSourceVolumeMode, (o: any) => { o.spec.failurePolicy = 'Ignore'; }, 'spec.failurePolicy'],
    ])('%s fails', async (_what, name, change, path) => {
      const s = await healthyCluster();
      edit(s, 'validatingadmissionpolicies', name, change);
      const f = one(await doctor(s), `policies.${name}`);
      expect(f.status).toBe('fail');
      expect(f.evidence.some((e) => e.startsWith(`ValidatingAdmissionPolicy ${name} ${path}: expected `) && e.endsWith('(weakens enforcement)')), f.evidence.join('\n')).toBe(true);
      expect(f.fix).toMatch(FIX);
    });

    test('failurePolicy Ignore says what it lets through', async () => {
      const s = await healthyCluster();
      edit(s, 'validatingadmissionpolicies', POLICY_NAMES.crdKeepsSourceVolumeMode, (o) => { o.spec.failurePolicy = 'Ignore'; });
      expect(one(await doctor(s), `policies.${POLICY_NAMES.crdKeepsSourceVolumeMode}`).summary).toMatch(/^failurePolicy Ignore: .* lets the request through/);
    });

    test('a changed message only warns', async () => {
      const s = await healthyCluster();
      const name = POLICY_NAMES.requireSourceVolumeMode;
      edit(s, 'validatingadmissionpolicies', name, (o) => { o.spec.validations[1].message = 'no'; });
      const r = await doctor(s);
      const f = one(r, `policies.${name}`);
      expect(f.status).toBe('warn');
      expect(f.evidence.some((e) => e.startsWith(`ValidatingAdmissionPolicy ${name} spec.validations[1].message: expected "spec.sourceVolumeMode cannot`) && e.endsWith(', found "no"'))).toBe(true);
      expect(f.fix).toMatch(FIX);
      expect(r.exitCode).toBe(1);
    });

    test('a message change next to a weakening change fails, listing both', async () => {
      const s = await healthyCluster();
      const name = POLICY_NAMES.requireSourceVolumeMode;
      edit(s, 'validatingadmissionpolicies', name, (o) => { o.spec.validations[1].message = 'no'; o.spec.validations.pop(); });
      const f = one(await doctor(s), `policies.${name}`);
      expect(f.status).toBe('fail');
      expect(f.evidence.some((e) => e.startsWith(`ValidatingAdmissionPolicy ${name} spec.validations[1]: expected {`) && e.endsWith('found (absent) (weakens enforcement)'))).toBe(true);
    });

    test('an edited mutation fails whatever its patch type (compared as rendered, not by field name)', async () => {
      const s = await healthyCluster();
      const name = POLICY_NAMES.addProtectionFlag;
      edit(s, 'mutatingadmissionpolicies', name, (o) => {
        const m = o.spec.mutations[0];
        (m.applyConfiguration ?? m.jsonPatch).expression = '[]';
      });
      const f = one(await doctor(s), `policies.${name}`);
      expect(f.status).toBe('fail');
      expect(f.summary).toMatch(new RegExp(`^MutatingAdmissionPolicy ${name} spec\\.mutations\\[0\\]\\.(applyConfiguration|jsonPatch)\\.expression differs`));
    });

    test('a mutating binding with matchResources fails', async () => {
      const s = await healthyCluster();
      const name = POLICY_NAMES.stampModeChangeApprover;
      edit(s, 'mutatingadmissionpolicybindings', name + POLICY_BINDING_SUFFIX, (o) => { o.spec.matchResources = { namespaceSelector: { matchLabels: { a: 'b' } } }; });
      const f = one(await doctor(s), `policies.${name}`);
      expect(f.status).toBe('fail');
      expect(f.summary).toMatch(/MutatingAdmissionPolicyBinding .* spec\.matchResources differs/);
    });

    test('1.34 serving MutatingAdmissionPolicy v1beta1: the v1beta1 objects the guard renders are expected and pass', async () => {
      const s = await healthyCluster({ minor: '34', admissionVersions: ['v1', 'v1beta1'] });
      const chart = Testing.chart();
      new VolumeModeGuard(chart, 'Guard', { kubernetesVersion: '1.34', allowBetaMutatingApi: true });
      s.add(...Testing.synth(chart).filter((o) => /^MutatingAdmissionPolicy/.test(o.kind)));
      const r = await doctor(s);
      for (const name of [POLICY_NAMES.addProtectionFlag, POLICY_NAMES.stampModeChangeApprover]) {
        expect(one(r, `policies.${name}`).status).toBe('pass');
      }
      expect(s.requestsTo('GET', '/apis/admissionregistration.k8s.io/v1beta1/mutatingadmissionpolicies')).toHaveLength(1);
      expect(one(r, `policies.${POLICY_NAMES.requireSourceVolumeMode}`).evidence).toContain('policy and binding specs match what the project renders for Kubernetes 1.34');
    });
  });

  describe('check 5: contents', () => {
    test('contents stored before the labelling policy warn, with the relabel command as the fix', async () => {
      const s = await healthyCluster();
      s.add(content('legacy-1', { mode: 'Filesystem' }), content('half', { mode: 'Block', labels: { [SOURCE_VOLUME_MODE_LABEL]: 'Block' } }));
      const f = one(await doctor(s), 'contents.restore-labels');
      expect(f.status).toBe('warn');
      expect(f.summary).toMatch(/^2 VolumeSnapshotContent\(s\) without /);
      expect(f.evidence).toEqual(['4 VolumeSnapshotContents scanned', 'half, legacy-1']);
      expect(f.fix).toContain(RELABEL_CONTENTS_COMMAND);
    });

    test('pages with limit/continue and counts contents without sourceVolumeMode', async () => {
      const s = await healthyCluster();
      s.add(content('m1'), content('m2'), content('m3'), content('bad', { mode: 'block' }),
        content('allowed', { mode: 'Block', annotations: { 'snapshot.storage.kubernetes.io/allow-volume-mode-change': 'yes' } }));
      const r = await doctor(s, { pageSize: 2 });
      const f = one(r, 'contents.source-volume-mode');
      expect(f.status).toBe('fail');
      expect(f.summary).toMatch(/^3 VolumeSnapshotContent/);
      expect(f.evidence).toContain('m1, m2, m3');
      expect(one(r, 'contents.invalid-source-volume-mode').evidence).toEqual(['bad ("block")']);
      expect(one(r, 'contents.allow-volume-mode-change').evidence[0]).toMatch(/allowed="yes" \(not a Go boolean/);
      // 7 contents, 2 per page: 4 requests, each after the first carrying the previous continue token.
      const lists = s.requestsTo('GET', '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents');
      expect(lists.map((q) => q.query.limit)).toEqual(['2', '2', '2', '2']);
      expect(lists[0].query.continue).toBeUndefined();
      expect(lists.slice(1).every((q) => typeof q.query.continue === 'string')).toBe(true);
    });
  });

  describe('check 5: a continue token that expires mid-scan (410 Gone, Expired)', () => {
    const PATH = '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents';
    const decode = (token: string) => JSON.parse(Buffer.from(token, 'base64url').toString());
    // c1, c2 (healthy fixture) + m1..m5 without sourceVolumeMode: 7 contents, 2 per page.
    const cluster = async () => {
      const s = await healthyCluster();
      s.add(content('m1'), content('m2'), content('m3'), content('m4'), content('m5'));
      return s;
    };

    test('resumes with the token the 410 Status carries; nothing is counted twice', async () => {
      const s = await cluster();
      // While the client pages, one content is created before the resume point (missed, as an
      // inconsistent continuation documents) and one after it (seen).
      s.expireContinue('volumesnapshotcontents', { onExpire: () => s.add(content('a-early'), content('z-late')) });
      const r = await doctor(s, { pageSize: 2 });
      const f = one(r, 'contents.source-volume-mode');
      expect(f.summary).toMatch(/^6 VolumeSnapshotContent/);
      expect(f.evidence).toEqual(['8 VolumeSnapshotContents scanned', 'm1, m2, m3, m4, m5, z-late']);
      const lists = s.requestsTo('GET', PATH);
      // c1 c2 | 410 | then, with the Status's token (newer revision, same resume key): m1 m2 | m3 m4 | m5 z-late
      expect(lists).toHaveLength(5);
      expect(decode(lists[2].query.continue)).toEqual({ ...decode(lists[1].query.continue), rv: expect.any(String) });
      expect(decode(lists[2].query.continue).rv).not.toBe(decode(lists[1].query.continue).rv);
    });

    test('without a token in the Status, restarts from the beginning once and skips what it already counted', async () => {
      const s = await cluster();
      s.expireContinue('volumesnapshotcontents', { inconsistentToken: false });
      const r = await doctor(s, { pageSize: 2 });
      const f = one(r, 'contents.source-volume-mode');
      expect(f.summary).toMatch(/^5 VolumeSnapshotContent/);
      expect(f.evidence).toEqual(['7 VolumeSnapshotContents scanned', 'm1, m2, m3, m4, m5']);
      const lists = s.requestsTo('GET', PATH);
      expect(lists.map((q) => q.query.continue === undefined)).toEqual([true, false, true, false, false, false]);
    });

    test('a scan whose token keeps expiring gives up after a bounded number of tries, with the fix', async () => {
      const s = await cluster();
      s.expireContinue('volumesnapshotcontents', { times: 100 });
      const r = await doctor(s, { pageSize: 2 });
      const f = one(r, 'contents.api-error');
      expect(f.status).toBe('fail');
      expect(f.summary).toBe('the API call failed (410)');
      expect(f.evidence[0]).toMatch(/too old to display a consistent list .*expired 4 times in one scan of volumesnapshotcontents; gave up/);
      expect(f.fix).toMatch(/--page-size/);
      // first page, then 4 expired continuations
      expect(s.requestsTo('GET', PATH)).toHaveLength(5);
    });
  });

  describe('check 6: classes', () => {
    test('two default snapshot classes for one driver fail; two default StorageClasses warn', async () => {
      const s = await healthyCluster();
      s.add({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: { name: 'second',
        annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } }, driver: 'hostpath.csi.k8s.io', deletionPolicy: 'Retain' });
      s.add({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'old-default',
        annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } }, provisioner: 'hostpath.csi.k8s.io' });
      const r = await doctor(s);
      const snap = one(r, 'classes.default-snapshot-class');
      expect(snap.status).toBe('fail');
      expect(snap.evidence[0]).toContain('csi-hostpath-snapclass, second');
      expect(one(r, 'classes.default-storage-class').status).toBe('warn');
    });

    test('in-tree provisioners past their removal: migrated -> warn, no CSI driver -> fail', async () => {
      const s = await healthyCluster({ minor: '31' });
      s.add({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'thin' }, provisioner: 'kubernetes.io/vsphere-volume' });
      s.add({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: 'csi.vsphere.vmware.com' }, spec: {} });
      s.add({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'gp2' }, provisioner: 'kubernetes.io/aws-ebs' });
      s.add({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'px' }, provisioner: 'kubernetes.io/portworx-volume' });
      const r = await doctor(s);
      expect(one(r, 'classes.in-tree-provisioner', 'StorageClass thin').status).toBe('warn');
      expect(one(r, 'classes.in-tree-provisioner', 'StorageClass gp2').status).toBe('fail');
      // portworx is removed only in 1.36
      expect(find(r, 'classes.in-tree-provisioner').some((f) => f.subject === 'StorageClass px')).toBe(false);
    });
  });

  describe('failures a user meets', () => {
    test('403 with the RBAC message: the check fails with the message and the role to bind; others still run', async () => {
      const s = await healthyCluster();
      const message = forbiddenMessage('list', 'deployments', 'apps');
      s.fault({ method: 'GET', path: '/apis/apps/v1/deployments', status: 403, reason: 'Forbidden', message });
      const r = await doctor(s);
      const f = one(r, 'workloads.api-error');
      expect(f.status).toBe('fail');
      expect(f.evidence[0]).toContain(message);
      expect(f.fix).toMatch(/csi-snapshot-guard-doctor/);
      expect(one(r, 'contents.source-volume-mode').status).toBe('pass');
      expect(r.exitCode).toBe(2);
    });

    test('403 on the CRDs does not make the content scan think they are missing', async () => {
      const s = await healthyCluster();
      s.fault({ path: /customresourcedefinitions/, status: 403, reason: 'Forbidden', message: forbiddenMessage('get', 'customresourcedefinitions', 'apiextensions.k8s.io') });
      s.add(content('m1'));
      const r = await doctor(s);
      expect(one(r, 'crds.api-error').status).toBe('fail');
      expect(one(r, 'contents.source-volume-mode').evidence).toContain('m1');
    });

    test('401 stops after one finding', async () => {
      const s = await healthyCluster();
      const r = await doctor(s, { token: 'expired' });
      expect(r.findings).toHaveLength(1);
      expect(r.findings[0].id).toBe('server.api-error');
      expect(r.findings[0].fix).toMatch(/credentials/);
      expect(s.requests).toHaveLength(1);
    });

    test('one slow answer is retried after the timeout; a server that stays slow fails the check', async () => {
      const s = await healthyCluster();
      s.fault({ path: '/version', delayMs: 2000, times: 1 });
      const r = await doctor(s, { timeoutMs: 300 });
      expect(one(r, 'server.version').status).toBe('pass');
      expect(s.requestsTo('GET', '/version')).toHaveLength(2);

      s.fault({ path: '/apis/apps/v1/statefulsets', delayMs: 2000 });
      const r2 = await doctor(s, { timeoutMs: 300 });
      const f = one(r2, 'workloads.api-error');
      expect(f.evidence[0]).toMatch(/no complete response within 300 ms/);
    });

    test('a dropped connection is retried (bounded) and the scan completes', async () => {
      const s = await healthyCluster();
      s.fault({ path: '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents', drop: true, times: 1 });
      const r = await doctor(s);
      expect(one(r, 'contents.source-volume-mode').status).toBe('pass');
      expect(s.requestsTo('GET', '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents')).toHaveLength(2);

      s.fault({ path: '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents', drop: true });
      const before = s.requests.length;
      const r2 = await doctor(s);
      expect(one(r2, 'contents.api-error').status).toBe('fail');
      expect(s.requestsTo('GET', '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents').length).toBe(2 + 3);
      expect(s.requests.length - before).toBeLessThan(40);
    });
  });

  describe('the CLI', () => {
    const io = () => {
      const out = { stdout: '', stderr: '' };
      return { out, io: { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t), isTTY: false } } };
    };

    test('--output json prints the report and returns its exit code; --progress writes to stderr', async () => {
      const s = await healthyCluster();
      s.add(content('m1'));
      const { out, io: cliIo } = io();
      const code = await runCli(['doctor', '--kubeconfig', s.writeKubeconfig(), '--output', 'json', '--progress', '--page-size', '1'], cliIo);
      expect(code).toBe(2);
      const report = JSON.parse(out.stdout);
      expect(report.exitCode).toBe(2);
      expect(report.findings.find((f: any) => f.id === 'contents.source-volume-mode').evidence).toContain('m1');
      expect(out.stderr).toMatch(/volumesnapshotcontents: 3 scanned/);
    });

    test('no progress on a non-TTY stderr unless asked; table output has the summary line', async () => {
      const s = await healthyCluster();
      const { out, io: cliIo } = io();
      expect(await runCli(['doctor', '--kubeconfig', s.writeKubeconfig(), '--context', 'other'], cliIo)).toBe(0);
      expect(out.stderr).toBe('');
      expect(out.stdout).toMatch(/\d+ pass, 0 warn, 0 fail, 0 skipped; exit 0/);
    });

    test('bad input exits 2 with a message naming it', async () => {
      const s = await healthyCluster();
      const kc = s.writeKubeconfig();
      const cases: [string[], RegExp][] = [
        [['doctor', '--kubeconfig', kc, '--context', 'nope'], /--context 'nope' is not in the kubeconfig .*fake, other/],
        [['doctor', '--output', 'yaml'], /--output 'yaml' is not table or json/],
        [['doctor', '--apply'], /--apply belongs to `doctor backfill-source-volume-mode`/],
        [['doctor', 'backfill'], /unknown subcommand 'backfill'/],
        [['doctor', '--page-size', '0'], /--page-size '0' is not a positive integer/],
        [['docter'], /unknown subcommand 'docter'; the only one is 'backfill-source-volume-mode'/],
      ];
      for (const [argv, message] of cases) {
        const { out, io: cliIo } = io();
        expect(await runCli(argv, cliIo), argv.join(' ')).toBe(2);
        expect(out.stderr).toMatch(message);
      }
      expect(s.requests).toHaveLength(0);
    });

    test('--version names the library version; doctor may be left out, as `npm run doctor -- ...` does', async () => {
      const version = JSON.parse(fs.readFileSync('package.json', 'utf8')).version;
      const v = io();
      expect(await runCli(['--version'], v.io)).toBe(0);
      expect(v.out.stdout).toBe(`csi-snapshot-guard ${version}\n`);
      const h = io();
      expect(await runCli(['--help'], h.io)).toBe(0);
      expect(h.out.stdout).toMatch(/^usage:/);
      const bad = io();
      expect(await runCli(['backfill-source-volume-mode', '--output', 'yaml'], bad.io)).toBe(2);
      expect(bad.out.stderr).toMatch(/--output 'yaml' is not table or json/);
    });

    test('the bin runs from a clone that was never built (no lib/), through tsx', async () => {
      const s = await healthyCluster();
      const kc = s.writeKubeconfig();
      // A clone without lib/: the bin, package.json and src/ of this tree, its node_modules.
      const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'fresh-clone-'));
      fs.mkdirSync(path.join(clone, 'bin'));
      fs.copyFileSync('bin/csi-snapshot-guard.js', path.join(clone, 'bin', 'csi-snapshot-guard.js'));
      fs.copyFileSync('package.json', path.join(clone, 'package.json'));
      for (const dir of ['src', 'node_modules']) fs.symlinkSync(path.resolve(dir), path.join(clone, dir));
      const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(process.execPath, [path.join(clone, 'bin', 'csi-snapshot-guard.js'), 'doctor', '--kubeconfig', kc, '--output', 'json'], { timeout: 60_000 }, (err, stdout) =>
          resolve({ code: err ? Number((err as any).code ?? -1) : 0, stdout }));
      });
      expect(JSON.parse(result.stdout).findings.filter((f: any) => f.status !== 'pass')).toEqual([]);
      expect(result.code).toBe(0);
    });

    test('smoke: the entry point runs under tsx as a process', async () => {
      const s = await healthyCluster();
      const kc = s.writeKubeconfig();
      const tsx = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');
      const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(tsx, ['src/cli/main.ts', 'doctor', '--kubeconfig', kc, '--output', 'json'], { timeout: 60_000 }, (err, stdout) =>
          resolve({ code: err ? Number((err as any).code ?? -1) : 0, stdout }));
      });
      expect(JSON.parse(result.stdout).findings.filter((f: any) => f.status !== 'pass')).toEqual([]);
      expect(result.code).toBe(0);
    });
  });
});

describe('doctor: volume health (check 7)', () => {
  const claim = (namespace: string, name: string, healthConditions?: object[]) => ({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { namespace, name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    status: { phase: 'Bound', ...(healthConditions ? { healthStatus: { healthConditions } } : {}) },
  });

  test('on 1.37 it lists the claims whose driver reports a condition, with status, reason and message', async () => {
    const s = await FakeApiServer.start();
    servers.push(s);
    s.add(claim('apps', 'fine'), claim('apps', 'db', [{ status: 'DataLoss', reason: 'ChecksumMismatch', message: 'blocks 3-9' }]),
      claim('batch', 'scratch', [{ status: 'Degraded', reason: 'ReplicaLost' }]), claim('batch', 'empty', []));
    const f = (await runDoctor(connect({ kubeconfig: s.writeKubeconfig() }))).findings.find((x) => x.id === 'volume-health.claims')!;
    expect(f).toMatchObject({ status: 'warn', subject: '2 of 4 claims', summary: '2 claims report unhealthy volumes' });
    expect(f.evidence).toEqual(['apps/db: DataLoss/ChecksumMismatch (blocks 3-9)', 'batch/scratch: Degraded/ReplicaLost']);
  });

  test('on 1.37 with healthy claims it passes; before 1.37 it skips and says where health is reported', async () => {
    const s = await FakeApiServer.start();
    servers.push(s);
    s.add(claim('apps', 'fine'));
    const f = (await runDoctor(connect({ kubeconfig: s.writeKubeconfig() }))).findings.find((x) => x.id === 'volume-health.claims')!;
    expect(f).toMatchObject({ status: 'pass', summary: 'no claim reports a health condition (1 claims)' });
    const old = await FakeApiServer.start({ minor: '36' });
    servers.push(old);
    old.add(claim('apps', 'db', [{ status: 'DataLoss', reason: 'x' }]));
    const g = (await runDoctor(connect({ kubeconfig: old.writeKubeconfig() }))).findings.find((x) => x.id === 'volume-health.claims')!;
    expect(g).toMatchObject({ status: 'skip', summary: expect.stringMatching(/from Kubernetes 1\.37; this cluster reports it as events/) });
  });
});
