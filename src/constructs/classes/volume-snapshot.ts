import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { SNAPSHOT_GROUP, SNAPSHOT_VERSION } from '../../catalog/snapshot-api';
import { checkDnsSubdomain, checkProps, PropError } from '../common/_validation';
import { IClaim, resolveNamespace } from './source-claim';
import { IVolumeSnapshotClass } from './volume-snapshot-class';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';

/** A VolumeSnapshot the stack references, with what the app knows about its source claim. */
export interface IVolumeSnapshot {
  /** Name of the VolumeSnapshot. */
  readonly volumeSnapshotName: string;
  /** Namespace of the VolumeSnapshot. @default - the chart's namespace */
  readonly namespace?: string;
  /** The claim the snapshot was taken of, when known. */
  readonly source?: IClaim;
}

/** What the app knows about a VolumeSnapshot it does not render, for {@link VolumeSnapshot.fromName}. */
export interface VolumeSnapshotAttributes {
  /** Namespace of the snapshot. @default - the chart's namespace */
  readonly namespace?: string;
  /** The claim it was taken of. @default - unknown: restores are not checked against it at synth */
  readonly source?: IClaim;
}

/** Props of {@link VolumeSnapshot}. */
export interface VolumeSnapshotProps extends ObjectLabelsProps {
  /** Name of the VolumeSnapshot. */
  readonly name: string;
  /**
   * The claim to snapshot; it must live in the snapshot's namespace.
   * Use a SourceClaim, a RestoredClaim or `SourceClaim.fromName()`.
   */
  readonly source: IClaim;
  /** Namespace of the snapshot. @default - the source claim's namespace, else the chart's */
  readonly namespace?: string;
  /** Class to take the snapshot with. @default - the default VolumeSnapshotClass of the claim's driver */
  readonly volumeSnapshotClass?: IVolumeSnapshotClass;
}

/**
 * A dynamically provisioned VolumeSnapshot (snapshot.storage.k8s.io/v1) of a claim. It remembers
 * its source claim so a RestoredClaim can refuse, at synth, a restore that is smaller than the
 * source or that changes the volume mode.
 */
export class VolumeSnapshot extends Construct implements IVolumeSnapshot {
  /** A snapshot that exists already; pass its source claim if you know it. */
  public static fromName(name: string, attributes: VolumeSnapshotAttributes = {}): IVolumeSnapshot {
    checkDnsSubdomain(undefined, 'VolumeSnapshot.fromName(name)', name);
    return { volumeSnapshotName: name, ...attributes };
  }

  /** Name of the VolumeSnapshot. */
  public readonly volumeSnapshotName: string;
  /** Namespace of the object; undefined when the chart has none. */
  public readonly namespace?: string;
  /** The claim the snapshot is taken of. */
  public readonly source: IClaim;
  /** The rendered object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: VolumeSnapshotProps) {
    super(scope, id);
    checkProps(this, props, 'VolumeSnapshotProps');
    this.volumeSnapshotName = checkDnsSubdomain(this, 'name', props.name);
    this.source = props.source;
    this.namespace = resolveNamespace(this, props.namespace ?? props.source.namespace);
    const chartNamespace = resolveNamespace(this, undefined);
    const sourceNamespace = props.source.namespace ?? chartNamespace;
    if (sourceNamespace !== this.namespace) {
      throw new PropError(this, 'namespace', this.namespace,
        `differs from the namespace of source claim '${props.source.claimName}' (${sourceNamespace ?? 'the chart default'}); a VolumeSnapshot can only snapshot a claim in its own namespace`,
        `leave namespace unset (it follows the claim) or set it to '${sourceNamespace}'`);
    }
    const driver = props.volumeSnapshotClass?.driver;
    const provisioner = props.source.storageClass?.provisioner;
    if (driver !== undefined && provisioner !== undefined && driver !== provisioner) {
      throw new PropError(this, 'volumeSnapshotClass', props.volumeSnapshotClass!.volumeSnapshotClassName,
        `is for driver '${driver}' but claim '${props.source.claimName}' is provisioned by '${provisioner}'`,
        `use a VolumeSnapshotClass whose driver is '${provisioner}'`);
    }
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: `${SNAPSHOT_GROUP}/${SNAPSHOT_VERSION}`,
      kind: 'VolumeSnapshot',
      metadata: { name: this.volumeSnapshotName, ...(this.namespace !== undefined ? { namespace: this.namespace } : {}) },
      spec: {
        source: { persistentVolumeClaimName: props.source.claimName },
        ...(props.volumeSnapshotClass ? { volumeSnapshotClassName: props.volumeSnapshotClass.volumeSnapshotClassName } : {}),
      },
    });
    labelObjects(this, { name: 'volume-snapshot', component: 'restore' }, props.labels);
  }
}
