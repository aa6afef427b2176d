/**
 * RBAC the `doctor` command needs, as data. The audit and the backfill dry-run only read; the
 * backfill with `--apply` additionally patches VolumeSnapshotContents. Rendered by the DoctorRbac
 * construct; every rule here is matched by a request the command makes (test/cli-*.test.ts).
 */
import type { RbacRule } from './rbac';
import { SNAPSHOT_GROUP, SNAPSHOT_RESOURCES } from './snapshot-api';

/** ClusterRole for `doctor` and `doctor backfill-source-volume-mode` without `--apply`. */
export const DOCTOR_READER_CLUSTER_ROLE = 'csi-snapshot-guard-doctor';

/** ClusterRole that adds the one write `doctor backfill-source-volume-mode --apply` makes. */
export const DOCTOR_BACKFILL_CLUSTER_ROLE = 'csi-snapshot-guard-doctor-backfill';

/**
 * Read-only rules. Discovery (`/version`, `/apis/...`) is not listed: every authenticated user may
 * read it through the built-in system:discovery and system:public-info-viewer roles.
 */
export const DOCTOR_READER_RULES: readonly RbacRule[] = [
  // Backfill resolves a content's source through its PVC, or through the PV by volume handle; the
  // volume-health check lists claims for the health their driver reports (1.37+).
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list'] },
  { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['list'] },
  { apiGroups: ['admissionregistration.k8s.io'], resources: [
    'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings',
    'validatingadmissionpolicies', 'validatingadmissionpolicybindings',
  ], verbs: ['list'] },
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get'] },
  { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'statefulsets'], verbs: ['list'] },
  { apiGroups: [SNAPSHOT_GROUP], resources: [SNAPSHOT_RESOURCES.volumeSnapshotClasses], verbs: ['list'] },
  { apiGroups: [SNAPSHOT_GROUP], resources: [SNAPSHOT_RESOURCES.volumeSnapshotContents], verbs: ['list'] },
  { apiGroups: [SNAPSHOT_GROUP], resources: [SNAPSHOT_RESOURCES.volumeSnapshots], verbs: ['get'] },
  { apiGroups: ['storage.k8s.io'], resources: ['csidrivers', 'storageclasses'], verbs: ['list'] },
];

/** The extra rule for `--apply`: a JSON merge patch on spec.sourceVolumeMode, and a re-read after a 409 conflict. */
export const DOCTOR_BACKFILL_RULES: readonly RbacRule[] = [
  { apiGroups: [SNAPSHOT_GROUP], resources: [SNAPSHOT_RESOURCES.volumeSnapshotContents], verbs: ['get', 'patch'] },
];
