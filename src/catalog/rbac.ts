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

/** Rule sets by component, newest first within a component. */
export const RBAC_RULE_SETS: readonly RbacRuleSet[] = [
  {
    component: Component.SNAPSHOT_CONTROLLER,
    // v8.2.0 added `create` on volumesnapshots; unchanged through v8.6.0 (FACTS §d).
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
];

/** The rule set that applies to a component at an image tag, or undefined if none is catalogued. */
export function rbacRuleSet(component: Component, tag: string): RbacRuleSet | undefined {
  return RBAC_RULE_SETS
    .filter((s) => s.component === component && compareTags(s.since, tag) <= 0)
    .sort((a, b) => compareTags(b.since, a.since))[0];
}
