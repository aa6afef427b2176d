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

/**
 * How many times one scan may find its continue token expired before it gives up. Each expiry means
 * the scan was slower than the API server keeps list snapshots (etcd compaction, every 5 minutes by
 * default), so a few are survivable on a huge cluster, an endless series is not.
 */
export const MAX_LIST_EXPIRIES = 3;

/**
 * Pages through a cluster-wide list; only one page is in memory at a time.
 *
 * A continue token pins the snapshot of the first page. Once etcd compacts that revision the API
 * server answers the next page with 410 Gone, reason Expired. Kubernetes documents two ways on from
 * there (ListOptions.continue): restart without a token for a consistent list, or send the token
 * the server put in the Status's metadata.continue, which resumes after the last key returned but
 * reads the current snapshot ("inconsistent": objects changed meanwhile may show up with their new
 * state, objects created before that key are missed). doctor counts and lists objects; it needs
 * every object at most once, not one snapshot, so it takes the token when the server sends one.
 * Without one it restarts from the beginning and skips every item up to the last key it already
 * yielded: the server lists in key order (namespace/name), so that resumes at the same point
 * without holding the seen uids in memory, and no object is counted twice.
 */
export async function* listAll(ctx: CheckContext, ref: ResourceRef, label?: string): AsyncGenerator<KubeObject> {
  let token: string | undefined;
  let seen = 0;
  let expiries = 0;
  let lastKey: string | undefined;
  // Set after a restart: items up to this key were yielded by the pass that expired.
  let skipThrough: string | undefined;
  // A server that kept returning a continue token without items would loop forever otherwise.
  for (let page = 0; page < 1_000_000; page++) {
    let res: Awaited<ReturnType<Cluster['listPage']>>;
    try {
      res = await ctx.cluster.listPage(ref, ctx.pageSize, token);
    } catch (e) {
      if (!(e instanceof KubeApiError) || e.status !== 410 || token === undefined) throw e;
      if (++expiries > MAX_LIST_EXPIRIES) {
        throw new KubeApiError(410, e.reason, `${e.message} (the continue token expired ${expiries} times in one scan of ${ref.plural}; gave up)`, e.request);
      }
      token = e.continueToken;
      if (token === undefined) skipThrough = lastKey;
      if (label && ctx.progress) ctx.progress(`${label}: continue token expired after ${seen} scanned, ${token ? 'resuming with the token the server sent' : 'restarting and skipping what was scanned'}`);
      continue;
    }
    for (const item of res.items) {
      const key = keyOf(item);
      if (skipThrough !== undefined) {
        if (key <= skipThrough) continue;
        skipThrough = undefined;
      }
      lastKey = key;
      seen++;
      yield item;
    }
    if (label && ctx.progress) ctx.progress(`${label}: ${seen} scanned${res.continue ? ', more to come' : ''}`);
    if (!res.continue) return;
    if (res.items.length === 0 && token === res.continue) throw new Error(`the server repeats continue token for ${ref.plural} without items`);
    token = res.continue;
  }
}

/** The order the API server lists in: `namespace/name`, or `name` for cluster-scoped objects (byte order; names are ASCII). */
function keyOf(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : m.name ?? '';
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
      fix: e.status === 410
        ? 'the scan outlived the list snapshots the API server keeps (etcd compaction): re-run, with a larger --page-size on big clusters'
        : e.status === 403
        ? `bind the ClusterRole ${DOCTOR_READER_CLUSTER_ROLE} to the user running doctor (README: "doctor" RBAC)`
        : e.status === 401
          ? 'refresh the credentials of the kubeconfig user (token expired or wrong context)'
          : 'check the connection to the API server and re-run; raise --timeout on slow clusters',
    };
  }
  return { check, id: `${check}.error`, status: 'fail', summary: 'the check failed', evidence: [String((e as Error)?.message ?? e)], fix: 'report this as a bug with the evidence' };
}
