import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { Component, CsiCapability, formatKubernetesMinor, ImageRef, imageString, SNAPSHOT_STACK_KUBERNETES } from '../catalog';
import { KUBERNETES_VERSION_CONTEXT, resolveKubernetesMinor } from '../constructs/_target';
import { checkDnsLabel, resolveImage } from '../constructs/_validation';
import {
  CsiDeploymentMode, CsiDriver, CsiDriverProps, FsGroupPolicy, VolumeLifecycleMode,
} from '../constructs/csi-driver';
import { ReclaimPolicy, StorageClass, VolumeBindingMode } from '../constructs/storage-class';
import { DeletionPolicy, VolumeSnapshotClass } from '../constructs/volume-snapshot-class';

/**
 * What csi-driver-host-path v1.18.0 is and how its kubernetes-1.34 deployment lays it out
 * (FACTS §i; ../shared/reference/upstream/csi-driver-host-path-v1.18.0).
 */
export const HOSTPATH = {
  driverName: 'hostpath.csi.k8s.io',
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
  /** Namespace of the plugin. @default 'default' (as upstream deploys it) */
  readonly namespace?: string;
  /** Target Kubernetes release. @default - the chart context, else '1.36' */
  readonly kubernetesVersion?: string;
  /** hostpathplugin image override. @default - the catalog's pinned release */
  readonly driverImage?: Partial<ImageRef>;
  /** Run the health monitor (hostpath reports VOLUME_CONDITION). @default true, as upstream */
  readonly healthMonitor?: boolean;
  /** Render the example StorageClass `csi-hostpath-sc`. @default true */
  readonly storageClass?: boolean;
  /** Mark the VolumeSnapshotClass as the driver's default. @default false, as upstream */
  readonly defaultSnapshotClass?: boolean;
  /** Further CsiDriver overrides (resources, verbosity, ...). @default - none */
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
  /** The VolumeSnapshotClass `csi-hostpath-snapclass`. */
  public readonly snapshotClass: VolumeSnapshotClass;
  /** The StorageClass `csi-hostpath-sc`, unless turned off. */
  public readonly storageClass?: StorageClass;

  constructor(scope: Construct, id: string, props: HostpathStackProps = {}) {
    super(scope, id);
    const minor = resolveKubernetesMinor(this, props.kubernetesVersion);
    const image = resolveImage(this, {
      component: Component.HOSTPATH_PLUGIN, prop: 'driverImage', override: props.driverImage, kubernetesMinor: minor,
    });
    const namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'default');
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
        `--drivername=${HOSTPATH.driverName}`, `--v=${HOSTPATH.logVerbosity}`, '--endpoint=$(CSI_ENDPOINT)', '--nodeid=$(KUBE_NODE_NAME)',
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
    this.snapshotClass = new VolumeSnapshotClass(this, 'SnapshotClass', {
      name: HOSTPATH.snapshotClassName,
      driver: HOSTPATH.driverName,
      deletionPolicy: DeletionPolicy.DELETE,
      isDefault: props.defaultSnapshotClass ?? false,
    });
    if (props.storageClass ?? true) {
      this.storageClass = new StorageClass(this, 'StorageClass', {
        name: HOSTPATH.storageClassName,
        provisioner: HOSTPATH.driverName,
        reclaimPolicy: ReclaimPolicy.DELETE,
        volumeBindingMode: VolumeBindingMode.IMMEDIATE,
        allowVolumeExpansion: true,
      });
    }
  }
}

/** Props of {@link HostpathDriverChart}. */
export interface HostpathDriverChartProps extends Omit<ChartProps, 'namespace'>, HostpathStackProps {}

/** A chart holding the {@link HostpathStack}; set `kubernetesVersion` to target an older cluster. */
export class HostpathDriverChart extends Chart {
  /** The stack. */
  public readonly stack: HostpathStack;

  constructor(scope: Construct, id: string, props: HostpathDriverChartProps = {}) {
    super(scope, id, { labels: props.labels, disableResourceNameHashes: props.disableResourceNameHashes });
    if (props.kubernetesVersion !== undefined) this.node.setContext(KUBERNETES_VERSION_CONTEXT, props.kubernetesVersion);
    resolveKubernetesMinor(this, props.kubernetesVersion ?? formatKubernetesMinor(SNAPSHOT_STACK_KUBERNETES.default));
    this.stack = new HostpathStack(this, 'Hostpath', props);
  }
}
