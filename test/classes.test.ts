import * as fs from 'node:fs';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { describe, expect, it, test } from 'vitest';
import { CsiDriver } from '../src/constructs/csi-driver/csi-driver';
import { parse } from 'yaml';
import { KubeStorageClass } from '../src/imports/k8s';
import { checkDefaultClasses, findDefaultClassConflicts, registerDefaultClassCheck } from '../src/constructs/classes/default-class-check';
import { ReclaimPolicy, StorageClass, StorageClassProps, VolumeBindingMode } from '../src/constructs/classes/storage-class';
import { DeletionPolicy, VolumeSnapshotClass, VolumeSnapshotClassProps } from '../src/constructs/classes/volume-snapshot-class';
import { k8sSchemaErrors, snapshotCrdErrors } from './support/class-schemas';
import { describeWithShared, sharedPath } from './support/shared';
import { withoutRecommendedLabels } from './support/synth';

const HOSTPATH = 'hostpath.csi.k8s.io';

function storageClass(props: Partial<StorageClassProps> = {}, chart: Chart = Testing.chart()) {
  const sc = new StorageClass(chart, 'Class', { name: 'fast', provisioner: HOSTPATH, ...props });
  return { sc, manifest: sc.resource.toJson() };
}

function snapshotClass(props: Partial<VolumeSnapshotClassProps> = {}, chart: Chart = Testing.chart()) {
  const vsc = new VolumeSnapshotClass(chart, 'SnapClass', { name: 'snaps', driver: HOSTPATH, ...props });
  return { vsc, manifest: vsc.resource.toJson() };
}

describe('StorageClass', () => {
  test('reclaim policy and binding mode are always explicit, with Kubernetes defaults', () => {
    const { manifest } = storageClass();
    expect(manifest.reclaimPolicy).toBe('Delete');
    expect(manifest.volumeBindingMode).toBe('Immediate');
    expect(manifest.metadata.annotations).toBeUndefined();
    expect(manifest.parameters).toBeUndefined();
  });

  test('a topology-aware driver waits for the first consumer unless told otherwise', () => {
    expect(storageClass({ topologyAware: true }).manifest.volumeBindingMode).toBe('WaitForFirstConsumer');
    expect(storageClass({ topologyAware: true, volumeBindingMode: VolumeBindingMode.IMMEDIATE }).manifest.volumeBindingMode).toBe('Immediate');
  });

  test('secret references render the reserved csi.storage.k8s.io keys, sorted with the plain parameters', () => {
    const { manifest } = storageClass({
      parameters: { 'kind': 'fast', 'csi.storage.k8s.io/fstype': 'xfs' },
      provisionerSecret: { name: 'creds', namespace: 'storage' },
      controllerPublishSecret: { name: 'creds', namespace: 'storage' },
      nodeStageSecret: { name: '${pvc.name}-stage', namespace: '${pvc.namespace}' },
      nodePublishSecret: { name: 'chap', namespace: 'storage' },
      controllerExpandSecret: { name: 'creds', namespace: 'storage' },
      nodeExpandSecret: { name: 'creds', namespace: 'storage' },
    });
    expect(manifest.parameters).toEqual({
      'csi.storage.k8s.io/controller-expand-secret-name': 'creds',
      'csi.storage.k8s.io/controller-expand-secret-namespace': 'storage',
      'csi.storage.k8s.io/controller-publish-secret-name': 'creds',
      'csi.storage.k8s.io/controller-publish-secret-namespace': 'storage',
      'csi.storage.k8s.io/fstype': 'xfs',
      'csi.storage.k8s.io/node-expand-secret-name': 'creds',
      'csi.storage.k8s.io/node-expand-secret-namespace': 'storage',
      'csi.storage.k8s.io/node-publish-secret-name': 'chap',
      'csi.storage.k8s.io/node-publish-secret-namespace': 'storage',
      'csi.storage.k8s.io/node-stage-secret-name': '${pvc.name}-stage',
      'csi.storage.k8s.io/node-stage-secret-namespace': '${pvc.namespace}',
      'csi.storage.k8s.io/provisioner-secret-name': 'creds',
      'csi.storage.k8s.io/provisioner-secret-namespace': 'storage',
      'kind': 'fast',
    });
    expect(Object.keys(manifest.parameters)).toEqual(Object.keys(manifest.parameters).sort());
  });

  test('isDefault renders the default-class annotation with the string "true"', () => {
    expect(storageClass({ isDefault: true }).manifest.metadata.annotations).toEqual({ 'storageclass.kubernetes.io/is-default-class': 'true' });
  });

  test('allowed topologies become sorted matchLabelExpressions, one term per entry', () => {
    const { manifest } = storageClass({ allowedTopologies: [{ 'topology.kubernetes.io/zone': ['b', 'a'], 'kubernetes.io/hostname': ['n1'] }] });
    expect(manifest.allowedTopologies).toEqual([{ matchLabelExpressions: [
      { key: 'kubernetes.io/hostname', values: ['n1'] },
      { key: 'topology.kubernetes.io/zone', values: ['a', 'b'] },
    ] }]);
  });

  test('an in-tree provisioner name is accepted for migration scenarios', () => {
    expect(storageClass({ name: 'thin', provisioner: 'kubernetes.io/vsphere-volume' }).manifest.provisioner).toBe('kubernetes.io/vsphere-volume');
  });

  test('fromName references a class the app does not render', () => {
    expect(StorageClass.fromName('standard', 'pd.csi.storage.gke.io')).toEqual({ storageClassName: 'standard', provisioner: 'pd.csi.storage.gke.io' });
    expect(() => StorageClass.fromName('Standard')).toThrow(/StorageClass.fromName\(name\) 'Standard' is not a valid DNS-1123 subdomain; use at most 253 lower-case/);
  });

  describe('bad input', () => {
    test('a credential as a plain parameter points at the secret-reference props', () => {
      expect(() => storageClass({ parameters: { password: 'hunter2' } }))
        .toThrow(/Class: parameters\['password'\] '\(value hidden\)' looks like a credential.*reference it through provisionerSecret \/ controllerPublishSecret/);
      expect(() => storageClass({ parameters: { secretAccessKey: 'x' } })).toThrow(/parameters\['secretAccessKey'\].*looks like a credential/);
      expect(() => storageClass({ parameters: { apiKey: 'x' } })).toThrow(/parameters\['apiKey'\].*looks like a credential/);
      expect(() => storageClass({ parameters: { 'vendor.example.com/token': 'x' } })).toThrow(/parameters\['vendor.example.com\/token'\].*looks like a credential/);
    });

    test('the error never echoes the credential', () => {
      expect(() => storageClass({ parameters: { password: 'hunter2' } })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
    });

    test('a key that only looks like a credential passes once listed in nonSecretParameterKeys', () => {
      expect(() => storageClass({ parameters: { encryptionKey: 'kms-ref-1' } })).toThrow(/parameters\['encryptionKey'\].*list it in nonSecretParameterKeys/);
      expect(storageClass({ parameters: { encryptionKey: 'kms-ref-1' }, nonSecretParameterKeys: ['encryptionKey'] }).manifest.parameters)
        .toEqual({ encryptionKey: 'kms-ref-1' });
      expect(() => storageClass({ parameters: {}, nonSecretParameterKeys: ['encryptionKey'] }))
        .toThrow(/nonSecretParameterKeys 'encryptionKey' names no entry of parameters/);
    });

    test('PEM material in a parameter value is refused', () => {
      expect(() => storageClass({ parameters: { caBundle: '-----BEGIN CERTIFICATE-----\nMIIB' } }))
        .toThrow(/parameters\['caBundle'\] '\(PEM block, hidden\)' holds key or certificate material; put it in a Secret/);
    });

    test('a reserved secret key in parameters names the typed prop to use', () => {
      expect(() => storageClass({ parameters: { 'csi.storage.k8s.io/provisioner-secret-name': 'creds' } }))
        .toThrow(/parameters\['csi.storage.k8s.io\/provisioner-secret-name'\] 'creds' is a reserved Secret key.*set provisionerSecret: \{ name, namespace \} instead/);
      expect(() => storageClass({ parameters: { 'csi.storage.k8s.io/node-expand-secret-namespace': 'ns' } }))
        .toThrow(/set nodeExpandSecret: \{ name, namespace \} instead/);
    });

    test('a value where a Secret reference is expected is refused', () => {
      expect(() => storageClass({ provisionerSecret: 'AKIAIOSFODNN7EXAMPLE' as never }))
        .toThrow(/provisionerSecret 'AKIAIOSFODNN7EXAMPLE' is a plain value, not a reference to a Secret; create a Secret holding the credential and set provisionerSecret/);
      expect(() => storageClass({ nodeStageSecret: { name: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCY', namespace: 'storage' } }))
        .toThrow(/nodeStageSecret.name 'wJalrXUtnFEMI\/K7MDENG\+bPxRfiCY' is not a Secret name.*usually the credential itself; create a Secret/);
      expect(() => storageClass({ nodeStageSecret: { name: 'creds' } as never }))
        .toThrow(/nodeStageSecret.namespace \(unset\) is not a namespace.*needs both name and namespace/);
    });

    test('bad names', () => {
      expect(() => storageClass({ name: 'Fast_SC' })).toThrow(/Class: name 'Fast_SC' is not a valid DNS-1123 subdomain; use at most 253/);
      expect(() => storageClass({ provisioner: 'hostpath csi' })).toThrow(/provisioner 'hostpath csi' is not a CSI driver name; use the name the driver registers/);
      expect(() => storageClass({ allowedTopologies: [{ 'topology.kubernetes.io/zone': [] }] }))
        .toThrow(/allowedTopologies\[0\]\['topology.kubernetes.io\/zone'\] \[\] must be a non-empty list of label values/);
    });

    test('values outside the enums', () => {
      expect(() => storageClass({ reclaimPolicy: 'Recycle' as ReclaimPolicy })).toThrow(/reclaimPolicy 'Recycle' is not one of 'Delete', 'Retain'/);
      expect(() => storageClass({ volumeBindingMode: 'Lazy' as VolumeBindingMode })).toThrow(/volumeBindingMode 'Lazy' is not one of/);
    });

    test('mount options: one per entry, no duplicates', () => {
      expect(() => storageClass({ mountOptions: ['noatime', 'noatime'] })).toThrow(/mountOptions\[1\] 'noatime' is listed twice/);
      expect(() => storageClass({ mountOptions: ['noatime nodiratime'] })).toThrow(/mountOptions\[0\] 'noatime nodiratime' is not a single mount option/);
    });
  });
});

describe('VolumeSnapshotClass', () => {
  test('deletion policy defaults to Delete and is always rendered', () => {
    const { manifest } = snapshotClass();
    expect(manifest).toMatchObject({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', deletionPolicy: 'Delete', driver: HOSTPATH });
    expect(snapshotClass({ deletionPolicy: DeletionPolicy.RETAIN }).manifest.deletionPolicy).toBe('Retain');
  });

  test('snapshotter secrets render the reserved keys (FACTS §i)', () => {
    const { manifest } = snapshotClass({
      snapshotterSecret: { name: 'snap-creds', namespace: 'storage' },
      snapshotterListSecret: { name: 'list-creds', namespace: 'storage' },
    });
    expect(manifest.parameters).toEqual({
      'csi.storage.k8s.io/snapshotter-list-secret-name': 'list-creds',
      'csi.storage.k8s.io/snapshotter-list-secret-namespace': 'storage',
      'csi.storage.k8s.io/snapshotter-secret-name': 'snap-creds',
      'csi.storage.k8s.io/snapshotter-secret-namespace': 'storage',
    });
  });

  test('isDefault renders the snapshot default-class annotation', () => {
    expect(snapshotClass({ isDefault: true }).manifest.metadata.annotations).toEqual({ 'snapshot.storage.kubernetes.io/is-default-class': 'true' });
  });

  test('fromName references a class the app does not render', () => {
    expect(VolumeSnapshotClass.fromName('csi-hostpath-snapclass')).toEqual({ volumeSnapshotClassName: 'csi-hostpath-snapclass' });
  });

  describe('bad input', () => {
    test('a reserved snapshotter key in parameters names the typed prop', () => {
      expect(() => snapshotClass({ parameters: { 'csi.storage.k8s.io/snapshotter-secret-name': 'creds' } }))
        .toThrow(/SnapClass: parameters\['csi.storage.k8s.io\/snapshotter-secret-name'\] 'creds' is a reserved Secret key.*set snapshotterSecret: \{ name, namespace \} instead/);
      expect(() => snapshotClass({ parameters: { 'csi.storage.k8s.io/provisioner-secret-name': 'creds' } }))
        .toThrow(/this class has no 'provisioner' Secret; use one of snapshotterSecret, snapshotterListSecret/);
    });

    test('a credential parameter points at the snapshotter secret props', () => {
      expect(() => snapshotClass({ parameters: { token: 'abc' } })).toThrow(/parameters\['token'\].*reference it through snapshotterSecret \/ snapshotterListSecret/);
    });

    test('bad names and enum values', () => {
      expect(() => snapshotClass({ name: 'Snaps!' })).toThrow(/SnapClass: name 'Snaps!' is not a valid DNS-1123 subdomain/);
      expect(() => snapshotClass({ driver: 'kubernetes.io/hostpath' })).toThrow(/driver 'kubernetes.io\/hostpath' is not a CSI driver name/);
      expect(() => snapshotClass({ deletionPolicy: 'Keep' as DeletionPolicy })).toThrow(/deletionPolicy 'Keep' is not one of 'Delete', 'Retain'/);
    });
  });
});

describeWithShared('classes against the reference data', () => {
  const upstream = (...p: string[]) => parse(fs.readFileSync(sharedPath('reference', 'upstream', ...p), 'utf8'));

  test('the csi-driver-host-path example StorageClass is reproduced exactly', () => {
    const expected = upstream('csi-driver-host-path-v1.18.0', 'examples', 'csi-storageclass.yaml');
    const { manifest } = storageClass({ name: 'csi-hostpath-sc', allowVolumeExpansion: true });
    expect(withoutRecommendedLabels(manifest)).toEqual(expected);
  });

  test('the csi-driver-host-path VolumeSnapshotClass is reproduced exactly', () => {
    const expected = upstream('csi-driver-host-path-v1.18.0', 'examples', 'csi-volumesnapshotclass.yaml');
    expect(withoutRecommendedLabels(snapshotClass({ name: 'csi-hostpath-snapclass' }).manifest)).toEqual(expected);
  });

  test('a StorageClass using every prop is valid against the Kubernetes 1.36 schema', () => {
    const { manifest } = storageClass({
      parameters: { kind: 'fast' }, provisionerSecret: { name: 'c', namespace: 's' }, reclaimPolicy: ReclaimPolicy.RETAIN,
      topologyAware: true, allowVolumeExpansion: true, mountOptions: ['noatime'], isDefault: true, labels: { team: 'storage' },
      allowedTopologies: [{ 'topology.kubernetes.io/zone': ['a'] }],
    });
    expect(k8sSchemaErrors('io.k8s.api.storage.v1.StorageClass', manifest)).toEqual([]);
  });

  test('a VolumeSnapshotClass using every prop is valid against the v8.6.0 CRD schema', () => {
    const { manifest } = snapshotClass({
      parameters: { kind: 'fast' }, snapshotterSecret: { name: 'c', namespace: 's' }, snapshotterListSecret: { name: 'l', namespace: 's' },
      deletionPolicy: DeletionPolicy.RETAIN, isDefault: true, labels: { team: 'storage' },
    });
    expect(snapshotCrdErrors('snapshot.storage.k8s.io_volumesnapshotclasses.yaml', manifest)).toEqual([]);
  });

  test('the schema check itself rejects a misspelt field', () => {
    expect(snapshotCrdErrors('snapshot.storage.k8s.io_volumesnapshotclasses.yaml',
      { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: {}, driver: 'd', deletionPolicy: 'Delete', parameter: {} })).not.toEqual([]);
  });
});

describe('at most one default class per app', () => {
  const DEFAULT_FIX = /keep isDefault: true on one of them and set it to false on the others/;

  test('two default StorageClasses in one chart fail at synth, naming both objects', () => {
    const app = new App();
    const chart = new Chart(app, 'Storage');
    new StorageClass(chart, 'Fast', { name: 'fast', provisioner: HOSTPATH, isDefault: true });
    new StorageClass(chart, 'Slow', { name: 'slow', provisioner: HOSTPATH, isDefault: true });
    expect(() => app.synthYaml()).toThrow(/isDefault true is set on 2 StorageClasses in this app: 'fast' \(Storage\/Fast\/Resource\) and 'slow' \(Storage\/Slow\/Resource\)/);
    expect(() => checkDefaultClasses(app)).toThrow(DEFAULT_FIX);
  });

  test('two default StorageClasses across two charts fail', () => {
    const app = new App();
    new StorageClass(new Chart(app, 'A'), 'Fast', { name: 'fast', provisioner: HOSTPATH, isDefault: true });
    new StorageClass(new Chart(app, 'B'), 'Thin', { name: 'thin-csi', provisioner: 'csi.vsphere.vmware.com', isDefault: true });
    expect(() => checkDefaultClasses(app)).toThrow(/'fast' \(A\/Fast\/Resource\) and 'thin-csi' \(B\/Thin\/Resource\).*keep isDefault: true on one/);
  });

  test('a default StorageClass rendered as an L1 object by another construct is counted', () => {
    const app = new App();
    const chart = new Chart(app, 'Mixed');
    new KubeStorageClass(chart, 'LegacyThin', {
      metadata: { name: 'thin', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'kubernetes.io/vsphere-volume',
    });
    new StorageClass(chart, 'ThinCsi', { name: 'thin-csi', provisioner: 'csi.vsphere.vmware.com', isDefault: true });
    expect(() => app.synthYaml()).toThrow(/'thin' \(Mixed\/LegacyThin\) and 'thin-csi' \(Mixed\/ThinCsi\/Resource\).*remove its storageclass.kubernetes.io\/is-default-class annotation/);
  });

  test('the pre-GA annotation spelling counts as default too; "false" does not', () => {
    const app = new App();
    const chart = new Chart(app, 'C');
    new KubeStorageClass(chart, 'Beta', { metadata: { name: 'beta', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } }, provisioner: HOSTPATH });
    new KubeStorageClass(chart, 'NotDefault', { metadata: { name: 'nope', annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } }, provisioner: HOSTPATH });
    new StorageClass(chart, 'Fast', { name: 'fast', provisioner: HOSTPATH, isDefault: true });
    const conflicts = findDefaultClassConflicts(app);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0].objects.map((o) => o.name)).toEqual(['beta', 'fast']);
  });

  test('an app of L1 objects only is checked once registerDefaultClassCheck is called', () => {
    const app = new App();
    const chart = new Chart(app, 'L1');
    for (const name of ['a', 'b']) {
      new ApiObject(chart, name, {
        apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', driver: HOSTPATH, deletionPolicy: 'Delete',
        metadata: { name, annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } },
      });
    }
    expect(() => app.synthYaml()).not.toThrow();
    registerDefaultClassCheck(chart);
    expect(() => app.synthYaml()).toThrow(/2 VolumeSnapshotClasses of driver 'hostpath.csi.k8s.io' in this app: 'a' \(L1\/a\) and 'b' \(L1\/b\)/);
  });

  test('two default VolumeSnapshotClasses of one driver fail; different drivers do not', () => {
    const app = new App();
    const chart = new Chart(app, 'Snap');
    new VolumeSnapshotClass(chart, 'One', { name: 'one', driver: HOSTPATH, isDefault: true });
    new VolumeSnapshotClass(chart, 'Other', { name: 'other', driver: 'pd.csi.storage.gke.io', isDefault: true });
    expect(() => checkDefaultClasses(app)).not.toThrow();
    new VolumeSnapshotClass(chart, 'Two', { name: 'two', driver: HOSTPATH, isDefault: true });
    expect(() => checkDefaultClasses(app)).toThrow(/isDefault true is set on 2 VolumeSnapshotClasses of driver 'hostpath.csi.k8s.io' in this app: 'one' \(Snap\/One\/Resource\) and 'two' \(Snap\/Two\/Resource\).*keep isDefault: true on one/);
  });

  test('one default StorageClass plus one default VolumeSnapshotClass is fine, and the check is registered once', () => {
    const app = new App();
    const chart = new Chart(app, 'Ok');
    new StorageClass(chart, 'Sc', { name: 'sc', provisioner: HOSTPATH, isDefault: true });
    new StorageClass(chart, 'Sc2', { name: 'sc2', provisioner: HOSTPATH });
    new VolumeSnapshotClass(chart, 'Vsc', { name: 'vsc', driver: HOSTPATH, isDefault: true });
    expect(() => app.synthYaml()).not.toThrow();
    new StorageClass(chart, 'Sc3', { name: 'sc3', provisioner: HOSTPATH, isDefault: true });
    const checks = app.node.findAll().filter((c) => c.node.validate().length > 0);
    expect(checks.map((c) => c.node.path)).toEqual(['DefaultClassCheck']);
    expect(checks[0].node.validate()).toHaveLength(1);
  });

  test('the synth error starts with the check\'s own path, not an empty "[] " prefix', () => {
    const app = new App();
    new StorageClass(new Chart(app, 'A'), 'Fast', { name: 'fast', provisioner: HOSTPATH, isDefault: true });
    new StorageClass(new Chart(app, 'B'), 'Slow', { name: 'slow', provisioner: HOSTPATH, isDefault: true });
    let message = '';
    try { app.synthYaml(); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/\n {2}\[DefaultClassCheck\] isDefault true is set on 2 StorageClasses in this app: 'fast' \(A\/Fast\/Resource\)/);
    expect(message).not.toContain('[] ');
  });

  test('the check renders nothing of its own', () => {
    const app = new App();
    const chart = new Chart(app, 'Only');
    new StorageClass(chart, 'Sc', { name: 'sc', provisioner: HOSTPATH, isDefault: true });
    expect(app.charts.map((c) => c.node.path)).toEqual(['Only']);
    expect(chart.toJson().map((o: { kind: string }) => o.kind)).toEqual(['StorageClass']);
  });
});

describe('classes take a CsiDriver and hold it to its capabilities', () => {
  const driver = (capabilities: string[]) => {
    const chart = Testing.chart();
    return { chart, d: new CsiDriver(chart, 'Driver', { driverName: 'csi.example.com', driverImage: 'quay.io/example/csi:v1.0.0', capabilities: capabilities as any }) };
  };

  it('a StorageClass with allowVolumeExpansion for a driver without EXPAND_VOLUME fails, naming both fixes', () => {
    const { chart, d } = driver(['CONTROLLER_SERVICE', 'CREATE_DELETE_VOLUME']);
    expect(() => new StorageClass(chart, 'Sc', { name: 'fast', provisioner: d, allowVolumeExpansion: true }))
      .toThrow(/allowVolumeExpansion true needs a driver that expands volumes, and CsiDriver csi\.example\.com does not declare EXPAND_VOLUME; leave allowVolumeExpansion off, or add 'EXPAND_VOLUME'/);
    // Following either fix works.
    expect(new StorageClass(chart, 'Sc2', { name: 'fast2', provisioner: d }).provisioner).toBe('csi.example.com');
    const { chart: c2, d: d2 } = driver(['CONTROLLER_SERVICE', 'CREATE_DELETE_VOLUME', 'EXPAND_VOLUME']);
    expect(() => new StorageClass(c2, 'Sc', { name: 'fast', provisioner: d2, allowVolumeExpansion: true })).not.toThrow();
  });

  it('a StorageClass for a driver that cannot create volumes, and a VolumeSnapshotClass for one that cannot snapshot, fail', () => {
    const { chart, d } = driver(['CONTROLLER_SERVICE', 'PUBLISH_UNPUBLISH_VOLUME']);
    expect(() => new StorageClass(chart, 'Sc', { name: 'fast', provisioner: d }))
      .toThrow(/provisioner 'csi\.example\.com' needs a driver that creates volumes, and CsiDriver csi\.example\.com does not declare CREATE_DELETE_VOLUME/);
    expect(() => new VolumeSnapshotClass(chart, 'Vsc', { name: 'snaps', driver: d }))
      .toThrow(/driver 'csi\.example\.com' needs a driver that takes snapshots, and CsiDriver csi\.example\.com does not declare CREATE_DELETE_SNAPSHOT/);
  });

  it('a driver name alone is taken as it is (nothing to check it against)', () => {
    const chart = Testing.chart();
    expect(new StorageClass(chart, 'Sc', { name: 'fast', provisioner: 'csi.example.com', allowVolumeExpansion: true }).provisioner).toBe('csi.example.com');
  });
});
