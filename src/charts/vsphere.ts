import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { CsiCapability, inTreePlugin } from '../catalog';
import { KUBERNETES_VERSION_CONTEXT, resolveKubernetesMinor } from '../constructs/common/_target';
import { checkDnsLabel, checkDnsSubdomain, checkProps, PropError } from '../constructs/common/_validation';
import { CsiContainerResources, CsiDriver, CsiDriverProps, FsGroupPolicy } from '../constructs/csi-driver/csi-driver';
import { ReclaimPolicy, StorageClass, VolumeBindingMode } from '../constructs/classes/storage-class';
import { DeletionPolicy, VolumeSnapshotClass } from '../constructs/classes/volume-snapshot-class';
import { labelObjects } from '../constructs/common/_labels';

/**
 * The vSphere CSI pieces this project renders (SCENARIOS §5). The driver name comes from the
 * catalog's in-tree migration table; class names follow the OpenShift convention (`thin-csi`).
 */
export const VSPHERE = {
  driverName: inTreePlugin('kubernetes.io/vsphere-volume')!.csiDriver!,
  name: 'vsphere-csi',
  namespace: 'vmware-system-csi',
  storageClassName: 'thin-csi',
  snapshotClassName: 'csi-vsphere-vsc',
  /** StorageClass parameter naming the vCenter storage policy. */
  storagePolicyParameter: 'storagepolicyname',
  /** The driver reads its vCenter connection from this file, mounted from a Secret. */
  configMountPath: '/etc/cloud',
  configFileEnv: 'VSPHERE_CSI_CONFIG',
  configFileName: 'csi-vsphere.conf',
  /** Secret holding `configFileName`, and the volume it is mounted through. */
  configSecretName: 'vsphere-config-secret',
  configVolumeName: 'vsphere-config',
  /** The same image serves both roles; this env var tells it which one. */
  modeEnv: 'X_CSI_MODE',
  /** What the vSphere block driver implements (controller + node). */
  capabilities: [
    CsiCapability.CONTROLLER_SERVICE, CsiCapability.CREATE_DELETE_VOLUME, CsiCapability.PUBLISH_UNPUBLISH_VOLUME,
    CsiCapability.EXPAND_VOLUME, CsiCapability.CREATE_DELETE_SNAPSHOT, CsiCapability.LIST_VOLUMES,
    CsiCapability.VOLUME_ACCESSIBILITY_CONSTRAINTS,
  ] as readonly CsiCapability[],
} as const;

/** Props of {@link VsphereCsiStack}. */
export interface VsphereCsiStackProps {
  /** The vendor's driver image, pinned (`<registry>/<repo>:<tag>` or digest). */
  readonly driverImage: string;
  /** Secret (in `namespace`) holding `csi-vsphere.conf`; referenced, never inlined. @default 'vsphere-config-secret' */
  readonly configSecretName?: string;
  /** Namespace of the driver. @default 'vmware-system-csi' */
  readonly namespace?: string;
  /** Target Kubernetes release. @default - the chart context, else the newest supported minor */
  readonly kubernetesVersion?: string;
  /** Controller replicas (leader election is on when > 1). @default 2 */
  readonly replicas?: number;
  /** vCenter storage policy of `thin-csi` volumes. @default - the datastore default policy */
  readonly storagePolicyName?: string;
  /**
   * Make `thin-csi` the cluster default StorageClass. Leave it off while the in-tree `thin` class
   * is still the default; at most one default per app is enforced at synth.
   * @default false
   */
  readonly defaultStorageClass?: boolean;
  /** Make the VolumeSnapshotClass the driver's default. @default true */
  readonly defaultSnapshotClass?: boolean;
  /** Driver container resources. @default - requests 10m CPU / 64Mi memory */
  readonly driverResources?: CsiContainerResources;
  /** Further CsiDriver overrides. @default - none */
  readonly driver?: Partial<Omit<CsiDriverProps, 'driverName' | 'driverImage' | 'capabilities' | 'namespace' | 'kubernetesVersion'>>;
}

/**
 * vSphere CSI: the driver with its sidecar set (provisioner, attacher, resizer, snapshotter), the
 * `thin-csi` StorageClass (WaitForFirstConsumer: the driver is topology-aware) and a
 * VolumeSnapshotClass. The vendor image and its connection Secret are props.
 */
export class VsphereCsiStack extends Construct {
  /** The driver deployment. */
  public readonly driver: CsiDriver;
  /** The `thin-csi` StorageClass. */
  public readonly storageClass: StorageClass;
  /** The VolumeSnapshotClass. */
  public readonly snapshotClass: VolumeSnapshotClass;

  constructor(scope: Construct, id: string, props: VsphereCsiStackProps) {
    super(scope, id);
    checkProps(this, props, 'VsphereCsiStackProps');
    if (props.driverImage === undefined) {
      throw new PropError(this, 'driverImage', undefined, 'is required (the vendor ships the vSphere CSI image)',
        "pass the pinned image your vSphere CSI release documents, e.g. '<registry>/vsphere-csi-driver/driver:<tag>'");
    }
    const namespace = checkDnsLabel(this, 'namespace', props.namespace ?? VSPHERE.namespace);
    const configSecretName = checkDnsSubdomain(this, 'configSecretName', props.configSecretName ?? VSPHERE.configSecretName);
    this.driver = new CsiDriver(this, 'Driver', {
      name: VSPHERE.name,
      replicas: props.replicas ?? 2,
      podInfoOnMount: false,
      fsGroupPolicy: FsGroupPolicy.READ_WRITE_ONCE_WITH_FS_TYPE,
      driverResources: props.driverResources,
      controllerDriverEnv: {
        [VSPHERE.modeEnv]: 'controller',
        [VSPHERE.configFileEnv]: `${VSPHERE.configMountPath}/${VSPHERE.configFileName}`,
      },
      nodeDriverEnv: { [VSPHERE.modeEnv]: 'node' },
      controllerSecretMounts: [{ name: VSPHERE.configVolumeName, secretName: configSecretName, mountPath: VSPHERE.configMountPath }],
      ...props.driver,
      driverName: VSPHERE.driverName,
      driverImage: props.driverImage,
      capabilities: VSPHERE.capabilities,
      namespace,
      kubernetesVersion: props.kubernetesVersion,
    });
    this.storageClass = new StorageClass(this, 'ThinCsi', {
      name: VSPHERE.storageClassName,
      provisioner: this.driver,
      reclaimPolicy: ReclaimPolicy.DELETE,
      topologyAware: true,
      volumeBindingMode: VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER,
      allowVolumeExpansion: true,
      isDefault: props.defaultStorageClass ?? false,
      ...(props.storagePolicyName !== undefined ? { parameters: { [VSPHERE.storagePolicyParameter]: props.storagePolicyName } } : {}),
    });
    this.snapshotClass = new VolumeSnapshotClass(this, 'SnapshotClass', {
      name: VSPHERE.snapshotClassName,
      driver: this.driver,
      deletionPolicy: DeletionPolicy.DELETE,
      isDefault: props.defaultSnapshotClass ?? true,
    });
    labelObjects(this, { name: VSPHERE.name, component: 'csi-driver', partOf: VSPHERE.name });
  }
}

/** Props of {@link VsphereCsiChart}. */
export interface VsphereCsiChartProps extends Omit<ChartProps, 'namespace'>, VsphereCsiStackProps {}

/** A chart holding the {@link VsphereCsiStack}. */
export class VsphereCsiChart extends Chart {
  /** The stack. */
  public readonly stack: VsphereCsiStack;

  constructor(scope: Construct, id: string, props: VsphereCsiChartProps) {
    super(scope, id, { labels: props?.labels, disableResourceNameHashes: props?.disableResourceNameHashes });
    checkProps(this, props, 'VsphereCsiChartProps');
    if (props.kubernetesVersion !== undefined) this.node.setContext(KUBERNETES_VERSION_CONTEXT, props.kubernetesVersion);
    resolveKubernetesMinor(this, props.kubernetesVersion);
    this.stack = new VsphereCsiStack(this, 'Vsphere', props);
  }
}
