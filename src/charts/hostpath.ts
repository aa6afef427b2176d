import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Component, CSI_ENDPOINT_ENV, CsiCapability, formatKubernetesMinor, ImageRef, imageString, NODE_NAME_ENV, SNAPSHOT_STACK_KUBERNETES,
} from '../catalog';
import { BUILT_IN_NAMESPACES, POD_SECURITY_LABELS, PodSecurityLevel } from '../catalog/pod-security';
import { KUBERNETES_VERSION_CONTEXT, resolveKubernetesMinor } from '../constructs/common/_target';
import { checkDnsLabel, checkProps, PropError, resolveImage } from '../constructs/common/_validation';
import {
  CsiDeploymentMode, CsiDriver, CsiDriverProps, FsGroupPolicy, VolumeLifecycleMode,
} from '../constructs/csi-driver/csi-driver';
import { ReclaimPolicy, StorageClass, VolumeBindingMode } from '../constructs/classes/storage-class';
import { DeletionPolicy, VolumeSnapshotClass } from '../constructs/classes/volume-snapshot-class';
import { KubeNamespace } from '../imports/k8s';
import { labelObjects } from '../constructs/common/_labels';

/**
 * What csi-driver-host-path v1.18.0 is and how its kubernetes-1.34 deployment lays it out
 * (FACTS §i; ../shared/reference/upstream/csi-driver-host-path-v1.18.0).
 */
export const HOSTPATH = {
  driverName: 'hostpath.csi.k8s.io',
  /** Namespace this project renders the plugin into (upstream uses `default`). */
  namespace: 'csi-hostpath',
  /** Workload, ServiceAccount and RBAC base name upstream uses. */
  name: 'csi-hostpathplugin',
  containerName: 'hostpath',
  /** Socket directory name under <kubelet>/plugins. */
  pluginDirName: 'csi-hostpath',
  /** Where volumes' data lives on the node. */
  dataDir: '/var/lib/csi-hostpath-data',
  dataMountPath: '/csi-data-dir',
  storageClassName: 'csi-hostpath-sc',
  snapshotClassName: 'csi-hostpath-snapclass',
  logVerbosity: 5,
  /** Flags of the hostpathplugin binary itself (not a sidecar's, so not in the sidecar catalog). */
  flags: { driverName: '--drivername', verbosity: '--v', endpoint: '--endpoint', nodeId: '--nodeid' },
  /** What the hostpath driver implements (it answers all of these). */
  capabilities: [
    CsiCapability.CONTROLLER_SERVICE, CsiCapability.CREATE_DELETE_VOLUME, CsiCapability.PUBLISH_UNPUBLISH_VOLUME,
    CsiCapability.CREATE_DELETE_SNAPSHOT, CsiCapability.EXPAND_VOLUME, CsiCapability.VOLUME_CONDITION,
    CsiCapability.LIST_VOLUMES, CsiCapability.GET_VOLUME, CsiCapability.GET_CAPACITY,
    CsiCapability.VOLUME_ACCESSIBILITY_CONSTRAINTS,
  ] as readonly CsiCapability[],
} as const;

/** Props of {@link HostpathStack}. */
export interface HostpathStackProps {
  /**
   * Namespace of the plugin: every namespaced object, RBAC subject and the Namespace object
   * follow from it. @default 'csi-hostpath' (upstream deploys into `default`)
   */
  readonly namespace?: string;
  /**
   * Render the Namespace, labelled to enforce Pod Security "privileged" (the plugin container is
   * privileged). Turn off to deploy into a namespace that exists and is labelled already; the
   * built-in namespaces (default, kube-system, ...) are never created, so they need this off.
   * @default true
   */
  readonly createNamespace?: boolean;
  /** Target Kubernetes release. @default - the chart context, else the newest supported minor */
  readonly kubernetesVersion?: string;
  /** hostpathplugin image override. @default - the catalog's pinned release */
  readonly driverImage?: Partial<ImageRef>;
  /** Run the health monitor (hostpath reports VOLUME_CONDITION). @default true, as upstream */
  readonly healthMonitor?: boolean;
  /** Render the example StorageClass `csi-hostpath-sc`. @default true */
  readonly storageClass?: boolean;
  /** Mark the VolumeSnapshotClass as the driver's default. @default false, as upstream */
  readonly defaultSnapshotClass?: boolean;
  /**
   * Further CsiDriver overrides (resources, verbosity, ...), applied over the preset's values one
   * prop at a time: an override of `provisioner` replaces the preset's (which turns on the
   * Topology gate), so repeat `featureGates: { Topology: true }` there. @default - none
   */
  readonly driver?: Partial<Omit<CsiDriverProps, 'driverName' | 'driverImage' | 'capabilities' | 'namespace' | 'kubernetesVersion'>>;
}

/**
 * The csi-driver-host-path stack: CSIDriver, the single-pod plugin StatefulSet with every sidecar,
 * per-sidecar RBAC, the VolumeSnapshotClass and (optionally) the example StorageClass. For
 * single-node test clusters (kind, minikube), like upstream.
 */
export class HostpathStack extends Construct {
  /** The driver deployment. */
  public readonly driver: CsiDriver;
  /** Namespace of the plugin. */
  public readonly namespace: string;
  /** The Namespace object, unless `createNamespace` is off. */
  public readonly namespaceObject?: KubeNamespace;
  /** The VolumeSnapshotClass `csi-hostpath-snapclass`. */
  public readonly snapshotClass: VolumeSnapshotClass;
  /** The StorageClass `csi-hostpath-sc`, unless turned off. */
  public readonly storageClass?: StorageClass;

  constructor(scope: Construct, id: string, props: HostpathStackProps = {}) {
    super(scope, id);
    checkProps(this, props, 'HostpathStackProps');
    const minor = resolveKubernetesMinor(this, props.kubernetesVersion);
    const image = resolveImage(this, {
      component: Component.HOSTPATH_PLUGIN, prop: 'driverImage', override: props.driverImage, kubernetesMinor: minor,
    });
    const namespace = checkDnsLabel(this, 'namespace', props.namespace ?? HOSTPATH.namespace);
    this.namespace = namespace;
    if (props.createNamespace ?? true) {
      if (BUILT_IN_NAMESPACES.includes(namespace)) {
        throw new PropError(this, 'namespace', namespace, 'is a built-in namespace, which this stack would relabel to enforce Pod Security "privileged"',
          `set 'createNamespace: false' to deploy into it as it is, or keep the default '${HOSTPATH.namespace}'`);
      }
      // The plugin container is privileged (Bidirectional mount propagation, host /dev), which only
      // the "privileged" level admits; the namespace holds nothing but the plugin.
      this.namespaceObject = new KubeNamespace(this, 'Namespace', {
        metadata: {
          name: namespace,
          labels: {
            [POD_SECURITY_LABELS.enforce]: PodSecurityLevel.PRIVILEGED,
            [POD_SECURITY_LABELS.enforceVersion]: 'latest',
          },
        },
      });
    }
    this.driver = new CsiDriver(this, 'Driver', {
      name: HOSTPATH.name,
      driverContainerName: HOSTPATH.containerName,
      pluginDirName: HOSTPATH.pluginDirName,
      mode: CsiDeploymentMode.SINGLE_POD,
      logVerbosity: HOSTPATH.logVerbosity,
      podInfoOnMount: true,
      fsGroupPolicy: FsGroupPolicy.FILE,
      volumeLifecycleModes: [VolumeLifecycleMode.PERSISTENT, VolumeLifecycleMode.EPHEMERAL],
      driverArgs: [
        `${HOSTPATH.flags.driverName}=${HOSTPATH.driverName}`, `${HOSTPATH.flags.verbosity}=${HOSTPATH.logVerbosity}`,
        `${HOSTPATH.flags.endpoint}=$(${CSI_ENDPOINT_ENV})`, `${HOSTPATH.flags.nodeId}=$(${NODE_NAME_ENV})`,
      ],
      nodeHostPaths: [{ name: 'csi-data-dir', hostPath: HOSTPATH.dataDir, mountPath: HOSTPATH.dataMountPath, type: 'DirectoryOrCreate' }],
      provisioner: { featureGates: { Topology: true } },
      ...(props.healthMonitor ?? true ? { healthMonitor: {} } : {}),
      ...props.driver,
      driverName: HOSTPATH.driverName,
      driverImage: imageString(image),
      capabilities: HOSTPATH.capabilities,
      namespace,
      kubernetesVersion: props.kubernetesVersion,
    });
    // Apply order: the namespace exists before anything is created in it.
    if (this.namespaceObject) this.driver.node.addDependency(this.namespaceObject);
    this.snapshotClass = new VolumeSnapshotClass(this, 'SnapshotClass', {
      name: HOSTPATH.snapshotClassName,
      driver: this.driver,
      deletionPolicy: DeletionPolicy.DELETE,
      isDefault: props.defaultSnapshotClass ?? false,
    });
    if (props.storageClass ?? true) {
      this.storageClass = new StorageClass(this, 'StorageClass', {
        name: HOSTPATH.storageClassName,
        provisioner: this.driver,
        reclaimPolicy: ReclaimPolicy.DELETE,
        volumeBindingMode: VolumeBindingMode.IMMEDIATE,
        allowVolumeExpansion: true,
      });
    }
    labelObjects(this, { name: HOSTPATH.name, component: 'csi-driver', partOf: HOSTPATH.name });
  }
}

/** Props of {@link HostpathDriverChart}. */
export interface HostpathDriverChartProps extends Omit<ChartProps, 'namespace'>, HostpathStackProps {}

/** A chart holding the {@link HostpathStack}; set `kubernetesVersion` to target an older cluster. */
export class HostpathDriverChart extends Chart {
  /** The stack. */
  public readonly stack: HostpathStack;

  constructor(scope: Construct, id: string, props: HostpathDriverChartProps = {}) {
    super(scope, id, { labels: props?.labels, disableResourceNameHashes: props?.disableResourceNameHashes });
    checkProps(this, props, 'HostpathDriverChartProps');
    if (props.kubernetesVersion !== undefined) this.node.setContext(KUBERNETES_VERSION_CONTEXT, props.kubernetesVersion);
    resolveKubernetesMinor(this, props.kubernetesVersion ?? formatKubernetesMinor(SNAPSHOT_STACK_KUBERNETES.default));
    this.stack = new HostpathStack(this, 'Hostpath', props);
  }
}
