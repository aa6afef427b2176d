import { Construct } from 'constructs';
import { DOCTOR_BACKFILL_CLUSTER_ROLE, DOCTOR_BACKFILL_RULES, DOCTOR_READER_CLUSTER_ROLE, DOCTOR_READER_RULES } from '../../catalog/doctor-rbac';
import type { RbacRule } from '../../catalog/rbac';
import { KubeClusterRole, PolicyRule } from '../../imports/k8s';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';
import { checkProps } from '../common/_validation';

/** Props of {@link DoctorRbac}. */
export interface DoctorRbacProps extends ObjectLabelsProps {
  /**
   * Also render the ClusterRole that lets `doctor backfill-source-volume-mode --apply` patch
   * VolumeSnapshotContents.
   * @default true
   */
  readonly backfill?: boolean;
  /** Labels put on every ClusterRole. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * ClusterRoles for the `doctor` command: a read-only one for the audit and the backfill dry-run,
 * and one adding `patch` on VolumeSnapshotContents for `--apply`. No bindings: bind them to the
 * person or ServiceAccount that runs the command.
 */
export class DoctorRbac extends Construct {
  /** The read-only ClusterRole. */
  public readonly reader: KubeClusterRole;
  /** The ClusterRole for `--apply`, when rendered. */
  public readonly backfill?: KubeClusterRole;

  constructor(scope: Construct, id: string, props: DoctorRbacProps = {}) {
    super(scope, id);
    checkProps(this, props, 'DoctorRbacProps');
    const labels = props.labels ? { ...props.labels } : undefined;
    this.reader = new KubeClusterRole(this, 'Reader', {
      metadata: { name: DOCTOR_READER_CLUSTER_ROLE, labels },
      rules: DOCTOR_READER_RULES.map(toPolicyRule),
    });
    if (props.backfill ?? true) {
      this.backfill = new KubeClusterRole(this, 'Backfill', {
        metadata: { name: DOCTOR_BACKFILL_CLUSTER_ROLE, labels },
        rules: DOCTOR_BACKFILL_RULES.map(toPolicyRule),
      });
    }
    labelObjects(this, { name: 'doctor', component: 'rbac' }, props.labels);
  }
}

function toPolicyRule(rule: RbacRule): PolicyRule {
  return { apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] };
}
