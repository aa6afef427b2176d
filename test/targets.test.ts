import { describe, expect, it } from 'vitest';
import { SnapshotCrds } from '../src/constructs/snapshot-crds';
import { VolumeSnapshotClass } from '../src/constructs/volume-snapshot-class';
import { testChart } from './support/synth';

describe('snapshot-stack constructs refuse targets outside 1.30-1.36', () => {
  it('SnapshotCrds under a 1.29 context', () => {
    expect(() => new SnapshotCrds(testChart('1.29'), 'Crds'))
      .toThrow(/test\/Crds: context 'csi-snapshot-guard:kubernetesVersion' '1\.29' is outside the supported range 1\.30 to 1\.36; choose a target/);
  });

  it('VolumeSnapshotClass with an explicit 1.37', () => {
    expect(() => new VolumeSnapshotClass(testChart(), 'Class', { name: 'c', driver: 'hostpath.csi.k8s.io', kubernetesVersion: '1.37' }))
      .toThrow(/kubernetesVersion '1\.37' is outside the supported range 1\.30 to 1\.36/);
  });

  it('both accept every supported target', () => {
    for (let minor = 30; minor <= 36; minor++) {
      const chart = testChart(`1.${minor}`);
      expect(() => new SnapshotCrds(chart, 'Crds')).not.toThrow();
      expect(() => new VolumeSnapshotClass(chart, 'Class', { name: 'c', driver: 'hostpath.csi.k8s.io' })).not.toThrow();
    }
  });
});
