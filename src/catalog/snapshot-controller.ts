import { BUILT_IN_PRIORITY_CLASSES } from './kubernetes';

/**
 * snapshot-controller facts the construct renders (FACTS §c2, ES@v8.6.0 deploy manifests).
 */

/**
 * Names of the controller's objects. Namespaced ones keep upstream's names, so existing RBAC reviews
 * still match. The cluster-scoped ClusterRole (and its binding) carries this project's prefix: many
 * clusters already run upstream's controller with a `snapshot-controller-runner` in kube-system, and
 * applying ours over it would point its binding at our ServiceAccount, taking that controller's
 * rights away.
 */
export const SNAPSHOT_CONTROLLER_NAMES = {
  deployment: 'snapshot-controller',
  serviceAccount: 'snapshot-controller',
  clusterRole: 'csi-snapshot-guard-snapshot-controller',
  leaderElectionRole: 'snapshot-controller-leaderelection',
  /** Lease the replicas compete for (cmd/snapshot-controller/main.go). */
  lease: 'snapshot-controller-leader',
} as const;

/** Defaults the construct renders. */
export const SNAPSHOT_CONTROLLER_DEFAULTS = {
  replicas: 2,
  /**
   * The controller retries CRD discovery for up to --retry-crd-interval-max (30s); upstream keeps a
   * new pod out of the rollout until it has settled.
   */
  minReadySeconds: 35,
  /** Port of --http-endpoint (metrics and the leader-election health check). */
  httpPort: 8080,
  metricsPath: '/metrics',
  leaderElectionHealthPath: '/healthz/leader-election',
  logVerbosity: 2,
  priorityClassName: BUILT_IN_PRIORITY_CLASSES.clusterCritical,
  namespace: 'kube-system',
  /** Non-root identity for the distroless image, which would otherwise run as uid 0. */
  runAsUser: 65532,
  /**
   * Requests only, no memory limit: the controller's informers cache every PersistentVolume,
   * PersistentVolumeClaim, VolumeSnapshot and VolumeSnapshotContent, so its memory grows with the
   * cluster, and a fixed limit would OOM-kill it on exactly the clusters with the most snapshots.
   */
  requests: { cpu: '10m', memory: '64Mi' },
} as const;

/**
 * The gate of snapshot-controller and csi-snapshotter that makes them act on group snapshots. Off
 * up to v8.6.0; GA and on from v8.7.0, where both binaries list the groupsnapshot.storage.k8s.io v1
 * CRDs at start and, when those are missing, warn and wait up to --retry-crd-interval-max (30 s)
 * before running without group snapshots (FACTS §0.2). componentFeatureGates has the default per line.
 */
export const GROUP_SNAPSHOT_GATE = 'CSIVolumeGroupSnapshot';

/** Flag names of snapshot-controller v8 (its own flag set, not csi-lib-utils'). */
export const SNAPSHOT_CONTROLLER_FLAGS = {
  verbosity: '--v',
  leaderElection: '--leader-election',
  leaderElectionNamespace: '--leader-election-namespace',
  httpEndpoint: '--http-endpoint',
  metricsPath: '--metrics-path',
  workerThreads: '--worker-threads',
  resyncPeriod: '--resync-period',
  kubeApiQps: '--kube-api-qps',
  kubeApiBurst: '--kube-api-burst',
  enableDistributedSnapshotting: '--enable-distributed-snapshotting',
  featureGates: '--feature-gates',
} as const;
