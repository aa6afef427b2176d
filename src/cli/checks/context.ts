import type { Cluster, KubeObject, ResourceRef } from '../kube';
import { KubeApiError } from '../kube';
import type { CheckName, Finding } from '../findings';
import { DOCTOR_READER_CLUSTER_ROLE } from '../../catalog/doctor-rbac';

/** What the checks share: the cluster, limits, and facts learned by earlier checks. */
export interface CheckContext {
  readonly cluster: Cluster;
  /** Items per list request. */
  readonly pageSize: number;
  /** Names listed per finding before the list is cut (counts stay exact). */
  readonly listLimit: number;
  /** Receives progress lines during long scans. */
  readonly progress?: (message: string) => void;
  /** Server minor, once check 1 ran. */
  minor?: number;
  /** Whether admissionregistration.k8s.io/v1 serves validatingadmissionpolicies. */
  vapServed?: boolean;
  /** The admissionregistration version serving mutatingadmissionpolicies, if any. */
  mapVersion?: string;
  /** Snapshot CRDs found by check 2 (plural names); undefined when check 2 could not run. */
  snapshotCrds?: Set<string>;
}

/** Pages through a cluster-wide list; only one page is in memory at a time. */
export async function* listAll(ctx: CheckContext, ref: ResourceRef, label?: string): AsyncGenerator<KubeObject> {
  let token: string | undefined;
  let seen = 0;
  // A server that kept returning a continue token without items would loop forever otherwise.
  for (let page = 0; page < 1_000_000; page++) {
    const res = await ctx.cluster.listPage(ref, ctx.pageSize, token);
    for (const item of res.items) yield item;
    seen += res.items.length;
    if (label && ctx.progress) ctx.progress(`${label}: ${seen} scanned${res.continue ? ', more to come' : ''}`);
    if (!res.continue) return;
    if (res.items.length === 0 && token === res.continue) throw new Error(`the server repeats continue token for ${ref.plural} without items`);
    token = res.continue;
  }
}

/** `Kind namespace/name` or `Kind name`. */
export function describe(kind: string, obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${kind} ${m.namespace}/${m.name}` : `${kind} ${m.name}`;
}

/** Names up to the limit, then how many more there were. */
export function cutList(names: readonly string[], total: number): string {
  const more = total - names.length;
  return more > 0 ? `${names.join(', ')} … and ${more} more` : names.join(', ');
}

/** Turns an API failure into the finding a check reports instead of its results. */
export function errorFinding(check: CheckName, e: unknown): Finding {
  if (e instanceof KubeApiError) {
    const denied = e.status === 401 || e.status === 403;
    return {
      check, id: `${check}.api-error`, status: 'fail',
      summary: denied ? `not allowed to read what this check needs (${e.status} ${e.reason})` : `the API call failed (${e.status || e.reason})`,
      evidence: [`${e.request}: ${e.message}`],
      fix: e.status === 403
        ? `bind the ClusterRole ${DOCTOR_READER_CLUSTER_ROLE} to the user running doctor (README: "doctor" RBAC)`
        : e.status === 401
          ? 'refresh the credentials of the kubeconfig user (token expired or wrong context)'
          : 'check the connection to the API server and re-run; raise --timeout on slow clusters',
    };
  }
  return { check, id: `${check}.error`, status: 'fail', summary: 'the check failed', evidence: [String((e as Error)?.message ?? e)], fix: 'report this as a bug with the evidence' };
}
