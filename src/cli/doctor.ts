/** `doctor`: runs the seven read-only checks and collects their findings. */
import type { Cluster } from './kube';
import { KubeApiError } from './kube';
import { checkClasses } from './checks/classes';
import { checkContents } from './checks/contents';
import { CheckContext, errorFinding } from './checks/context';
import { checkCrds } from './checks/crds';
import { ExpectedPolicy, checkPolicies } from './checks/policies';
import { checkServer } from './checks/server';
import { checkVolumeHealth } from './checks/volume-health';
import { checkWorkloads } from './checks/workloads';
import { CheckName, exitCodeOf, Finding } from './findings';

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  /** Items per list request. @default 500 */
  readonly pageSize?: number;
  /** Names shown per finding before the list is cut. @default 50 */
  readonly listLimit?: number;
  /** Progress lines for long scans. @default - none */
  readonly progress?: (message: string) => void;
  /**
   * Policies and bindings to expect, as rendered objects.
   * @default - what VolumeModeGuard renders (its defaults) for the server's minor and MutatingAdmissionPolicy version
   */
  readonly policies?: readonly ExpectedPolicy[];
}

/** What `doctor` found. */
export interface DoctorReport {
  readonly server: string;
  readonly findings: readonly Finding[];
  readonly summary: Readonly<Record<'pass' | 'warn' | 'fail' | 'skip', number>>;
  /** 0 all pass, 1 warnings, 2 failures. */
  readonly exitCode: 0 | 1 | 2;
}

/** Runs every check; a check that cannot run reports a failure and the others still run. */
export async function runDoctor(cluster: Cluster, opts: DoctorOptions = {}): Promise<DoctorReport> {
  const ctx: CheckContext = { cluster, pageSize: opts.pageSize ?? 500, listLimit: opts.listLimit ?? 50, progress: opts.progress };
  const checks: [CheckName, () => Promise<Finding[]>][] = [
    ['server', () => checkServer(ctx)],
    ['crds', () => checkCrds(ctx)],
    ['workloads', () => checkWorkloads(ctx)],
    ['policies', () => checkPolicies(ctx, opts.policies)],
    ['contents', () => checkContents(ctx)],
    ['classes', () => checkClasses(ctx)],
    ['volume-health', () => checkVolumeHealth(ctx)],
  ];
  const findings: Finding[] = [];
  for (const [name, run] of checks) {
    try {
      findings.push(...await run());
    } catch (e) {
      findings.push(errorFinding(name, e));
      // Bad credentials fail every call the same way: one finding says it all.
      if (e instanceof KubeApiError && e.status === 401) break;
    }
  }
  const summary = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const f of findings) summary[f.status]++;
  return { server: cluster.server, findings, summary, exitCode: exitCodeOf(findings.map((f) => f.status)) };
}
