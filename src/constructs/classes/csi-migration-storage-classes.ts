import { Construct } from 'constructs';
import {
  formatKubernetesMinor, formatOpenShiftMinor, inTreePlugin, IN_TREE_PLUGINS, MIGRATION_KUBERNETES,
} from '../../catalog';
import { DEFAULT_STORAGE_CLASS_ANNOTATION } from '../../catalog/classes';
import { resolveOpenShiftRelease } from '../feature-gates/_feature-gates';
import { resolveKubernetesMinor } from '../common/_target';
import { checkProps, PropError } from '../common/_validation';
import { checkDriverName, ReclaimPolicy, StorageClass, VolumeBindingMode } from './storage-class';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';
import type { EnumValue } from '../common/_enum';

/** Which class of the pair claims without `storageClassName` get. */
export enum MigrationDefaultClass {
  /** The CSI class: new volumes are CSI volumes from the start. */
  CSI = 'csi',
  /** The in-tree class (kept for workloads that still name it; CSI migration serves it where on). */
  IN_TREE = 'in-tree',
  /** Neither: the cluster's default is chosen elsewhere. */
  NONE = 'none',
}

/** Props of {@link CsiMigrationStorageClasses}. */
export interface CsiMigrationStorageClassesProps extends ObjectLabelsProps {
  /**
   * The in-tree provisioner being migrated away from.
   * @default 'kubernetes.io/vsphere-volume'
   */
  readonly inTreeProvisioner?: string;
  /**
   * CSI driver of the second class.
   * @default - the driver CSI migration redirects the in-tree plugin to (catalog IN_TREE_PLUGINS)
   */
  readonly csiDriver?: string;
  /** Name of the in-tree class. @default 'thin' for vSphere; required for other provisioners */
  readonly inTreeName?: string;
  /** Name of the CSI class. @default 'thin-csi' for vSphere; required for other provisioners */
  readonly csiName?: string;
  /** Which class is the cluster default; the other one is explicitly marked non-default. @default MigrationDefaultClass.CSI */
  readonly defaultClass?: EnumValue<MigrationDefaultClass>;
  /** Parameters of the in-tree class, e.g. `{ diskformat: 'thin' }`. @default - none */
  readonly inTreeParameters?: Readonly<Record<string, string>>;
  /** Parameters of the CSI class, e.g. `{ StoragePolicyName: 'gold' }`. @default - none */
  readonly csiParameters?: Readonly<Record<string, string>>;
  /** Reclaim policy of both classes. @default ReclaimPolicy.DELETE */
  readonly reclaimPolicy?: EnumValue<ReclaimPolicy>;
  /** Binding mode of both classes. @default VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER */
  readonly volumeBindingMode?: EnumValue<VolumeBindingMode>;
  /** Claims of both classes may grow. @default - not rendered (false) */
  readonly allowVolumeExpansion?: boolean;
  /**
   * Target Kubernetes release, `1.23` up to the newest supported minor. Ignored when `openshiftVersion` is set.
   * @default - the context `csi-snapshot-guard:kubernetesVersion`, else the newest supported minor
   */
  readonly kubernetesVersion?: string;
  /** Target OpenShift release (`4.10`+); its Kubernetes minor decides. @default - a vanilla target */
  readonly openshiftVersion?: string;
}

/** Names of the SCENARIOS §5 pair on vSphere. */
const VSPHERE_NAMES = { provisioner: 'kubernetes.io/vsphere-volume', inTree: 'thin', csi: 'thin-csi' } as const;

/**
 * The in-tree / CSI StorageClass pair of a CSI migration (e.g. `thin` with kubernetes.io/vsphere-volume
 * beside `thin-csi` with csi.vsphere.vmware.com), one of them the default and the other explicitly not,
 * so that applying the pair also demotes a previous default. Refuses the in-tree class on a target
 * where its plugin is removed, naming the CSI driver to use instead.
 */
export class CsiMigrationStorageClasses extends Construct {
  /** The in-tree class. */
  public readonly inTree: StorageClass;
  /** The CSI class. */
  public readonly csi: StorageClass;
  /** The Kubernetes minor checked against. */
  public readonly kubernetesMinor: number;

  constructor(scope: Construct, id: string, props: CsiMigrationStorageClassesProps = {}) {
    super(scope, id);
    checkProps(this, props, 'CsiMigrationStorageClassesProps');
    const release = props.openshiftVersion !== undefined ? resolveOpenShiftRelease(this, props.openshiftVersion) : undefined;
    this.kubernetesMinor = release?.kubernetesMinor ?? resolveKubernetesMinor(this, props.kubernetesVersion, MIGRATION_KUBERNETES);
    const target = release
      ? `OpenShift ${formatOpenShiftMinor(release.minor)} (Kubernetes ${formatKubernetesMinor(release.kubernetesMinor)})`
      : `Kubernetes ${formatKubernetesMinor(this.kubernetesMinor)}`;

    const provisioner = props.inTreeProvisioner ?? VSPHERE_NAMES.provisioner;
    const plugin = inTreePlugin(provisioner);
    if (!plugin) {
      throw new PropError(this, 'inTreeProvisioner', provisioner, 'is not a catalogued in-tree provisioner',
        `use one of ${IN_TREE_PLUGINS.map((p) => p.provisioner).join(', ')}, or render a plain StorageClass for a CSI driver`);
    }
    const csiDriver = props.csiDriver ?? plugin.csiDriver;
    if (this.kubernetesMinor >= plugin.removedIn) {
      throw new PropError(this, 'inTreeProvisioner', provisioner,
        `cannot be used on ${target}: the in-tree plugin was removed in ${formatKubernetesMinor(plugin.removedIn)}`,
        csiDriver
          ? `drop the in-tree class and render only a StorageClass with provisioner '${csiDriver}'`
          : 'its volumes stop working without a CSI replacement; move the data to a CSI driver before upgrading');
    }
    if (!csiDriver) {
      throw new PropError(this, 'csiDriver', undefined, `must be set: ${provisioner} has no CSI migration target`,
        'name the CSI driver that will serve these volumes');
    }
    checkDriverName(this, 'csiDriver', csiDriver);
    const vsphere = provisioner === VSPHERE_NAMES.provisioner;
    const inTreeName = props.inTreeName ?? (vsphere ? VSPHERE_NAMES.inTree : undefined);
    const csiName = props.csiName ?? (vsphere ? VSPHERE_NAMES.csi : undefined);
    if (inTreeName === undefined || csiName === undefined) {
      throw new PropError(this, inTreeName === undefined ? 'inTreeName' : 'csiName', undefined,
        `has no default for ${provisioner} (only the vSphere pair has well-known names)`, 'name both classes');
    }
    if (inTreeName === csiName) {
      throw new PropError(this, 'csiName', csiName, 'is also the name of the in-tree class', 'give the two classes different names');
    }
    const defaultClass = props.defaultClass ?? MigrationDefaultClass.CSI;
    if (!(Object.values(MigrationDefaultClass) as string[]).includes(defaultClass)) {
      throw new PropError(this, 'defaultClass', defaultClass, 'is not a choice', `use ${Object.values(MigrationDefaultClass).join(', ')}`);
    }

    const common = {
      reclaimPolicy: props.reclaimPolicy,
      volumeBindingMode: props.volumeBindingMode ?? VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER,
      allowVolumeExpansion: props.allowVolumeExpansion,
    };
    this.inTree = new StorageClass(this, 'InTree', {
      ...common, name: inTreeName, provisioner, parameters: props.inTreeParameters,
      isDefault: defaultClass === MigrationDefaultClass.IN_TREE,
    });
    this.csi = new StorageClass(this, 'Csi', {
      ...common, name: csiName, provisioner: csiDriver, parameters: props.csiParameters,
      isDefault: defaultClass === MigrationDefaultClass.CSI,
    });
    // An applied manifest without the annotation would leave an old "true" in place: say "false".
    for (const cls of [this.inTree, this.csi]) {
      if (!cls.isDefault) cls.resource.metadata.addAnnotation(DEFAULT_STORAGE_CLASS_ANNOTATION, 'false');
    }
    labelObjects(this, { name: 'csi-migration-storage-classes', component: 'storage-classes' }, props.labels);
  }
}
