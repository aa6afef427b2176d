import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { OpenShiftFeatureSet, openShiftMigrationByProvisioner, openShiftMigrationMode, OpenShiftMigrationMode } from '../catalog';
import { resolveOpenShiftRelease } from '../constructs/feature-gates/_feature-gates';
import { CsiMigrationStorageClasses, MigrationDefaultClass } from '../constructs/classes/csi-migration-storage-classes';
import { OpenShiftFeatureGate } from '../constructs/feature-gates/openshift-feature-gate';
import { OpenShiftStorageDriver } from '../constructs/feature-gates/openshift-storage-driver';
import { labelObjects } from '../constructs/common/_labels';
import type { EnumValue } from '../constructs/common/_enum';
import { checkProps } from '../constructs/common/_validation';

/** Props of {@link OpenShiftVsphereMigrationChart}. */
export interface OpenShiftVsphereMigrationChartProps extends Omit<ChartProps, 'namespace'> {
  /** OpenShift release of the cluster. @default '4.11' (the field report of SCENARIOS §5) */
  readonly openshiftVersion?: string;
  /**
   * Needed where migration is switched on through the FeatureGate (4.10-4.12): repeat
   * `OpenShiftFeatureSet.CUSTOM_NO_UPGRADE` to accept that it cannot be undone and blocks minor upgrades.
   * @default - none; rendering for 4.10-4.12 fails without it
   */
  readonly acknowledgeNoUpgrade?: EnumValue<OpenShiftFeatureSet>;
  /** On 4.13: the cluster was upgraded from 4.12 and must opt in (new installs already migrate). @default false */
  readonly upgradedCluster?: boolean;
  /** Which StorageClass is the default. @default MigrationDefaultClass.CSI (`thin-csi`) */
  readonly defaultClass?: EnumValue<MigrationDefaultClass>;
  /** Parameters of `thin-csi`, e.g. `{ StoragePolicyName: '...' }`. @default - none */
  readonly csiParameters?: Readonly<Record<string, string>>;
}

/**
 * SCENARIOS §5 on OpenShift: vSphere CSI migration switched on the way the release wants it
 * (4.10-4.12: FeatureGate CustomNoUpgrade with CSIMigrationvSphere; 4.13 upgraded clusters: the
 * Storage operator opt-in; 4.14+: automatic, nothing to switch) and the `thin` / `thin-csi` pair.
 */
export class OpenShiftVsphereMigrationChart extends Chart {
  /** The FeatureGate, where the release needs one. */
  public readonly featureGate?: OpenShiftFeatureGate;
  /** The Storage operator opt-in, on 4.13 upgraded clusters. */
  public readonly storageDriver?: OpenShiftStorageDriver;
  /** The StorageClass pair. */
  public readonly storageClasses: CsiMigrationStorageClasses;
  /** The OpenShift release this chart targets, e.g. `'4.11'`. */
  public readonly openshiftVersion: string;

  constructor(scope: Construct, id: string, props: OpenShiftVsphereMigrationChartProps = {}) {
    super(scope, id, { labels: props?.labels, disableResourceNameHashes: props?.disableResourceNameHashes });
    checkProps(this, props, 'OpenShiftVsphereMigrationChartProps');
    const openshiftVersion = props.openshiftVersion ?? '4.11';
    this.openshiftVersion = openshiftVersion;
    const release = resolveOpenShiftRelease(this, openshiftVersion);
    const vsphere = openShiftMigrationByProvisioner('kubernetes.io/vsphere-volume')!;
    const mode = openShiftMigrationMode(vsphere, release.minor);
    if (mode === OpenShiftMigrationMode.FEATURE_GATE) {
      this.featureGate = new OpenShiftFeatureGate(this, 'FeatureGate', {
        openshiftVersion,
        featureSet: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE,
        enabled: [vsphere.gate],
        acknowledgeNoUpgrade: props.acknowledgeNoUpgrade,
      });
    } else if (mode === OpenShiftMigrationMode.STORAGE_OPERATOR_OPT_IN && props.upgradedCluster) {
      this.storageDriver = new OpenShiftStorageDriver(this, 'StorageDriver', { openshiftVersion });
    }
    this.storageClasses = new CsiMigrationStorageClasses(this, 'StorageClasses', {
      openshiftVersion,
      inTreeProvisioner: vsphere.provisioner,
      inTreeParameters: { diskformat: 'thin' },
      csiParameters: props.csiParameters,
      defaultClass: props.defaultClass ?? MigrationDefaultClass.CSI,
    });
    labelObjects(this, { name: 'openshift-vsphere-migration', component: 'cluster-configuration' });
  }
}
