/**
 * The kubernetes-csi sidecars a CSI driver stack runs, as data: flag names and the defaults the
 * binaries use when a flag is absent, Lease names, HTTP ports, the kubelet paths and the driver
 * capability model that decides which sidecars run. Source: ../shared/reference/FACTS.md §c
 * (flags per sidecar at the pinned tags), §d (RBAC object names), §i (hostpath paths).
 */
import { Component } from './images';
import { BUILT_IN_PRIORITY_CLASSES } from './kubernetes';
import { compareTags } from './semver';

/**
 * What a CSI driver declares it can do (CSI spec plugin/controller capabilities, plus the service
 * itself). The set decides which sidecars run and what the CSIDriver object says.
 */
export enum CsiCapability {
  /** The driver implements the CSI Controller service (runs a controller workload). */
  CONTROLLER_SERVICE = 'CONTROLLER_SERVICE',
  /** CreateVolume / DeleteVolume: dynamic provisioning (csi-provisioner). */
  CREATE_DELETE_VOLUME = 'CREATE_DELETE_VOLUME',
  /** ControllerPublish / Unpublish: volumes must be attached (csi-attacher, CSIDriver.attachRequired). */
  PUBLISH_UNPUBLISH_VOLUME = 'PUBLISH_UNPUBLISH_VOLUME',
  /** CreateSnapshot / DeleteSnapshot (csi-snapshotter). */
  CREATE_DELETE_SNAPSHOT = 'CREATE_DELETE_SNAPSHOT',
  /** ControllerExpandVolume (csi-resizer). */
  EXPAND_VOLUME = 'EXPAND_VOLUME',
  /** Volume condition reporting; the health monitor needs it (FACTS §c7). */
  VOLUME_CONDITION = 'VOLUME_CONDITION',
  /** ListVolumes; one of the two ways the health monitor polls volumes. */
  LIST_VOLUMES = 'LIST_VOLUMES',
  /** ControllerGetVolume; the other way the health monitor polls volumes. */
  GET_VOLUME = 'GET_VOLUME',
  /** GetCapacity: the provisioner can publish CSIStorageCapacity objects. */
  GET_CAPACITY = 'GET_CAPACITY',
  /** VOLUME_ACCESSIBILITY_CONSTRAINTS: volumes are reachable only from some nodes (topology). */
  VOLUME_ACCESSIBILITY_CONSTRAINTS = 'VOLUME_ACCESSIBILITY_CONSTRAINTS',
}

/** The sidecars a driver's controller workload may run. */
export enum ControllerSidecar {
  PROVISIONER = 'provisioner',
  ATTACHER = 'attacher',
  SNAPSHOTTER = 'snapshotter',
  RESIZER = 'resizer',
  HEALTH_MONITOR = 'healthMonitor',
}

/**
 * Flags every controller sidecar takes from csi-lib-utils `standardflags` (FACTS §c1), plus klog's
 * verbosity. snapshot-controller, node-driver-registrar and livenessprobe have their own sets.
 */
export const CSI_COMMON_FLAGS = {
  verbosity: '--v',
  csiAddress: '--csi-address',
  leaderElection: '--leader-election',
  leaderElectionNamespace: '--leader-election-namespace',
  leaderElectionLeaseDuration: '--leader-election-lease-duration',
  leaderElectionRenewDeadline: '--leader-election-renew-deadline',
  leaderElectionRetryPeriod: '--leader-election-retry-period',
  kubeApiQps: '--kube-api-qps',
  kubeApiBurst: '--kube-api-burst',
  httpEndpoint: '--http-endpoint',
  metricsPath: '--metrics-path',
  featureGates: '--feature-gates',
  timeout: '--timeout',
} as const;

/** Defaults of the common flags, as the binaries apply them when the flag is absent (FACTS §c1). */
export const CSI_COMMON_DEFAULTS = {
  csiAddress: '/run/csi/socket',
  leaderElection: false,
  leaderElectionLeaseDuration: '15s',
  leaderElectionRenewDeadline: '10s',
  leaderElectionRetryPeriod: '5s',
  kubeApiQps: 5,
  kubeApiBurst: 10,
  metricsPath: '/metrics',
} as const;

/** Path served on `--http-endpoint` that fails when the leader cannot renew its Lease. */
export const LEADER_ELECTION_HEALTH_PATH = '/healthz/leader-election';

/** One controller sidecar: image, flags that differ between sidecars, and their defaults. */
export interface ControllerSidecarSpec {
  readonly sidecar: ControllerSidecar;
  readonly component: Component;
  /** Container name rendered in the controller pod. */
  readonly containerName: string;
  /** Suffix of the sidecar's ClusterRole / Role names (`<driver name>-<suffix>`). */
  readonly rbacSuffix: string;
  /** Upstream ClusterRole name in the sidecar's rbac.yaml, kept for reviewers comparing objects. */
  readonly upstreamClusterRole: string;
  /** Upstream leader-election Role name. */
  readonly upstreamRole: string;
  /** Flag for the number of parallel operations (the resizer's differs: FACTS §j6). */
  readonly workersFlag: string;
  /** The binary's default for `workersFlag`. */
  readonly workersDefault: number;
  /** The binary's default for `--timeout`. */
  readonly timeoutDefault: string;
  /** Flag that passes PVC/PV or snapshot names to the driver, where the sidecar has one. */
  readonly extraMetadataFlag?: string;
  /** How the sidecar names its Lease (the driver name is sanitised to `[a-zA-Z0-9-]`). */
  readonly leaseName: (driverName: string) => string;
  /** Port this project gives `--http-endpoint`; distinct per sidecar so they share one pod. */
  readonly httpPort: number;
  /** Short container-port name (at most 15 characters). */
  readonly portName: string;
  /** Capabilities the driver must declare for the sidecar to work. */
  readonly requires: readonly CsiCapability[];
  /** When set, at least one of these is needed too. */
  readonly requiresOneOf?: readonly CsiCapability[];
  /** Why the sidecar needs those capabilities, for error messages. */
  readonly requiresReason: string;
}

/** Lease names replace anything outside `[a-zA-Z0-9-]` with `-` (csi-lib-utils leaderelection). */
export function sanitizeLeaseName(driverName: string): string {
  return driverName.replace(/[^a-zA-Z0-9-]/g, '-');
}

/** Controller sidecars, in the order their containers are rendered. */
export const CONTROLLER_SIDECARS: Readonly<Record<ControllerSidecar, ControllerSidecarSpec>> = {
  [ControllerSidecar.PROVISIONER]: {
    sidecar: ControllerSidecar.PROVISIONER,
    component: Component.CSI_PROVISIONER,
    containerName: 'csi-provisioner',
    rbacSuffix: 'provisioner',
    upstreamClusterRole: 'external-provisioner-runner',
    upstreamRole: 'external-provisioner-cfg',
    workersFlag: '--worker-threads',
    workersDefault: 100,
    timeoutDefault: '10s',
    extraMetadataFlag: '--extra-create-metadata',
    leaseName: (d) => sanitizeLeaseName(d),
    httpPort: 8080,
    portName: 'http-prov',
    requires: [CsiCapability.CONTROLLER_SERVICE, CsiCapability.CREATE_DELETE_VOLUME],
    requiresReason: 'csi-provisioner calls CreateVolume/DeleteVolume on the controller service',
  },
  [ControllerSidecar.ATTACHER]: {
    sidecar: ControllerSidecar.ATTACHER,
    component: Component.CSI_ATTACHER,
    containerName: 'csi-attacher',
    rbacSuffix: 'attacher',
    upstreamClusterRole: 'external-attacher-runner',
    upstreamRole: 'external-attacher-cfg',
    workersFlag: '--worker-threads',
    workersDefault: 10,
    timeoutDefault: '15s',
    leaseName: (d) => `external-attacher-leader-${sanitizeLeaseName(d)}`,
    httpPort: 8081,
    portName: 'http-attach',
    requires: [CsiCapability.CONTROLLER_SERVICE, CsiCapability.PUBLISH_UNPUBLISH_VOLUME],
    requiresReason: 'csi-attacher only acts for drivers that need ControllerPublishVolume (CSIDriver attachRequired)',
  },
  [ControllerSidecar.SNAPSHOTTER]: {
    sidecar: ControllerSidecar.SNAPSHOTTER,
    component: Component.CSI_SNAPSHOTTER,
    containerName: 'csi-snapshotter',
    rbacSuffix: 'snapshotter',
    upstreamClusterRole: 'external-snapshotter-runner',
    upstreamRole: 'external-snapshotter-leaderelection',
    workersFlag: '--worker-threads',
    workersDefault: 10,
    timeoutDefault: '1m',
    extraMetadataFlag: '--extra-create-metadata',
    leaseName: (d) => `external-snapshotter-leader-${sanitizeLeaseName(d)}`,
    httpPort: 8082,
    portName: 'http-snap',
    requires: [CsiCapability.CONTROLLER_SERVICE, CsiCapability.CREATE_DELETE_SNAPSHOT],
    requiresReason: 'csi-snapshotter calls CreateSnapshot/DeleteSnapshot on the controller service',
  },
  [ControllerSidecar.RESIZER]: {
    sidecar: ControllerSidecar.RESIZER,
    component: Component.CSI_RESIZER,
    containerName: 'csi-resizer',
    rbacSuffix: 'resizer',
    upstreamClusterRole: 'external-resizer-runner',
    upstreamRole: 'external-resizer-cfg',
    // The resizer alone calls it --workers (FACTS §c6).
    workersFlag: '--workers',
    workersDefault: 10,
    timeoutDefault: '10s',
    leaseName: (d) => `external-resizer-${sanitizeLeaseName(d)}`,
    httpPort: 8083,
    portName: 'http-resize',
    requires: [CsiCapability.CONTROLLER_SERVICE, CsiCapability.EXPAND_VOLUME],
    requiresReason: 'csi-resizer calls ControllerExpandVolume on the controller service',
  },
  [ControllerSidecar.HEALTH_MONITOR]: {
    sidecar: ControllerSidecar.HEALTH_MONITOR,
    component: Component.CSI_EXTERNAL_HEALTH_MONITOR_CONTROLLER,
    containerName: 'csi-external-health-monitor-controller',
    rbacSuffix: 'health-monitor',
    upstreamClusterRole: 'external-health-monitor-controller-runner',
    upstreamRole: 'external-health-monitor-controller-cfg',
    workersFlag: '--worker-threads',
    workersDefault: 10,
    timeoutDefault: '15s',
    leaseName: (d) => `external-health-monitor-leader-${sanitizeLeaseName(d)}`,
    httpPort: 8084,
    portName: 'http-health',
    requires: [CsiCapability.CONTROLLER_SERVICE, CsiCapability.VOLUME_CONDITION],
    requiresOneOf: [CsiCapability.LIST_VOLUMES, CsiCapability.GET_VOLUME],
    requiresReason: 'csi-external-health-monitor-controller exits at start (CrashLoopBackOff) unless the driver has the controller '
      + 'service, VOLUME_CONDITION and LIST_VOLUMES or GET_VOLUME',
  },
};

/** Flags of csi-external-health-monitor-controller beyond the common set (FACTS §c7). */
export const HEALTH_MONITOR_FLAGS = {
  /** Poll interval of the GetVolume path and the node watcher. Default 1m. */
  monitorInterval: '--monitor-interval',
  /** Interval of ListVolumes polling. Default 5m. */
  listVolumesInterval: '--list-volumes-interval',
  /** Emit NodeFailed / NodeRecovered events for PVCs of pods on failed nodes. Default false. */
  enableNodeWatcher: '--enable-node-watcher',
} as const;

/** Flags of csi-provisioner beyond the common set (FACTS §c4). */
export const PROVISIONER_FLAGS = {
  /** Publish CSIStorageCapacity objects. Default false. */
  enableCapacity: '--enable-capacity',
  /** How many owners up from the pod the CSIStorageCapacity owner is (1 StatefulSet, 2 Deployment). */
  capacityOwnerrefLevel: '--capacity-ownerref-level',
  /** Name pattern of new PVs. Default `pvc`. */
  volumeNamePrefix: '--volume-name-prefix',
  /** fsType when the StorageClass names none. Default empty. */
  defaultFstype: '--default-fstype',
} as const;

/** Owner-reference levels of CSIStorageCapacity objects per controller workload kind. */
export const CAPACITY_OWNERREF_LEVEL = { statefulSet: 1, deployment: 2 } as const;

/** Env vars the provisioner reads to find its owner when publishing capacity. */
export const CAPACITY_OWNER_ENV = { podName: 'POD_NAME', namespace: 'NAMESPACE' } as const;

/** csi-node-driver-registrar flags (its own set, FACTS §c8). */
export const NODE_DRIVER_REGISTRAR_FLAGS = {
  verbosity: '--v',
  csiAddress: '--csi-address',
  kubeletRegistrationPath: '--kubelet-registration-path',
  httpEndpoint: '--http-endpoint',
} as const;

/** livenessprobe flags (its own set, FACTS §c9). */
export const LIVENESS_PROBE_FLAGS = {
  verbosity: '--v',
  csiAddress: '--csi-address',
  /** Replaces the deprecated --health-port; serves /healthz. */
  httpEndpoint: '--http-endpoint',
  probeTimeout: '--probe-timeout',
} as const;

/** Ports and paths of the node-side helpers. */
export const NODE_SIDECAR_DEFAULTS = {
  registrarContainerName: 'node-driver-registrar',
  livenessProbeContainerName: 'liveness-probe',
  /** Port the registrar's /healthz listens on (hostpath deploys it there). */
  registrarHttpPort: 9809,
  registrarPortName: 'reg-healthz',
  /** Port the livenessprobe sidecar serves the driver's /healthz on (hostpath uses 9898). */
  livenessProbePort: 9898,
  livenessProbePortName: 'healthz',
  healthPath: '/healthz',
} as const;

/** Where things live on the node and in the containers. */
export const CSI_PATHS = {
  /** kubelet's root directory on most distributions. */
  kubeletDir: '/var/lib/kubelet',
  /** Under the kubelet dir: driver sockets go to `plugins/<dir>`. */
  pluginsSubdir: 'plugins',
  /** Under the kubelet dir: kubelet watches this directory for registration sockets. */
  registrationSubdir: 'plugins_registry',
  /** Under the kubelet dir: pod volume mount points. */
  podsSubdir: 'pods',
  /** In-container path of the driver socket shared by every container of a pod. */
  socketPath: '/csi/csi.sock',
  /** In-container mount of the registration directory (the registrar's default). */
  registrationMountPath: '/registration',
  /** Device directory the node plugin needs for block volumes. */
  devDir: '/dev',
} as const;

/** Env var holding the driver endpoint (`unix://<socket>`), the convention driver images read. */
export const CSI_ENDPOINT_ENV = 'CSI_ENDPOINT';
/** Env var holding the node name, for the driver's `--nodeid`. */
export const NODE_NAME_ENV = 'KUBE_NODE_NAME';

/** Liveness probe of the driver container, served by the livenessprobe sidecar (hostpath's values). */
export const DRIVER_LIVENESS_PROBE = {
  initialDelaySeconds: 10, timeoutSeconds: 3, periodSeconds: 2, failureThreshold: 5,
} as const;
/** Liveness probe of the registrar's /healthz (hostpath's values). */
export const REGISTRAR_LIVENESS_PROBE = {
  initialDelaySeconds: 30, timeoutSeconds: 15, periodSeconds: 10, failureThreshold: 3,
} as const;
/** Liveness probe of a sidecar's leader-election health check. */
export const SIDECAR_LIVENESS_PROBE = {
  initialDelaySeconds: 10, timeoutSeconds: 10, periodSeconds: 20, failureThreshold: 1,
} as const;

/** Resource requests this project gives each container unless told otherwise. */
export const CSI_CONTAINER_REQUESTS = {
  sidecar: { cpu: '10m', memory: '32Mi' },
  driver: { cpu: '10m', memory: '64Mi' },
} as const;

/** Non-root identity for controller pods (distroless `nonroot`). */
export const CSI_CONTROLLER_RUN_AS_USER = 65532;

/**
 * Scheduling defaults of a driver's workloads. A stopped controller blocks provisioning, attach,
 * snapshots and resizes cluster-wide; a missing node plugin leaves its node unable to mount or
 * unmount the driver's volumes, so it runs on every node whatever the taints.
 */
export const CSI_SCHEDULING_DEFAULTS = {
  controllerPriorityClassName: BUILT_IN_PRIORITY_CLASSES.clusterCritical,
  nodePriorityClassName: BUILT_IN_PRIORITY_CLASSES.nodeCritical,
  /** No key and operator Exists: tolerates every taint of every effect. */
  nodeTolerations: [{ operator: 'Exists' }],
} as const;

/** Feature gates one release line of a component knows (its pkg/features/features.go). */
export interface ComponentFeatureGates {
  readonly component: Component;
  /** First release of the line; the newest line not newer than the image tag applies. */
  readonly since: string;
  /** Gate name -> whether the binary turns it on when `--feature-gates` does not name it. */
  readonly gates: Readonly<Record<string, boolean>>;
  /** Gates earlier lines knew and this one removed, with what to do instead. */
  readonly removed?: Readonly<Record<string, string>>;
  readonly source: string;
}

/**
 * `--feature-gates` names each release line accepts. A binary exits at start on a name it does not
 * know, so a gate outside its line is refused at synth. Read at the tags in the kubernetes-csi
 * repositories (pkg/features/features.go) where they could be; the late-2026 lines from FACTS §0.2.
 */
export const COMPONENT_FEATURE_GATES: readonly ComponentFeatureGates[] = [
  {
    component: Component.SNAPSHOT_CONTROLLER, since: 'v8.7.0',
    gates: { CSIVolumeGroupSnapshot: true, ReleaseLeaderElectionOnExit: false },
    source: 'FACTS §0.2: CSIVolumeGroupSnapshot GA and on (PR #1475); read on external-snapshotter master of 2026-08-21',
  },
  {
    component: Component.SNAPSHOT_CONTROLLER, since: 'v8.4.0',
    gates: { CSIVolumeGroupSnapshot: false, ReleaseLeaderElectionOnExit: false },
    source: 'external-snapshotter v8.4.0-v8.6.0 pkg/features/features.go (beta, off)',
  },
  {
    component: Component.SNAPSHOT_CONTROLLER, since: 'v8.2.0',
    gates: { CSIVolumeGroupSnapshot: false },
    source: 'external-snapshotter v8.2.0-v8.3.0 pkg/features/features.go',
  },
  {
    component: Component.CSI_SNAPSHOTTER, since: 'v8.7.0',
    gates: { CSIVolumeGroupSnapshot: true, ReleaseLeaderElectionOnExit: false },
    source: 'as snapshot-controller v8.7.0 (one features.go for both binaries)',
  },
  {
    component: Component.CSI_SNAPSHOTTER, since: 'v8.4.0',
    gates: { CSIVolumeGroupSnapshot: false, ReleaseLeaderElectionOnExit: false },
    source: 'external-snapshotter v8.4.0-v8.6.0 pkg/features/features.go',
  },
  {
    component: Component.CSI_SNAPSHOTTER, since: 'v8.2.0',
    gates: { CSIVolumeGroupSnapshot: false },
    source: 'external-snapshotter v8.2.0-v8.3.0 pkg/features/features.go',
  },
  {
    component: Component.CSI_PROVISIONER, since: 'v6.2.0',
    gates: { Topology: true, CrossNamespaceVolumeDataSource: false, VolumeAttributesClass: true, ReleaseLeaderElectionOnExit: false },
    removed: { HonorPVReclaimPolicy: 'removed in csi-provisioner v6.2.0, where the reclaim policy is always honoured: drop the gate' },
    source: 'external-provisioner v6.2.0-v6.3.0 pkg/features/features.go; v6.4.0 names no new gate (FACTS §0.2)',
  },
  {
    component: Component.CSI_PROVISIONER, since: 'v6.0.0',
    gates: {
      Topology: true, HonorPVReclaimPolicy: true, CrossNamespaceVolumeDataSource: false, VolumeAttributesClass: true,
      ReleaseLeaderElectionOnExit: false,
    },
    source: 'external-provisioner v6.0.0-v6.1.x pkg/features/features.go',
  },
  {
    component: Component.CSI_PROVISIONER, since: 'v5.0.0',
    gates: { Topology: true, HonorPVReclaimPolicy: true, CrossNamespaceVolumeDataSource: false, VolumeAttributesClass: false },
    source: 'external-provisioner v5.0.0-v5.3.0 pkg/features/features.go',
  },
  {
    component: Component.CSI_ATTACHER, since: 'v4.12.0',
    gates: { MutableCSINodeAllocatableCount: true, ReleaseLeaderElectionOnExit: false },
    source: 'FACTS §c5 (external-attacher v4.12.0)',
  },
  {
    component: Component.CSI_RESIZER, since: 'v2.3.0',
    gates: { AnnotateFsResize: false, VolumeAttributesClass: true, ReleaseLeaderElectionOnExit: false },
    removed: {
      RecoverVolumeExpansionFailure: 'removed in csi-resizer v2.3.0, where recovery from failed expansion is always on: drop the gate',
    },
    source: 'external-resizer v2.2.1 pkg/features/features.go minus what v2.3.0 removed (FACTS §0.2)',
  },
  {
    component: Component.CSI_RESIZER, since: 'v2.0.0',
    gates: { AnnotateFsResize: false, RecoverVolumeExpansionFailure: true, VolumeAttributesClass: true, ReleaseLeaderElectionOnExit: false },
    source: 'external-resizer v2.0.0-v2.2.1 pkg/features/features.go',
  },
  {
    component: Component.CSI_RESIZER, since: 'v1.10.0',
    gates: { AnnotateFsResize: false, RecoverVolumeExpansionFailure: true, VolumeAttributesClass: false },
    source: 'external-resizer v1.10.0-v1.14.0 pkg/features/features.go (defaults as in v1.14.0)',
  },
  {
    component: Component.CSI_EXTERNAL_HEALTH_MONITOR_CONTROLLER, since: 'v0.16.0',
    gates: { ReleaseLeaderElectionOnExit: false },
    source: 'external-health-monitor v0.16.0-v0.18.0 pkg/features/features.go; v0.19.0 names no new gate (FACTS §0.2)',
  },
];

/**
 * The feature gates a component's release knows, or undefined when no line covers the tag (an
 * older release than any catalogued line: its gates are then not checked).
 */
export function componentFeatureGates(component: Component, tag: string): ComponentFeatureGates | undefined {
  return COMPONENT_FEATURE_GATES
    .filter((g) => g.component === component && compareTags(g.since, tag) <= 0)
    .sort((a, b) => compareTags(b.since, a.since))[0];
}

/** Flags of csi-resizer beyond the common set, with the first release that has each (FACTS §c6, §0.2). */
export const RESIZER_FLAGS = {
  /** How long one expansion may take before the resizer gives up on that attempt. From v2.3.0. */
  resizeTimeout: { flag: '--resize-timeout', since: 'v2.3.0' },
  /** The same for a VolumeAttributesClass modification. From v2.3.0. */
  modifyTimeout: { flag: '--modify-timeout', since: 'v2.3.0' },
} as const;
