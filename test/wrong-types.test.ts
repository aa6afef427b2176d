/**
 * Plain JavaScript callers can pass anything. Every prop of every construct, given a value of the
 * wrong type, either works or fails with a PropError that names the prop; a TypeError (or any other
 * error) from inside the library never escapes.
 */
import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import {
  CsiDriver, CsiMigrationStorageClasses, DoctorRbac, HostpathDriverChart, KubernetesFeatureGates, OpenShiftFeatureGate, OpenShiftStorageDriver, PropError,
  SnapshotController, SnapshotCrds, SnapshotPlatformChart, SnapshotUserRoles, StorageClass, VolumeHealthAlerts, VolumeModeGuard,
  VolumeSnapshotClass,
} from '../src';

const WRONG: readonly unknown[] = [42, 'not-what-you-want', null, [], {}, true, [42], { name: 42 }, () => 1];

type Factory = (scope: Chart, props: any) => unknown;

const CASES: Record<string, { make: Factory; valid: Record<string, unknown> }> = {
  SnapshotCrds: { make: (s, p) => new SnapshotCrds(s, 'X', p), valid: { groupSnapshots: true, keepOnPrune: true, labels: { a: 'b' } } },
  SnapshotController: {
    make: (s, p) => new SnapshotController(s, 'X', p),
    valid: { namespace: 'snap', replicas: 2, preventVolumeModeConversion: true, featureGates: { ReleaseLeaderElectionOnExit: true }, workerThreads: 4, image: { tag: 'v8.7.0' } },
  },
  CsiDriver: {
    make: (s, p) => new CsiDriver(s, 'X', p),
    valid: {
      driverName: 'csi.example.com', driverImage: 'quay.io/example/csi:v1.0.0', capabilities: ['CONTROLLER_SERVICE', 'CREATE_DELETE_VOLUME'],
      namespace: 'storage', replicas: 1, provisioner: { timeout: '30s', workers: 5, featureGates: { Topology: true } }, nodeSelector: { a: 'b' },
    },
  },
  StorageClass: {
    make: (s, p) => new StorageClass(s, 'X', p),
    valid: { name: 'fast', provisioner: 'csi.example.com', parameters: { type: 'ssd' }, mountOptions: ['noatime'], allowVolumeExpansion: true, reclaimPolicy: 'Retain' },
  },
  VolumeSnapshotClass: { make: (s, p) => new VolumeSnapshotClass(s, 'X', p), valid: { name: 'snaps', driver: 'csi.example.com', deletionPolicy: 'Delete', isDefault: true } },
  VolumeModeGuard: {
    make: (s, p) => new VolumeModeGuard(s, 'X', p),
    valid: { defaultActions: ['Deny'], exclude: ['singleDefaultStorageClass'], approvers: [{ kind: 'Group', name: 'admins' }], exempt: { restoreKeepsVolumeMode: { users: ['u'] } } },
  },
  SnapshotUserRoles: { make: (s, p) => new SnapshotUserRoles(s, 'X', p), valid: { classReaderGroups: ['g'], groupSnapshots: true } },
  VolumeHealthAlerts: { make: (s, p) => new VolumeHealthAlerts(s, 'X', p), valid: { namespace: 'monitoring', forDuration: '5m', severity: 'critical', runbookUrl: 'https://x.example/r' } },
  KubernetesFeatureGates: { make: (s, p) => new KubernetesFeatureGates(s, 'X', p), valid: { kubernetesVersion: '1.30', gates: { CSIVolumeHealth: true }, allowAlphaGates: true } },
  OpenShiftFeatureGate: { make: (s, p) => new OpenShiftFeatureGate(s, 'X', p), valid: { openshiftVersion: '4.14' } },
  OpenShiftStorageDriver: { make: (s, p) => new OpenShiftStorageDriver(s, 'X', p), valid: { openshiftVersion: '4.13', vsphereStorageDriver: 'CSIWithMigrationDriver' } },
  CsiMigrationStorageClasses: { make: (s, p) => new CsiMigrationStorageClasses(s, 'X', p), valid: { kubernetesVersion: '1.28', inTreeProvisioner: 'kubernetes.io/vsphere-volume' } },
  SnapshotPlatformChart: { make: (_s, p) => new SnapshotPlatformChart(new App({ outdir: Testing.app().outdir }), 'p', p), valid: { namespace: 'snap', groupSnapshots: false } },
  HostpathDriverChart: {
    make: (_s, p) => new HostpathDriverChart(new App({ outdir: Testing.app().outdir }), 'h', p),
    valid: { namespace: 'storage-demo', storageClass: true, defaultSnapshotClass: true, kubernetesVersion: '1.36' },
  },
  DoctorRbac: { make: (s, p) => new DoctorRbac(s, 'X', p), valid: { labels: { a: 'b' } } },
};

/** Runs a construction; returns what escaped, if it was not a PropError. */
function escaped(make: Factory, props: unknown): string | undefined {
  try {
    const chart = Testing.chart();
    make(chart, props);
    Testing.synth(chart);
    return undefined;
  } catch (e) {
    if (e instanceof PropError) return undefined;
    // Errors raised by cdk8s validations carry our messages in their text; those are fine too.
    if (e instanceof Error && /Validation failed/.test(e.message)) return undefined;
    return `${(e as Error)?.constructor?.name}: ${(e as Error)?.message?.split('\n')[0]}`;
  }
}

describe('a wrong type in any prop gives a PropError, never a TypeError from inside', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: its valid props work`, () => {
      expect(escaped(c.make, c.valid)).toBeUndefined();
    });
    it(name, () => {
      const problems: string[] = [];
      for (const prop of Object.keys(c.valid)) {
        for (const value of WRONG) {
          const err = escaped(c.make, { ...c.valid, [prop]: value });
          if (err) problems.push(`${prop} = ${JSON.stringify(value) ?? String(value)}: ${err}`);
        }
      }
      for (const value of [undefined, null, 42, 'props']) {
        const err = escaped(c.make, value);
        if (err && value !== undefined) problems.push(`props = ${JSON.stringify(value)}: ${err}`);
      }
      expect(problems).toEqual([]);
    });
  }
});
