/**
 * Pod Security admission namespace labels (Kubernetes "Pod Security Standards"; stable since 1.25).
 */

/** The label keys the Pod Security admission controller reads on a Namespace. */
export const POD_SECURITY_LABELS = {
  enforce: 'pod-security.kubernetes.io/enforce',
  enforceVersion: 'pod-security.kubernetes.io/enforce-version',
  warn: 'pod-security.kubernetes.io/warn',
  audit: 'pod-security.kubernetes.io/audit',
} as const;

/** Pod Security levels, least to most restrictive. */
export enum PodSecurityLevel {
  PRIVILEGED = 'privileged',
  BASELINE = 'baseline',
  RESTRICTED = 'restricted',
}

/** Namespaces every cluster has; a chart must never create (and thereby relabel) them. */
export const BUILT_IN_NAMESPACES: readonly string[] = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];
