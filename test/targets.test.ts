import { describe, expect, it } from 'vitest';
import { SNAPSHOT_STACK_KUBERNETES as RANGE } from '../src/catalog';
import { SnapshotCrds } from '../src/constructs/platform/snapshot-crds';
import { VolumeSnapshotClass } from '../src/constructs/classes/volume-snapshot-class';
import { testChart } from './support/synth';

const SUPPORTED = `1\\.${RANGE.min} to 1\\.${RANGE.max}`;
const NEXT = `1.${RANGE.max + 1}`;

describe(`snapshot-stack constructs refuse targets outside 1.${RANGE.min}-1.${RANGE.max}`, () => {
  it('SnapshotCrds under a 1.29 context', () => {
    expect(() => new SnapshotCrds(testChart('1.29'), 'Crds'))
      .toThrow(new RegExp(`test/Crds: context 'csi-snapshot-guard:kubernetesVersion' '1\\.29' is outside the supported range ${SUPPORTED}; choose a target`));
  });

  it(`VolumeSnapshotClass with an explicit ${NEXT}`, () => {
    expect(() => new VolumeSnapshotClass(testChart(), 'Class', { name: 'c', driver: 'hostpath.csi.k8s.io', kubernetesVersion: NEXT }))
      .toThrow(new RegExp(`kubernetesVersion '${NEXT.replace('.', '\\.')}' is outside the supported range ${SUPPORTED}`));
  });

  it('both accept every supported target', () => {
    for (let minor = RANGE.min; minor <= RANGE.max; minor++) {
      const chart = testChart(`1.${minor}`);
      expect(() => new SnapshotCrds(chart, 'Crds')).not.toThrow();
      expect(() => new VolumeSnapshotClass(chart, 'Class', { name: 'c', driver: 'hostpath.csi.k8s.io' })).not.toThrow();
    }
  });
});
