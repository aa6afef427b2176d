/**
 * Who a construct grants to or exempts: plain data, or a cdk8s-plus subject (User, Group,
 * ServiceAccount, or anything else with `toSubjectConfiguration()`). Read by shape, so any
 * cdk8s-plus-2x release works and this library depends on none. @internal
 */
import { IConstruct } from 'constructs';
import { checkDnsLabel, PropError } from './_validation';

/** A subject written as data. */
export interface SubjectData {
  /** `Group`, `User` or `ServiceAccount`. */
  readonly kind: 'Group' | 'User' | 'ServiceAccount';
  /** Name of the group, user or ServiceAccount. */
  readonly name: string;
  /** Namespace of a ServiceAccount. */
  readonly namespace?: string;
}

/** What cdk8s-plus subjects offer (`kplus.User.fromName(...)`, `kplus.Group.fromName(...)`, a `kplus.ServiceAccount`). */
export interface SubjectLike {
  toSubjectConfiguration(): { readonly kind: string; readonly name: string; readonly namespace?: string };
}

/** A subject as an RBAC binding writes it. */
export interface RbacSubject {
  readonly kind: 'Group' | 'User' | 'ServiceAccount';
  readonly name: string;
  readonly namespace?: string;
  readonly apiGroup?: string;
}

/** What a namespace prop takes: its name, or a cdk8s-plus Namespace (anything with a string `name`). */
export type NamespaceRef = string | { readonly name: string };

/** A namespace prop's name, checked as a DNS label. */
export function namespaceName(scope: IConstruct, prop: string, value: unknown): string {
  const name = value !== null && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string'
    ? (value as { name: string }).name : value;
  return checkDnsLabel(scope, prop, name as string);
}

/** Turns data or a cdk8s-plus subject into an RBAC subject, checked. */
export function toRbacSubject(scope: IConstruct, prop: string, value: unknown): RbacSubject {
  if (value === null || typeof value !== 'object') {
    throw new PropError(scope, prop, value, 'is not a subject',
      "write { kind: 'Group', name: 'storage-admins' }, or pass a cdk8s-plus User, Group or ServiceAccount");
  }
  const like = value as Partial<SubjectLike> & Partial<SubjectData>;
  const s = typeof like.toSubjectConfiguration === 'function' ? like.toSubjectConfiguration() : like;
  if (!['Group', 'User', 'ServiceAccount'].includes(String(s.kind))) {
    throw new PropError(scope, `${prop}.kind`, s.kind, 'is not a subject kind', 'use Group, User or ServiceAccount');
  }
  if (typeof s.name !== 'string' || s.name === '' || /\s/.test(s.name)) {
    throw new PropError(scope, `${prop}.name`, s.name, 'is not a subject name', 'write the name without spaces');
  }
  if (s.kind === 'ServiceAccount') {
    if (s.namespace === undefined) {
      throw new PropError(scope, `${prop}.namespace`, s.namespace, 'is required for a ServiceAccount', 'set the namespace the ServiceAccount lives in');
    }
    return { kind: 'ServiceAccount', name: s.name, namespace: checkDnsLabel(scope, `${prop}.namespace`, s.namespace) };
  }
  if (s.namespace !== undefined && s.namespace !== '') {
    throw new PropError(scope, `${prop}.namespace`, s.namespace, `does not apply to a ${s.kind}`, 'remove namespace');
  }
  return { kind: s.kind as 'Group' | 'User', name: s.name, apiGroup: 'rbac.authorization.k8s.io' };
}

/** The name the API server reports for a User or ServiceAccount subject (`request.userInfo.username`). */
export function userNameOf(s: RbacSubject): string {
  return s.kind === 'ServiceAccount' ? `system:serviceaccount:${s.namespace}:${s.name}` : s.name;
}
