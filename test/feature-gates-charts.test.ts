/**
 * The example charts of issue 6: SCENARIOS §5 on OpenShift 4.11 and a vanilla 1.30+ cluster with
 * CSIVolumeHealth. Targeted assertions first, then one readable YAML file snapshot per chart.
 */
import * as fs from 'node:fs';
import { App, Testing, Yaml } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { OpenShiftFeatureSet } from '../src/catalog';
import { OpenShiftVsphereMigrationChart } from '../src/charts/openshift-vsphere-migration';
import { vanillaVolumeHealthGates } from '../src/charts/vanilla-volume-health-gates';

const ACK = OpenShiftFeatureSet.CUSTOM_NO_UPGRADE;

function kinds(docs: any[]) {
  return docs.map((d) => `${d.kind}/${d.metadata?.name ?? ''}`);
}

describe('OpenShiftVsphereMigrationChart', () => {
  test('4.11: FeatureGate CustomNoUpgrade with CSIMigrationvSphere, then thin and thin-csi', () => {
    const chart = new OpenShiftVsphereMigrationChart(Testing.app(), 'openshift-vsphere-migration', { acknowledgeNoUpgrade: ACK });
    const docs = Testing.synth(chart) as any[];
    expect(kinds(docs)).toEqual(['FeatureGate/cluster', 'StorageClass/thin', 'StorageClass/thin-csi']);
    expect(docs[0].spec.customNoUpgrade.enabled).toEqual(['CSIMigrationvSphere']);
  });

  test('4.11 without the acknowledgement fails', () => {
    expect(() => new OpenShiftVsphereMigrationChart(Testing.app(), 'm', {})).toThrow(/acknowledgeNoUpgrade \(unset\) does not acknowledge/);
  });

  test('4.13 upgraded cluster: the Storage opt-in instead of a FeatureGate', () => {
    const chart = new OpenShiftVsphereMigrationChart(Testing.app(), 'm', { openshiftVersion: '4.13', upgradedCluster: true });
    expect(kinds(Testing.synth(chart) as any[])).toEqual(['Storage/cluster', 'StorageClass/thin', 'StorageClass/thin-csi']);
  });

  test('4.14: migration is automatic, only the classes are rendered', () => {
    const chart = new OpenShiftVsphereMigrationChart(Testing.app(), 'm', { openshiftVersion: '4.14' });
    expect(kinds(Testing.synth(chart) as any[])).toEqual(['StorageClass/thin', 'StorageClass/thin-csi']);
  });

  // The 4.11 chart as shipped is snapshotted by dist/examples/openshift-vsphere-migration/ (test/charts.test.ts).
});

describe('vanillaVolumeHealthGates', () => {
  test('1.30: only the kubelet file, with CSIVolumeHealth', () => {
    const app = Testing.app();
    const r = vanillaVolumeHealthGates(app);
    expect(r.controlPlaneChart).toBeUndefined();
    expect(app.charts.map((c) => c.node.id)).toEqual(['vanilla-volume-health-node-kubelet']);
    expect(Testing.synth(r.kubeletChart)).toEqual([
      { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', featureGates: { CSIVolumeHealth: true } },
    ]);
  });

  test('1.37: the API server needs CSIVolumeHealth too (it keeps claim status.healthStatus only with it)', () => {
    const r = vanillaVolumeHealthGates(Testing.app(), { kubernetesVersion: '1.37' });
    expect(Testing.synth(r.kubeletChart)[0].featureGates).toEqual({ CSIVolumeHealth: true });
    const kubeadm = Testing.synth(r.controlPlaneChart!)[0];
    expect(kubeadm.kind).toBe('ClusterConfiguration');
    expect(JSON.stringify(kubeadm.apiServer)).toContain('CSIVolumeHealth=true');
  });

  test('1.34 with MutatingAdmissionPolicy: a kubeadm file for the API server too', () => {
    const r = vanillaVolumeHealthGates(Testing.app(), { kubernetesVersion: '1.34', mutatingAdmissionPolicy: true });
    const [cp] = Testing.synth(r.controlPlaneChart!) as any[];
    expect(cp.apiVersion).toBe('kubeadm.k8s.io/v1beta4');
    expect(cp.apiServer.extraArgs).toContainEqual({ name: 'runtime-config', value: 'admissionregistration.k8s.io/v1beta1=true' });
  });

  test('files are named after the charts, with no hash and a plain .yaml extension', () => {
    const dir = `/tmp/fg-charts-${process.pid}`;
    const app = new App({ outdir: dir, outputFileExtension: '.yaml' });
    vanillaVolumeHealthGates(app, { kubernetesVersion: '1.34', mutatingAdmissionPolicy: true });
    app.synth();
    expect(fs.readdirSync(dir).sort()).toEqual([
      'vanilla-volume-health-control-plane-kubeadm.yaml', 'vanilla-volume-health-node-kubelet.yaml',
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // The 1.30 kubelet file as shipped is snapshotted by dist/node-config/ (test/charts.test.ts).
  test('YAML snapshot of the 1.34 kubeadm file (not shipped in dist/)', async () => {
    const b = vanillaVolumeHealthGates(Testing.app(), { kubernetesVersion: '1.34', mutatingAdmissionPolicy: true });
    await expect(Yaml.stringify(...Testing.synth(b.controlPlaneChart!))).toMatchFileSnapshot('__snapshots__/vanilla-volume-health-1.34-control-plane-kubeadm.yaml');
  });
});
