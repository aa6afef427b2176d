import { Construct } from 'constructs';
import { RbacRule } from '../../catalog/rbac';
import { AGGREGATE_TO_LABELS, snapshotUserRules } from '../../catalog/snapshot-user-access';
import { KubeClusterRole, KubeClusterRoleBinding } from '../../imports/k8s';
import { checkList, checkProps, PropError } from '../common/_validation';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';
import { SubjectLike, toRbacSubject } from '../common/_subjects';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Props of {@link SnapshotUserRoles}. */
export interface SnapshotUserRolesProps extends ObjectLabelsProps {
  /** Prefix of the ClusterRole names (`<prefix>-volumesnapshots-edit` and so on). @default 'csi-snapshot-guard' */
  readonly namePrefix?: string;
  /**
   * Also grant VolumeGroupSnapshots (groupsnapshot.storage.k8s.io). Turn on only where the
   * snapshot-controller runs with its CSIVolumeGroupSnapshot gate.
   * @default false
   */
  readonly groupSnapshots?: boolean;
  /**
   * Groups allowed to read VolumeSnapshotClasses cluster-wide (e.g. `['system:authenticated']`), as
   * names or cdk8s-plus Groups.
   * Aggregation cannot grant this: admin/edit/view are bound per namespace with RoleBindings,
   * which never reach cluster-scoped objects, so a ClusterRoleBinding is needed.
   * @default - none: the class-reader ClusterRole is rendered but not bound
   */
  readonly classReaderGroups?: readonly (string | SubjectLike)[];
  /** Labels put on every object (the aggregation labels are added on top). @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * ClusterRoles that extend Kubernetes' built-in user roles so namespace users can work with
 * VolumeSnapshots in their namespaces: `admin` and `edit` create, update and delete them, `view`
 * reads them. Nothing cluster-scoped is aggregated (no VolumeSnapshotContents: a user who could
 * edit those could also annotate them to allow volume mode changes). Verbs are explicit.
 *
 * Reading VolumeSnapshotClasses is a separate, optional ClusterRoleBinding (`classReaderGroups`).
 */
export class SnapshotUserRoles extends Construct {
  /** Name of the role aggregated into admin and edit. */
  public readonly editRoleName: string;
  /** Name of the role aggregated into view. */
  public readonly viewRoleName: string;
  /** Name of the class-reader ClusterRole. */
  public readonly classReaderRoleName: string;

  constructor(scope: Construct, id: string, props: SnapshotUserRolesProps = {}) {
    super(scope, id);
    checkProps(this, props, 'SnapshotUserRolesProps');
    const prefix = props.namePrefix ?? 'csi-snapshot-guard';
    this.editRoleName = `${prefix}-volumesnapshots-edit`;
    this.viewRoleName = `${prefix}-volumesnapshots-view`;
    this.classReaderRoleName = `${prefix}-volumesnapshotclasses-reader`;
    if (typeof prefix !== 'string' || this.classReaderRoleName.length > 253 || !DNS1123_SUBDOMAIN.test(this.editRoleName)) {
      throw new PropError(this, 'namePrefix', prefix, `does not make valid ClusterRole names (e.g. '${this.editRoleName}')`,
        'use lower-case letters, digits, "-" and ".", starting with a letter or digit, e.g. csi-snapshot-guard');
    }
    const rules = snapshotUserRules(props.groupSnapshots ?? false);
    const labels = props.labels ?? {};

    new KubeClusterRole(this, 'Edit', {
      metadata: { name: this.editRoleName, labels: sorted({ ...labels, [AGGREGATE_TO_LABELS.admin]: 'true', [AGGREGATE_TO_LABELS.edit]: 'true' }) },
      rules: rules.edit.map(toPolicyRule),
    });
    new KubeClusterRole(this, 'View', {
      metadata: { name: this.viewRoleName, labels: sorted({ ...labels, [AGGREGATE_TO_LABELS.view]: 'true' }) },
      rules: rules.view.map(toPolicyRule),
    });
    new KubeClusterRole(this, 'ClassReader', {
      metadata: { name: this.classReaderRoleName, ...(Object.keys(labels).length ? { labels: sorted(labels) } : {}) },
      rules: rules.classReader.map(toPolicyRule),
    });

    const groups = (checkList(this, 'classReaderGroups', props.classReaderGroups, "['system:authenticated']") ?? []).map((g, i) => {
      const prop = `classReaderGroups[${i}]`;
      const subject = typeof g === 'string' ? undefined : toRbacSubject(this, prop, g);
      if (subject && subject.kind !== 'Group') {
        throw new PropError(this, `${prop}.kind`, subject.kind, 'is not a Group: this binding is for groups',
          'pass a group name or a cdk8s-plus Group (bind a User or ServiceAccount to the reader ClusterRole yourself)');
      }
      const name = subject ? subject.name : g;
      if (typeof name !== 'string' || name.trim() === '' || name.includes('*')) {
        throw new PropError(this, prop, g, 'is not a group name',
          'name an existing group, e.g. system:authenticated or your identity provider\'s group');
      }
      return name;
    });
    if (new Set(groups).size !== groups.length) {
      throw new PropError(this, 'classReaderGroups', groups, 'lists a group twice', 'list each group once');
    }
    if (groups.length > 0) {
      new KubeClusterRoleBinding(this, 'ClassReaderBinding', {
        metadata: { name: this.classReaderRoleName, ...(Object.keys(labels).length ? { labels: sorted(labels) } : {}) },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.classReaderRoleName },
        subjects: [...groups].sort().map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })),
      });
    }
    labelObjects(this, { name: 'snapshot-user-roles', component: 'rbac' }, props.labels);
  }
}

function toPolicyRule(rule: RbacRule) {
  return { apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] };
}

function sorted(r: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]));
}
