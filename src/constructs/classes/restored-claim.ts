import { Construct } from 'constructs';
import { ALLOW_VOLUME_MODE_CHANGE_ANNOTATION } from '../../catalog/protection';
import { DEFAULT_VOLUME_MODE, SNAPSHOT_GROUP, VolumeMode } from '../../catalog/snapshot-api';
import { KubePersistentVolumeClaim } from '../../imports/k8s';
import { checkStorageSize, compareQuantities } from '../common/_quantity';
import { checkDnsSubdomain, checkProps, PropError } from '../common/_validation';
import { AccessMode, checkVolumeMode, IClaim, renderClaim, resolveNamespace } from './source-claim';
import { IStorageClass } from './storage-class';
import { IVolumeSnapshot } from './volume-snapshot';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';
import type { EnumValue } from '../common/_enum';

/** Props of {@link RestoredClaim}. */
export interface RestoredClaimProps extends ObjectLabelsProps {
  /** Name of the new claim. */
  readonly name: string;
  /** The snapshot to restore; it must live in the claim's namespace. */
  readonly snapshot: IVolumeSnapshot;
  /** Namespace of the claim. @default - the snapshot's namespace, else the chart's */
  readonly namespace?: string;
  /**
   * Storage class of the new volume; its driver must be the one that took the snapshot.
   * @default - the source claim's class when known, else the cluster's default StorageClass
   */
  readonly storageClass?: IStorageClass;
  /**
   * Requested size; at least the source claim's size.
   * @default - the source claim's size (required when the source is unknown)
   */
  readonly storage?: string;
  /** Access modes. @default [AccessMode.READ_WRITE_ONCE] */
  readonly accessModes?: readonly EnumValue<AccessMode>[];
  /** Volume mode; always rendered. @default - the source claim's mode when known, else 'Filesystem' */
  readonly volumeMode?: VolumeMode;
  /**
   * Accept a volume mode different from the source's. Only for trusted conversions: the
   * csi-provisioner still refuses them unless an approver annotates the VolumeSnapshotContent
   * with `snapshot.storage.kubernetes.io/allow-volume-mode-change: "true"`.
   * @default false
   */
  readonly allowVolumeModeChange?: boolean;
  /** Labels of the claim. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A PersistentVolumeClaim restored from a VolumeSnapshot (`dataSourceRef` of kind VolumeSnapshot).
 * When the snapshot's source claim is known in the app, the restore is refused at synth if it is
 * smaller than the source, or uses another volume mode without `allowVolumeModeChange` (the
 * conversion KEP-3141 protects against). A RestoredClaim is itself an IClaim, so it can be
 * snapshotted again.
 */
export class RestoredClaim extends Construct implements IClaim {
  /** Name of the claim. */
  public readonly claimName: string;
  /** Namespace of the object; undefined when the chart has none. */
  public readonly namespace?: string;
  /** Requested size, as written. */
  public readonly storage: string;
  /** Volume mode rendered. */
  public readonly volumeMode: VolumeMode;
  /** Storage class, when one is set. */
  public readonly storageClass?: IStorageClass;
  /** The rendered PersistentVolumeClaim. */
  public readonly resource: KubePersistentVolumeClaim;

  constructor(scope: Construct, id: string, props: RestoredClaimProps) {
    super(scope, id);
    checkProps(this, props, 'RestoredClaimProps');
    const snap = props.snapshot;
    const source = snap.source;
    this.claimName = checkDnsSubdomain(this, 'name', props.name);
    this.namespace = resolveNamespace(this, props.namespace ?? snap.namespace);
    const snapNamespace = snap.namespace ?? resolveNamespace(this, undefined);
    if (snapNamespace !== this.namespace) {
      throw new PropError(this, 'namespace', this.namespace,
        `differs from the namespace of VolumeSnapshot '${snap.volumeSnapshotName}' (${snapNamespace ?? 'the chart default'}); cross-namespace restores need the alpha CrossNamespaceVolumeDataSource gate and a ReferenceGrant`,
        `restore in '${snapNamespace}' (leave namespace unset)`);
    }

    const requested = props.storage ?? source?.storage;
    if (requested === undefined) {
      throw new PropError(this, 'storage', undefined, `is required: the size of the claim behind VolumeSnapshot '${snap.volumeSnapshotName}' is unknown`,
        'set storage to at least the size of the snapshotted volume, or pass a snapshot whose source claim has a known size');
    }
    const size = checkStorageSize(this, 'storage', requested);
    if (source?.storage !== undefined) {
      const sourceSize = checkStorageSize(this, 'snapshot.source.storage', source.storage);
      if (compareQuantities(size, sourceSize) < 0) {
        throw new PropError(this, 'storage', requested,
          `is smaller than source claim '${source.claimName}' (${source.storage}) of VolumeSnapshot '${snap.volumeSnapshotName}'; the provisioner cannot restore into a smaller volume`,
          `request at least '${source.storage}' (or leave storage unset to use the source's size)`);
      }
    }
    this.storage = size.text;

    this.volumeMode = checkVolumeMode(this, 'volumeMode', props.volumeMode ?? source?.volumeMode ?? DEFAULT_VOLUME_MODE);
    if (source?.volumeMode !== undefined && source.volumeMode !== this.volumeMode && props.allowVolumeModeChange !== true) {
      throw new PropError(this, 'volumeMode', this.volumeMode,
        `differs from source claim '${source.claimName}' (${source.volumeMode}) of VolumeSnapshot '${snap.volumeSnapshotName}'; ` +
        'restoring into the other mode can hand a crafted filesystem image to the node\'s kernel, so csi-provisioner refuses it',
        `restore with volumeMode '${source.volumeMode}'; for a deliberate, trusted conversion set allowVolumeModeChange: true, ` +
        `and have an approver annotate the VolumeSnapshotContent with ${ALLOW_VOLUME_MODE_CHANGE_ANNOTATION}: "true" (without it the claim stays Pending)`);
    }

    this.storageClass = props.storageClass ?? source?.storageClass;
    const provisioner = this.storageClass?.provisioner;
    const sourceProvisioner = source?.storageClass?.provisioner;
    if (provisioner !== undefined && sourceProvisioner !== undefined && provisioner !== sourceProvisioner) {
      throw new PropError(this, 'storageClass', this.storageClass!.storageClassName,
        `is provisioned by '${provisioner}' but the snapshot was taken by '${sourceProvisioner}'; a CSI driver only restores its own snapshots`,
        `use a StorageClass of '${sourceProvisioner}'`);
    }

    this.resource = renderClaim(this, this, props, { apiGroup: SNAPSHOT_GROUP, kind: 'VolumeSnapshot', name: snap.volumeSnapshotName });
    labelObjects(this, { name: 'restored-claim', component: 'restore' }, props.labels);
  }
}
