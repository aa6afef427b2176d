/**
 * Volume-mode-conversion protection (KEP-3141): which releases know the
 * `--prevent-volume-mode-conversion` flag and from which release it is on by default.
 * Source: ../shared/reference/FACTS.md §b1, §b4.
 */
import { Component } from './images';

/** The flag that turns the protection on. */
export const PREVENT_VOLUME_MODE_CONVERSION_FLAG = '--prevent-volume-mode-conversion';

/** Annotation on a VolumeSnapshotContent that lets a restore change the volume mode. */
export const ALLOW_VOLUME_MODE_CHANGE_ANNOTATION = 'snapshot.storage.kubernetes.io/allow-volume-mode-change';

/** Release floors of a component that enforces the protection. */
export interface ProtectionFloor {
  /** Oldest release that has the flag (and honours the current annotation name). */
  readonly flagSince: string;
  /** Oldest release where the flag defaults to true. */
  readonly defaultOnSince: string;
}

/** Components that enforce the protection; csi-snapshotter has no such flag. */
export const PROTECTION_FLOORS: Readonly<Partial<Record<Component, ProtectionFloor>>> = {
  // v3.2-v3.3 read an older annotation name and compared pointers (FACTS §b4.5).
  [Component.CSI_PROVISIONER]: { flagSince: 'v3.4.0', defaultOnSince: 'v4.0.0' },
  [Component.SNAPSHOT_CONTROLLER]: { flagSince: 'v6.0.0', defaultOnSince: 'v7.0.0' },
};

/** Values Go's strconv.ParseBool accepts, which the provisioner uses to read the annotation. */
export const GO_PARSE_BOOL = {
  true: ['1', 't', 'T', 'TRUE', 'true', 'True'],
  false: ['0', 'f', 'F', 'FALSE', 'false', 'False'],
} as const;

/**
 * Users that create Pods from a workload's template: kube-controller-manager's per-controller
 * service accounts (`--use-service-account-credentials`, kubeadm's default) and its own identity
 * otherwise. The protection policy leaves Pods they create to the judgement of the workload itself:
 * refusing them would stop a pre-existing driver from coming back after a node drain. Nobody else can
 * act as these users without impersonation rights.
 */
export const WORKLOAD_CONTROLLER_USERS: readonly string[] = [
  'system:kube-controller-manager',
  ...['replicaset-controller', 'statefulset-controller', 'daemon-set-controller', 'job-controller']
    .map((sa) => `system:serviceaccount:kube-system:${sa}`),
];

/**
 * Annotation the snapshot-controller puts on a VolumeSnapshotContent once its VolumeSnapshot is being
 * deleted, whatever the deletion policy, and never removes (external-snapshotter v8.6.0
 * pkg/utils/util.go, pkg/common-controller/snapshot_controller.go). A content kept with
 * `deletionPolicy: Retain` therefore carries it after its snapshot is gone, which tells it apart
 * from the content of a new snapshot with the same name.
 */
export const SNAPSHOT_BEING_DELETED_ANNOTATION = 'snapshot.storage.kubernetes.io/volumesnapshot-being-deleted';
