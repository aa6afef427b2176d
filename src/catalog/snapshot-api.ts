/**
 * Coordinates of the snapshot API and of the well-known annotations the `doctor` command reads.
 * Source: ../shared/reference/FACTS.md §b2 (CRD field and its CEL rules), §i (annotations), and the
 * external-snapshotter v8.6.0 CRDs under ../shared/reference/upstream.
 */

/**
 * The external-snapshotter release whose CRD files this project's CRDs match field for field (the
 * parity test reads them from ../shared/reference/upstream). The pinned v8.7.0 ships the same CRDs:
 * FACTS §0.2 says so, and external-snapshotter's master of 2026-08-21, after the commit that made
 * group snapshots GA, has no change under client/config/crd since v8.6.0.
 */
export const SNAPSHOT_CRD_RELEASE = 'v8.6.0';

/** API group of VolumeSnapshot, VolumeSnapshotContent and VolumeSnapshotClass. */
export const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';

/** API group of the volume group snapshot resources. */
export const GROUP_SNAPSHOT_GROUP = 'groupsnapshot.storage.k8s.io';

/** The snapshot API version the protection lives in (v1beta1 is no longer served since v6). */
export const SNAPSHOT_VERSION = 'v1';

/** Plural resource names of the snapshot kinds, as they appear in REST paths and RBAC rules. */
export const SNAPSHOT_RESOURCES = {
  volumeSnapshots: 'volumesnapshots',
  volumeSnapshotContents: 'volumesnapshotcontents',
  volumeSnapshotClasses: 'volumesnapshotclasses',
} as const;

/** Names of the three snapshot CRDs (`<plural>.<group>`). */
export const SNAPSHOT_CRD_NAMES: readonly string[] = Object.values(SNAPSHOT_RESOURCES).map((p) => `${p}.${SNAPSHOT_GROUP}`);

/** Volume modes a PersistentVolume can have; the only values `sourceVolumeMode` should hold. */
export const VOLUME_MODES = ['Block', 'Filesystem'] as const;

/** A volume mode. */
export type VolumeMode = (typeof VOLUME_MODES)[number];

/** Mode the API server writes into a PV/PVC that does not name one (core/v1 defaulting). */
export const DEFAULT_VOLUME_MODE: VolumeMode = 'Filesystem';

/**
 * The CEL rules the v8 CRD puts on `spec.sourceVolumeMode`: the field may be added once, never
 * changed and never removed. Without them (v6/v7 CRDs) only the removed validation webhook kept
 * the field immutable.
 */
export const SOURCE_VOLUME_MODE_RULES = {
  /** On `spec.sourceVolumeMode` itself. */
  field: 'self == oldSelf',
  /** On `spec`. */
  spec: '!has(oldSelf.sourceVolumeMode) || has(self.sourceVolumeMode)',
} as const;

/** Marks a VolumeSnapshotClass as the default of its driver. */
export const DEFAULT_SNAPSHOT_CLASS_ANNOTATION = 'snapshot.storage.kubernetes.io/is-default-class';

/** Marks a StorageClass as the cluster default (current and pre-GA spelling). */
export const DEFAULT_STORAGE_CLASS_ANNOTATIONS: readonly string[] = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];
