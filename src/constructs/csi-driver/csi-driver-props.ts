/** The props of CsiDriver and the enums and option types they use. */

import { ControllerSidecar, CsiCapability, ImageRef } from '../../catalog';
import type { EnumValue } from '../common/_enum';
import { NamespaceRef } from '../common/_subjects';

/** How the driver's controller and node parts are laid out. */
export enum CsiDeploymentMode {
  /** Controller workload (StatefulSet/Deployment) plus node DaemonSet: the normal layout. */
  SPLIT = 'Split',
  /**
   * Everything in one single-replica StatefulSet pod (controller sidecars, node plugin, registrar):
   * for node-local demo drivers such as csi-driver-host-path that work only on one node.
   */
  SINGLE_POD = 'SinglePod',
}

/** CSIDriver `fsGroupPolicy`. */
export enum FsGroupPolicy {
  NONE = 'None',
  FILE = 'File',
  READ_WRITE_ONCE_WITH_FS_TYPE = 'ReadWriteOnceWithFSType',
}

/** CSIDriver `volumeLifecycleModes`. */
export enum VolumeLifecycleMode {
  PERSISTENT = 'Persistent',
  EPHEMERAL = 'Ephemeral',
}

/** CPU and memory of one container. */
export interface CsiContainerResources {
  /** Requests, e.g. `{ cpu: '10m', memory: '32Mi' }`. Every container gets requests. */
  readonly requests?: Readonly<Record<string, string>>;
  /** Limits, e.g. `{ memory: '128Mi' }`. */
  readonly limits?: Readonly<Record<string, string>>;
}

/** One key of a Secret in the driver's namespace. */
export interface CsiSecretKeyRef {
  /** Name of the Secret, in the driver's namespace. */
  readonly name: string;
  /** Key in the Secret's data. */
  readonly key: string;
}

/** An env value read from a Secret at pod start (`valueFrom.secretKeyRef`), so the manifest never holds it. */
export interface CsiEnvFromSecret {
  /** The Secret and key the value comes from. */
  readonly secretKeyRef: CsiSecretKeyRef;
}

/**
 * Value of a driver env var: a literal string (refused for credential-looking names such as
 * `AWS_SECRET_ACCESS_KEY`, `DB_PASSWORD`, `API_TOKEN`), or a reference to a Secret key.
 */
export type CsiEnvValue = string | CsiEnvFromSecret;

/** Settings every controller sidecar accepts. */
export interface CsiSidecarOptions {
  /** Image override. @default - the catalog's release for the target Kubernetes */
  readonly image?: Partial<ImageRef>;
  /** `--timeout` for CSI calls (Go duration). @default - the sidecar's own default (catalog `timeoutDefault`) */
  readonly timeout?: string;
  /**
   * Parallel operations: `--worker-threads`, or `--workers` for the resizer.
   * @default - the sidecar's own default (100 for the provisioner, 10 for the others)
   */
  readonly workers?: number;
  /** `--feature-gates` of the sidecar. @default - none */
  readonly featureGates?: Readonly<Record<string, boolean>>;
  /** Container resources. @default - requests 10m CPU / 32Mi memory */
  readonly resources?: CsiContainerResources;
}

/** csi-provisioner settings. */
export interface CsiProvisionerOptions extends CsiSidecarOptions {
  /**
   * Refuse restores that change the volume mode. Written explicitly as
   * `--prevent-volume-mode-conversion=true`; the pinned release must know the flag.
   * @default true
   */
  readonly preventVolumeModeConversion?: boolean;
  /** `--extra-create-metadata`: pass PVC/PV names to CreateVolume. @default false */
  readonly extraCreateMetadata?: boolean;
  /**
   * Publish CSIStorageCapacity objects (`--enable-capacity`, CSIDriver `storageCapacity: true`,
   * namespaced RBAC); needs the GET_CAPACITY capability. @default false
   */
  readonly storageCapacity?: boolean;
  /** `--default-fstype` for classes that name none. @default - the driver decides */
  readonly defaultFsType?: string;
}

/** csi-snapshotter settings. */
export interface CsiSnapshotterOptions extends CsiSidecarOptions {
  /** `--extra-create-metadata`: pass VolumeSnapshot names to CreateSnapshot. @default false */
  readonly extraCreateMetadata?: boolean;
}

/** csi-resizer settings. */
export interface CsiResizerOptions extends CsiSidecarOptions {
  /**
   * `--resize-timeout`: how long one volume expansion may take before that attempt fails (Go
   * duration). Needs csi-resizer v2.3.0 or newer. @default - the sidecar's own default
   */
  readonly resizeTimeout?: string;
  /**
   * `--modify-timeout`: the same for a VolumeAttributesClass change. Needs csi-resizer v2.3.0 or
   * newer. @default - the sidecar's own default
   */
  readonly modifyTimeout?: string;
}

/** csi-external-health-monitor-controller settings. */
export interface CsiHealthMonitorOptions extends CsiSidecarOptions {
  /** `--enable-node-watcher`: events for PVCs of pods on failed nodes. @default false */
  readonly enableNodeWatcher?: boolean;
  /** `--monitor-interval` (Go duration). @default - the sidecar's default (1m) */
  readonly monitorInterval?: string;
  /** `--list-volumes-interval` (Go duration). @default - the sidecar's default (5m) */
  readonly listVolumesInterval?: string;
}

/** A node-side helper (registrar, livenessprobe). */
export interface CsiNodeSidecarOptions {
  /** Image override. @default - the catalog's release */
  readonly image?: Partial<ImageRef>;
  /** Container resources. @default - requests 10m CPU / 32Mi memory */
  readonly resources?: CsiContainerResources;
}

/** A host directory the node plugin needs besides the kubelet and socket directories. */
export interface CsiHostPathMount {
  /** Volume name (DNS label). */
  readonly name: string;
  /** Directory on the node. */
  readonly hostPath: string;
  /** Where the driver container sees it. */
  readonly mountPath: string;
  /** hostPath type. @default 'DirectoryOrCreate' */
  readonly type?: 'Directory' | 'DirectoryOrCreate' | 'File' | 'FileOrCreate' | 'Socket' | 'CharDevice' | 'BlockDevice';
}

/** A Secret mounted read-only as files into the driver container. */
export interface CsiSecretMount {
  /** Volume name (DNS label). */
  readonly name: string;
  /** Name of the Secret in the driver's namespace. */
  readonly secretName: string;
  /** Directory the Secret's keys appear in. */
  readonly mountPath: string;
}

/** A toleration of the node plugin's pods (the Kubernetes Toleration, typed). */
export interface CsiToleration {
  /** Taint key; omitted with operator Exists it matches every taint. @default - every key */
  readonly key?: string;
  /** `Exists` (any value) or `Equal` (the value below). */
  readonly operator: 'Exists' | 'Equal';
  /** Taint value, only with operator Equal. @default - empty */
  readonly value?: string;
  /** Taint effect it tolerates. @default - every effect */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** How long a NoExecute taint is tolerated before eviction. @default - forever */
  readonly tolerationSeconds?: number;
}

/** Leader-election timings (Go durations). */
export interface CsiLeaderElectionTimings {
  /** `--leader-election-lease-duration`. @default 15s */
  readonly leaseDuration?: string;
  /** `--leader-election-renew-deadline`. @default 10s */
  readonly renewDeadline?: string;
  /** `--leader-election-retry-period`. @default 5s */
  readonly retryPeriod?: string;
}

/** Per-workload overrides that must agree between controller and node. */
export interface CsiWorkloadPaths {
  /**
   * In-container socket path. Only here so hand-migrated configs can be checked: it must equal
   * the driver-level `socketPath`. @default - the driver-level `socketPath`
   */
  readonly socketPath?: string;
}

/** Props of {@link CsiDriver}. */
export interface CsiDriverProps {
  /** The driver's name as registered with kubelet and written in classes, e.g. `hostpath.csi.k8s.io`. */
  readonly driverName: string;
  /** The vendor's driver image, pinned: `<registry>/<repo>:<tag>` or `@sha256:` digest. */
  readonly driverImage: string;
  /** What the driver implements; decides which sidecars run and CSIDriver `attachRequired`. */
  readonly capabilities: readonly EnumValue<CsiCapability>[];
  /**
   * Args of the driver container. `$(CSI_ENDPOINT)` and `$(KUBE_NODE_NAME)` are set in its env.
   * @default ['--endpoint=$(CSI_ENDPOINT)', '--nodeid=$(KUBE_NODE_NAME)']
   */
  readonly driverArgs?: readonly string[];
  /**
   * Extra env of the driver container in every pod (sorted by name). Credentials go in a Secret:
   * `{ AWS_SECRET_ACCESS_KEY: { secretKeyRef: { name: 'aws-creds', key: 'secret-access-key' } } }`;
   * a literal value under a credential-looking name is refused. @default - none
   */
  readonly driverEnv?: Readonly<Record<string, CsiEnvValue>>;
  /** Extra env of the controller-side driver container, over `driverEnv`. @default - none */
  readonly controllerDriverEnv?: Readonly<Record<string, CsiEnvValue>>;
  /** Extra env of the node-side driver container, over `driverEnv`. @default - none */
  readonly nodeDriverEnv?: Readonly<Record<string, CsiEnvValue>>;
  /**
   * Env names that read like credentials but hold none (e.g. `TOKEN_FILE` with a path), so their
   * literal values are allowed. Each must be set in one of the env props. @default - none
   */
  readonly nonSecretEnvNames?: readonly string[];
  /**
   * Secrets mounted read-only into the controller-side driver container (e.g. the vendor's
   * connection config). Referenced by name, never inlined. @default - none
   */
  readonly controllerSecretMounts?: readonly CsiSecretMount[];
  /** Name of the driver container. @default 'csi-driver' */
  readonly driverContainerName?: string;
  /** Driver container resources. @default - requests 10m CPU / 64Mi memory */
  readonly driverResources?: CsiContainerResources;
  /** Base name of workloads, ServiceAccounts and RBAC objects. @default - driverName with dots as dashes */
  readonly name?: string;
  /** Namespace of the workloads: a name or a cdk8s-plus Namespace. @default 'kube-system' */
  readonly namespace?: NamespaceRef;
  /** Target Kubernetes (`'1.30'` up to the newest supported minor). @default - the chart context, else the newest supported minor */
  readonly kubernetesVersion?: string;
  /** Layout. @default CsiDeploymentMode.SPLIT */
  readonly mode?: EnumValue<CsiDeploymentMode>;
  /**
   * Controller replicas: 1 renders a StatefulSet, more a Deployment (which needs leader election).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Spread the controller Deployment's replicas over nodes and zones (soft, so small clusters still
   * schedule). Applies only with replicas > 1. @default true
   */
  readonly controllerTopologySpread?: boolean;
  /**
   * A PodDisruptionBudget (minAvailable 1) for the controller Deployment, so a node drain never takes
   * every replica at once. Applies only with replicas > 1 (over one replica it would block drains).
   * @default true
   */
  readonly controllerPodDisruptionBudget?: boolean;
  /** `--leader-election` on every controller sidecar. @default - true when replicas > 1 */
  readonly leaderElection?: boolean;
  /** Leader-election timings. @default - the sidecars' defaults */
  readonly leaderElectionTimings?: CsiLeaderElectionTimings;
  /**
   * `--http-endpoint` on each sidecar (metrics; with leader election also the liveness probe
   * on `/healthz/leader-election`). @default true
   */
  readonly httpEndpoints?: boolean;
  /** klog verbosity `--v` of every sidecar. @default 2 */
  readonly logVerbosity?: number;
  /** CSIDriver `podInfoOnMount`. @default false */
  readonly podInfoOnMount?: boolean;
  /** CSIDriver `fsGroupPolicy`. @default FsGroupPolicy.READ_WRITE_ONCE_WITH_FS_TYPE (the API default, written out) */
  readonly fsGroupPolicy?: EnumValue<FsGroupPolicy>;
  /** CSIDriver `volumeLifecycleModes`. @default [Persistent] */
  readonly volumeLifecycleModes?: readonly EnumValue<VolumeLifecycleMode>[];
  /** CSIDriver `requiresRepublish`. @default false */
  readonly requiresRepublish?: boolean;
  /** CSIDriver `seLinuxMount`. @default - not written (the API's default, false) */
  readonly seLinuxMount?: boolean;
  /** In-container path of the driver socket, shared by every container. @default '/csi/csi.sock' */
  readonly socketPath?: string;
  /** Controller-side path check (must equal `socketPath`). @default - none */
  readonly controller?: CsiWorkloadPaths;
  /** Node-side path check (must equal `socketPath`). @default - none */
  readonly node?: CsiWorkloadPaths;
  /** kubelet root directory on the nodes. @default '/var/lib/kubelet' */
  readonly kubeletDir?: string;
  /** Directory under `<kubeletDir>/plugins` holding the socket. @default - driverName */
  readonly pluginDirName?: string;
  /** Extra host directories for the node plugin (e.g. its data directory). @default - none */
  readonly nodeHostPaths?: readonly CsiHostPathMount[];
  /**
   * Grant the sidecars read access to Secrets (for `csi.storage.k8s.io/*-secret-*` class
   * parameters). @default false
   */
  readonly secretAccess?: boolean;
  /**
   * Make node-side sidecars privileged, for SELinux-enforcing hosts (in SINGLE_POD mode that is
   * every sidecar, since they all share the node plugin's pod). @default false
   */
  readonly seLinuxPrivilegedSidecars?: boolean;
  /** uid of the controller pod (split mode), which passes Pod Security "restricted". @default 65532 */
  readonly controllerRunAsUser?: number;
  /**
   * PriorityClass of the controller workload (in SINGLE_POD mode of the one pod): a stopped
   * controller blocks provisioning, attach, snapshots and resizes cluster-wide.
   * @default 'system-cluster-critical'
   */
  readonly controllerPriorityClassName?: string;
  /**
   * PriorityClass of the node DaemonSet: an evicted node plugin leaves its node unable to mount or
   * unmount the driver's volumes. @default 'system-node-critical'
   */
  readonly nodePriorityClassName?: string;
  /**
   * Tolerations of the node DaemonSet; `[]` for none. Pods on a node without the plugin cannot use
   * the driver's volumes, so by default it tolerates every taint (not applied in SINGLE_POD mode).
   * @default [{ operator: 'Exists' }] - every taint, every effect
   */
  readonly nodeTolerations?: readonly CsiToleration[];
  /** csi-provisioner settings; the sidecar runs when the driver has CREATE_DELETE_VOLUME. */
  readonly provisioner?: CsiProvisionerOptions;
  /** csi-attacher settings; the sidecar runs when the driver has PUBLISH_UNPUBLISH_VOLUME. */
  readonly attacher?: CsiSidecarOptions;
  /** csi-snapshotter settings; the sidecar runs when the driver has CREATE_DELETE_SNAPSHOT. */
  readonly snapshotter?: CsiSnapshotterOptions;
  /** csi-resizer settings; the sidecar runs when the driver has EXPAND_VOLUME. */
  readonly resizer?: CsiResizerOptions;
  /**
   * Turns on csi-external-health-monitor-controller (off unless given). Needs VOLUME_CONDITION and
   * LIST_VOLUMES or GET_VOLUME. The kubelet side needs the CSIVolumeHealth feature gate.
   * @default - not deployed
   */
  readonly healthMonitor?: CsiHealthMonitorOptions;
  /** csi-node-driver-registrar settings. */
  readonly nodeDriverRegistrar?: CsiNodeSidecarOptions;
  /** livenessprobe settings (one per pod). */
  readonly livenessProbe?: CsiNodeSidecarOptions;
  /**
   * Labels on every object, over the default `app.kubernetes.io/part-of: <name>`. Workloads and
   * their pods also get `app.kubernetes.io/name` and `app.kubernetes.io/component`, which win.
   * @default - app.kubernetes.io/part-of only
   */
  readonly labels?: Readonly<Record<string, string>>;
}

export const SIDECAR_PROP: Readonly<Record<ControllerSidecar, keyof CsiDriverProps>> = {
  [ControllerSidecar.PROVISIONER]: 'provisioner',
  [ControllerSidecar.ATTACHER]: 'attacher',
  [ControllerSidecar.SNAPSHOTTER]: 'snapshotter',
  [ControllerSidecar.RESIZER]: 'resizer',
  [ControllerSidecar.HEALTH_MONITOR]: 'healthMonitor',
};

/** Options of a sidecar, whatever its kind. */
export type AnySidecarOptions = CsiProvisionerOptions & CsiSnapshotterOptions & CsiHealthMonitorOptions & CsiResizerOptions;

