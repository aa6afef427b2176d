import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { formatKubernetesMinor, GROUP_SNAPSHOT_GATE, POD_SECURITY_LABELS, PodSecurityLevel, SNAPSHOT_STACK_KUBERNETES } from '../catalog';
import { KubeNamespace } from '../imports/k8s';
import { KUBERNETES_VERSION_CONTEXT, resolveKubernetesMinor } from '../constructs/common/_target';
import { checkDnsLabel, checkProps, PropError } from '../constructs/common/_validation';
import { DoctorRbac } from '../constructs/platform/doctor-rbac';
import { SnapshotController, SnapshotControllerProps } from '../constructs/platform/snapshot-controller';
import { SnapshotCrds } from '../constructs/platform/snapshot-crds';
import { SnapshotUserRoles, SnapshotUserRolesProps } from '../constructs/platform/snapshot-user-roles';
import { VolumeModeGuard, VolumeModeGuardProps } from '../constructs/guard/volume-mode-guard';
import { labelObjects } from '../constructs/common/_labels';

/** Props of {@link SnapshotPlatformChart}. */
export interface SnapshotPlatformChartProps extends Omit<ChartProps, 'namespace'> {
  /**
   * Target Kubernetes release for every construct in the chart (`'1.30'` up to the newest supported minor).
   * @default - the newest supported minor (SNAPSHOT_STACK_KUBERNETES.default)
   */
  readonly kubernetesVersion?: string;
  /**
   * Namespace rendered for the controller, labelled to enforce Pod Security "restricted".
   * @default 'snapshot-system'
   */
  readonly namespace?: string;
  /**
   * Group snapshots (groupsnapshot.storage.k8s.io). `true` renders their CRDs (when `crds` is on)
   * and leaves the controller's `CSIVolumeGroupSnapshot` gate at its release default (on from
   * v8.7.0). `false` leaves the CRDs out and writes the gate off, so the controller does not wait
   * for CRDs that will never come; give your drivers' csi-snapshotter
   * `featureGates: { CSIVolumeGroupSnapshot: false }` too. With `crds: false` the CRDs' owner
   * decides (OpenShift's operator serves them as v1).
   * @default true
   */
  readonly groupSnapshots?: boolean;
  /**
   * Render the snapshot CRDs. `false` where someone else owns them (OpenShift's operator, a cloud
   * add-on, the cluster add-on manager: `doctor` says when): theirs would be overwritten, or would
   * overwrite these.
   * @default true
   */
  readonly crds?: boolean;
  /**
   * snapshot-controller settings (its namespace is the chart's), or `false` where the cluster already
   * runs one: two controllers each elect their own leader and both act on every snapshot. Without a
   * controller the chart renders no namespace either.
   * @default - the construct's defaults
   */
  readonly controller?: Omit<SnapshotControllerProps, 'namespace' | 'kubernetesVersion'> | false;
  /**
   * The admission policies that guard the volume mode, or `false` to leave them out (not
   * recommended: the flags and CRDs are then protected only as long as nobody changes them).
   * @default - every policy, enforcing (Deny)
   */
  readonly guard?: Omit<VolumeModeGuardProps, 'kubernetesVersion'> | false;
  /**
   * ClusterRoles aggregated into admin / edit / view so namespace users can take snapshots, or
   * `false` to leave them out.
   * @default - rendered, class reader not bound
   */
  readonly userRoles?: SnapshotUserRolesProps | false;
  /**
   * ClusterRoles for the `doctor` command (read-only audit, plus patch for the backfill), or `false`
   * to leave them out. They are not bound: bind them to whoever runs the command.
   * @default true
   */
  readonly doctorRoles?: boolean;
}

/**
 * The default snapshot platform: a restricted namespace, the snapshot CRDs (with
 * `spec.sourceVolumeMode`), the snapshot-controller with the protection flag written out, the
 * admission policies that guard the volume mode, and user roles for taking snapshots.
 */
export class SnapshotPlatformChart extends Chart {
  /** Namespace of the controller (not the cdk8s chart default: cluster-scoped objects must stay unnamespaced). */
  public readonly controllerNamespace: string;
  /** The snapshot CRDs, unless turned off. */
  public readonly crds?: SnapshotCrds;
  /** The snapshot-controller, unless turned off. */
  public readonly controller?: SnapshotController;
  /** The admission policies, unless turned off. */
  public readonly guard?: VolumeModeGuard;
  /** The aggregated user roles, unless turned off. */
  public readonly userRoles?: SnapshotUserRoles;

  constructor(scope: Construct, id: string, props: SnapshotPlatformChartProps = {}) {
    // The chart-level namespace of cdk8s would also stamp cluster-scoped objects; namespaces are set per object.
    super(scope, id, { labels: props?.labels, disableResourceNameHashes: props?.disableResourceNameHashes });
    checkProps(this, props, 'SnapshotPlatformChartProps');
    const version = props.kubernetesVersion ?? formatKubernetesMinor(SNAPSHOT_STACK_KUBERNETES.default);
    if (props.kubernetesVersion !== undefined) this.node.setContext(KUBERNETES_VERSION_CONTEXT, version);
    resolveKubernetesMinor(this, props.kubernetesVersion);
    this.controllerNamespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'snapshot-system');

    if (props.crds === false && props.groupSnapshots) {
      throw new PropError(this, 'groupSnapshots', props.groupSnapshots, 'asks for group snapshot CRDs while crds is false',
        'drop groupSnapshots (whoever owns the CRDs installs those too), or set crds: true');
    }
    const groupSnapshots = props.groupSnapshots ?? true;
    if (props.crds !== false) this.crds = new SnapshotCrds(this, 'Crds', { groupSnapshots });
    if (props.controller !== false) {
      const gates = props.controller?.featureGates ?? {};
      if (!groupSnapshots && gates[GROUP_SNAPSHOT_GATE] === true) {
        throw new PropError(this, `controller.featureGates.${GROUP_SNAPSHOT_GATE}`, true, 'turns group snapshots on while groupSnapshots is false',
          `drop one of them: groupSnapshots: true (CRDs and the gate's default), or the ${GROUP_SNAPSHOT_GATE} entry`);
      }
      const controllerGates = groupSnapshots ? props.controller?.featureGates : { ...gates, [GROUP_SNAPSHOT_GATE]: false };
      const ns = new KubeNamespace(this, 'Namespace', {
        metadata: {
          name: this.controllerNamespace,
          labels: {
            [POD_SECURITY_LABELS.enforce]: PodSecurityLevel.RESTRICTED,
            [POD_SECURITY_LABELS.enforceVersion]: 'latest',
            [POD_SECURITY_LABELS.warn]: PodSecurityLevel.RESTRICTED,
            [POD_SECURITY_LABELS.audit]: PodSecurityLevel.RESTRICTED,
          },
        },
      });
      this.controller = new SnapshotController(this, 'SnapshotController', {
        ...props.controller, namespace: this.controllerNamespace, ...(controllerGates ? { featureGates: controllerGates } : {}),
      });
      // Apply order: the namespace and CRDs exist before the controller starts watching them.
      this.controller.node.addDependency(ns, ...(this.crds ? [this.crds] : []));
    }
    if (props.guard !== false) {
      this.guard = new VolumeModeGuard(this, 'VolumeModeGuard', props.guard ?? {});
      // The CRD policy checks CRD updates, so install the CRDs first and keep the guard behind them.
      if (this.crds) this.guard.node.addDependency(this.crds);
    }
    if (props.userRoles !== false) this.userRoles = new SnapshotUserRoles(this, 'UserRoles', props.userRoles ?? {});
    if (props.doctorRoles ?? true) new DoctorRbac(this, 'DoctorRbac');
    labelObjects(this, { name: 'snapshot-platform', component: 'platform' });
  }
}
