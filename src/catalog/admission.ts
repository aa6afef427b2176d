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
  /**
   * Characters per command/args entry of a csi-provisioner / snapshot-controller container. The
   * regex rules cost in proportion to the text they read, so without this cap 32 x 128 arguments of
   * a few hundred characters each pass the per-call limit; the worst case the limits allow is
   * measured by test/policies.test.ts with `celeval --cost`.
   */
  maxArgumentLength: 256,
} as const;

/**
 * Fields that server-side apply treats as atomic (`x-kubernetes-list-type: atomic` or
 * `x-kubernetes-map-type: atomic` in the Kubernetes OpenAPI schema), which a MutatingAdmissionPolicy
 * ApplyConfiguration may not set: the API server refuses the mutation. Paths are dotted from the
 * object root, `[]` standing for every item of a list. Only the fields the policies of this project
 * could touch are listed (container `args` and `command`, where Pods and the apps/v1 workloads keep
 * their containers); test/policies.test.ts checks each one against the 1.36 schema.
 */
export const APPLY_ATOMIC_FIELDS: readonly { readonly apiVersion: string; readonly kinds: readonly string[]; readonly paths: readonly string[] }[] = [
  { apiVersion: 'v1', kinds: ['Pod'], paths: atomicContainerFields('spec') },
  { apiVersion: 'apps/v1', kinds: ['DaemonSet', 'Deployment', 'StatefulSet'], paths: atomicContainerFields('spec.template.spec') },
];

function atomicContainerFields(podSpecPath: string): string[] {
  return ['containers', 'initContainers'].flatMap((list) => ['args', 'command'].map((field) => `${podSpecPath}.${list}[].${field}`));
}

/** Annotation on a rendered admission object that names what the API server must enable for it. */
export const API_REQUIREMENT_ANNOTATION = 'csi-snapshot-guard.io/requires';

/** What the API server needs to serve a beta admission API (FACTS §f1). */
export function betaApiRequirement(gate: 'ValidatingAdmissionPolicy' | 'MutatingAdmissionPolicy'): string {
  return `kube-apiserver --feature-gates=${gate}=true --runtime-config=admissionregistration.k8s.io/v1beta1=true`;
}

/** Annotation on a binding with params: which objects its selector feeds the policy, and the cost. */
export const PARAMS_NOTE_ANNOTATION = 'csi-snapshot-guard.io/params';
