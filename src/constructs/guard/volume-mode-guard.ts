/**
 * The volume mode guard: every admission policy of src/policies with its binding, plus the
 * ClusterRole that lets a principal approve a volume mode change.
 */
import { Construct } from 'constructs';
import {
  APPROVE_MODE_CHANGE_VERB, featureGate, formatKubernetesMinor, MODE_CHANGE_APPROVER_CLUSTER_ROLE, mutatingAdmissionPolicyApi, RESTORES_SNAPSHOT_LABEL,
  runtimeConfigFor, SNAPSHOT_NAME_BUCKET_COUNT, SNAPSHOT_NAME_BUCKET_LABEL, SNAPSHOT_STACK_KUBERNETES, SOURCE_VOLUME_MODE_LABEL, UNKNOWN_SOURCE_VOLUME_MODE,
} from '../../catalog';
import { betaApiRequirement } from '../../catalog/admission';
import { SNAPSHOT_GROUP, SNAPSHOT_RESOURCES, VOLUME_MODES } from '../../catalog/snapshot-api';
import { KubeClusterRole, KubeClusterRoleBinding } from '../../imports/k8s';
import { MUTATING_POLICIES, MutatingPolicyKey, VALIDATING_POLICIES, ValidatingPolicyKey } from '../../policies';
import type { LabelSelector } from '../../policies/types';
import { AdmissionPolicy, AdmissionPolicyProps, PrincipalExemption, resolvePolicyTarget, ValidationAction } from './admission-policy';
import { ClusterPlatform, IClusterFeatureGates, requireAdmissionApi, requireSameCluster } from '../feature-gates/_feature-gates';
import { checkList, checkProps, PropError } from '../common/_validation';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';
import type { EnumValue } from '../common/_enum';
import { SubjectData, SubjectLike, toRbacSubject } from '../common/_subjects';

/** A subject the approver ClusterRole is bound to. */
/** A subject written as data: `{ kind: 'Group', name: 'storage-admins' }`. */
export type ApproverSubject = SubjectData;

/** Policies that take params (their bindings carry a paramRef selector). */
export type ParamPolicyKey = 'singleDefaultSnapshotClass' | 'singleDefaultStorageClass' | 'restoreKeepsVolumeMode';

/** Props of VolumeModeGuard. */
export interface VolumeModeGuardProps extends ObjectLabelsProps {
  /** Target Kubernetes release, `'1.<minor>'`. @default - the chart's context, else the newest supported minor */
  readonly kubernetesVersion?: string;
  /** Actions of every validating binding, unless `actions` says otherwise. @default [Deny] */
  readonly defaultActions?: EnumValue<ValidationAction>[];
  /** Actions per validating policy, e.g. `{ restoreKeepsVolumeMode: [ValidationAction.WARN] }`. @default - defaultActions */
  readonly actions?: Partial<Record<ValidatingPolicyKey, EnumValue<ValidationAction>[]>>;
  /** Principals a policy skips. @default - nobody is exempt from any policy */
  readonly exempt?: Partial<Record<ValidatingPolicyKey | MutatingPolicyKey, PrincipalExemption>>;
  /** Policies to leave out. @default - none */
  readonly exclude?: (ValidatingPolicyKey | MutatingPolicyKey)[];
  /**
   * Render the mutating policies. @default - true where MutatingAdmissionPolicy v1 is served (1.36+),
   * and on 1.34/1.35 when allowBetaMutatingApi is true or clusterFeatures turns on the gate and its
   * runtime-config; false elsewhere
   */
  readonly mutatingPolicies?: boolean;
  /**
   * Render the mutating policies as v1beta1 on 1.34/1.35 (needs the API server gate and
   * runtime-config). For API servers configured outside this project; with clusterFeatures, the
   * gate configuration must agree. @default false
   */
  readonly allowBetaMutatingApi?: boolean;
  /**
   * The cluster's feature-gate configuration (KubernetesFeatureGates or OpenShiftFeatureGate), passed
   * to every policy. It must target the same Kubernetes minor; on 1.34/1.35 the mutating policies
   * render as v1beta1 when it turns on MutatingAdmissionPolicy and its runtime-config, and asking
   * for them (mutatingPolicies or allowBetaMutatingApi) when it does not fails naming both.
   * @default - none: the API server's flags are not checked
   */
  readonly clusterFeatures?: IClusterFeatureGates;
  /** paramRef selectors of the param policies. @default - `{}`: every object of the param kind */
  readonly paramSelectors?: Partial<Record<ParamPolicyKey, LabelSelector>>;
  /** Subjects bound to the approver ClusterRole: data, or cdk8s-plus User / Group / ServiceAccount. @default - none: bind the role yourself */
  readonly approvers?: readonly (ApproverSubject | SubjectLike)[];
}

/**
 * All validating policies (and, where the target serves them, the mutating ones), each with its
 * binding, plus ClusterRole `volume-mode-change-approver` granting the approve verb.
 */
export class VolumeModeGuard extends Construct {
  /** The rendered policies by key. */
  public readonly policies: Readonly<Partial<Record<ValidatingPolicyKey | MutatingPolicyKey, AdmissionPolicy>>>;

  constructor(scope: Construct, id: string, props: VolumeModeGuardProps = {}) {
    super(scope, id);
    checkProps(this, props, 'VolumeModeGuardProps');
    const minor = resolvePolicyTarget(this, props.kubernetesVersion, 'admission policies');
    const version = formatKubernetesMinor(minor);
    const clusterFeatures = props.clusterFeatures;
    if (clusterFeatures) requireSameCluster(this, 'admission policies', minor, clusterFeatures, SNAPSHOT_STACK_KUBERNETES);
    const exclude = new Set<string>(checkList(this, 'exclude', props.exclude, "['singleDefaultStorageClass']") ?? []);
    checkList(this, 'defaultActions', props.defaultActions, "['Deny']");
    checkList(this, 'approvers', props.approvers, "[{ kind: 'Group', name: 'storage-admins' }]");
    const known = [...Object.keys(VALIDATING_POLICIES), ...Object.keys(MUTATING_POLICIES)];
    for (const key of [...exclude, ...Object.keys(props.actions ?? {}), ...Object.keys(props.exempt ?? {}), ...Object.keys(props.paramSelectors ?? {})]) {
      if (!known.includes(key)) throw new PropError(this, 'policy key', key, 'is not a policy of the guard', `use one of ${known.join(', ')}`);
    }
    for (const key of Object.keys(props.actions ?? {})) {
      if (key in MUTATING_POLICIES) throw new PropError(this, `actions.${key}`, props.actions![key as ValidatingPolicyKey], 'is set for a mutating policy', 'set actions only for validating policies');
    }
    for (const key of Object.keys(props.paramSelectors ?? {})) {
      const def = VALIDATING_POLICIES[key as ValidatingPolicyKey];
      if (!def?.params) throw new PropError(this, `paramSelectors.${key}`, props.paramSelectors![key as ParamPolicyKey], 'is set for a policy without params', 'remove it');
    }

    const policies: Partial<Record<ValidatingPolicyKey | MutatingPolicyKey, AdmissionPolicy>> = {};
    const mutating = this.renderMutating(minor, props);
    for (const [key, definition] of Object.entries(VALIDATING_POLICIES) as [ValidatingPolicyKey, (typeof VALIDATING_POLICIES)[ValidatingPolicyKey]][]) {
      if (exclude.has(key)) continue;
      const selectors = key === 'restoreKeepsVolumeMode'
        ? restoreBindings(mutating && !exclude.has('markSnapshotRestores'), mutating && !exclude.has('labelSnapshotContents'), props.paramSelectors?.restoreKeepsVolumeMode)
        : { paramSelector: props.paramSelectors?.[key as ParamPolicyKey] };
      policies[key] = new AdmissionPolicy(this, pascal(key), {
        definition, kubernetesVersion: version,
        validationActions: props.actions?.[key] ?? props.defaultActions,
        exempt: props.exempt?.[key],
        ...selectors,
        ...(clusterFeatures ? { clusterFeatures } : {}),
      });
    }

    if (mutating) {
      for (const [key, definition] of Object.entries(MUTATING_POLICIES) as [MutatingPolicyKey, (typeof MUTATING_POLICIES)[MutatingPolicyKey]][]) {
        if (exclude.has(key)) continue;
        policies[key] = new AdmissionPolicy(this, pascal(key), {
          definition, kubernetesVersion: version, exempt: props.exempt?.[key],
          ...(props.allowBetaMutatingApi ? { allowBetaMutatingApi: true } : {}),
          ...(clusterFeatures ? { clusterFeatures } : {}),
        });
      }
    }
    this.policies = policies;

    new KubeClusterRole(this, 'ApproverRole', {
      metadata: { name: MODE_CHANGE_APPROVER_CLUSTER_ROLE },
      rules: [{ apiGroups: [SNAPSHOT_GROUP], resources: [SNAPSHOT_RESOURCES.volumeSnapshotContents], verbs: [APPROVE_MODE_CHANGE_VERB] }],
    });
    if (props.approvers?.length) {
      const subjects = props.approvers.map((s, i) => toRbacSubject(this, `approvers[${i}]`, s))
        .sort((a, b) => `${a.kind}/${a.namespace ?? ''}/${a.name}`.localeCompare(`${b.kind}/${b.namespace ?? ''}/${b.name}`));
      new KubeClusterRoleBinding(this, 'ApproverBinding', {
        metadata: { name: MODE_CHANGE_APPROVER_CLUSTER_ROLE },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: MODE_CHANGE_APPROVER_CLUSTER_ROLE },
        subjects,
      });
    }
    labelObjects(this, { name: 'volume-mode-guard', component: 'admission-policy' }, props.labels);
  }

  private renderMutating(minor: number, props: VolumeModeGuardProps): boolean {
    const offer = mutatingAdmissionPolicyApi(minor);
    const version = formatKubernetesMinor(minor);
    if (props.mutatingPolicies === false) {
      if (props.allowBetaMutatingApi) throw new PropError(this, 'allowBetaMutatingApi', true, 'is set while mutatingPolicies is false', 'drop one of them');
      return false;
    }
    if (offer?.version === 'v1') return true;
    const cluster = props.clusterFeatures;
    const asked = props.mutatingPolicies === true || props.allowBetaMutatingApi === true;
    if (offer?.version === 'v1beta1' && cluster) {
      // The gate configuration is the opt-in. Asking for the policies while it leaves the API off
      // contradicts it, so that throws (naming both constructs) instead of rendering dead objects.
      if (asked) {
        requireAdmissionApi(this, 'MutatingAdmissionPolicy', minor, cluster);
        return true;
      }
      const gate = featureGate('MutatingAdmissionPolicy')!;
      return cluster.gateEnabled(gate.name) && cluster.runtimeConfigEnabled(runtimeConfigFor(gate, minor)!);
    }
    if (offer?.version === 'v1beta1') {
      if (props.allowBetaMutatingApi) return true;
      if (props.mutatingPolicies === true) {
        throw new PropError(this, 'mutatingPolicies', true, `needs allowBetaMutatingApi on Kubernetes ${version}, which serves MutatingAdmissionPolicy only as v1beta1 (off by default)`,
          `set allowBetaMutatingApi: true and start the API server with ${betaApiRequirement('MutatingAdmissionPolicy')}`);
      }
      return false;
    }
    // OpenShift cannot pass --runtime-config, so no pre-v1 API can be switched on there: say so
    // rather than suggesting another target.
    if (asked && offer?.needsOptIn && cluster?.platform === ClusterPlatform.OPENSHIFT) requireAdmissionApi(this, 'MutatingAdmissionPolicy', minor, cluster);
    if (asked) {
      throw new PropError(this, props.mutatingPolicies === true ? 'mutatingPolicies' : 'allowBetaMutatingApi', true,
        `cannot be honoured on Kubernetes ${version}: MutatingAdmissionPolicy is v1beta1 from 1.34 (behind a gate) and v1 from 1.36; before that only an alpha API exists`,
        'target Kubernetes >= 1.34, or leave mutatingPolicies unset (the validating policies still refuse what the mutating ones would fix)');
    }
    return false;
  }
}

/**
 * The restore policy's bindings. It runs once per VolumeSnapshotContent a binding hands it, so
 * each claim should meet as few as possible:
 * - claims and contents both labelled (mark-snapshot-restores, label-snapshot-content-source-mode):
 *   one binding per volume mode and snapshot-name bucket, selecting the claims that restore into
 *   that mode a snapshot of that bucket, and reading only the contents labelled with another mode
 *   (a content of the same mode, or of none, can never refuse) and not with another bucket.
 *   Contents without labels (stored before the guard) are read by every binding until their next
 *   write labels them;
 * - claims labelled, contents not: one binding for every restoring claim, reading every content;
 * - nothing labelled (no mutating policies): every claim, every content.
 * A user's paramSelector narrows every binding further.
 */
function restoreBindings(claimsLabelled: boolean, contentsLabelled: boolean, user: LabelSelector | undefined): Pick<AdmissionPolicyProps, 'bindings' | 'objectSelector' | 'paramSelector'> {
  if (!claimsLabelled) return { paramSelector: user };
  if (!contentsLabelled) return { objectSelector: { matchExpressions: [{ key: RESTORES_SNAPSHOT_LABEL, operator: 'Exists' }] }, paramSelector: user };
  const buckets = Array.from({ length: SNAPSHOT_NAME_BUCKET_COUNT }, (_, i) => String(i));
  return {
    bindings: VOLUME_MODES.flatMap((mode) => buckets.map((bucket) => ({
      suffix: `${mode.toLowerCase()}-${bucket}`,
      objectSelector: { matchLabels: { [RESTORES_SNAPSHOT_LABEL]: mode, [SNAPSHOT_NAME_BUCKET_LABEL]: bucket } },
      paramSelector: {
        ...(user?.matchLabels ? { matchLabels: { ...user.matchLabels } } : {}),
        matchExpressions: [
          ...(user?.matchExpressions ?? []),
          { key: SOURCE_VOLUME_MODE_LABEL, operator: 'NotIn' as const, values: [mode, UNKNOWN_SOURCE_VOLUME_MODE] },
          { key: SNAPSHOT_NAME_BUCKET_LABEL, operator: 'NotIn' as const, values: buckets.filter((b) => b !== bucket) },
        ],
      },
    }))),
  };
}

function pascal(key: string): string {
  return key[0].toUpperCase() + key.slice(1);
}
