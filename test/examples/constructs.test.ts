/**
 * One runnable example per construct, as the README shows them (each region between the markers is
 * a README block; test/readme-blocks.test.ts checks they match). Each runs in a fresh chart, is
 * synthesized, and what it renders is checked.
 */
import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import {
  AdmissionPolicy, ComponentRbac, CsiDriver, CsiMigrationStorageClasses, DoctorRbac, FieldReportChart, HostpathDriverChart,
  KubernetesFeatureGates, OpenShiftFeatureGate, OpenShiftStorageDriver, RestoredClaim, SnapshotCrds, SnapshotUserRoles, SourceClaim,
  StorageClass, VALIDATING_POLICIES, VolumeHealthAlerts, VolumeModeGuard, VolumeSnapshot, VolumeSnapshotClass, VsphereCsiChart,
} from '../../src';

const fresh = () => {
  const app = new App({ outdir: Testing.app().outdir });
  return { app, chart: new Chart(app, 'example') };
};
const kinds = (objects: { kind: string }[]) => objects.map((o) => o.kind).sort();

describe('one example per construct', () => {
  it('SnapshotCrds', () => {
    const { chart } = fresh();
    // --- README example: SnapshotCrds ---
    new SnapshotCrds(chart, 'Crds', { groupSnapshots: true });
    // --- end of README example ---
    expect(kinds(Testing.synth(chart))).toEqual(Array(6).fill('CustomResourceDefinition'));
  });

  it('CsiDriver with its classes', () => {
    const { chart } = fresh();
    // --- README example: CsiDriver, StorageClass, VolumeSnapshotClass ---
    const driver = new CsiDriver(chart, 'Driver', {
      driverName: 'csi.example.com',
      driverImage: 'quay.io/example/csi-driver:v1.4.2',
      capabilities: ['CONTROLLER_SERVICE', 'CREATE_DELETE_VOLUME', 'CREATE_DELETE_SNAPSHOT', 'EXPAND_VOLUME'],
      namespace: 'storage',
      resizer: { resizeTimeout: '10m' },
    });
    new StorageClass(chart, 'Fast', { name: 'fast', provisioner: driver, allowVolumeExpansion: true, reclaimPolicy: 'Retain' });
    new VolumeSnapshotClass(chart, 'Snapshots', { name: 'snapshots', driver, deletionPolicy: 'Delete', isDefault: true });
    // --- end of README example ---
    const objects = Testing.synth(chart);
    expect(kinds(objects)).toEqual(expect.arrayContaining(['CSIDriver', 'DaemonSet', 'StatefulSet', 'StorageClass', 'VolumeSnapshotClass']));
  });

  it('SourceClaim, VolumeSnapshot, RestoredClaim', () => {
    const { chart } = fresh();
    // --- README example: SourceClaim, VolumeSnapshot, RestoredClaim ---
    const db = new SourceClaim(chart, 'Db', { name: 'db', namespace: 'team-a', storage: '10Gi', volumeMode: 'Filesystem' });
    const snapshot = new VolumeSnapshot(chart, 'DbSnapshot', { name: 'db-snap', source: db });
    new RestoredClaim(chart, 'DbRestored', { name: 'db-restored', snapshot });
    // --- end of README example ---
    expect(kinds(Testing.synth(chart))).toEqual(['PersistentVolumeClaim', 'PersistentVolumeClaim', 'VolumeSnapshot']);
  });

  it('VolumeModeGuard and AdmissionPolicy', () => {
    const { chart } = fresh();
    // --- README example: VolumeModeGuard, AdmissionPolicy ---
    new VolumeModeGuard(chart, 'Guard', { defaultActions: ['Warn', 'Audit'], exclude: ['requireSourceVolumeMode'] });
    new AdmissionPolicy(chart, 'RequireMode', { definition: VALIDATING_POLICIES.requireSourceVolumeMode, validationActions: ['Deny'] });
    // --- end of README example ---
    const bindings = Testing.synth(chart).filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
    expect(bindings.find((b) => b.spec.policyName === VALIDATING_POLICIES.requireSourceVolumeMode.name).spec.validationActions).toEqual(['Deny']);
  });

  it('SnapshotUserRoles, DoctorRbac, ComponentRbac', () => {
    const { chart } = fresh();
    // --- README example: SnapshotUserRoles, DoctorRbac, ComponentRbac ---
    new SnapshotUserRoles(chart, 'UserRoles', { classReaderGroups: ['system:authenticated'] });
    new DoctorRbac(chart, 'DoctorRoles');
    new ComponentRbac(chart, 'BackupTool', {
      namespace: 'backup', serviceAccountName: 'backup-tool', clusterRoleName: 'backup-tool', roleName: 'backup-tool',
      clusterRules: [{ apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['get', 'list', 'create'] }],
      namespacedRules: [],
    });
    // --- end of README example ---
    expect(kinds(Testing.synth(chart))).toEqual(expect.arrayContaining(['ClusterRole', 'ClusterRoleBinding', 'ServiceAccount']));
  });

  it('VolumeHealthAlerts', () => {
    const { chart } = fresh();
    // --- README example: VolumeHealthAlerts ---
    new VolumeHealthAlerts(chart, 'Health', { namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' }, severity: 'critical' });
    // --- end of README example ---
    expect(Testing.synth(chart)[0].spec.groups[0].rules[0].expr).toContain('csi_node_storage_health_status');
  });

  it('KubernetesFeatureGates', () => {
    const { chart } = fresh();
    // --- README example: KubernetesFeatureGates (node configuration: an app of its own) ---
    new KubernetesFeatureGates(chart, 'Gates', { kubernetesVersion: '1.28', gates: { CSIVolumeHealth: true }, allowAlphaGates: true });
    // --- end of README example ---
    expect(kinds(Testing.synth(chart))).toEqual(expect.arrayContaining(['KubeletConfiguration']));
  });

  it('CsiMigrationStorageClasses', () => {
    const { chart } = fresh();
    // --- README example: CsiMigrationStorageClasses ---
    new CsiMigrationStorageClasses(chart, 'Migration', { inTreeProvisioner: 'kubernetes.io/vsphere-volume', kubernetesVersion: '1.28' });
    // --- end of README example ---
    expect(kinds(Testing.synth(chart))).toEqual(['StorageClass', 'StorageClass']);
  });

  it('OpenShiftFeatureGate, OpenShiftStorageDriver', () => {
    const { chart } = fresh();
    // --- README example: OpenShiftFeatureGate, OpenShiftStorageDriver ---
    new OpenShiftFeatureGate(chart, 'FeatureGate', { openshiftVersion: '4.14' });
    new OpenShiftStorageDriver(chart, 'StorageDriver', { openshiftVersion: '4.13', vsphereStorageDriver: 'CSIWithMigrationDriver' });
    // --- end of README example ---
    expect(kinds(Testing.synth(chart))).toEqual(['FeatureGate', 'Storage']);
  });

  it('the preset charts', () => {
    const app = new App({ outdir: Testing.app().outdir });
    // --- README example: HostpathDriverChart, VsphereCsiChart, FieldReportChart ---
    new HostpathDriverChart(app, 'hostpath', { namespace: 'storage-demo' });
    new VsphereCsiChart(app, 'vsphere', { driverImage: 'registry.example.com/vsphere-csi-driver/driver:v3.5.0' });
    // The field report brings its own hostpath driver: it gets an app of its own (one driver per cluster).
    new FieldReportChart(new App(), 'field-report');
    // --- end of README example ---
    for (const chart of app.charts) expect(Testing.synth(chart).length).toBeGreaterThan(0);
  });
});
