/**
 * Volume health monitoring (KEP-1432): what a cluster reports, per Kubernetes minor.
 * Sources: ../shared/reference/FACTS.md §h, §0.1, §0.2, read against k8s.io/kubernetes v1.36.3 and
 * v1.37.2 (pkg/kubelet/metrics/collectors/volume_stats.go, pkg/kubelet/volumemanager/volumehealth).
 *
 * Up to 1.36: the kubelet gauge below, and VolumeConditionAbnormal events (health monitor v0.18).
 * From 1.37 (the redesign, alpha, gate CSIVolumeHealth on kubelet and API server):
 * - claims: `status.healthStatus.healthConditions` (Inaccessible, DataLoss, Degraded), written by
 *   the health monitor v0.19. No metric carries it: kube-state-metrics has no PVC health series,
 *   and its custom-resource-state configuration ignores built-in kinds (kube-state-metrics issue
 *   #2921). `doctor` lists such claims instead.
 * - storage backends per node: the kubelet gauge `csi_node_storage_health_status`.
 * The 1.36 gauge is gone in 1.37.
 */

/** First minor whose claims carry health in their status (and whose kubelet has the new gauge). */
export const CLAIM_HEALTH_REPORTED_SINCE = 37;

/**
 * Kubelet gauge up to 1.36: 1 while the CSI driver reports the volume behind a claim as abnormal,
 * else 0. ALPHA, and only present when the kubelet runs with the CSIVolumeHealth feature gate.
 * Removed in 1.37.
 */
export const VOLUME_HEALTH_ABNORMAL_METRIC = 'kubelet_volume_stats_health_status_abnormal';

/** Labels of VOLUME_HEALTH_ABNORMAL_METRIC that identify the claim. */
export const VOLUME_HEALTH_METRIC_LABELS = { namespace: 'namespace', claim: 'persistentvolumeclaim' } as const;

/**
 * Default alert expression: one series per namespace and claim that is abnormal on any node
 * (a claim mounted on several nodes is reported by each kubelet, hence `max by`).
 */
export const DEFAULT_VOLUME_HEALTH_EXPRESSION =
  `max by (${VOLUME_HEALTH_METRIC_LABELS.namespace}, ${VOLUME_HEALTH_METRIC_LABELS.claim}) (${VOLUME_HEALTH_ABNORMAL_METRIC}) > 0`;

/**
 * Kubelet gauge from 1.37: one series, value 1, per condition a CSI node plugin reports for its
 * storage backend (NodeGetStorageHealth); the series disappear when the condition clears. ALPHA,
 * kubelet with CSIVolumeHealth. Name without prefix, as registered.
 */
export const STORAGE_HEALTH_METRIC = 'csi_node_storage_health_status';

/** Labels of STORAGE_HEALTH_METRIC (plus `instance`, the kubelet, from the scrape). */
export const STORAGE_HEALTH_METRIC_LABELS = { driver: 'driver_name', status: 'status', reason: 'reason' } as const;

/** Statuses the kubelet reports in STORAGE_HEALTH_METRIC (k8s.io/api storage/v1 StorageHealthStatusType). */
export const STORAGE_HEALTH_STATUSES = ['StorageUnreachable', 'StorageDegraded'] as const;

/** Default alert expression from 1.37: one series per kubelet, driver and reported condition. */
export const DEFAULT_STORAGE_HEALTH_EXPRESSION =
  `max by (instance, ${STORAGE_HEALTH_METRIC_LABELS.driver}, ${STORAGE_HEALTH_METRIC_LABELS.status}, ${STORAGE_HEALTH_METRIC_LABELS.reason}) `
  + `(${STORAGE_HEALTH_METRIC}) > 0`;

/** Conditions the API accepts in a claim's `status.healthStatus.healthConditions[].status`. */
export const CLAIM_HEALTH_STATUSES = ['Inaccessible', 'DataLoss', 'Degraded'] as const;

/** API coordinates of the Prometheus operator's rule object. */
export const PROMETHEUS_RULE_API = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' } as const;
