import * as path from 'node:path';
import { Construct } from 'constructs';
import {
  CAPACITY_OWNER_ENV, CAPACITY_OWNERREF_LEVEL, compareTags, Component, COMPONENT_RELEASES, CONTROLLER_SIDECARS, ControllerSidecar, ControllerSidecarSpec,
  CSI_COMMON_FLAGS as F, CSI_CONTAINER_REQUESTS, CSI_CONTROLLER_RUN_AS_USER, CSI_ENDPOINT_ENV, CSI_PATHS, CSI_SCHEDULING_DEFAULTS, CsiCapability,
  DRIVER_LIVENESS_PROBE, FEATURE_SECRETS, FEATURE_STORAGE_CAPACITY, HEALTH_MONITOR_FLAGS, ImageRef, imageString,
  LEADER_ELECTION_HEALTH_PATH, LIVENESS_PROBE_FLAGS, looksLikeCredentialKey, NODE_DRIVER_REGISTRAR_FLAGS, NODE_NAME_ENV, NODE_SIDECAR_DEFAULTS as NS,
  PREVENT_VOLUME_MODE_CONVERSION_FLAG, PROVISIONER_FLAGS, RbacRule, rbacRuleSet, REGISTRAR_LIVENESS_PROBE, RESIZER_FLAGS,
  SIDECAR_LIVENESS_PROBE,
} from '../catalog';
import {
  Container, ContainerPort, EnvVar, IntOrString, KubeCsiDriver, KubeDaemonSet, KubeDeployment, KubePodDisruptionBudget, KubeStatefulSet,
  PodSpec, Probe, SecurityContext, Toleration, Volume, VolumeMount,
} from '../imports/k8s';
import {
  checkComponentGates, checkDuration, checkVendorImage, nodeNameEnv, nodePluginContext, renderArgs, renderFeatureGates,
  rootSidecarContext, toResourceRequirements,
} from './_csi-containers';
import { softTopologySpread } from './_scheduling';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './_security';
import { resolveKubernetesMinor } from './_target';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, checkProps, PropError, resolveImage } from './_validation';
import { ComponentRbac } from './component-rbac';
import { labelObjects } from './_labels';
import type { EnumValue } from './_enum';
import { NamespaceRef, namespaceName } from './_subjects';
import type { ICsiDriverRef } from './_driver-ref';

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

/**
 * Capabilities that only a controller service can have: declaring one without CONTROLLER_SERVICE
 * would render a driver with no controller and none of the sidecars those capabilities call for.
 */
const CONTROLLER_ONLY_CAPABILITIES: readonly CsiCapability[] = [
  CsiCapability.CREATE_DELETE_VOLUME, CsiCapability.PUBLISH_UNPUBLISH_VOLUME, CsiCapability.CREATE_DELETE_SNAPSHOT,
  CsiCapability.EXPAND_VOLUME, CsiCapability.LIST_VOLUMES, CsiCapability.GET_VOLUME, CsiCapability.GET_CAPACITY,
];

/** The capability list as a set: every entry a CsiCapability, none twice, controller ones with their service. */
function checkCapabilities(scope: Construct, value: unknown): Set<CsiCapability> {
  const known = Object.values(CsiCapability) as string[];
  if (!Array.isArray(value)) {
    throw new PropError(scope, 'capabilities', value, 'is not a list', "list what the driver implements, e.g. ['CONTROLLER_SERVICE', 'CREATE_DELETE_VOLUME']");
  }
  value.forEach((c, i) => {
    if (!known.includes(c)) {
      throw new PropError(scope, `capabilities[${i}]`, c, 'is not a CSI capability', `use one of ${known.join(', ')}`);
    }
    if (value.indexOf(c) !== i) throw new PropError(scope, `capabilities[${i}]`, c, 'is listed twice', 'list each capability once');
  });
  const caps = new Set(value as CsiCapability[]);
  const controllerOnly = CONTROLLER_ONLY_CAPABILITIES.filter((c) => caps.has(c));
  if (controllerOnly.length > 0 && !caps.has(CsiCapability.CONTROLLER_SERVICE)) {
    throw new PropError(scope, 'capabilities', value,
      `declares controller capabilities (${controllerOnly.join(', ')}) without CONTROLLER_SERVICE, so no controller and none of their sidecars would run`,
      "add 'CONTROLLER_SERVICE' (CsiCapability.CONTROLLER_SERVICE) to 'capabilities'");
  }
  return caps;
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

const SIDECAR_PROP: Readonly<Record<ControllerSidecar, keyof CsiDriverProps>> = {
  [ControllerSidecar.PROVISIONER]: 'provisioner',
  [ControllerSidecar.ATTACHER]: 'attacher',
  [ControllerSidecar.SNAPSHOTTER]: 'snapshotter',
  [ControllerSidecar.RESIZER]: 'resizer',
  [ControllerSidecar.HEALTH_MONITOR]: 'healthMonitor',
};

/** Options of a sidecar, whatever its kind. */
type AnySidecarOptions = CsiProvisionerOptions & CsiSnapshotterOptions & CsiHealthMonitorOptions & CsiResizerOptions;

/**
 * A complete CSI driver deployment: the CSIDriver object, the controller workload with the sidecars
 * the driver's capabilities call for, the node DaemonSet with registrar and livenessprobe, and one
 * RBAC set per sidecar. Paths derive from one socket path, so controller, node, registrar and
 * kubelet can never disagree.
 */
export class CsiDriver extends Construct implements ICsiDriverRef {
  /** The CSIDriver object. */
  public readonly csiDriver: KubeCsiDriver;
  /** Controller workload (StatefulSet or Deployment); in SINGLE_POD mode the one StatefulSet. */
  public readonly controller?: KubeStatefulSet | KubeDeployment;
  /** PodDisruptionBudget of the controller Deployment (replicas > 1 and not turned off). */
  public readonly controllerDisruptionBudget?: KubePodDisruptionBudget;
  /** Node DaemonSet (SPLIT mode only). */
  public readonly nodeDaemonSet?: KubeDaemonSet;
  /** Controller sidecars that run, in render order. */
  public readonly sidecars: readonly ControllerSidecar[];
  /** Images rendered, by component. */
  public readonly images: Readonly<Partial<Record<Component, ImageRef>>>;
  /** The driver name. */
  public readonly driverName: string;
  /** What the driver declares it can do (StorageClass and VolumeSnapshotClass check against it). */
  public readonly capabilities: ReadonlySet<CsiCapability>;
  /** Namespace of the workloads. */
  public readonly namespace: string;
  /** In-container socket path. */
  public readonly socketPath: string;
  /** Host path of the socket, as given to kubelet. */
  public readonly kubeletRegistrationPath: string;

  constructor(scope: Construct, id: string, props: CsiDriverProps) {
    super(scope, id);
    checkProps(this, props);
    const minor = resolveKubernetesMinor(this, props.kubernetesVersion);
    const driverName = checkDnsSubdomain(this, 'driverName', props.driverName);
    const name = checkDnsLabel(this, 'name', props.name ?? driverName.replace(/\./g, '-'));
    // `<name>-controller` becomes a label value, which is capped at 63 characters.
    if (name.length > 63 - '-controller'.length) {
      throw new PropError(this, 'name', name, `is longer than ${63 - '-controller'.length} characters, too long for '<name>-controller' labels`,
        "set 'name' to a shorter base name, e.g. the vendor's short driver name");
    }
    const namespace = namespaceName(this, 'namespace', props.namespace ?? 'kube-system');
    const driverImage = checkVendorImage(this, 'driverImage', props.driverImage);
    const caps = checkCapabilities(this, props.capabilities);
    const mode = props.mode ?? CsiDeploymentMode.SPLIT;
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 1);
    const leaderElection = props.leaderElection ?? replicas > 1;
    const verbosity = checkInteger(this, 'logVerbosity', props.logVerbosity ?? 2, 0, 10);
    const httpEndpoints = props.httpEndpoints ?? true;
    const seLinuxPrivileged = props.seLinuxPrivilegedSidecars ?? false;
    this.driverName = driverName;
    this.capabilities = caps;
    this.namespace = namespace;

    if (replicas > 1 && !leaderElection) {
      throw new PropError(this, 'leaderElection', false, `with replicas ${replicas} lets every replica act at once (duplicate CSI calls)`,
        'turn leaderElection on (the default when replicas > 1) or set replicas to 1');
    }
    if (mode === CsiDeploymentMode.SINGLE_POD && replicas !== 1) {
      throw new PropError(this, 'replicas', replicas, 'is not 1 in SINGLE_POD mode, which pins controller and node plugin to one pod',
        'set replicas to 1 or use CsiDeploymentMode.SPLIT');
    }
    if (!caps.has(CsiCapability.CONTROLLER_SERVICE) && mode === CsiDeploymentMode.SINGLE_POD) {
      throw new PropError(this, 'capabilities', props.capabilities, 'lack CONTROLLER_SERVICE, which SINGLE_POD mode exists to co-locate',
        'use CsiDeploymentMode.SPLIT for a node-only driver');
    }

    const replicatedController = caps.has(CsiCapability.CONTROLLER_SERVICE) && mode === CsiDeploymentMode.SPLIT && replicas > 1;
    for (const prop of ['controllerTopologySpread', 'controllerPodDisruptionBudget'] as const) {
      if (props[prop] === true && !replicatedController) {
        const rendered = !caps.has(CsiCapability.CONTROLLER_SERVICE) ? 'no controller workload'
          : mode === CsiDeploymentMode.SPLIT ? 'a single-replica StatefulSet' : 'one SINGLE_POD StatefulSet';
        throw new PropError(this, prop, true, `applies to a replicated controller Deployment, but this driver renders ${rendered}`,
          `drop '${prop}', or set replicas above 1 in SPLIT mode`);
      }
    }

    // --- paths: one socket path, everything else derived from it
    const socketPath = this.checkSocketPath(props);
    const kubeletDir = this.checkAbsolute('kubeletDir', props.kubeletDir ?? CSI_PATHS.kubeletDir);
    const pluginDirName = props.pluginDirName ?? driverName;
    if (pluginDirName.includes('/') || pluginDirName.length === 0 || pluginDirName.startsWith('.')) {
      throw new PropError(this, 'pluginDirName', pluginDirName, 'is not a single directory name', `use a name such as '${driverName}'`);
    }
    const pluginsDir = path.posix.join(kubeletDir, CSI_PATHS.pluginsSubdir);
    const pluginDir = path.posix.join(pluginsDir, pluginDirName);
    const socketDir = path.posix.dirname(socketPath);
    this.socketPath = socketPath;
    this.kubeletRegistrationPath = path.posix.join(pluginDir, path.posix.basename(socketPath));

    // --- which sidecars run
    const hasControllerService = caps.has(CsiCapability.CONTROLLER_SERVICE);
    const wanted: ControllerSidecar[] = [];
    for (const spec of Object.values(CONTROLLER_SIDECARS)) {
      const prop = SIDECAR_PROP[spec.sidecar];
      const given = props[prop] !== undefined;
      const missing = spec.requires.filter((c) => !caps.has(c));
      const oneOfMissing = spec.requiresOneOf && !spec.requiresOneOf.some((c) => caps.has(c)) ? spec.requiresOneOf : [];
      const capable = missing.length === 0 && oneOfMissing.length === 0;
      // The health monitor is opt-in; the others follow the capabilities.
      const optIn = spec.sidecar === ControllerSidecar.HEALTH_MONITOR;
      if (given && !capable) {
        const lacking = [...missing, ...(oneOfMissing.length ? [oneOfMissing.join(' or ')] : [])].join(', ');
        throw new PropError(this, prop, props[prop],
          `asks for ${spec.containerName} but capabilities lack ${lacking} (${spec.requiresReason})`,
          `remove '${prop}', or add ${lacking} to 'capabilities' if the driver really implements it`);
      }
      if (capable && (!optIn || given)) wanted.push(spec.sidecar);
    }
    this.sidecars = wanted;

    // --- images
    const images: Partial<Record<Component, ImageRef>> = {};
    const sidecarOpts = (s: ControllerSidecar): AnySidecarOptions => (props[SIDECAR_PROP[s]] ?? {}) as AnySidecarOptions;
    const provisionerOpts = props.provisioner ?? {};
    const protection = provisionerOpts.preventVolumeModeConversion ?? true;
    for (const s of wanted) {
      const spec = CONTROLLER_SIDECARS[s];
      images[spec.component] = resolveImage(this, {
        component: spec.component, prop: `${SIDECAR_PROP[s]}.image`, override: sidecarOpts(s).image, kubernetesMinor: minor,
        protection: s === ControllerSidecar.PROVISIONER ? protection : undefined,
      });
    }
    images[Component.CSI_NODE_DRIVER_REGISTRAR] = resolveImage(this, {
      component: Component.CSI_NODE_DRIVER_REGISTRAR, prop: 'nodeDriverRegistrar.image', override: props.nodeDriverRegistrar?.image, kubernetesMinor: minor,
    });
    images[Component.LIVENESS_PROBE] = resolveImage(this, {
      component: Component.LIVENESS_PROBE, prop: 'livenessProbe.image', override: props.livenessProbe?.image, kubernetesMinor: minor,
    });
    this.images = images;

    const storageCapacity = provisionerOpts.storageCapacity ?? false;
    if (storageCapacity && !caps.has(CsiCapability.GET_CAPACITY)) {
      throw new PropError(this, 'provisioner.storageCapacity', true, 'needs the GET_CAPACITY capability (the provisioner publishes what GetCapacity returns)',
        "add CsiCapability.GET_CAPACITY to 'capabilities' or leave storageCapacity off");
    }
    if (storageCapacity && !wanted.includes(ControllerSidecar.PROVISIONER)) {
      throw new PropError(this, 'provisioner.storageCapacity', true, 'needs csi-provisioner, which this driver does not run', 'add CREATE_DELETE_VOLUME or leave storageCapacity off');
    }

    const labels = { 'app.kubernetes.io/part-of': name, ...(props.labels ?? {}) };
    const useStatefulSet = replicas === 1;

    // --- RBAC: one ServiceAccount per workload, one rule set per sidecar
    const controllerSa = mode === CsiDeploymentMode.SINGLE_POD ? name : `${name}-controller`;
    if (hasControllerService) {
      const saRbac = new ComponentRbac(this, 'ControllerServiceAccount', {
        namespace, serviceAccountName: controllerSa, clusterRoleName: controllerSa, clusterRules: [],
        roleName: controllerSa, namespacedRules: [], labels,
      });
      const rbacScope = new Construct(this, 'Rbac');
      for (const s of wanted) {
        const spec = CONTROLLER_SIDECARS[s];
        const tag = images[spec.component]!.tag;
        const set = rbacRuleSet(spec.component, tag);
        if (!set) {
          throw new PropError(this, `${SIDECAR_PROP[s]}.image.tag`, tag, `has no catalogued RBAC rules for ${spec.containerName}`,
            `pin a release the catalog covers, e.g. '${firstCatalogTag(spec.component)}'`);
        }
        const features: string[] = [];
        if (props.secretAccess) features.push(FEATURE_SECRETS);
        if (s === ControllerSidecar.PROVISIONER && storageCapacity) features.push(FEATURE_STORAGE_CAPACITY);
        const optCluster: RbacRule[] = features.flatMap((f) => set.optional[f]?.cluster ?? []);
        const optNamespaced: RbacRule[] = features.flatMap((f) => set.optional[f]?.namespaced ?? []);
        new ComponentRbac(rbacScope, spec.containerName, {
          namespace,
          serviceAccountName: saRbac.serviceAccountName,
          createServiceAccount: false,
          clusterRoleName: `${name}-${spec.rbacSuffix}`,
          clusterRules: [...set.cluster, ...optCluster],
          roleName: `${name}-${spec.rbacSuffix}`,
          // A single active replica never elects, so it gets no lease permissions.
          namespacedRules: [...(leaderElection ? set.namespaced : []), ...optNamespaced],
          labels,
          propPath: SIDECAR_PROP[s],
        });
      }
    }
    const nodeSa = `${name}-node`;
    if (mode === CsiDeploymentMode.SPLIT) {
      new ComponentRbac(this, 'NodeServiceAccount', {
        namespace, serviceAccountName: nodeSa, clusterRoleName: nodeSa, clusterRules: [], roleName: nodeSa, namespacedRules: [], labels,
      });
    }

    // --- CSIDriver
    const lifecycle = props.volumeLifecycleModes ?? [VolumeLifecycleMode.PERSISTENT];
    if (lifecycle.length === 0) {
      throw new PropError(this, 'volumeLifecycleModes', lifecycle, 'is empty', "list at least 'Persistent' or 'Ephemeral'");
    }
    this.csiDriver = new KubeCsiDriver(this, 'CSIDriver', {
      metadata: { name: driverName, labels },
      spec: {
        attachRequired: caps.has(CsiCapability.PUBLISH_UNPUBLISH_VOLUME),
        fsGroupPolicy: props.fsGroupPolicy ?? FsGroupPolicy.READ_WRITE_ONCE_WITH_FS_TYPE,
        podInfoOnMount: props.podInfoOnMount ?? false,
        requiresRepublish: props.requiresRepublish ?? false,
        storageCapacity,
        volumeLifecycleModes: [...new Set(lifecycle)].sort(),
        ...(props.seLinuxMount !== undefined ? { seLinuxMount: props.seLinuxMount } : {}),
      },
    });

    // --- containers
    const socketMount: VolumeMount = { name: 'socket-dir', mountPath: socketDir };
    const driverContainerName = checkDnsLabel(this, 'driverContainerName', props.driverContainerName ?? 'csi-driver');
    const renderedNames: string[] = [
      ...Object.values(CONTROLLER_SIDECARS).map((c) => c.containerName), NS.registrarContainerName, NS.livenessProbeContainerName,
    ];
    if (renderedNames.includes(driverContainerName)) {
      throw new PropError(this, 'driverContainerName', driverContainerName, 'collides with a sidecar container the construct renders',
        `choose a name other than ${renderedNames.join(', ')}, e.g. the driver's short name`);
    }
    const envProps = { driverEnv: props.driverEnv, controllerDriverEnv: props.controllerDriverEnv, nodeDriverEnv: props.nodeDriverEnv };
    const nonSecretEnvNames = this.checkNonSecretEnvNames(props.nonSecretEnvNames ?? [], envProps);
    const renderEnv = Object.fromEntries(Object.entries(envProps).map(([prop, env]) =>
      [prop, this.checkEnv(prop, env ?? {}, nonSecretEnvNames)])) as Record<keyof typeof envProps, Record<string, EnvVar>>;
    const driverEnvFor = (prop: 'controllerDriverEnv' | 'nodeDriverEnv'): EnvVar[] => {
      const merged = { ...renderEnv.driverEnv, ...renderEnv[prop] };
      return [
        { name: CSI_ENDPOINT_ENV, value: `unix://${socketPath}` }, nodeNameEnv(),
        ...Object.keys(merged).sort().map((k) => merged[k]),
      ];
    };
    if (mode === CsiDeploymentMode.SINGLE_POD) {
      for (const prop of ['controllerSecretMounts', 'controllerDriverEnv', 'nodePriorityClassName', 'nodeTolerations'] as const) {
        if (props[prop] !== undefined) {
          throw new PropError(this, prop, props[prop], 'has no separate controller or node workload to apply to in SINGLE_POD mode',
            "use 'driverEnv' / 'nodeHostPaths' / 'controllerPriorityClassName' for the single pod, or CsiDeploymentMode.SPLIT");
        }
      }
    }
    const controllerPriorityClassName = checkDnsSubdomain(this, 'controllerPriorityClassName',
      props.controllerPriorityClassName ?? CSI_SCHEDULING_DEFAULTS.controllerPriorityClassName);
    const nodePriorityClassName = checkDnsSubdomain(this, 'nodePriorityClassName',
      props.nodePriorityClassName ?? CSI_SCHEDULING_DEFAULTS.nodePriorityClassName);
    const nodeTolerations = this.checkTolerations(props.nodeTolerations ?? CSI_SCHEDULING_DEFAULTS.nodeTolerations);

    // Extra mounts share a pod with the rendered ones (secrets the controller's, host paths the
    // node plugin's): names and mount paths must not clash within that pod.
    const secretMounts = props.controllerSecretMounts ?? [];
    const nodeHostPaths = props.nodeHostPaths ?? [];
    const checkExtraMounts = (listProp: string, items: ReadonlyArray<{ name: string; mountPath: string }>, taken: Map<string, string>) => {
      const names = new Set<string>();
      items.forEach((m, i) => {
        const prop = `${listProp}[${i}]`;
        checkDnsLabel(this, `${prop}.name`, m.name);
        if (RESERVED_VOLUMES.includes(m.name)) {
          throw new PropError(this, `${prop}.name`, m.name, 'collides with a volume the construct renders', `choose a name other than ${RESERVED_VOLUMES.join(', ')}`);
        }
        if (names.has(m.name)) throw new PropError(this, `${prop}.name`, m.name, `is used twice in '${listProp}'`, 'give every extra volume its own name');
        names.add(m.name);
        this.checkAbsolute(`${prop}.mountPath`, m.mountPath);
        const holder = taken.get(m.mountPath);
        if (holder) throw new PropError(this, `${prop}.mountPath`, m.mountPath, `is already the mount path of ${holder}`, 'mount it at a directory of its own');
        taken.set(m.mountPath, `'${prop}'`);
      });
    };
    checkExtraMounts('controllerSecretMounts', secretMounts, new Map([[socketDir, 'the socket directory']]));
    secretMounts.forEach((m, i) => checkDnsSubdomain(this, `controllerSecretMounts[${i}].secretName`, m.secretName));
    checkExtraMounts('nodeHostPaths', nodeHostPaths, new Map([[socketDir, 'the socket directory'], [CSI_PATHS.devDir, 'the device directory']]));
    nodeHostPaths.forEach((h, i) => this.checkAbsolute(`nodeHostPaths[${i}].hostPath`, h.hostPath));

    const driverArgs = [...(props.driverArgs ?? [`--endpoint=$(${CSI_ENDPOINT_ENV})`, `--nodeid=$(${NODE_NAME_ENV})`])];
    const driverResources = toResourceRequirements(this, 'driverResources', props.driverResources, CSI_CONTAINER_REQUESTS.driver);
    const livenessPort = NS.livenessProbePort;
    /** The driver container; controller and node side differ only in env, privilege and mounts. */
    const driverContainer = (env: EnvVar[], securityContext: SecurityContext, volumeMounts: VolumeMount[]): Container => ({
      name: driverContainerName,
      image: driverImage,
      imagePullPolicy: 'IfNotPresent',
      args: driverArgs,
      env,
      ports: [{ name: NS.livenessProbePortName, containerPort: livenessPort, protocol: 'TCP' }],
      livenessProbe: { httpGet: { path: NS.healthPath, port: IntOrString.fromString(NS.livenessProbePortName) }, ...DRIVER_LIVENESS_PROBE },
      resources: driverResources,
      securityContext,
      volumeMounts: [socketMount, ...volumeMounts],
    });

    const nodePluginContainer = driverContainer(driverEnvFor('nodeDriverEnv'), nodePluginContext(), [
      { name: 'mountpoint-dir', mountPath: path.posix.join(kubeletDir, CSI_PATHS.podsSubdir), mountPropagation: 'Bidirectional' },
      { name: 'plugins-dir', mountPath: pluginsDir, mountPropagation: 'Bidirectional' },
      { name: 'dev-dir', mountPath: CSI_PATHS.devDir },
      ...nodeHostPaths.map((h) => ({ name: h.name, mountPath: h.mountPath })),
    ]);
    /** Registrar and livenessprobe: each its own flag set, both taking verbosity, socket and HTTP endpoint. */
    const nodeHelper = (h: {
      name: string; component: Component; prop: 'nodeDriverRegistrar' | 'livenessProbe'; httpPort: number;
      flags: typeof NODE_DRIVER_REGISTRAR_FLAGS | typeof LIVENESS_PROBE_FLAGS;
      extraFlags?: Record<string, string>; context: SecurityContext; extra?: Partial<Container>; mounts?: VolumeMount[];
    }): Container => ({
      name: h.name,
      image: imageString(images[h.component]!),
      imagePullPolicy: 'IfNotPresent',
      args: renderArgs({
        [h.flags.verbosity]: verbosity,
        [h.flags.csiAddress]: socketPath,
        [h.flags.httpEndpoint]: `:${h.httpPort}`,
        ...h.extraFlags,
      }),
      ...h.extra,
      resources: toResourceRequirements(this, `${h.prop}.resources`, props[h.prop]?.resources, CSI_CONTAINER_REQUESTS.sidecar),
      securityContext: h.context,
      volumeMounts: [socketMount, ...(h.mounts ?? [])],
    });
    const nodeSidecarContext = rootSidecarContext(seLinuxPrivileged);
    const registrar = nodeHelper({
      name: NS.registrarContainerName, component: Component.CSI_NODE_DRIVER_REGISTRAR, prop: 'nodeDriverRegistrar',
      flags: NODE_DRIVER_REGISTRAR_FLAGS, httpPort: NS.registrarHttpPort, context: nodeSidecarContext,
      extraFlags: { [NODE_DRIVER_REGISTRAR_FLAGS.kubeletRegistrationPath]: this.kubeletRegistrationPath },
      extra: {
        env: [nodeNameEnv()],
        ports: [{ name: NS.registrarPortName, containerPort: NS.registrarHttpPort, protocol: 'TCP' }],
        livenessProbe: { httpGet: { path: NS.healthPath, port: IntOrString.fromString(NS.registrarPortName) }, ...REGISTRAR_LIVENESS_PROBE },
      },
      mounts: [{ name: 'registration-dir', mountPath: CSI_PATHS.registrationMountPath }],
    });
    const livenessSidecar = (context: SecurityContext): Container => nodeHelper({
      name: NS.livenessProbeContainerName, component: Component.LIVENESS_PROBE, prop: 'livenessProbe',
      flags: LIVENESS_PROBE_FLAGS, httpPort: livenessPort, context,
    });

    const timings = props.leaderElectionTimings ?? {};
    const sidecarContainer = (s: ControllerSidecar, context: SecurityContext): Container =>
      this.sidecarContainer(CONTROLLER_SIDECARS[s], sidecarOpts(s), {
        image: images[CONTROLLER_SIDECARS[s].component]!, socketPath, socketMount, verbosity, leaderElection, httpEndpoints,
        timings, context, protection, storageCapacity, ownerLevel: useStatefulSet ? CAPACITY_OWNERREF_LEVEL.statefulSet : CAPACITY_OWNERREF_LEVEL.deployment,
      });

    const nodeVolumes: Volume[] = [
      { name: 'socket-dir', hostPath: { path: pluginDir, type: 'DirectoryOrCreate' } },
      { name: 'registration-dir', hostPath: { path: path.posix.join(kubeletDir, CSI_PATHS.registrationSubdir), type: 'Directory' } },
      { name: 'mountpoint-dir', hostPath: { path: path.posix.join(kubeletDir, CSI_PATHS.podsSubdir), type: 'DirectoryOrCreate' } },
      { name: 'plugins-dir', hostPath: { path: pluginsDir, type: 'Directory' } },
      { name: 'dev-dir', hostPath: { path: CSI_PATHS.devDir, type: 'Directory' } },
      ...nodeHostPaths.map((h) => ({ name: h.name, hostPath: { path: h.hostPath, type: h.type ?? 'DirectoryOrCreate' } })),
    ];

    if (mode === CsiDeploymentMode.SINGLE_POD) {
      const podLabels = { ...labels, 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'plugin' };
      const spec: PodSpec = {
        serviceAccountName: controllerSa,
        priorityClassName: controllerPriorityClassName,
        containers: [
          nodePluginContainer,
          ...wanted.map((s) => sidecarContainer(s, nodeSidecarContext)),
          registrar,
          livenessSidecar(nodeSidecarContext),
        ],
        volumes: nodeVolumes,
      };
      this.controller = new KubeStatefulSet(this, 'StatefulSet', {
        metadata: { name, namespace, labels: podLabels },
        spec: { serviceName: name, replicas: 1, selector: { matchLabels: podLabels }, template: { metadata: { labels: podLabels }, spec } },
      });
      return;
    }

    if (hasControllerService) {
      const runAsUser = checkInteger(this, 'controllerRunAsUser', props.controllerRunAsUser ?? CSI_CONTROLLER_RUN_AS_USER, 1);
      const ctrlLabels = { ...labels, 'app.kubernetes.io/name': `${name}-controller`, 'app.kubernetes.io/component': 'controller' };
      const restricted = restrictedContainerSecurityContext();
      const controllerDriver = driverContainer(driverEnvFor('controllerDriverEnv'), restricted,
        secretMounts.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: true })));
      const spec: PodSpec = {
        serviceAccountName: controllerSa,
        priorityClassName: controllerPriorityClassName,
        securityContext: restrictedPodSecurityContext(runAsUser),
        ...(replicatedController && (props.controllerTopologySpread ?? true) ? { topologySpreadConstraints: softTopologySpread(ctrlLabels) } : {}),
        containers: [
          controllerDriver,
          ...wanted.map((s) => sidecarContainer(s, restricted)),
          livenessSidecar(restricted),
        ],
        // The controller pod owns its socket; nothing on the host is touched.
        volumes: [
          { name: 'socket-dir', emptyDir: {} },
          ...secretMounts.map((m) => ({ name: m.name, secret: { secretName: m.secretName } })),
        ],
      };
      const template = { metadata: { labels: ctrlLabels }, spec };
      const metadata = { name: `${name}-controller`, namespace, labels: ctrlLabels };
      this.controller = useStatefulSet
        ? new KubeStatefulSet(this, 'Controller', {
          metadata, spec: { serviceName: `${name}-controller`, replicas: 1, selector: { matchLabels: ctrlLabels }, template },
        })
        : new KubeDeployment(this, 'Controller', { metadata, spec: { replicas, selector: { matchLabels: ctrlLabels }, template } });
      if (replicatedController && (props.controllerPodDisruptionBudget ?? true)) {
        this.controllerDisruptionBudget = new KubePodDisruptionBudget(this, 'ControllerDisruptionBudget', {
          metadata,
          spec: {
            minAvailable: IntOrString.fromNumber(1),
            // AlwaysAllow: evicting a Pod that is not Ready costs no availability; the default would
            // let two unready replicas block every node drain.
            unhealthyPodEvictionPolicy: 'AlwaysAllow',
            selector: { matchLabels: ctrlLabels },
          },
        });
      }
    }

    const nodeLabels = { ...labels, 'app.kubernetes.io/name': `${name}-node`, 'app.kubernetes.io/component': 'node' };
    this.nodeDaemonSet = new KubeDaemonSet(this, 'Node', {
      metadata: { name: `${name}-node`, namespace, labels: nodeLabels },
      spec: {
        selector: { matchLabels: nodeLabels },
        template: {
          metadata: { labels: nodeLabels },
          spec: {
            serviceAccountName: nodeSa,
            priorityClassName: nodePriorityClassName,
            ...(nodeTolerations.length ? { tolerations: nodeTolerations } : {}),
            containers: [nodePluginContainer, registrar, livenessSidecar(nodeSidecarContext)],
            volumes: nodeVolumes,
          },
        },
      },
    });
    // The driver is its own application: part-of names the driver, not this library.
    labelObjects(this, { name, component: 'csi-driver', partOf: labels['app.kubernetes.io/part-of'] });
  }

  /** Every name in nonSecretEnvNames must be set somewhere, so the list cannot go stale silently. */
  private checkNonSecretEnvNames(names: readonly string[], envProps: Readonly<Record<string, Readonly<Record<string, CsiEnvValue>> | undefined>>): Set<string> {
    const given = new Set(Object.values(envProps).flatMap((env) => Object.keys(env ?? {})));
    for (const n of names) {
      if (!given.has(n)) {
        throw new PropError(this, 'nonSecretEnvNames', n, 'names no variable of driverEnv, controllerDriverEnv or nodeDriverEnv',
          'list only env names you set and have checked hold no credential');
      }
    }
    return new Set(names);
  }

  /**
   * One env prop as EnvVars by name. Literal values must not be credentials (the same heuristic the
   * classes apply to their parameters); credentials come from a Secret key.
   */
  private checkEnv(prop: string, env: Readonly<Record<string, CsiEnvValue>>, nonSecret: ReadonlySet<string>): Record<string, EnvVar> {
    const out: Record<string, EnvVar> = {};
    for (const [name, value] of Object.entries(env)) {
      const at = `${prop}.${name}`;
      if (name === CSI_ENDPOINT_ENV || name === NODE_NAME_ENV) {
        throw new PropError(this, prop, name, 'is set by the construct (derived from socketPath / the node name)', `drop '${name}' from '${prop}'`);
      }
      const fromSecret = `set ${at}: { secretKeyRef: { name: '<secret>', key: '<key>' } } to read it from a Secret in the driver's namespace`;
      if (typeof value === 'string') {
        if (!nonSecret.has(name) && looksLikeCredentialKey(name)) {
          throw new PropError(this, at, '(value hidden)', 'looks like a credential, and a literal env value is readable by anyone who can read the workload',
            `${fromSecret}; if '${name}' holds no credential (a path, an ID), list it in nonSecretEnvNames`);
        }
        if (value.includes('-----BEGIN')) {
          throw new PropError(this, at, '(PEM block, hidden)', 'holds key or certificate material', `put it in a Secret and ${fromSecret}`);
        }
        out[name] = { name, value };
        continue;
      }
      const ref = (typeof value === 'object' && value !== null ? (value as Partial<CsiEnvFromSecret>).secretKeyRef : undefined) as Partial<CsiSecretKeyRef> | undefined;
      if (typeof ref !== 'object' || ref === null) {
        throw new PropError(this, at, value, 'is neither a string nor { secretKeyRef: { name, key } }', `write a literal string, or ${fromSecret}`);
      }
      checkDnsSubdomain(this, `${at}.secretKeyRef.name`, ref.name!);
      if (typeof ref.key !== 'string' || ref.key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(ref.key)) {
        throw new PropError(this, `${at}.secretKeyRef.key`, ref.key, 'is not a Secret data key',
          'use the key as it appears under the Secret\'s data: letters, digits, "-", "_" and "."');
      }
      out[name] = { name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } };
    }
    return out;
  }

  /** Tolerations the API server accepts: Exists takes no value, tolerationSeconds only with NoExecute. */
  private checkTolerations(tolerations: readonly CsiToleration[]): Toleration[] {
    return tolerations.map((t, i) => {
      const prop = `nodeTolerations[${i}]`;
      if (t.operator !== 'Exists' && t.operator !== 'Equal') {
        throw new PropError(this, `${prop}.operator`, t.operator, "is not 'Exists' or 'Equal'", "use 'Exists' (any value) or 'Equal' with a value");
      }
      if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') {
        throw new PropError(this, `${prop}.value`, t.value, "is set with operator 'Exists', which matches any value", "drop 'value' or use operator 'Equal'");
      }
      if (t.operator === 'Equal' && !t.key) {
        throw new PropError(this, `${prop}.key`, t.key, "is empty with operator 'Equal'", "name the taint key, or use operator 'Exists' to match every taint");
      }
      if (t.tolerationSeconds !== undefined) {
        if (t.effect !== 'NoExecute') {
          throw new PropError(this, `${prop}.tolerationSeconds`, t.tolerationSeconds, `only applies to effect 'NoExecute', not ${t.effect ?? 'every effect'}`,
            "set effect 'NoExecute' or drop tolerationSeconds");
        }
        checkInteger(this, `${prop}.tolerationSeconds`, t.tolerationSeconds, 0);
      }
      return {
        ...(t.key !== undefined ? { key: t.key } : {}), operator: t.operator, ...(t.value !== undefined ? { value: t.value } : {}),
        ...(t.effect !== undefined ? { effect: t.effect } : {}), ...(t.tolerationSeconds !== undefined ? { tolerationSeconds: t.tolerationSeconds } : {}),
      };
    });
  }

  private checkAbsolute(prop: string, value: string): string {
    if (typeof value !== 'string' || !path.posix.isAbsolute(value) || path.posix.normalize(value) !== value
      || (value.length > 1 && value.endsWith('/'))) {
      throw new PropError(this, prop, value, 'is not a normalised absolute path', `write it like '${CSI_PATHS.kubeletDir}' (no trailing slash, no '..')`);
    }
    return value;
  }

  private checkSocketPath(props: CsiDriverProps): string {
    const given: Array<[string, string]> = [];
    if (props.socketPath !== undefined) given.push(['socketPath', props.socketPath]);
    if (props.controller?.socketPath !== undefined) given.push(['controller.socketPath', props.controller.socketPath]);
    if (props.node?.socketPath !== undefined) given.push(['node.socketPath', props.node.socketPath]);
    const first = given[0];
    for (const [prop, value] of given.slice(1)) {
      if (value !== first[1]) {
        throw new PropError(this, prop, value, `differs from ${first[0]} '${first[1]}': controller and node would talk to different sockets`,
          `set the driver-level 'socketPath' once and drop '${prop}' (every container derives its path from it)`);
      }
    }
    const socketPath = this.checkAbsolute(first?.[0] ?? 'socketPath', first?.[1] ?? CSI_PATHS.socketPath);
    if (path.posix.dirname(socketPath) === '/') {
      throw new PropError(this, first?.[0] ?? 'socketPath', socketPath, 'sits in the root directory, which cannot be a shared volume mount',
        `put it in its own directory, e.g. '${CSI_PATHS.socketPath}'`);
    }
    return socketPath;
  }

  private sidecarContainer(spec: ControllerSidecarSpec, o: AnySidecarOptions, c: {
    image: ImageRef; socketPath: string; socketMount: VolumeMount; verbosity: number; leaderElection: boolean;
    httpEndpoints: boolean; timings: CsiLeaderElectionTimings; context: SecurityContext;
    protection: boolean; storageCapacity: boolean; ownerLevel: number;
  }): Container {
    const prop = SIDECAR_PROP[spec.sidecar];
    const flags: Record<string, string | number | boolean> = {
      [F.verbosity]: c.verbosity,
      [F.csiAddress]: c.socketPath,
    };
    if (c.leaderElection) {
      flags[F.leaderElection] = true;
      if (c.timings.leaseDuration) flags[F.leaderElectionLeaseDuration] = checkDuration(this, 'leaderElectionTimings.leaseDuration', c.timings.leaseDuration);
      if (c.timings.renewDeadline) flags[F.leaderElectionRenewDeadline] = checkDuration(this, 'leaderElectionTimings.renewDeadline', c.timings.renewDeadline);
      if (c.timings.retryPeriod) flags[F.leaderElectionRetryPeriod] = checkDuration(this, 'leaderElectionTimings.retryPeriod', c.timings.retryPeriod);
    }
    if (c.httpEndpoints) flags[F.httpEndpoint] = `:${spec.httpPort}`;
    if (o.timeout !== undefined) flags[F.timeout] = checkDuration(this, `${prop}.timeout`, o.timeout);
    if (o.workers !== undefined) flags[spec.workersFlag] = checkInteger(this, `${prop}.workers`, o.workers, 1);
    const gates = renderFeatureGates(checkComponentGates(this, `${prop}.featureGates`, spec.component, c.image.tag, o.featureGates));
    if (gates) flags[F.featureGates] = gates;
    if (spec.sidecar === ControllerSidecar.RESIZER) {
      for (const [key, { flag, since }] of Object.entries(RESIZER_FLAGS)) {
        const value = (o as CsiResizerOptions)[key as keyof typeof RESIZER_FLAGS];
        if (value === undefined) continue;
        if (compareTags(c.image.tag, since) < 0) {
          throw new PropError(this, `resizer.${key}`, value, `needs csi-resizer ${since} or newer (${flag}); the image is ${c.image.tag}`,
            `drop resizer.${key}, or target Kubernetes 1.34+ where the catalog pins csi-resizer ${since} or newer`);
        }
        flags[flag] = checkDuration(this, `resizer.${key}`, value);
      }
    }
    if (spec.extraMetadataFlag && o.extraCreateMetadata) flags[spec.extraMetadataFlag] = true;
    const env: EnvVar[] = [];
    if (spec.sidecar === ControllerSidecar.PROVISIONER) {
      // Always explicit, so a reviewer (and the admission policy) sees it without knowing defaults.
      flags[PREVENT_VOLUME_MODE_CONVERSION_FLAG] = c.protection;
      if (o.defaultFsType !== undefined) {
        if (typeof o.defaultFsType !== 'string' || !/^[a-z0-9]+$/.test(o.defaultFsType)) {
          throw new PropError(this, 'provisioner.defaultFsType', o.defaultFsType, 'is not a filesystem type name', "write it like 'ext4' or 'xfs'");
        }
        flags[PROVISIONER_FLAGS.defaultFstype] = o.defaultFsType;
      }
      if (c.storageCapacity) {
        flags[PROVISIONER_FLAGS.enableCapacity] = true;
        flags[PROVISIONER_FLAGS.capacityOwnerrefLevel] = c.ownerLevel;
        env.push(
          { name: CAPACITY_OWNER_ENV.namespace, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
          { name: CAPACITY_OWNER_ENV.podName, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
        );
      }
    }
    if (spec.sidecar === ControllerSidecar.HEALTH_MONITOR) {
      if (o.enableNodeWatcher) flags[HEALTH_MONITOR_FLAGS.enableNodeWatcher] = true;
      if (o.monitorInterval) flags[HEALTH_MONITOR_FLAGS.monitorInterval] = checkDuration(this, 'healthMonitor.monitorInterval', o.monitorInterval);
      if (o.listVolumesInterval) flags[HEALTH_MONITOR_FLAGS.listVolumesInterval] = checkDuration(this, 'healthMonitor.listVolumesInterval', o.listVolumesInterval);
    }
    const ports: ContainerPort[] = c.httpEndpoints ? [{ name: spec.portName, containerPort: spec.httpPort, protocol: 'TCP' }] : [];
    // /healthz/leader-election only exists when leader election runs.
    const livenessProbe: Probe | undefined = c.httpEndpoints && c.leaderElection
      ? { httpGet: { path: LEADER_ELECTION_HEALTH_PATH, port: IntOrString.fromString(spec.portName) }, ...SIDECAR_LIVENESS_PROBE }
      : undefined;
    return {
      name: spec.containerName,
      image: imageString(c.image),
      imagePullPolicy: 'IfNotPresent',
      args: renderArgs(flags),
      ...(env.length ? { env } : {}),
      ...(ports.length ? { ports } : {}),
      ...(livenessProbe ? { livenessProbe } : {}),
      resources: toResourceRequirements(this, `${prop}.resources`, o.resources, CSI_CONTAINER_REQUESTS.sidecar),
      securityContext: c.context,
      volumeMounts: [c.socketMount],
    };
  }
}

const RESERVED_VOLUMES = ['socket-dir', 'registration-dir', 'mountpoint-dir', 'plugins-dir', 'dev-dir'];

function firstCatalogTag(component: Component): string {
  return COMPONENT_RELEASES[component][0].tag;
}
