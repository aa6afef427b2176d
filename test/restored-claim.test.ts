import * as fs from 'node:fs';
import { Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { compareQuantities, parseQuantity } from '../src/constructs/common/_quantity';
import { RestoredClaim, RestoredClaimProps } from '../src/constructs/classes/restored-claim';
import { AccessMode, PersistentVolumeMode, SourceClaim } from '../src/constructs/classes/source-claim';
import { withoutRecommendedLabels } from './support/synth';
import { StorageClass } from '../src/constructs/classes/storage-class';
import { VolumeSnapshot } from '../src/constructs/classes/volume-snapshot';
import { VolumeSnapshotClass } from '../src/constructs/classes/volume-snapshot-class';
import { k8sSchemaErrors, snapshotCrdErrors } from './support/class-schemas';
import { describeWithShared, sharedPath } from './support/shared';

const HOSTPATH = 'hostpath.csi.k8s.io';

/** The field report of SCENARIOS.md §1: a Filesystem claim on csi-hostpath and a snapshot of it. */
function scenario(chart: Chart = Testing.chart()) {
  const sc = new StorageClass(chart, 'HostPath', { name: 'csi-hostpath-sc', provisioner: HOSTPATH, allowVolumeExpansion: true });
  const vsc = new VolumeSnapshotClass(chart, 'SnapClass', { name: 'csi-hostpath-snapclass', driver: HOSTPATH });
  const source = new SourceClaim(chart, 'Data', { name: 'hpvc', storage: '1Gi', storageClass: sc });
  const snapshot = new VolumeSnapshot(chart, 'Snapshot', { name: 'new-snapshot-demo', source, volumeSnapshotClass: vsc });
  const restore = (props: Partial<RestoredClaimProps> = {}, id = 'Restore') =>
    new RestoredClaim(chart, id, { name: 'hpvc-restore', snapshot, storageClass: sc, ...props });
  return { chart, sc, vsc, source, snapshot, restore };
}

describe('quantities', () => {
  const eq = (a: string, b: string) => compareQuantities(parseQuantity(a)!, parseQuantity(b)!);

  test('binary, decimal and exponent suffixes compare exactly', () => {
    expect(eq('1Gi', '1073741824')).toBe(0);
    expect(eq('1.5Gi', '1536Mi')).toBe(0);
    expect(eq('1e3', '1k')).toBe(0);
    expect(eq('1G', '1Gi')).toBeLessThan(0);
    expect(eq('2Ti', '2048Gi')).toBe(0);
    expect(eq('1000m', '1')).toBe(0);
    expect(eq('.5Ki', '512')).toBe(0);
  });

  test('malformed quantities are rejected', () => {
    for (const bad of ['1GB', '1 Gi', '', 'Gi', '1gi', '1.2.3', '1e', 'ten']) expect(parseQuantity(bad), bad).toBeUndefined();
  });
});

describe('VolumeSnapshot', () => {
  test('snapshots the source claim with the given class, in the claim namespace', () => {
    const chart = Testing.chart();
    const source = SourceClaim.fromName('db', { namespace: 'apps' });
    const snap = new VolumeSnapshot(chart, 'Snap', { name: 'db-snap', source, volumeSnapshotClass: VolumeSnapshotClass.fromName('fast') });
    expect(withoutRecommendedLabels(snap.resource.toJson())).toEqual({
      apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot',
      metadata: { name: 'db-snap', namespace: 'apps' },
      spec: { source: { persistentVolumeClaimName: 'db' }, volumeSnapshotClassName: 'fast' },
    });
  });

  test('without a class the driver default class is used (no volumeSnapshotClassName)', () => {
    const snap = new VolumeSnapshot(Testing.chart(), 'Snap', { name: 's', source: SourceClaim.fromName('db') });
    expect(snap.resource.toJson().spec).toEqual({ source: { persistentVolumeClaimName: 'db' } });
  });

  describe('bad input', () => {
    test('a namespace other than the source claim', () => {
      expect(() => new VolumeSnapshot(Testing.chart(), 'Snap', { name: 's', namespace: 'backup', source: SourceClaim.fromName('db', { namespace: 'apps' }) }))
        .toThrow(/Snap: namespace 'backup' differs from the namespace of source claim 'db' \(apps\).*leave namespace unset \(it follows the claim\) or set it to 'apps'/);
    });
    test('a snapshot class of another driver', () => {
      const { chart, source } = scenario();
      expect(() => new VolumeSnapshot(chart, 'Other', { name: 'x', source, volumeSnapshotClass: VolumeSnapshotClass.fromName('ebs', 'ebs.csi.aws.com') }))
        .toThrow(/volumeSnapshotClass 'ebs' is for driver 'ebs.csi.aws.com' but claim 'hpvc' is provisioned by 'hostpath.csi.k8s.io'; use a VolumeSnapshotClass whose driver is 'hostpath.csi.k8s.io'/);
    });
    test('a bad name', () => {
      expect(() => new VolumeSnapshot(Testing.chart(), 'Snap', { name: 'Snap_1', source: SourceClaim.fromName('db') }))
        .toThrow(/Snap: name 'Snap_1' is not a valid DNS-1123 subdomain/);
    });
  });
});

describe('RestoredClaim', () => {
  test('a matching restore references the snapshot through dataSourceRef and inherits size and mode', () => {
    const { restore } = scenario();
    const spec = restore().resource.toJson().spec;
    expect(spec.dataSourceRef).toEqual({ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'new-snapshot-demo' });
    expect(spec.resources.requests.storage).toBe('1Gi');
    expect(spec.volumeMode).toBe('Filesystem');
    expect(spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(spec.storageClassName).toBe('csi-hostpath-sc');
  });

  test('a larger restore is fine, including across suffix styles', () => {
    const { restore } = scenario();
    expect(restore({ storage: '2Gi' }, 'Bigger').storage).toBe('2Gi');
    expect(restore({ storage: '1073741824' }, 'SameInBytes').storage).toBe('1073741824');
  });

  test('a mode change passes only with allowVolumeModeChange, and renders the requested mode', () => {
    const { restore } = scenario();
    const claim = restore({ volumeMode: PersistentVolumeMode.BLOCK, allowVolumeModeChange: true });
    expect(claim.resource.toJson().spec.volumeMode).toBe('Block');
  });

  test('with an unknown source the mode is not checked at synth but the size must be given', () => {
    const chart = Testing.chart();
    const snapshot = VolumeSnapshot.fromName('imported');
    const claim = new RestoredClaim(chart, 'R', { name: 'r', snapshot, storage: '5Gi', volumeMode: 'Block' });
    expect(claim.resource.toJson().spec).toMatchObject({ volumeMode: 'Block', resources: { requests: { storage: '5Gi' } } });
    expect(() => new RestoredClaim(chart, 'R2', { name: 'r2', snapshot }))
      .toThrow(/R2: storage \(unset\) is required: the size of the claim behind VolumeSnapshot 'imported' is unknown; set storage to at least/);
  });

  test('a restored claim can be snapshotted again with its known mode', () => {
    const { chart, restore } = scenario();
    const restored = restore();
    const again = new VolumeSnapshot(chart, 'Again', { name: 'again', source: restored });
    expect(() => new RestoredClaim(chart, 'Third', { name: 'third', snapshot: again, volumeMode: 'Block' })).toThrow(/volumeMode 'Block' differs from source claim 'hpvc-restore' \(Filesystem\)/);
  });

  describe('bad input', () => {
    test('the Block restore of a Filesystem snapshot is refused (SCENARIOS §1)', () => {
      const { restore } = scenario();
      expect(() => restore({ volumeMode: PersistentVolumeMode.BLOCK }))
        .toThrow(/Restore: volumeMode 'Block' differs from source claim 'hpvc' \(Filesystem\) of VolumeSnapshot 'new-snapshot-demo'.*restore with volumeMode 'Filesystem'; for a deliberate, trusted conversion set allowVolumeModeChange: true, and have an approver annotate the VolumeSnapshotContent with snapshot.storage.kubernetes.io\/allow-volume-mode-change: "true"/);
    });

    test('a restore smaller than the source', () => {
      const { restore } = scenario();
      expect(() => restore({ storage: '512Mi' }))
        .toThrow(/Restore: storage '512Mi' is smaller than source claim 'hpvc' \(1Gi\) of VolumeSnapshot 'new-snapshot-demo'.*request at least '1Gi'/);
      expect(() => restore({ storage: '1G' }, 'DecimalG')).toThrow(/storage '1G' is smaller than source claim 'hpvc' \(1Gi\)/);
    });

    test('a malformed quantity', () => {
      const { restore } = scenario();
      expect(() => restore({ storage: '1GB' })).toThrow(/Restore: storage '1GB' is not a Kubernetes quantity; write a number with an optional suffix, e.g. "10Gi"/);
      expect(() => restore({ storage: '0' }, 'Zero')).toThrow(/storage '0' is not a positive size/);
      expect(() => new SourceClaim(Testing.chart(), 'Src', { name: 'src', storage: '10 Gi' })).toThrow(/Src: storage '10 Gi' is not a Kubernetes quantity/);
    });

    test('a malformed source size known only from fromName', () => {
      const snapshot = VolumeSnapshot.fromName('s', { source: SourceClaim.fromName('db', { storage: 'lots' }) });
      expect(() => new RestoredClaim(Testing.chart(), 'R', { name: 'r', snapshot, storage: '1Gi' }))
        .toThrow(/R: snapshot.source.storage 'lots' is not a Kubernetes quantity/);
    });

    test('a storage class of another driver', () => {
      const { restore } = scenario();
      expect(() => restore({ storageClass: StorageClass.fromName('gp3', 'ebs.csi.aws.com') }))
        .toThrow(/storageClass 'gp3' is provisioned by 'ebs.csi.aws.com' but the snapshot was taken by 'hostpath.csi.k8s.io'.*use a StorageClass of 'hostpath.csi.k8s.io'/);
    });

    test('a namespace other than the snapshot', () => {
      const snapshot = VolumeSnapshot.fromName('s', { namespace: 'apps' });
      expect(() => new RestoredClaim(Testing.chart(), 'R', { name: 'r', namespace: 'other', snapshot, storage: '1Gi' }))
        .toThrow(/R: namespace 'other' differs from the namespace of VolumeSnapshot 's' \(apps\).*restore in 'apps'/);
    });

    test('bad names, modes and access modes', () => {
      const { restore } = scenario();
      expect(() => restore({ name: 'Restore!' })).toThrow(/Restore: name 'Restore!' is not a valid DNS-1123 subdomain/);
      expect(() => restore({ volumeMode: 'Raw' as never }, 'Raw')).toThrow(/volumeMode 'Raw' is not a volume mode \(Block or Filesystem\)/);
      expect(() => restore({ accessModes: [] }, 'NoModes')).toThrow(/accessModes \[\] is empty; give at least one access mode/);
      expect(() => restore({ accessModes: [AccessMode.READ_WRITE_ONCE, AccessMode.READ_WRITE_ONCE] }, 'Dup')).toThrow(/accessModes\[1\] 'ReadWriteOnce' is listed twice/);
      expect(() => SourceClaim.fromName('db', { volumeMode: 'block' as never })).toThrow(/SourceClaim.fromName\(attributes.volumeMode\) 'block' is not a volume mode/);
    });
  });
});

describeWithShared('restore against the reference data', () => {
  const upstream = (...p: string[]) => parse(fs.readFileSync(sharedPath('reference', 'upstream', ...p), 'utf8'));

  test('the restore matches the csi-driver-host-path example, with dataSourceRef in place of dataSource', () => {
    const expected = upstream('csi-driver-host-path-v1.18.0', 'examples', 'csi-restore.yaml');
    const { restore } = scenario();
    const actual = restore().resource.toJson();
    expect(actual.metadata.name).toBe(expected.metadata.name);
    expect(actual.spec.dataSourceRef).toEqual(expected.spec.dataSource);
    expect(actual.spec.storageClassName).toBe(expected.spec.storageClassName);
    expect(actual.spec.accessModes).toEqual(expected.spec.accessModes);
    expect(actual.spec.resources).toEqual(expected.spec.resources);
  });

  test('rendered claims are valid PersistentVolumeClaims (Kubernetes 1.36 schema)', () => {
    const { source, restore } = scenario();
    expect(k8sSchemaErrors('io.k8s.api.core.v1.PersistentVolumeClaim', source.resource.toJson())).toEqual([]);
    expect(k8sSchemaErrors('io.k8s.api.core.v1.PersistentVolumeClaim', restore().resource.toJson())).toEqual([]);
  });

  test('the VolumeSnapshot is valid against the v8.6.0 CRD schema', () => {
    const { snapshot } = scenario();
    expect(snapshotCrdErrors('snapshot.storage.k8s.io_volumesnapshots.yaml', snapshot.resource.toJson())).toEqual([]);
  });
});
