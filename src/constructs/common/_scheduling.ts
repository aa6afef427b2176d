/**
 * Scheduling shapes shared by the replicated controllers (snapshot-controller, CSI driver
 * controllers), so both spread and protect their replicas the same way. @internal
 */
import { TopologySpreadConstraint } from '../../imports/k8s';

/** Well-known node labels replicas are spread over: first nodes, then zones. */
const SPREAD_TOPOLOGY_KEYS: readonly string[] = ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'];

/**
 * Soft spread of the pods matching `labels` over nodes and zones: `ScheduleAnyway`, so a
 * single-node or single-zone cluster still schedules every replica. @internal
 */
export function softTopologySpread(labels: Readonly<Record<string, string>>): TopologySpreadConstraint[] {
  return SPREAD_TOPOLOGY_KEYS.map((topologyKey) => ({
    maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...labels } },
  }));
}
