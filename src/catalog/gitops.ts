/**
 * Annotations GitOps tools read on a single object. Deleting a snapshot CRD deletes every object of
 * its kind, so a prune after a rename, a moved folder or a deleted Application must never reach
 * them. Sources: Argo CD user guide "Sync Options" (No Prune Resources; Delete=false keeps the object
 * when the Application is deleted); Flux kustomize-controller docs (garbage collection opt-out).
 */
export const KEEP_ON_PRUNE_ANNOTATIONS: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};
