import { Construct } from 'constructs';
import { DEFAULT_CLASS_ANNOTATION_VALUE, DEFAULT_STORAGE_CLASS_ANNOTATION, StorageClassSecretRole } from '../../catalog/classes';
import { CsiCapability } from '../../catalog/sidecars';
import { KubeStorageClass } from '../../imports/k8s';
import { checkEnum, renderClassParameters } from './_class-params';
import { checkDnsSubdomain, checkList, checkProps, PropError } from '../common/_validation';
import { registerDefaultClassCheck } from './default-class-check';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';
import type { EnumValue } from '../common/_enum';
import { CsiDriverRef, driverRef, requireCapability } from '../csi-driver/_driver-ref';

/** What happens to a dynamically provisioned PersistentVolume when its claim is deleted. */
export enum ReclaimPolicy {
  /** The volume and its data are deleted with the claim. */
  DELETE = 'Delete',
  /** The volume is kept (phase Released) until an administrator cleans it up. */
  RETAIN = 'Retain',
}

/** When a claim of the class is provisioned and bound. */
export enum VolumeBindingMode {
  /** As soon as the claim exists, wherever the driver chooses. */
  IMMEDIATE = 'Immediate',
  /** Once a Pod uses the claim, so the volume is created where the Pod can be scheduled. */
  WAIT_FOR_FIRST_CONSUMER = 'WaitForFirstConsumer',
}

/**
 * A Secret the CSI sidecars or the kubelet read for one CSI call. Both fields may use the
 * placeholders the sidecars expand, e.g. `{ name: '${pvc.name}-creds', namespace: '${pvc.namespace}' }`.
 * Never the credential itself: the class only carries the Secret's coordinates.
 */
export interface SecretReference {
  /** Name of the Secret. */
  readonly name: string;
  /** Namespace of the Secret. */
  readonly namespace: string;
}

/**
 * One allowed-topology term: topology label key -> allowed values. Keys within a term must all
 * match (AND); a node matches the class when it matches any term (OR).
 */
export type TopologyTerm = Readonly<Record<string, readonly string[]>>;

/** A StorageClass the stack references: one it renders, or one that exists in the cluster. */
export interface IStorageClass {
  /** The StorageClass name claims put in `spec.storageClassName`. */
  readonly storageClassName: string;
  /** The CSI driver that provisions the class's volumes, when known. */
  readonly provisioner?: string;
}

/** Props of {@link StorageClass}. */
export interface StorageClassProps extends ObjectLabelsProps {
  /** Name of the StorageClass (cluster-scoped; claims reference it by this name). */
  readonly name: string;
  /**
   * The CSI driver that provisions volumes: a CsiDriver of this app (its capabilities are then
   * checked against this class), or its name, e.g. `hostpath.csi.k8s.io` (an in-tree provisioner
   * such as `kubernetes.io/vsphere-volume` is accepted for migration scenarios).
   */
  readonly provisioner: CsiDriverRef;
  /**
   * Driver parameters. Plain, non-secret values only: a key that reads like a credential
   * (password, token, secret, ...Key) or a PEM value is refused; keys under `csi.storage.k8s.io/`
   * that name Secrets are set through the `*Secret` props instead.
   * @default - no parameters
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * Parameter keys that look like credentials but are not (e.g. `kmsKeyId`-like IDs whose name
   * ends in "Key"). Each must be a key of `parameters`.
   * @default - every credential-looking key is refused
   */
  readonly nonSecretParameterKeys?: readonly string[];
  /** Secret for CreateVolume/DeleteVolume (`csi.storage.k8s.io/provisioner-secret-*`). @default - none */
  readonly provisionerSecret?: SecretReference;
  /** Secret for ControllerPublish/Unpublish (`csi.storage.k8s.io/controller-publish-secret-*`). @default - none */
  readonly controllerPublishSecret?: SecretReference;
  /** Secret for NodeStageVolume (`csi.storage.k8s.io/node-stage-secret-*`). @default - none */
  readonly nodeStageSecret?: SecretReference;
  /** Secret for NodePublishVolume (`csi.storage.k8s.io/node-publish-secret-*`). @default - none */
  readonly nodePublishSecret?: SecretReference;
  /** Secret for ControllerExpandVolume (`csi.storage.k8s.io/controller-expand-secret-*`). @default - none */
  readonly controllerExpandSecret?: SecretReference;
  /** Secret for NodeExpandVolume (`csi.storage.k8s.io/node-expand-secret-*`). @default - none */
  readonly nodeExpandSecret?: SecretReference;
  /** What happens to a volume when its claim is deleted. @default ReclaimPolicy.DELETE */
  readonly reclaimPolicy?: EnumValue<ReclaimPolicy>;
  /**
   * The driver's volumes are only reachable from some nodes (it reports topology). Turns the
   * default binding mode into WaitForFirstConsumer so volumes are created where the Pod can run.
   * @default false
   */
  readonly topologyAware?: boolean;
  /**
   * When claims are provisioned and bound; always rendered.
   * @default - WaitForFirstConsumer when `topologyAware`, else Immediate
   */
  readonly volumeBindingMode?: EnumValue<VolumeBindingMode>;
  /** Claims of the class may grow (needs csi-resizer). @default - not rendered (the API treats it as false) */
  readonly allowVolumeExpansion?: boolean;
  /** Mount options of the volumes, in order, e.g. `['noatime']`. @default - none */
  readonly mountOptions?: readonly string[];
  /** Where volumes may be provisioned. @default - anywhere the driver chooses */
  readonly allowedTopologies?: readonly TopologyTerm[];
  /**
   * Make this the cluster's default StorageClass (claims without `storageClassName` use it).
   * At most one StorageClass in an app may be the default; a second one fails at synth.
   * @default false
   */
  readonly isDefault?: boolean;
  /** Labels of the StorageClass. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * A StorageClass for a CSI driver. Credentials are only ever referenced (reserved
 * `csi.storage.k8s.io/*-secret-name/-namespace` keys), reclaim policy and binding mode are always
 * explicit, and at most one default StorageClass per app is enforced at synth.
 */
export class StorageClass extends Construct implements IStorageClass {
  /**
   * A StorageClass that exists in the cluster and is not rendered by this app.
   * @param name the class's name
   * @param provisioner its CSI driver, when known
   */
  public static fromName(name: string, provisioner?: string): IStorageClass {
    checkDnsSubdomain(undefined, 'StorageClass.fromName(name)', name);
    return provisioner === undefined ? { storageClassName: name } : { storageClassName: name, provisioner };
  }

  /** Name of the StorageClass. */
  public readonly storageClassName: string;
  /** The CSI driver (or in-tree provisioner) of the class. */
  public readonly provisioner: string;
  /** True when this class carries the default annotation. */
  public readonly isDefault: boolean;
  /** The binding mode rendered. */
  public readonly volumeBindingMode: VolumeBindingMode;
  /** The rendered object. */
  public readonly resource: KubeStorageClass;

  constructor(scope: Construct, id: string, props: StorageClassProps) {
    super(scope, id);
    checkProps(this, props, 'StorageClassProps');
    this.storageClassName = checkDnsSubdomain(this, 'name', props.name);
    const driver = driverRef(props.provisioner);
    this.provisioner = checkProvisioner(this, driver.name as string);
    requireCapability(this, 'provisioner', this.provisioner, driver, CsiCapability.CREATE_DELETE_VOLUME, 'a driver that creates volumes',
      "add 'CREATE_DELETE_VOLUME' to the driver's capabilities if it provisions, or use a pre-provisioned PersistentVolume instead of a class");
    if (props.allowVolumeExpansion === true) {
      requireCapability(this, 'allowVolumeExpansion', true, driver, CsiCapability.EXPAND_VOLUME, 'a driver that expands volumes',
        "leave allowVolumeExpansion off, or add 'EXPAND_VOLUME' to the driver's capabilities if it implements ControllerExpandVolume");
    }
    const reclaimPolicy = checkEnum(this, 'reclaimPolicy', props.reclaimPolicy ?? ReclaimPolicy.DELETE, ReclaimPolicy);
    this.volumeBindingMode = checkEnum(this, 'volumeBindingMode', props.volumeBindingMode
      ?? (props.topologyAware ? VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER : VolumeBindingMode.IMMEDIATE), VolumeBindingMode);
    this.isDefault = props.isDefault ?? false;

    const parameters = renderClassParameters(this, {
      parameters: props.parameters,
      nonSecretParameterKeys: props.nonSecretParameterKeys,
      secrets: [
        { prop: 'provisionerSecret', role: StorageClassSecretRole.PROVISIONER, ref: props.provisionerSecret },
        { prop: 'controllerPublishSecret', role: StorageClassSecretRole.CONTROLLER_PUBLISH, ref: props.controllerPublishSecret },
        { prop: 'nodeStageSecret', role: StorageClassSecretRole.NODE_STAGE, ref: props.nodeStageSecret },
        { prop: 'nodePublishSecret', role: StorageClassSecretRole.NODE_PUBLISH, ref: props.nodePublishSecret },
        { prop: 'controllerExpandSecret', role: StorageClassSecretRole.CONTROLLER_EXPAND, ref: props.controllerExpandSecret },
        { prop: 'nodeExpandSecret', role: StorageClassSecretRole.NODE_EXPAND, ref: props.nodeExpandSecret },
      ],
    });

    const mountOptions = props.mountOptions ? [...checkList(this, 'mountOptions', props.mountOptions, "['noatime']")!] : undefined;
    mountOptions?.forEach((opt, i) => {
      if (typeof opt !== 'string' || opt.trim() === '' || /\s/.test(opt)) {
        throw new PropError(this, `mountOptions[${i}]`, opt, 'is not a single mount option',
          'give one option per entry without spaces, e.g. "noatime" or "nfsvers=4.1"');
      }
      if (mountOptions.indexOf(opt) !== i) {
        throw new PropError(this, `mountOptions[${i}]`, opt, 'is listed twice', 'list each mount option once');
      }
    });

    this.resource = new KubeStorageClass(this, 'Resource', {
      metadata: {
        name: this.storageClassName,
        ...(props.labels ? { labels: sortRecord(props.labels) } : {}),
        ...(this.isDefault ? { annotations: { [DEFAULT_STORAGE_CLASS_ANNOTATION]: DEFAULT_CLASS_ANNOTATION_VALUE } } : {}),
      },
      provisioner: this.provisioner,
      parameters,
      reclaimPolicy,
      volumeBindingMode: this.volumeBindingMode,
      allowVolumeExpansion: props.allowVolumeExpansion,
      mountOptions,
      allowedTopologies: props.allowedTopologies?.map((term, i) => renderTopologyTerm(this, `allowedTopologies[${i}]`, term)),
    });
    registerDefaultClassCheck(this);
    labelObjects(this, { name: 'storage-class', component: 'storage-classes' }, props.labels);
  }
}

/**
 * CSI driver names (CSI spec: at most 63 characters, letters, digits, "-" and ".", starting and
 * ending with a letter or digit), as in CSIDriver objects and VolumeSnapshotClass `driver`.
 * @internal
 */
export function checkDriverName(scope: Construct, prop: string, value: string): string {
  if (typeof value !== 'string' || value.length > 63 || !/^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?$/.test(value)) {
    throw new PropError(scope, prop, value, 'is not a CSI driver name',
      'use the name the driver registers (its CSIDriver object): at most 63 letters, digits, "-" and ".", e.g. hostpath.csi.k8s.io');
  }
  return value;
}

/** A StorageClass provisioner: a CSI driver name, or an in-tree one such as `kubernetes.io/vsphere-volume`. */
function checkProvisioner(scope: Construct, value: string): string {
  const slash = typeof value === 'string' ? value.lastIndexOf('/') : -1;
  if (slash < 0) return checkDriverName(scope, 'provisioner', value);
  if (!LABEL_KEY.test(value.toLowerCase()) || value.length - slash - 1 > 63) {
    throw new PropError(scope, 'provisioner', value, 'is not a provisioner name',
      'use the CSI driver name (e.g. hostpath.csi.k8s.io) or an in-tree provisioner such as kubernetes.io/vsphere-volume');
  }
  return value;
}

function renderTopologyTerm(scope: Construct, prop: string, term: TopologyTerm) {
  const keys = Object.keys(term).sort();
  if (keys.length === 0) {
    throw new PropError(scope, prop, term, 'is an empty topology term', 'give at least one label key with its allowed values, or drop the term');
  }
  return {
    matchLabelExpressions: keys.map((key) => {
      const values = term[key];
      if (!LABEL_KEY.test(key)) {
        throw new PropError(scope, `${prop}['${key}']`, key, 'is not a label key', 'use a node label key such as topology.kubernetes.io/zone');
      }
      if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string' || v === '')) {
        throw new PropError(scope, `${prop}['${key}']`, values, 'must be a non-empty list of label values',
          'list the allowed values, e.g. ["zone-a", "zone-b"]');
      }
      return { key, values: [...new Set(values)].sort() };
    }),
  };
}

function sortRecord(r: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]));
}
