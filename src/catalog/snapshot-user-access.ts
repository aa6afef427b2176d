/**
 * What namespace users may do with snapshots, as data rendered by SnapshotUserRoles: the
 * "let alice take snapshots" scenario (SCENARIOS.md §3) through the aggregated admin/edit/view roles.
 * Only namespaced resources go into aggregated roles; VolumeSnapshotContents (cluster-scoped, and
 * where the allow-volume-mode-change annotation lives) are never granted.
 */
import type { RbacRule } from './rbac';
import { GROUP_SNAPSHOT_GROUP } from './snapshot-api';
import { SNAPSHOT_GROUP, SNAPSHOT_RESOURCES } from './snapshot-api';

/** Labels that fold a ClusterRole into the built-in user-facing roles (Kubernetes RBAC docs, "Aggregated ClusterRoles"). */
export const AGGREGATE_TO_LABELS = {
  admin: 'rbac.authorization.k8s.io/aggregate-to-admin',
  edit: 'rbac.authorization.k8s.io/aggregate-to-edit',
  view: 'rbac.authorization.k8s.io/aggregate-to-view',
} as const;

const READ = ['get', 'list', 'watch'] as const;
const WRITE = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] as const;

/** Namespaced snapshot resources users work with, by feature. */
const USER_RESOURCES = {
  snapshots: { apiGroups: [SNAPSHOT_GROUP], resources: [SNAPSHOT_RESOURCES.volumeSnapshots] },
  groupSnapshots: { apiGroups: [GROUP_SNAPSHOT_GROUP], resources: ['volumegroupsnapshots'] },
} as const;

/** Cluster-scoped classes a user may need to read to pick `volumeSnapshotClassName`. */
const CLASS_RESOURCES = {
  snapshots: { apiGroups: [SNAPSHOT_GROUP], resources: [SNAPSHOT_RESOURCES.volumeSnapshotClasses] },
  groupSnapshots: { apiGroups: [GROUP_SNAPSHOT_GROUP], resources: ['volumegroupsnapshotclasses'] },
} as const;

/** Rules of each user role; `groupSnapshots` adds the VolumeGroupSnapshot kinds. */
export function snapshotUserRules(groupSnapshots: boolean): { edit: RbacRule[]; view: RbacRule[]; classReader: RbacRule[] } {
  const features = groupSnapshots ? (['snapshots', 'groupSnapshots'] as const) : (['snapshots'] as const);
  return {
    edit: features.map((f) => ({ ...USER_RESOURCES[f], verbs: WRITE })),
    view: features.map((f) => ({ ...USER_RESOURCES[f], verbs: READ })),
    classReader: features.map((f) => ({ ...CLASS_RESOURCES[f], verbs: READ })),
  };
}
