/** The result shape every check produces, and how results turn into an exit code. */

/** Outcome of one finding. `skip` means the check could not apply (its cause is reported elsewhere). */
export type FindingStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** The six audits of `doctor`, in report order. */
export type CheckName = 'server' | 'crds' | 'workloads' | 'policies' | 'contents' | 'classes' | 'volume-health';

/** One observation about the cluster, with the evidence and the way out. */
export interface Finding {
  /** Which audit produced it. */
  readonly check: CheckName;
  /** Stable id, e.g. `crds.source-volume-mode`, usable in scripts. */
  readonly id: string;
  readonly status: FindingStatus;
  /** The object concerned, e.g. `Deployment kube-system/snapshot-controller`. */
  readonly subject?: string;
  /** One-line verdict. */
  readonly summary: string;
  /** What was observed, one fact per line. */
  readonly evidence: readonly string[];
  /** What to do about it; absent on pass. */
  readonly fix?: string;
}

const RANK: Record<FindingStatus, number> = { skip: 0, pass: 0, warn: 1, fail: 2 };

/** Exit code of a report: 0 all pass, 1 at least one warning, 2 at least one failure. */
export function exitCodeOf(statuses: Iterable<FindingStatus>): 0 | 1 | 2 {
  let worst = 0;
  for (const s of statuses) worst = Math.max(worst, RANK[s]);
  return worst as 0 | 1 | 2;
}

/** The worse of two statuses. */
export function worse(a: FindingStatus, b: FindingStatus): FindingStatus {
  return RANK[b] > RANK[a] ? b : a;
}
