/**
 * Volume health monitoring (KEP-1432) as the kubelet exposes it today.
 * Source: ../shared/reference/FACTS.md §h (metric, labels, gate, redesign note).
 */

/**
 * Kubelet gauge: 1 while the CSI driver reports the volume behind a claim as abnormal, else 0.
 * ALPHA, and only present when the kubelet runs with the CSIVolumeHealth feature gate (alpha,
 * off by default; its lifecycle is in ./feature-gates, turn it on with KubernetesFeatureGates).
 * The KEP-1432 rewrite (targeting Kubernetes 1.37 alpha) drops it in favour of new status fields
 * and a `csi_node_storage_health_status` metric; expressions built on it must stay overridable.
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

/** API coordinates of the Prometheus operator's rule object. */
export const PROMETHEUS_RULE_API = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' } as const;
