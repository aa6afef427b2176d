/**
 * The vSphere preset and the worked example chart of SCENARIOS §1.
 */
import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { FIELD_REPORT, FieldReportChart } from '../src/charts/field-report';
import { HostpathDriverChart } from '../src/charts/hostpath';
import { VsphereCsiChart, VsphereCsiChartProps } from '../src/charts/vsphere';
import { RestoredClaim } from '../src/constructs/classes/restored-claim';
import { SnapshotCrds } from '../src/constructs/platform/snapshot-crds';
import { PersistentVolumeMode } from '../src/constructs/classes/source-claim';
import { expectValid } from './support/manifest-validator';
import { describeWithShared } from './support/shared';

type Json = any;

const VSPHERE_IMAGE = 'registry.example.com/vsphere-csi-driver/driver:v3.5.0';

function vsphere(props: Partial<VsphereCsiChartProps> = {}): Json[] {
  const app = Testing.app();
  return Testing.synth(new VsphereCsiChart(app, 'vsphere', { driverImage: VSPHERE_IMAGE, ...props }));
}

const containerNames = (w: Json): string[] => w.spec.template.spec.containers.map((c: Json) => c.name);

describe('vSphere preset', () => {
  it('renders the attach-capable sidecar set without the health monitor', () => {
    const docs = vsphere();
    const ctrl = docs.find((d) => d.kind === 'Deployment');
    expect(containerNames(ctrl)).toEqual(['csi-driver', 'csi-provisioner', 'csi-attacher', 'csi-snapshotter', 'csi-resizer', 'liveness-probe']);
    expect(ctrl.spec.replicas).toBe(2);
    expect(ctrl.spec.template.spec.containers[1].args).toContain('--leader-election=true');
    const driver = docs.find((d) => d.kind === 'CSIDriver');
    expect(driver.metadata.name).toBe('csi.vsphere.vmware.com');
    expect(driver.spec.attachRequired).toBe(true);
  });

  it('keeps one controller replica through a node drain and spreads the two over nodes and zones', () => {
    const docs = vsphere();
    const ctrl = docs.find((d) => d.kind === 'Deployment');
    const pdbs = docs.filter((d) => d.kind === 'PodDisruptionBudget');
    expect(pdbs).toHaveLength(1);
    expect(pdbs[0].spec).toEqual({ minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: ctrl.spec.selector.matchLabels } });
    expect(ctrl.spec.template.spec.topologySpreadConstraints.map((t: Json) => [t.topologyKey, t.whenUnsatisfiable]))
      .toEqual([['kubernetes.io/hostname', 'ScheduleAnyway'], ['topology.kubernetes.io/zone', 'ScheduleAnyway']]);
  });

  it('refuses a floating vendor image tag', () => {
    expect(() => vsphere({ driverImage: 'registry.example.com/vsphere-csi-driver/driver:stable' }))
      .toThrow(/driverImage 'registry\.example\.com\/vsphere-csi-driver\/driver:stable' has the floating tag 'stable'.*; pin a release tag with its version/);
  });

  it('uses the vendor image on both sides and tells each side its role', () => {
    const docs = vsphere();
    const ctrlDriver = docs.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0];
    const nodeDriver = docs.find((d) => d.kind === 'DaemonSet').spec.template.spec.containers[0];
    expect(ctrlDriver.image).toBe(VSPHERE_IMAGE);
    expect(nodeDriver.image).toBe(VSPHERE_IMAGE);
    expect(ctrlDriver.env).toContainEqual({ name: 'X_CSI_MODE', value: 'controller' });
    expect(nodeDriver.env).toContainEqual({ name: 'X_CSI_MODE', value: 'node' });
  });

  it('mounts the connection Secret read-only into the controller only, by reference', () => {
    const docs = vsphere({ configSecretName: 'vcenter-creds' });
    const pod = docs.find((d) => d.kind === 'Deployment').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'vsphere-config', secret: { secretName: 'vcenter-creds' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'vsphere-config', mountPath: '/etc/cloud', readOnly: true });
    const nodePod = docs.find((d) => d.kind === 'DaemonSet').spec.template.spec;
    expect(nodePod.volumes.some((v: Json) => v.secret)).toBe(false);
    expect(docs.some((d) => d.kind === 'Secret')).toBe(false);
  });

  it('renders thin-csi with delayed binding and a default snapshot class', () => {
    const docs = vsphere({ storagePolicyName: 'gold' });
    const sc = docs.find((d) => d.kind === 'StorageClass');
    expect(sc.metadata.name).toBe('thin-csi');
    expect(sc.volumeBindingMode).toBe('WaitForFirstConsumer');
    expect(sc.parameters).toEqual({ storagepolicyname: 'gold' });
    expect(sc.metadata.annotations).toBeUndefined();
    const vsc = docs.find((d) => d.kind === 'VolumeSnapshotClass');
    expect(vsc.metadata.annotations['snapshot.storage.kubernetes.io/is-default-class']).toBe('true');
  });

  it('refuses the health monitor: the vSphere preset declares no VOLUME_CONDITION', () => {
    expect(() => vsphere({ driver: { healthMonitor: {} } })).toThrow(/healthMonitor \{\} asks for csi-external-health-monitor-controller but capabilities lack VOLUME_CONDITION/);
  });

  it('refuses a floating vendor image', () => {
    expect(() => vsphere({ driverImage: 'registry.example.com/vsphere-csi-driver/driver' }))
      .toThrow(/driverImage '.*driver' is not a pinned image/);
  });
});

describe('worked example (SCENARIOS §1)', () => {
  function example(props = {}): { chart: FieldReportChart; docs: Json[] } {
    const app = Testing.app();
    const chart = new FieldReportChart(app, 'field-report', props);
    return { chart, docs: Testing.synth(chart) };
  }
  const claims = (docs: Json[]) => Object.fromEntries(docs.filter((d) => d.kind === 'PersistentVolumeClaim').map((d) => [d.metadata.name, d]));

  it('snapshots a Filesystem claim and restores it as Filesystem from that snapshot', () => {
    const { docs } = example();
    const pvc = claims(docs);
    expect(Object.keys(pvc).sort()).toEqual([FIELD_REPORT.restore, FIELD_REPORT.sourceClaim].sort());
    expect(pvc[FIELD_REPORT.sourceClaim].spec.volumeMode).toBe('Filesystem');
    const snap = docs.find((d) => d.kind === 'VolumeSnapshot');
    expect(snap.spec.source.persistentVolumeClaimName).toBe(FIELD_REPORT.sourceClaim);
    expect(snap.spec.volumeSnapshotClassName).toBe('csi-hostpath-snapclass');
    const restore = pvc[FIELD_REPORT.restore];
    expect(restore.spec.volumeMode).toBe('Filesystem');
    expect(restore.spec.dataSourceRef).toEqual({ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: FIELD_REPORT.snapshot });
  });

  it('runs the hostpath driver for the field report cluster (1.30) with the protection flag written out', () => {
    const { docs } = example();
    const prov = docs.find((d) => d.kind === 'StatefulSet').spec.template.spec.containers.find((c: Json) => c.name === 'csi-provisioner');
    expect(prov.image).toBe('registry.k8s.io/sig-storage/csi-provisioner:v5.3.0');
    expect(prov.args).toContain('--prevent-volume-mode-conversion=true');
  });

  it('refuses the Block restore of the Filesystem snapshot at synth', () => {
    const { chart } = example();
    expect(() => new RestoredClaim(chart, 'RawRestore', {
      name: FIELD_REPORT.blockRestore, snapshot: chart.snapshot, volumeMode: PersistentVolumeMode.BLOCK,
    })).toThrow(/volumeMode 'Block' differs from source claim 'csi-pvc' \(Filesystem\).*; restore with volumeMode 'Filesystem'/);
  });

  it('references the classes by name when the driver is rendered elsewhere', () => {
    const { docs } = example({ includeDriver: false });
    expect(docs.some((d) => ['StatefulSet', 'CSIDriver', 'StorageClass'].includes(d.kind))).toBe(false);
    expect(claims(docs)[FIELD_REPORT.sourceClaim].spec.storageClassName).toBe('csi-hostpath-sc');
    expect(docs.find((d) => d.kind === 'VolumeSnapshot').spec.volumeSnapshotClassName).toBe('csi-hostpath-snapclass');
  });

  it('puts the driver into its own namespace, apart from the demo claims, from one prop', () => {
    const { docs } = example({ driverNamespace: 'hostpath-driver' });
    const sts = docs.find((d) => d.kind === 'StatefulSet');
    expect(sts.metadata.namespace).toBe('hostpath-driver');
    expect(docs.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name).sort()).toEqual(['hostpath-driver', FIELD_REPORT.namespace]);
    const subjects = docs.filter((d) => d.kind === 'ClusterRoleBinding').flatMap((b) => b.subjects);
    expect(subjects.every((x: Json) => x.namespace === 'hostpath-driver')).toBe(true);
    expect(claims(docs)[FIELD_REPORT.sourceClaim].metadata.namespace).toBe(FIELD_REPORT.namespace);
  });

  it('refuses a driver namespace equal to the demo namespace', () => {
    expect(() => example({ driverNamespace: FIELD_REPORT.namespace }))
      .toThrow(/driverNamespace 'volume-mode-demo' equals 'namespace'.*; give the driver its own namespace, e\.g\. 'csi-hostpath'/);
  });

  it('refuses a driver namespace when the driver is rendered elsewhere', () => {
    expect(() => example({ includeDriver: false, driverNamespace: 'x' }))
      .toThrow(/driverNamespace 'x' has no effect without includeDriver.*; drop 'driverNamespace'/);
  });

  it('renders the Block restore only behind allowModeChange', () => {
    const { docs } = example({ allowModeChange: true });
    const raw = claims(docs)[FIELD_REPORT.blockRestore];
    expect(raw.spec.volumeMode).toBe('Block');
    expect(raw.spec.dataSourceRef.name).toBe(FIELD_REPORT.snapshot);
  });
});

describeWithShared('presets validate against the Kubernetes schema of their target', () => {
  const crds = (() => {
    const chart = Testing.chart();
    new SnapshotCrds(chart, 'Crds', {});
    return Testing.synth(chart);
  })();
  for (const version of ['1.30', '1.36']) {
    it(`hostpath, vSphere and the worked example on ${version}`, () => {
      const app = Testing.app();
      const charts = [
        new HostpathDriverChart(app, 'hostpath', { kubernetesVersion: version }),
        new VsphereCsiChart(app, 'vsphere', { driverImage: VSPHERE_IMAGE, kubernetesVersion: version }),
        new FieldReportChart(app, 'field-report', { kubernetesVersion: version, includeDriver: false, allowModeChange: true }),
      ];
      for (const chart of charts) expectValid(Testing.synth(chart), { kubernetesVersion: version, crds });
    });
  }
});
