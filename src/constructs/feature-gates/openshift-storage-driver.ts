import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  formatOpenShiftMinor, IRREVERSIBLE_ANNOTATION, OPENSHIFT_STORAGE_OPERATOR, openShiftMigrationByProvisioner, OpenShiftMigrationMode,
  openShiftMigrationMode, openShiftMigrationSince, VSphereStorageDriver,
} from '../../catalog';
import { resolveOpenShiftRelease } from './_feature-gates';
import { checkProps, PropError } from '../common/_validation';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';
import type { EnumValue } from '../common/_enum';

/** Props of {@link OpenShiftStorageDriver}. */
export interface OpenShiftStorageDriverProps extends ObjectLabelsProps {
  /** Target OpenShift release; only 4.13 offers the opt-in (FACTS §g3). */
  readonly openshiftVersion: string;
  /**
   * Which vSphere driver the cluster uses. The field is set-once: the choice cannot be changed later.
   * @default VSphereStorageDriver.CSI_WITH_MIGRATION_DRIVER
   */
  readonly vsphereStorageDriver?: EnumValue<VSphereStorageDriver>;
}

/** The in-tree provisioner this opt-in migrates. */
const VSPHERE_IN_TREE = 'kubernetes.io/vsphere-volume';

/**
 * The OpenShift storage operator's `Storage` object (`operator.openshift.io/v1`, name `cluster`)
 * with `spec.vsphereStorageDriver`: how a cluster upgraded to 4.13 from 4.12 opts in to vSphere CSI
 * migration (new 4.13 installs migrate already). Refused on other releases with what to do there:
 * before 4.13 the switch is the FeatureGate, from 4.14 migration is automatic for every cluster.
 * The object already exists in the cluster; apply it with server-side apply so only this field is set.
 */
export class OpenShiftStorageDriver extends Construct {
  /** The driver rendered. */
  public readonly vsphereStorageDriver: VSphereStorageDriver;
  /** The rendered Storage object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: OpenShiftStorageDriverProps) {
    super(scope, id);
    checkProps(this, props, 'OpenShiftStorageDriverProps');
    const release = resolveOpenShiftRelease(this, props.openshiftVersion);
    const entry = openShiftMigrationByProvisioner(VSPHERE_IN_TREE)!;
    const mode = openShiftMigrationMode(entry, release.minor);
    const optIn = openShiftMigrationSince(entry, OpenShiftMigrationMode.STORAGE_OPERATOR_OPT_IN)!;
    const automatic = openShiftMigrationSince(entry, OpenShiftMigrationMode.AUTOMATIC)!;
    if (mode === OpenShiftMigrationMode.AUTOMATIC) {
      throw new PropError(this, 'openshiftVersion', props.openshiftVersion,
        `migrates vSphere volumes automatically for every cluster (since ${formatOpenShiftMinor(automatic)}), so there is nothing to opt in to`,
        'remove this construct');
    }
    if (mode !== OpenShiftMigrationMode.STORAGE_OPERATOR_OPT_IN) {
      throw new PropError(this, 'openshiftVersion', props.openshiftVersion,
        `has no vsphereStorageDriver opt-in (it arrived in ${formatOpenShiftMinor(optIn)})`,
        `on this release use OpenShiftFeatureGate with featureSet CustomNoUpgrade and enabled: ['${entry.gate}'] (irreversible), or upgrade first`);
    }
    const driver = props.vsphereStorageDriver ?? VSphereStorageDriver.CSI_WITH_MIGRATION_DRIVER;
    if (!(Object.values(VSphereStorageDriver) as string[]).includes(driver)) {
      throw new PropError(this, 'vsphereStorageDriver', driver, 'is not a vSphere storage driver',
        `use ${Object.values(VSphereStorageDriver).join(' or ')}`);
    }
    this.vsphereStorageDriver = driver as VSphereStorageDriver;
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: OPENSHIFT_STORAGE_OPERATOR.apiVersion,
      kind: OPENSHIFT_STORAGE_OPERATOR.kind,
      metadata: {
        name: OPENSHIFT_STORAGE_OPERATOR.name,
        annotations: {
          [IRREVERSIBLE_ANNOTATION]: `spec.vsphereStorageDriver is set-once: ${driver} cannot be changed after it is applied`,
        },
      },
      spec: { vsphereStorageDriver: driver },
    });
    labelObjects(this, { name: 'openshift-storage-driver', component: 'cluster-configuration' }, props.labels);
  }
}
