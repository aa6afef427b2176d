/** The `doctor` command as a library: run the audit or the backfill against any {@link Cluster}. */
export { runCli, USAGE } from './main';
export type { CliIo } from './main';
export { runDoctor } from './doctor';
export type { DoctorOptions, DoctorReport } from './doctor';
export { runBackfill, BACKFILL_FIELD_MANAGER } from './backfill';
export type { BackfillEntry, BackfillOptions, BackfillReport } from './backfill';
export { connect, KubeApiError } from './kube';
export type { Cluster, ConnectOptions, KubeObject, ResourceRef } from './kube';
export { PLATFORM_MANIFEST, renderExpectedPolicies } from './checks/policies';
export type { ExpectedPolicy } from './checks/policies';
export type { Finding, FindingStatus, CheckName } from './findings';
