import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeNamespace } from '../imports/k8s';
import { KUBERNETES_VERSION_CONTEXT, resolveKubernetesMinor } from '../constructs/common/_target';
import { checkDnsLabel, checkProps, PropError } from '../constructs/common/_validation';
import { RestoredClaim } from '../constructs/classes/restored-claim';
import { PersistentVolumeMode, SourceClaim } from '../constructs/classes/source-claim';
import { VolumeSnapshot } from '../constructs/classes/volume-snapshot';
import { IStorageClass, StorageClass } from '../constructs/classes/storage-class';
import { IVolumeSnapshotClass, VolumeSnapshotClass } from '../constructs/classes/volume-snapshot-class';
import { HOSTPATH, HostpathStack } from './hostpath';
import { labelObjects } from '../constructs/common/_labels';

/** Names of the objects in the worked example (those of SCENARIOS §1 and the hostpath examples). */
export const FIELD_REPORT = {
  namespace: 'volume-mode-demo',
  /** The field report ran on Kubernetes 1.30 (minikube). */
  kubernetesVersion: '1.30',
  sourceClaim: 'csi-pvc',
  snapshot: 'new-snapshot-demo',
  restore: 'hpvc-restore',
  blockRestore: 'raw-pvc-restore',
  size: '1Gi',
} as const;

/** Props of {@link FieldReportChart}. */
export interface FieldReportChartProps extends Omit<ChartProps, 'namespace'> {
  /** Target Kubernetes release. @default '1.30' (the field report's cluster) */
  readonly kubernetesVersion?: string;
  /** Namespace of the claims and the snapshot. @default 'volume-mode-demo' */
  readonly namespace?: string;
  /**
   * Also render the Block restore of the Filesystem snapshot, marked as a deliberate conversion.
   * Even then csi-provisioner keeps it Pending until an approver annotates the
   * VolumeSnapshotContent with `snapshot.storage.kubernetes.io/allow-volume-mode-change: "true"`.
   * Without it the Block restore is refused at synth and therefore not rendered.
   * @default false
   */
  readonly allowModeChange?: boolean;
  /**
   * Render the hostpath driver stack in this chart. Turn off when the app already renders it
   * (e.g. a HostpathDriverChart): the claims then reference `csi-hostpath-sc` and
   * `csi-hostpath-snapclass` by name.
   * @default true
   */
  readonly includeDriver?: boolean;
  /**
   * Namespace of the hostpath driver (with `includeDriver`): its Namespace object, workloads and
   * RBAC subjects all follow from it. @default 'csi-hostpath' (HostpathStack's default)
   */
  readonly driverNamespace?: string;
}

/**
 * The worked example of SCENARIOS §1: the hostpath driver, a Filesystem claim, a snapshot of it,
 * a matching Filesystem restore, and (only behind `allowModeChange`) the Block restore that the
 * protection exists to refuse.
 */
export class FieldReportChart extends Chart {
  /** The hostpath driver stack, unless `includeDriver` is off. */
  public readonly hostpath?: HostpathStack;
  /** The Filesystem claim that gets snapshotted. */
  public readonly source: SourceClaim;
  /** Its snapshot. */
  public readonly snapshot: VolumeSnapshot;
  /** The matching Filesystem restore. */
  public readonly restore: RestoredClaim;
  /** The Block restore, when `allowModeChange` is set. */
  public readonly blockRestore?: RestoredClaim;

  constructor(scope: Construct, id: string, props: FieldReportChartProps = {}) {
    super(scope, id, { labels: props?.labels, disableResourceNameHashes: props?.disableResourceNameHashes });
    checkProps(this, props, 'FieldReportChartProps');
    const version = props.kubernetesVersion ?? FIELD_REPORT.kubernetesVersion;
    this.node.setContext(KUBERNETES_VERSION_CONTEXT, version);
    resolveKubernetesMinor(this, version);
    const namespace = checkDnsLabel(this, 'namespace', props.namespace ?? FIELD_REPORT.namespace);

    const ns = new KubeNamespace(this, 'Namespace', { metadata: { name: namespace } });
    const demo = new Construct(this, 'Demo');
    demo.node.addDependency(ns);
    let storageClass: IStorageClass;
    let snapshotClass: IVolumeSnapshotClass;
    if (props.includeDriver ?? true) {
      if (props.driverNamespace === namespace) {
        throw new PropError(this, 'driverNamespace', props.driverNamespace, `equals 'namespace': the demo claims would share the driver's "privileged" namespace`,
          `give the driver its own namespace, e.g. '${HOSTPATH.namespace}'`);
      }
      this.hostpath = new HostpathStack(this, 'Hostpath', { kubernetesVersion: version, namespace: props.driverNamespace });
      demo.node.addDependency(this.hostpath);
      storageClass = this.hostpath.storageClass!;
      snapshotClass = this.hostpath.snapshotClass;
    } else {
      if (props.driverNamespace !== undefined) {
        throw new PropError(this, 'driverNamespace', props.driverNamespace, 'has no effect without includeDriver (the driver is rendered elsewhere)',
          "drop 'driverNamespace', or set it on the chart that renders the driver");
      }
      storageClass = StorageClass.fromName(HOSTPATH.storageClassName, HOSTPATH.driverName);
      snapshotClass = VolumeSnapshotClass.fromName(HOSTPATH.snapshotClassName, HOSTPATH.driverName);
    }

    this.source = new SourceClaim(demo, 'Source', {
      name: FIELD_REPORT.sourceClaim,
      namespace,
      storage: FIELD_REPORT.size,
      storageClass,
      volumeMode: PersistentVolumeMode.FILESYSTEM,
    });
    this.snapshot = new VolumeSnapshot(demo, 'Snapshot', {
      name: FIELD_REPORT.snapshot,
      source: this.source,
      volumeSnapshotClass: snapshotClass,
    });
    this.restore = new RestoredClaim(demo, 'Restore', {
      name: FIELD_REPORT.restore,
      snapshot: this.snapshot,
    });
    if (props.allowModeChange ?? false) {
      this.blockRestore = new RestoredClaim(demo, 'BlockRestore', {
        name: FIELD_REPORT.blockRestore,
        snapshot: this.snapshot,
        volumeMode: PersistentVolumeMode.BLOCK,
        allowVolumeModeChange: true,
      });
    }
    labelObjects(this, { name: 'field-report', component: 'example' });
  }
}
