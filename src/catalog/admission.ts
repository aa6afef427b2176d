/**
 * Data the admission policies and their renderer need beyond names: limits that keep CEL cost
 * bounded and the annotation that tells a reader what a rendered object needs from the cluster.
 * Source: ../shared/reference/FACTS.md §f1 (API enablement), §f4 (cost limits).
 */

/**
 * Pod specs the protection-flag policy reads at most; bigger ones are refused with a message instead
 * of spending unbounded CEL cost (the per-expression runtime limit is 1,000,000, FACTS §f4).
 */
export const POLICY_POD_SPEC_LIMITS = {
  /** Containers plus init containers per pod spec. */
  maxContainers: 32,
  /** command plus args entries per csi-provisioner / snapshot-controller container. */
  maxArguments: 128,
} as const;

/** Annotation on a rendered admission object that names what the API server must enable for it. */
export const API_REQUIREMENT_ANNOTATION = 'csi-snapshot-guard.io/requires';

/** What the API server needs to serve a beta admission API (FACTS §f1). */
export function betaApiRequirement(gate: 'ValidatingAdmissionPolicy' | 'MutatingAdmissionPolicy'): string {
  return `kube-apiserver --feature-gates=${gate}=true --runtime-config=admissionregistration.k8s.io/v1beta1=true`;
}

/** Annotation on a binding with params: which objects its selector feeds the policy, and the cost. */
export const PARAMS_NOTE_ANNOTATION = 'csi-snapshot-guard.io/params';
