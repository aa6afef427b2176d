import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { DEFAULT_VOLUME_MODE, VOLUME_MODES, VolumeMode } from '../../catalog/snapshot-api';
import { KubePersistentVolumeClaim, Quantity as K8sQuantity } from '../../imports/k8s';
import { checkStorageSize } from '../common/_quantity';
import { checkDnsLabel, checkDnsSubdomain, checkProps, PropError } from '../common/_validation';
import { IStorageClass } from './storage-class';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';
import type { EnumValue } from '../common/_enum';

/** How a volume may be mounted. */
export enum AccessMode {
  /** Read-write by one node. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Read-only by many nodes. */
  READ_ONLY_MANY = 'ReadOnlyMany',
  /** Read-write by many nodes. */
  READ_WRITE_MANY = 'ReadWriteMany',
  /** Read-write by one Pod. */
  READ_WRITE_ONCE_POD = 'ReadWriteOncePod',
}

/**
 * Volume modes as enum members; props accept these or the plain strings `'Filesystem'`/`'Block'`
 * (the catalog's VolumeMode type).
 */
export enum PersistentVolumeMode {
  /** A formatted filesystem, mounted into the Pod. */
  FILESYSTEM = 'Filesystem',
  /** A raw block device, handed to the Pod as a device. */
  BLOCK = 'Block',
}

/**
 * A PersistentVolumeClaim the stack references, with what the app knows about it. Snapshot and
 * restore constructs use `storage` and `volumeMode` to refuse unsafe restores at synth; unknown
 * fields only skip those checks (the provisioner and the admission policies still guard at runtime).
 */
export interface IClaim {
  /** Name of the claim. */
  readonly claimName: string;
  /** Namespace of the claim. @default - the chart's namespace */
  readonly namespace?: string;
  /** Requested size, as a Kubernetes quantity, when known. */
  readonly storage?: string;
  /** Volume mode, when known. */
  readonly volumeMode?: VolumeMode;
  /** Storage class, when known. */
  readonly storageClass?: IStorageClass;
}

/** What the app knows about a claim it does not render, for {@link SourceClaim.fromName}. */
export interface ClaimAttributes {
  /** Namespace of the claim. @default - the chart's namespace */
  readonly namespace?: string;
  /** Requested size. @default - unknown: restores must state their size */
  readonly storage?: string;
  /** Volume mode. @default - unknown: restores are not checked for a mode change at synth */
  readonly volumeMode?: VolumeMode;
  /** Storage class. @default - unknown */
  readonly storageClass?: IStorageClass;
}

/** Props of {@link SourceClaim}. */
export interface SourceClaimProps extends ObjectLabelsProps {
  /** Name of the claim. */
  readonly name: string;
  /** Namespace of the claim. @default - the chart's namespace */
  readonly namespace?: string;
  /** Requested size, e.g. `'1Gi'`. */
  readonly storage: string;
  /** Storage class to provision from. @default - the cluster's default StorageClass */
  readonly storageClass?: IStorageClass;
  /** Access modes. @default [AccessMode.READ_WRITE_ONCE] */
  readonly accessModes?: readonly EnumValue<AccessMode>[];
  /** Volume mode; always rendered so snapshots of it carry a known mode. @default 'Filesystem' */
  readonly volumeMode?: VolumeMode;
  /** Labels of the claim. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A PersistentVolumeClaim whose size and volume mode the app knows, so VolumeSnapshots of it and
 * RestoredClaims from those snapshots can be checked at synth. Use `SourceClaim.fromName()` for a
 * claim the app does not render.
 */
export class SourceClaim extends Construct implements IClaim {
  /** A claim that exists already; pass what you know so restores can be checked. */
  public static fromName(name: string, attributes: ClaimAttributes = {}): IClaim {
    checkDnsSubdomain(undefined, 'SourceClaim.fromName(name)', name);
    if (attributes.namespace !== undefined) checkDnsLabel(undefined, 'SourceClaim.fromName(attributes.namespace)', attributes.namespace);
    if (attributes.volumeMode !== undefined) checkVolumeMode(undefined, 'SourceClaim.fromName(attributes.volumeMode)', attributes.volumeMode);
    return { claimName: name, ...attributes };
  }

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

  constructor(scope: Construct, id: string, props: SourceClaimProps) {
    super(scope, id);
    checkProps(this, props, 'SourceClaimProps');
    this.claimName = checkDnsSubdomain(this, 'name', props.name);
    this.namespace = resolveNamespace(this, props.namespace);
    this.storage = checkStorageSize(this, 'storage', props.storage).text;
    this.volumeMode = checkVolumeMode(this, 'volumeMode', props.volumeMode ?? DEFAULT_VOLUME_MODE);
    this.storageClass = props.storageClass;
    this.resource = renderClaim(this, this, props);
    labelObjects(this, { name: 'source-claim', component: 'workload-storage' }, props.labels);
  }
}

/**
 * The PersistentVolumeClaim of a claim construct; `dataSourceRef` makes it a restore.
 * @internal
 */
export function renderClaim(
  scope: Construct,
  claim: { claimName: string; namespace?: string; storage: string; volumeMode: VolumeMode; storageClass?: IStorageClass },
  props: { labels?: Readonly<Record<string, string>>; accessModes?: readonly EnumValue<AccessMode>[] },
  dataSourceRef?: { apiGroup: string; kind: string; name: string },
): KubePersistentVolumeClaim {
  return new KubePersistentVolumeClaim(scope, 'Resource', {
    metadata: {
      name: claim.claimName,
      ...(claim.namespace !== undefined ? { namespace: claim.namespace } : {}),
      ...(props.labels ? { labels: Object.fromEntries(Object.keys(props.labels).sort().map((k) => [k, props.labels![k]])) } : {}),
    },
    spec: {
      accessModes: checkAccessModes(scope, 'accessModes', props.accessModes),
      ...(dataSourceRef ? { dataSourceRef } : {}),
      resources: { requests: { storage: K8sQuantity.fromString(claim.storage) } },
      ...(claim.storageClass ? { storageClassName: claim.storageClass.storageClassName } : {}),
      volumeMode: claim.volumeMode,
    },
  });
}

/**
 * The namespace of a namespaced object: the explicit prop, else the chart's namespace.
 * @internal
 */
export function resolveNamespace(scope: Construct, explicit: string | undefined): string | undefined {
  if (explicit !== undefined) return checkDnsLabel(scope, 'namespace', explicit);
  return Chart.of(scope).namespace;
}

/** @internal */
export function checkVolumeMode(scope: IConstruct | undefined, prop: string, value: VolumeMode): VolumeMode {
  if (!(VOLUME_MODES as readonly string[]).includes(value)) {
    throw new PropError(scope, prop, value, `is not a volume mode (${VOLUME_MODES.join(' or ')})`,
      "use PersistentVolumeMode.FILESYSTEM ('Filesystem') or PersistentVolumeMode.BLOCK ('Block')");
  }
  return value;
}

/** @internal */
export function checkAccessModes(scope: IConstruct, prop: string, value: readonly EnumValue<AccessMode>[] | undefined): string[] {
  const modes = value ?? [AccessMode.READ_WRITE_ONCE];
  const allowed = Object.values(AccessMode) as string[];
  if (!Array.isArray(modes) || modes.length === 0) {
    throw new PropError(scope, prop, modes, 'is empty', 'give at least one access mode, e.g. [AccessMode.READ_WRITE_ONCE]');
  }
  modes.forEach((m, i) => {
    if (!allowed.includes(m)) {
      throw new PropError(scope, `${prop}[${i}]`, m, `is not an access mode (${allowed.join(', ')})`, 'use a member of AccessMode');
    }
    if (modes.indexOf(m) !== i) throw new PropError(scope, `${prop}[${i}]`, m, 'is listed twice', 'list each access mode once');
  });
  return [...modes];
}
