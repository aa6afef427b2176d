/**
 * Names of the admission policies this project ships. Cluster-scoped and referenced by users,
 * `doctor` and bindings, so they are part of the public contract: renaming one is an API change.
 * Each binding is named `<policy>` + POLICY_BINDING_SUFFIX.
 */
export const POLICY_NAMES = {
  /** VolumeSnapshotContent CREATE must declare spec.sourceVolumeMode as Filesystem or Block. */
  requireSourceVolumeMode: 'snapshot-content-requires-source-volume-mode',
  /** Only principals with the approve verb may add, change or remove the allow annotation. */
  approveVolumeModeChange: 'volume-mode-change-requires-approval',
  /** Workloads running csi-provisioner / snapshot-controller may not switch the protection off. */
  keepProtectionFlag: 'volume-mode-protection-cannot-be-disabled',
  /** The VolumeSnapshotContent CRD may not lose spec.sourceVolumeMode. */
  crdKeepsSourceVolumeMode: 'snapshot-content-crd-keeps-source-volume-mode',
  /** At most one default VolumeSnapshotClass per driver. */
  singleDefaultSnapshotClass: 'single-default-volume-snapshot-class',
  /** At most one default StorageClass. */
  singleDefaultStorageClass: 'single-default-storage-class',
  /** A PVC restored from a snapshot may not change the volume mode without approval. */
  restoreKeepsVolumeMode: 'snapshot-restore-keeps-volume-mode',
  /** Mutating: add --prevent-volume-mode-conversion=true where it is missing. */
  addProtectionFlag: 'add-volume-mode-protection-flag',
  /** Mutating: record who allowed a volume mode change. */
  stampModeChangeApprover: 'stamp-volume-mode-change-approver',
  /** Mutating: label the claims that restore a snapshot with their volume mode, so only they meet the restore policy. */
  markSnapshotRestores: 'mark-snapshot-restores',
  /** Mutating: label every VolumeSnapshotContent with its source volume mode, so a restore reads only contents of the other mode. */
  labelSnapshotContents: 'label-snapshot-content-source-mode',
} as const;

/**
 * Label the mutating policy puts on every PersistentVolumeClaim that restores a VolumeSnapshot,
 * valued with the claim's volume mode (`Filesystem` or `Block`). The restore policy's bindings
 * select claims by it, so a claim that restores nothing never pays for the restore policy, whose
 * cost grows with the number of VolumeSnapshotContents it reads.
 */
export const RESTORES_SNAPSHOT_LABEL = 'csi-snapshot-guard.io/restores-snapshot';

/**
 * Label the mutating policy keeps on every VolumeSnapshotContent: its `spec.sourceVolumeMode`, or
 * UNKNOWN_SOURCE_VOLUME_MODE when it has none. A restore into one mode reads only the contents
 * labelled with another mode (or not labelled yet): only they can refuse it.
 */
export const SOURCE_VOLUME_MODE_LABEL = 'csi-snapshot-guard.io/source-volume-mode';

/** SOURCE_VOLUME_MODE_LABEL of a content without sourceVolumeMode (the restore check skips those). */
export const UNKNOWN_SOURCE_VOLUME_MODE = 'Unknown';

/**
 * Label both mutating policies write with the bucket of a snapshot's name: on a content from
 * `spec.volumeSnapshotRef.name`, on a restoring claim from the snapshot it names. A restore reads
 * only the contents of its own bucket, so each binding reads about a quarter of them.
 */
export const SNAPSHOT_NAME_BUCKET_LABEL = 'csi-snapshot-guard.io/snapshot-name-bucket';

/**
 * Sends every VolumeSnapshotContent through label-snapshot-content-source-mode, which replaces the
 * value sent with the content's true labels: for contents stored before the guard ran.
 */
export const RELABEL_CONTENTS_COMMAND = `kubectl label volumesnapshotcontents --all ${SOURCE_VOLUME_MODE_LABEL}=${UNKNOWN_SOURCE_VOLUME_MODE} --overwrite`;

/** How many buckets snapshot names fall into (label values `0` to `SNAPSHOT_NAME_BUCKET_COUNT - 1`). */
export const SNAPSHOT_NAME_BUCKET_COUNT = 4;

/**
 * The characters of a snapshot name (a DNS subdomain) in bucket order. A name's bucket is the sum
 * of the positions of its last two characters, modulo SNAPSHOT_NAME_BUCKET_COUNT: generated names
 * end in random letters and digits or in a counter or timestamp, and two characters spread both
 * evenly (one character alone would leave ten digits to four buckets).
 */
export const SNAPSHOT_NAME_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz-.';

/** Suffix of every binding's name. */
export const POLICY_BINDING_SUFFIX = '-binding';

/** Custom RBAC verb on volumesnapshotcontents that lets a principal approve a mode change. */
export const APPROVE_MODE_CHANGE_VERB = 'approve-volume-mode-change';

/** ClusterRole granting APPROVE_MODE_CHANGE_VERB; bind it to a storage-admin group or a backup tool. */
export const MODE_CHANGE_APPROVER_CLUSTER_ROLE = 'volume-mode-change-approver';

/** Annotation the mutating policy writes with the user that allowed a mode change. */
export const MODE_CHANGE_APPROVED_BY_ANNOTATION = 'csi-snapshot-guard.io/volume-mode-change-approved-by';
