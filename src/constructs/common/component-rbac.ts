import { Construct } from 'constructs';
import { RbacRule } from '../../catalog';
import {
  KubeClusterRole, KubeClusterRoleBinding, KubeRole, KubeRoleBinding, KubeServiceAccount, PolicyRule,
} from '../../imports/k8s';
import { checkProps, PropError } from './_validation';
import { labelObjects, ObjectLabelsProps } from './_labels';

/** Props of {@link ComponentRbac}. */
export interface ComponentRbacProps extends ObjectLabelsProps {
  /** Namespace of the component's ServiceAccount and namespaced Role. */
  readonly namespace: string;
  /** Name of the ServiceAccount the rules are bound to. */
  readonly serviceAccountName: string;
  /**
   * Render the ServiceAccount. Turn off to bind an account that exists already.
   * @default true
   */
  readonly createServiceAccount?: boolean;
  /** Name of the ClusterRole and its ClusterRoleBinding. */
  readonly clusterRoleName: string;
  /** Rules of the ClusterRole; none renders no ClusterRole. */
  readonly clusterRules: readonly RbacRule[];
  /** Name of the Role and RoleBinding in `namespace` (leader election). */
  readonly roleName: string;
  /** Rules of the namespaced Role; none renders no Role. */
  readonly namespacedRules: readonly RbacRule[];
  /** Labels put on every object. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Prop path shown in errors (e.g. `rbac`). @default 'rbac' */
  readonly propPath?: string;
}

/**
 * Renders the RBAC of one workload from catalog data: ServiceAccount, ClusterRole +
 * ClusterRoleBinding for cluster-wide rules, Role + RoleBinding for namespaced ones.
 * Wildcards are refused so every grant stays reviewable.
 */
export class ComponentRbac extends Construct {
  /** The ServiceAccount, when this construct renders it. */
  public readonly serviceAccount?: KubeServiceAccount;
  /** Name of the bound ServiceAccount. */
  public readonly serviceAccountName: string;

  constructor(scope: Construct, id: string, props: ComponentRbacProps) {
    super(scope, id);
    checkProps(this, props, 'ComponentRbacProps');
    const propPath = props.propPath ?? 'rbac';
    checkNoWildcards(this, `${propPath}.clusterRules`, props.clusterRules);
    checkNoWildcards(this, `${propPath}.namespacedRules`, props.namespacedRules);
    const labels = props.labels ? { ...props.labels } : undefined;
    const subject = { kind: 'ServiceAccount', name: props.serviceAccountName, namespace: props.namespace };
    this.serviceAccountName = props.serviceAccountName;

    if (props.createServiceAccount ?? true) {
      this.serviceAccount = new KubeServiceAccount(this, 'ServiceAccount', {
        metadata: { name: props.serviceAccountName, namespace: props.namespace, labels },
        // The controllers talk to the API with their projected token; nothing else is needed.
        automountServiceAccountToken: true,
      });
    }
    if (props.clusterRules.length > 0) {
      new KubeClusterRole(this, 'ClusterRole', {
        metadata: { name: props.clusterRoleName, labels },
        rules: props.clusterRules.map(toPolicyRule),
      });
      new KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
        metadata: { name: props.clusterRoleName, labels },
        subjects: [subject],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: props.clusterRoleName },
      });
    }
    if (props.namespacedRules.length > 0) {
      new KubeRole(this, 'Role', {
        metadata: { name: props.roleName, namespace: props.namespace, labels },
        rules: props.namespacedRules.map(toPolicyRule),
      });
      new KubeRoleBinding(this, 'RoleBinding', {
        metadata: { name: props.roleName, namespace: props.namespace, labels },
        subjects: [subject],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: props.roleName },
      });
    }
    labelObjects(this, { name: props.serviceAccountName, component: 'rbac' }, props.labels);
  }
}

function toPolicyRule(rule: RbacRule): PolicyRule {
  return { apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] };
}

/** Verbs the API server authorizes for resources (custom verbs such as approve-volume-mode-change are written by the guard itself). */
const RESOURCE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'use', 'bind', 'escalate', 'impersonate'];

function checkNoWildcards(scope: Construct, prop: string, rules: readonly RbacRule[]): void {
  if (!Array.isArray(rules)) throw new PropError(scope, prop, rules, 'is not a list of rules', "write [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]");
  rules.forEach((rule, i) => {
    for (const field of ['apiGroups', 'resources', 'verbs'] as const) {
      const list = (rule as Partial<RbacRule> | null)?.[field];
      if (!Array.isArray(list) || list.length === 0) {
        throw new PropError(scope, `${prop}[${i}].${field}`, list, 'is empty or not a list: the rule would grant nothing (or be refused by the API server)',
          field === 'apiGroups' ? "list the groups, '' for the core group" : `list the ${field} the component needs`);
      }
    }
    const unknown = rule.verbs.find((v: string) => !RESOURCE_VERBS.includes(v));
    if (unknown !== undefined && unknown !== '*') {
      throw new PropError(scope, `${prop}[${i}].verbs`, unknown, 'is not a Kubernetes API verb', `use ${RESOURCE_VERBS.join(', ')}`);
    }
    for (const field of ['apiGroups', 'resources', 'verbs'] as const) {
      if (rule[field].includes('*')) {
        throw new PropError(scope, `${prop}[${i}].${field}`, rule[field], 'contains the wildcard "*"',
          'list the exact groups, resources and verbs the component needs');
      }
    }
  });
}
