import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { DEFAULT_CLASS_ANNOTATION_VALUE, SnapshotClassSecretRole, VOLUME_SNAPSHOT_CLASS_API } from '../../catalog/classes';
import { DEFAULT_SNAPSHOT_CLASS_ANNOTATION } from '../../catalog/snapshot-api';
import { CsiCapability } from '../../catalog/sidecars';
import { checkEnum, renderClassParameters } from './_class-params';
import { resolveKubernetesMinor } from '../common/_target';
import { checkDnsSubdomain, checkProps } from '../common/_validation';
import { registerDefaultClassCheck } from './default-class-check';
import { checkDriverName, SecretReference } from './storage-class';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';
import type { EnumValue } from '../common/_enum';
import { CsiDriverRef, driverRef, requireCapability } from '../csi-driver/_driver-ref';

/** What happens to the VolumeSnapshotContent (and the snapshot on the storage) when its VolumeSnapshot is deleted. */
export enum DeletionPolicy {
  /** The content and the storage-side snapshot are deleted with the VolumeSnapshot. */
  DELETE = 'Delete',
  /** The content and the storage-side snapshot are kept. */
  RETAIN = 'Retain',
}

/** A VolumeSnapshotClass the stack references: one it renders, or one that exists in the cluster. */
export interface IVolumeSnapshotClass {
  /** The name VolumeSnapshots put in `spec.volumeSnapshotClassName`. */
  readonly volumeSnapshotClassName: string;
  /** The CSI driver that takes the snapshots, when known. */
  readonly driver?: string;
}

/** Props of {@link VolumeSnapshotClass}. */
export interface VolumeSnapshotClassProps extends ObjectLabelsProps {
  /** Name of the VolumeSnapshotClass (cluster-scoped). */
  readonly name: string;
  /**
   * The CSI driver that takes the snapshots: a CsiDriver of this app (it must declare
   * CREATE_DELETE_SNAPSHOT), or its name, e.g. `hostpath.csi.k8s.io`.
   */
  readonly driver: CsiDriverRef;
  /**
   * Target Kubernetes release (1.30 up to the newest supported minor, like the snapshot stack that serves this API).
   * @default - the chart's `csi-snapshot-guard:kubernetesVersion` context, else the newest supported minor
   */
  readonly kubernetesVersion?: string;
  /** What happens to the snapshot data when the VolumeSnapshot is deleted. @default DeletionPolicy.DELETE */
  readonly deletionPolicy?: EnumValue<DeletionPolicy>;
  /**
   * Driver parameters. Plain, non-secret values only: credential-looking keys and PEM values are
   * refused; Secret keys under `csi.storage.k8s.io/` are set through the `*Secret` props.
   * @default - no parameters
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * Parameter keys that look like credentials but are not. Each must be a key of `parameters`.
   * @default - every credential-looking key is refused
   */
  readonly nonSecretParameterKeys?: readonly string[];
  /** Secret for CreateSnapshot/DeleteSnapshot (`csi.storage.k8s.io/snapshotter-secret-*`). @default - none */
  readonly snapshotterSecret?: SecretReference;
  /** Secret for ListSnapshots (`csi.storage.k8s.io/snapshotter-list-secret-*`). @default - none */
  readonly snapshotterListSecret?: SecretReference;
  /**
   * Make this the default class of its driver (VolumeSnapshots without `volumeSnapshotClassName`
   * use it). At most one per driver in an app; a second one fails at synth.
   * @default false
   */
  readonly isDefault?: boolean;
  /** Labels of the VolumeSnapshotClass. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A VolumeSnapshotClass (snapshot.storage.k8s.io/v1). Credentials are only referenced through the
 * reserved snapshotter keys; the deletion policy is always explicit; at most one default per driver
 * in an app is enforced at synth (the removed validation webhook's job).
 */
export class VolumeSnapshotClass extends Construct implements IVolumeSnapshotClass {
  /**
   * A VolumeSnapshotClass that exists in the cluster and is not rendered by this app.
   * @param name the class's name
   * @param driver its CSI driver, when known
   */
  public static fromName(name: string, driver?: string): IVolumeSnapshotClass {
    checkDnsSubdomain(undefined, 'VolumeSnapshotClass.fromName(name)', name);
    return driver === undefined ? { volumeSnapshotClassName: name } : { volumeSnapshotClassName: name, driver };
  }

  /** Name of the VolumeSnapshotClass. */
  public readonly volumeSnapshotClassName: string;
  /** The CSI driver of the class. */
  public readonly driver: string;
  /** The deletion policy rendered. */
  public readonly deletionPolicy: DeletionPolicy;
  /** True when this class carries the default annotation. */
  public readonly isDefault: boolean;
  /** The rendered object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: VolumeSnapshotClassProps) {
    super(scope, id);
    checkProps(this, props, 'VolumeSnapshotClassProps');
    resolveKubernetesMinor(this, props.kubernetesVersion);
    this.volumeSnapshotClassName = checkDnsSubdomain(this, 'name', props.name);
    const driver = driverRef(props.driver);
    this.driver = checkDriverName(this, 'driver', driver.name as string);
    requireCapability(this, 'driver', this.driver, driver, CsiCapability.CREATE_DELETE_SNAPSHOT, 'a driver that takes snapshots',
      "add 'CREATE_DELETE_SNAPSHOT' to the driver's capabilities if it implements CreateSnapshot, or drop this class");
    this.deletionPolicy = checkEnum(this, 'deletionPolicy', props.deletionPolicy ?? DeletionPolicy.DELETE, DeletionPolicy);
    this.isDefault = props.isDefault ?? false;
    const parameters = renderClassParameters(this, {
      parameters: props.parameters,
      nonSecretParameterKeys: props.nonSecretParameterKeys,
      secrets: [
        { prop: 'snapshotterSecret', role: SnapshotClassSecretRole.SNAPSHOTTER, ref: props.snapshotterSecret },
        { prop: 'snapshotterListSecret', role: SnapshotClassSecretRole.SNAPSHOTTER_LIST, ref: props.snapshotterListSecret },
      ],
    });
    const labels = props.labels ? Object.fromEntries(Object.keys(props.labels).sort().map((k) => [k, props.labels![k]])) : undefined;
    this.resource = new ApiObject(this, 'Resource', {
      ...VOLUME_SNAPSHOT_CLASS_API,
      metadata: {
        name: this.volumeSnapshotClassName,
        ...(labels ? { labels } : {}),
        ...(this.isDefault ? { annotations: { [DEFAULT_SNAPSHOT_CLASS_ANNOTATION]: DEFAULT_CLASS_ANNOTATION_VALUE } } : {}),
      },
      deletionPolicy: this.deletionPolicy,
      driver: this.driver,
      ...(parameters ? { parameters } : {}),
    });
    registerDefaultClassCheck(this);
    labelObjects(this, { name: 'volume-snapshot-class', component: 'snapshot-classes' }, props.labels);
  }
}
