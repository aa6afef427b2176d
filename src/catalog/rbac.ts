/**
 * RBAC each component needs, as data: one rule set per component and release line, rendered by the
 * ComponentRbac construct. Rules match the upstream rbac YAML of the pinned releases
 * (FACTS §d; parity-tested against ../shared/reference/upstream).
 */
import { Component } from './images';
import { compareTags } from './semver';

/** One RBAC rule. Verbs are always explicit: the project never renders wildcards. */
export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** Rules a component needs only when one of its features is turned on. */
export interface OptionalRbacRules {
  /** Cluster-wide rules added by the feature. */
  readonly cluster?: readonly RbacRule[];
  /** Rules in the component's namespace added by the feature. */
  readonly namespaced?: readonly RbacRule[];
}

/** The RBAC of one component from one release on. */
export interface RbacRuleSet {
  readonly component: Component;
  /** First release these rules apply to; the newest set not newer than the image tag is used. */
  readonly since: string;
  /** Rules granted cluster-wide through a ClusterRole. */
  readonly cluster: readonly RbacRule[];
  /** Rules granted in the component's own namespace through a Role (leader election and the like). */
  readonly namespaced: readonly RbacRule[];
  /** Rules that only a turned-on feature needs, keyed by feature. */
  readonly optional: Readonly<Record<string, OptionalRbacRules>>;
}

const CORE = '';
const SNAPSHOT = 'snapshot.storage.k8s.io';
const GROUP_SNAPSHOT = 'groupsnapshot.storage.k8s.io';
const COORDINATION = 'coordination.k8s.io';

const READ = ['get', 'list', 'watch'] as const;
/** Event verbs every controller uses to report progress. */
const EVENT_WRITER: RbacRule = { apiGroups: [CORE], resources: ['events'], verbs: ['list', 'watch', 'create', 'update', 'patch'] };
/** Lease verbs client-go leader election needs. */
export const LEADER_ELECTION_RULE: RbacRule = {
  apiGroups: [COORDINATION], resources: ['leases'], verbs: ['get', 'watch', 'list', 'delete', 'update', 'create'],
};

/** Optional feature: the controller watches Nodes to snapshot volumes of node-local drivers. */
export const FEATURE_DISTRIBUTED_SNAPSHOTTING = 'distributedSnapshotting';
/** Optional feature: the sidecar reads Secrets named by `csi.storage.k8s.io/*-secret-*` class parameters. */
export const FEATURE_SECRETS = 'secrets';
/** Optional feature: csi-provisioner publishes CSIStorageCapacity objects (`--enable-capacity`). */
export const FEATURE_STORAGE_CAPACITY = 'storageCapacity';
/** Optional feature: csi-provisioner honours cross-namespace data sources (alpha gate CrossNamespaceVolumeDataSource). */
export const FEATURE_CROSS_NAMESPACE_DATA_SOURCE = 'crossNamespaceVolumeDataSource';

const STORAGE = 'storage.k8s.io';
const GATEWAY = 'gateway.networking.k8s.io';
const SECRETS_READ: RbacRule = { apiGroups: [CORE], resources: ['secrets'], verbs: ['get', 'list'] };

/** csi-provisioner cluster rules shared by the v5 and v6 lines; volumesnapshot verbs differ. */
function provisionerClusterRules(volumeSnapshotVerbs: readonly string[]): readonly RbacRule[] {
  return [
    { apiGroups: [CORE], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
    { apiGroups: [CORE], resources: ['persistentvolumeclaims'], verbs: [...READ, 'update'] },
    { apiGroups: [STORAGE], resources: ['storageclasses'], verbs: READ },
    EVENT_WRITER,
    { apiGroups: [SNAPSHOT], resources: ['volumesnapshots'], verbs: volumeSnapshotVerbs },
    { apiGroups: [SNAPSHOT], resources: ['volumesnapshotcontents'], verbs: ['get', 'list'] },
    { apiGroups: [STORAGE], resources: ['csinodes'], verbs: READ },
    { apiGroups: [CORE], resources: ['nodes'], verbs: READ },
    { apiGroups: [STORAGE], resources: ['volumeattachments'], verbs: READ },
  ];
}

/** csi-provisioner's optional rules; identical in the v5 and v6 lines. */
const PROVISIONER_OPTIONAL: Readonly<Record<string, OptionalRbacRules>> = {
  [FEATURE_SECRETS]: { cluster: [SECRETS_READ] },
  [FEATURE_CROSS_NAMESPACE_DATA_SOURCE]: { cluster: [{ apiGroups: [GATEWAY], resources: ['referencegrants'], verbs: READ }] },
  [FEATURE_STORAGE_CAPACITY]: {
    namespaced: [
      { apiGroups: [STORAGE], resources: ['csistoragecapacities'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
      // Walking from the pod up to its owner (StatefulSet: pod; Deployment: pod, then ReplicaSet).
      { apiGroups: [CORE], resources: ['pods'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get'] },
    ],
  },
};

/** The health monitor's rules from v0.8 on. */
function healthMonitorRules(): RbacRule[] {
  return [
    { apiGroups: [CORE], resources: ['persistentvolumes'], verbs: READ },
    { apiGroups: [CORE], resources: ['persistentvolumeclaims'], verbs: READ },
    { apiGroups: [CORE], resources: ['nodes'], verbs: READ },
    { apiGroups: [CORE], resources: ['pods'], verbs: READ },
    { apiGroups: [CORE], resources: ['events'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
  ];
}

/** Rule sets by component, newest first within a component. */
export const RBAC_RULE_SETS: readonly RbacRuleSet[] = [
  {
    component: Component.SNAPSHOT_CONTROLLER,
    // v8.2.0 added `create` on volumesnapshots; unchanged through v8.6.0 (FACTS §d) and v8.7.0 (FACTS §0.2).
    since: 'v8.2.0',
    cluster: [
      { apiGroups: [CORE], resources: ['persistentvolumes'], verbs: READ },
      { apiGroups: [CORE], resources: ['persistentvolumeclaims'], verbs: [...READ, 'update'] },
      EVENT_WRITER,
      { apiGroups: [SNAPSHOT], resources: ['volumesnapshotclasses'], verbs: READ },
      { apiGroups: [SNAPSHOT], resources: ['volumesnapshotcontents'], verbs: ['create', 'get', 'list', 'watch', 'update', 'delete', 'patch'] },
      { apiGroups: [SNAPSHOT], resources: ['volumesnapshotcontents/status'], verbs: ['patch'] },
      { apiGroups: [SNAPSHOT], resources: ['volumesnapshots'], verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'] },
      { apiGroups: [SNAPSHOT], resources: ['volumesnapshots/status'], verbs: ['update', 'patch'] },
      { apiGroups: [GROUP_SNAPSHOT], resources: ['volumegroupsnapshotclasses'], verbs: READ },
      { apiGroups: [GROUP_SNAPSHOT], resources: ['volumegroupsnapshotcontents'], verbs: ['create', 'get', 'list', 'watch', 'update', 'delete', 'patch'] },
      { apiGroups: [GROUP_SNAPSHOT], resources: ['volumegroupsnapshotcontents/status'], verbs: ['patch'] },
      { apiGroups: [GROUP_SNAPSHOT], resources: ['volumegroupsnapshots'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
      { apiGroups: [GROUP_SNAPSHOT], resources: ['volumegroupsnapshots/status'], verbs: ['update', 'patch'] },
    ],
    namespaced: [LEADER_ELECTION_RULE],
    optional: {
      [FEATURE_DISTRIBUTED_SNAPSHOTTING]: { cluster: [{ apiGroups: [CORE], resources: ['nodes'], verbs: READ }] },
    },
  },
  {
    component: Component.CSI_PROVISIONER,
    // v6.2.0 added watch + update on volumesnapshots for its snapshot-as-source finalizer (FACTS §d).
    since: 'v6.2.0',
    cluster: provisionerClusterRules([...READ, 'update']),
    namespaced: [LEADER_ELECTION_RULE],
    optional: PROVISIONER_OPTIONAL,
  },
  {
    component: Component.CSI_PROVISIONER,
    // v5.0.0 added patch on persistentvolumes; unchanged until v6.2.0 (FACTS §d).
    since: 'v5.0.0',
    cluster: provisionerClusterRules(['get', 'list']),
    namespaced: [LEADER_ELECTION_RULE],
    optional: PROVISIONER_OPTIONAL,
  },
  {
    component: Component.CSI_ATTACHER,
    // Unchanged from v3.5 through v4.12 (FACTS §d).
    since: 'v3.5.0',
    cluster: [
      { apiGroups: [CORE], resources: ['persistentvolumes'], verbs: [...READ, 'patch'] },
      { apiGroups: [STORAGE], resources: ['csinodes'], verbs: READ },
      { apiGroups: [STORAGE], resources: ['volumeattachments'], verbs: [...READ, 'patch'] },
      { apiGroups: [STORAGE], resources: ['volumeattachments/status'], verbs: ['patch'] },
    ],
    namespaced: [LEADER_ELECTION_RULE],
    optional: { [FEATURE_SECRETS]: { cluster: [SECRETS_READ] } },
  },
  {
    component: Component.CSI_RESIZER,
    // v1.10.0 added volumeattributesclasses; unchanged through v2.2.1 (FACTS §d). v2.3.0's rbac.yaml could not be
    // read here; its release notes list no RBAC change (FACTS §0.2), so this set stays.
    since: 'v1.10.0',
    cluster: [
      { apiGroups: [CORE], resources: ['persistentvolumes'], verbs: [...READ, 'patch'] },
      { apiGroups: [CORE], resources: ['persistentvolumeclaims'], verbs: READ },
      { apiGroups: [CORE], resources: ['pods'], verbs: READ },
      { apiGroups: [CORE], resources: ['persistentvolumeclaims/status'], verbs: ['patch'] },
      EVENT_WRITER,
      { apiGroups: [STORAGE], resources: ['volumeattributesclasses'], verbs: READ },
    ],
    namespaced: [LEADER_ELECTION_RULE],
    // The resizer's optional secrets rule also asks for watch (upstream rbac.yaml).
    optional: { [FEATURE_SECRETS]: { cluster: [{ apiGroups: [CORE], resources: ['secrets'], verbs: READ }] } },
  },
  {
    component: Component.CSI_SNAPSHOTTER,
    // v8.2.0 dropped the volumesnapshots rule and create on contents; unchanged through v8.6.0 (FACTS §d) and
    // v8.7.0 (FACTS §0.2: no RBAC change).
    since: 'v8.2.0',
    cluster: [
      EVENT_WRITER,
      { apiGroups: [SNAPSHOT], resources: ['volumesnapshotclasses'], verbs: READ },
      { apiGroups: [SNAPSHOT], resources: ['volumesnapshotcontents'], verbs: [...READ, 'update', 'patch'] },
      { apiGroups: [SNAPSHOT], resources: ['volumesnapshotcontents/status'], verbs: ['update', 'patch'] },
      { apiGroups: [GROUP_SNAPSHOT], resources: ['volumegroupsnapshotclasses'], verbs: READ },
      { apiGroups: [GROUP_SNAPSHOT], resources: ['volumegroupsnapshotcontents'], verbs: [...READ, 'update', 'patch'] },
      { apiGroups: [GROUP_SNAPSHOT], resources: ['volumegroupsnapshotcontents/status'], verbs: ['update', 'patch'] },
    ],
    namespaced: [LEADER_ELECTION_RULE],
    optional: { [FEATURE_SECRETS]: { cluster: [SECRETS_READ] } },
  },
  {
    component: Component.CSI_EXTERNAL_HEALTH_MONITOR_CONTROLLER,
    // v0.19.0 writes health to PVC status.healthStatus instead of events (FACTS §0.2). Its rbac.yaml could not
    // be read here (the RBAC change is UNCONFIRMED upstream); writing a claim's status needs patch on
    // persistentvolumeclaims/status, the one rule added to v0.18.0's set. Events stay for node-watcher events.
    since: 'v0.19.0',
    cluster: [...healthMonitorRules(), { apiGroups: [CORE], resources: ['persistentvolumeclaims/status'], verbs: ['patch'] }],
    namespaced: [LEADER_ELECTION_RULE],
    optional: {},
  },
  {
    component: Component.CSI_EXTERNAL_HEALTH_MONITOR_CONTROLLER,
    // Unchanged from v0.8 through v0.18 (FACTS §d).
    since: 'v0.8.0',
    cluster: healthMonitorRules(),
    namespaced: [LEADER_ELECTION_RULE],
    optional: {},
  },
];

/** The rule set that applies to a component at an image tag, or undefined if none is catalogued. */
export function rbacRuleSet(component: Component, tag: string): RbacRuleSet | undefined {
  return RBAC_RULE_SETS
    .filter((s) => s.component === component && compareTags(s.since, tag) <= 0)
    .sort((a, b) => compareTags(b.since, a.since))[0];
}
