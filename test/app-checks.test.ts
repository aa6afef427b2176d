/**
 * Constructs that are each valid but contradict each other in one app fail at synth, naming both
 * objects and a fix that works.
 */
import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CsiDriver, SnapshotController, SnapshotPlatformChart, StorageClass, VolumeModeGuard } from '../src';

const driverProps = {
  driverName: 'csi.example.com', driverImage: 'quay.io/example/csi:v1.0.0', capabilities: ['CONTROLLER_SERVICE', 'CREATE_DELETE_VOLUME'],
} as const;

describe('checks across the constructs of one app', () => {
  it('two objects of one kind with the same name fail, naming both paths', () => {
    const chart = Testing.chart();
    new StorageClass(chart, 'Fast', { name: 'fast', provisioner: 'csi.example.com' });
    new StorageClass(chart, 'AlsoFast', { name: 'fast', provisioner: 'csi.example.com' });
    expect(() => Testing.synth(chart)).toThrow(/test\/AlsoFast\/Resource: StorageClass 'fast' is also rendered by test\/Fast\/Resource; the second apply would overwrite the first/);
  });

  it('the same name in two namespaces, or for two kinds, is fine; a cluster-scoped name twice is not', () => {
    const chart = Testing.chart();
    new StorageClass(chart, 'Fast', { name: 'snapshot-controller', provisioner: 'csi.example.com' });
    new SnapshotController(chart, 'A', { namespace: 'team-a' });
    expect(() => Testing.synth(chart)).not.toThrow();
    // A second controller elsewhere repeats the namespaced objects in its own namespace (fine) and the
    // cluster-scoped ClusterRole (not fine: two controllers would both act on every snapshot).
    new SnapshotController(chart, 'B', { namespace: 'team-b' });
    expect(() => Testing.synth(chart)).toThrow(/test\/B\/\S+: ClusterRole 'csi-snapshot-guard-snapshot-controller' is also rendered by test\/A\//);
  });

  it('a controller with the protection off next to the guard that denies it fails; following the fix synthesizes', () => {
    const chart = Testing.chart();
    new SnapshotController(chart, 'Controller', { preventVolumeModeConversion: false });
    new VolumeModeGuard(chart, 'Guard');
    expect(() => Testing.synth(chart)).toThrow(
      /test\/Controller\/Deployment: Deployment 'snapshot-controller' writes --prevent-volume-mode-conversion=false, which the policy volume-mode-protection-cannot-be-disabled .* refuses.*exclude: \['keepProtectionFlag'\]/);
    const excluded = Testing.chart();
    new SnapshotController(excluded, 'Controller', { preventVolumeModeConversion: false });
    new VolumeModeGuard(excluded, 'Guard', { exclude: ['keepProtectionFlag'] });
    expect(() => Testing.synth(excluded)).not.toThrow();
  });

  it('a privileged driver in the platform\'s restricted namespace fails, naming the namespace and the fix', () => {
    const app = new App({ outdir: Testing.app().outdir });
    new SnapshotPlatformChart(app, 'platform');
    const drivers = new Chart(app, 'drivers');
    new CsiDriver(drivers, 'Driver', { ...driverProps, namespace: 'snapshot-system' });
    expect(() => app.synthYaml()).toThrow(/drivers\/Driver\/Node\S*: DaemonSet '\S+' cannot run in namespace snapshot-system, whose Pod Security level is restricted \(platform\/Namespace\): container \S+ is privileged; put it in a namespace of its own labelled pod-security\.kubernetes\.io\/enforce=privileged/);
    const ok = new App({ outdir: Testing.app().outdir });
    new SnapshotPlatformChart(ok, 'platform');
    new CsiDriver(new Chart(ok, 'drivers'), 'Driver', { ...driverProps, namespace: 'storage' });
    expect(() => ok.synthYaml()).not.toThrow();
  });
});
