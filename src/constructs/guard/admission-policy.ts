/**
 * Renders one policy definition (src/policies) into its admission policy and binding, in the API
 * version the target Kubernetes serves.
 */
import { Construct, IConstruct } from 'constructs';
import {
  CEL_LIBRARY_SINCE, formatKubernetesMinor, MIGRATION_KUBERNETES, mutatingAdmissionPolicyApi, POLICY_BINDING_SUFFIX,
  SNAPSHOT_STACK_KUBERNETES, validatingAdmissionPolicyApi,
} from '../../catalog';
import { API_REQUIREMENT_ANNOTATION, betaApiRequirement, PARAMS_NOTE_ANNOTATION } from '../../catalog/admission';
import {
  KubeMutatingAdmissionPolicy, KubeMutatingAdmissionPolicyBinding, KubeMutatingAdmissionPolicyBindingV1Beta1,
  KubeMutatingAdmissionPolicyV1Beta1, KubeValidatingAdmissionPolicy, KubeValidatingAdmissionPolicyBinding,
} from '../../imports/k8s';
import { formatCel } from '../../policies/cel-format';
import type { AnyPolicyDefinition, LabelSelector, NamedExpression } from '../../policies/types';
import { AdmissionPolicyKind, ClusterPlatform, IClusterFeatureGates, requireAdmissionApi, requireSameCluster, requireTargetRange } from '../feature-gates/_feature-gates';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';
import { resolveKubernetesMinor } from '../common/_target';
import { checkDnsLabel, checkProps, PropError } from '../common/_validation';
import type { EnumValue } from '../common/_enum';
import { SubjectData, SubjectLike, toRbacSubject, userNameOf } from '../common/_subjects';

/** What a validating binding does with a failed validation. */
export enum ValidationAction {
  /** Refuse the request. */
  DENY = 'Deny',
  /** Let it through with a warning to the client. */
  WARN = 'Warn',
  /** Let it through and record the failure in the audit log. */
  AUDIT = 'Audit',
}

/** Principals a policy does not apply to. */
export interface PrincipalExemption {
  /** User names, e.g. `system:serviceaccount:velero:velero`. @default - none */
  readonly users?: readonly string[];
  /** Group names, e.g. `storage-admins`. @default - none */
  readonly groups?: readonly string[];
  /**
   * Subjects, as data or cdk8s-plus User / Group / ServiceAccount objects: a ServiceAccount is
   * exempted as `system:serviceaccount:<namespace>:<name>`. @default - none
   */
  readonly subjects?: readonly (SubjectData | SubjectLike)[];
}

/**
 * Groups every request of some kind belongs to: exempting one switches the policy off for all of
 * them, which is what removing the policy does, only less visibly.
 */
const EVERYONE_GROUPS: Readonly<Record<string, string>> = {
  'system:authenticated': 'every signed-in user',
  'system:unauthenticated': 'every anonymous request',
  'system:serviceaccounts': 'every ServiceAccount of every namespace',
};

/** Props of AdmissionPolicy. */
export interface AdmissionPolicyProps extends ObjectLabelsProps {
  /** The policy as data (src/policies). */
  readonly definition: AnyPolicyDefinition;
  /** Target Kubernetes release, `'1.<minor>'`. @default - the chart's context, else the newest supported minor */
  readonly kubernetesVersion?: string;
  /**
   * Actions of a validating binding. Deny and Warn cannot be combined; use Warn (plus Audit) for a
   * staged rollout, then Deny. Not allowed for mutating policies. @default [Deny]
   */
  readonly validationActions?: EnumValue<ValidationAction>[];
  /**
   * Render a mutating policy as admissionregistration.k8s.io/v1beta1 on Kubernetes 1.34 and 1.35,
   * where the API is off until the API server enables the MutatingAdmissionPolicy gate and
   * `--runtime-config=admissionregistration.k8s.io/v1beta1=true`. For API servers configured
   * outside this project; with `clusterFeatures` the gate configuration decides instead.
   * @default false
   */
  readonly allowBetaMutatingApi?: boolean;
  /**
   * The cluster's feature-gate configuration (a KubernetesFeatureGates or OpenShiftFeatureGate).
   * When given, it must target the same Kubernetes minor, and a mutating policy on 1.34/1.35
   * renders as v1beta1 only when it turns on the MutatingAdmissionPolicy gate and its
   * `--runtime-config` (that counts as the opt-in); otherwise synth fails naming both constructs.
   * @default - none: nothing is checked against the API server's flags; on 1.34/1.35 a mutating
   * policy needs allowBetaMutatingApi
   */
  readonly clusterFeatures?: IClusterFeatureGates;
  /** Principals the policy skips (an extra match condition). @default - nobody is exempt */
  readonly exempt?: PrincipalExemption;
  /** Selector of the binding's paramRef, for policies with params. @default - the definition's selector (every object of the kind) */
  readonly paramSelector?: LabelSelector;
  /**
   * Labels a request's object must carry for the binding to apply (`matchResources.objectSelector`).
   * A request that does not match costs nothing: no params are read for it.
   * @default - every object the policy's rules match
   */
  readonly objectSelector?: LabelSelector;
  /**
   * Several bindings instead of one, each named `<name>-binding-<suffix>` with its own object and
   * param selector: a request meets the bindings whose object selector it matches, and each of
   * those reads only its own params. This is how a policy with params hands each request only the
   * params that can concern it. Not together with objectSelector or paramSelector.
   * @default - one binding, `<name>-binding`
   */
  readonly bindings?: PolicyBindingVariant[];
}

/** One of several bindings of a policy (AdmissionPolicyProps.bindings). */
export interface PolicyBindingVariant {
  /** Appended to `<name>-binding-`; a DNS label. */
  readonly suffix: string;
  /** Labels a request's object must carry for this binding to apply. */
  readonly objectSelector: LabelSelector;
  /** Selector of this binding's paramRef. @default - the definition's selector */
  readonly paramSelector?: LabelSelector;
}

/**
 * A ValidatingAdmissionPolicy or MutatingAdmissionPolicy and its binding (or bindings), named after
 * the definition (`<name>` and `<name>-binding`), with failurePolicy Fail unless the definition says
 * why it must fail open.
 */
export class AdmissionPolicy extends Construct {
  /** metadata.name of the policy. */
  public readonly policyName: string;
  /** metadata.name of each binding. */
  public readonly bindingNames: readonly string[];
  /** admissionregistration.k8s.io version rendered. */
  public readonly apiVersion: string;

  constructor(scope: Construct, id: string, props: AdmissionPolicyProps) {
    super(scope, id);
    checkProps(this, props, 'AdmissionPolicyProps');
    this.policyName = props.definition.name;
    const base = `${props.definition.name}${POLICY_BINDING_SUFFIX}`;
    this.bindingNames = props.bindings?.length ? props.bindings.map((b) => `${base}-${b.suffix}`) : [base];
    this.apiVersion = this.render(props);
    labelObjects(this, { name: 'volume-mode-guard', component: 'admission-policy' }, props.labels);
  }

  /** Renders the policy and its binding; returns the admissionregistration.k8s.io version used. */
  private render(props: AdmissionPolicyProps): string {
    const def = props.definition;
    const kind: AdmissionPolicyKind = def.type === 'validating' ? 'ValidatingAdmissionPolicy' : 'MutatingAdmissionPolicy';
    const minor = resolvePolicyTarget(this, props.kubernetesVersion, `${kind} objects`);
    const cluster = props.clusterFeatures;

    if (cluster) {
      requireSameCluster(this, `${kind} objects`, minor, cluster, SNAPSHOT_STACK_KUBERNETES);
      // OpenShift's FeatureGate cannot pass --runtime-config, so no opt-in API version can work
      // there: say so before the per-version checks below, whose fix (another target) would not help.
      const offer = kind === 'ValidatingAdmissionPolicy' ? validatingAdmissionPolicyApi(minor) : mutatingAdmissionPolicyApi(minor);
      if (cluster.platform === ClusterPlatform.OPENSHIFT && offer?.needsOptIn) requireAdmissionApi(this, kind, minor, cluster);
    }

    if (minor < def.minKubernetesMinor) {
      throw new PropError(this, 'kubernetesVersion', formatKubernetesMinor(minor), `is older than policy ${def.name} supports (needs ${formatKubernetesMinor(def.minKubernetesMinor)})`,
        `target Kubernetes >= ${formatKubernetesMinor(def.minKubernetesMinor)} or leave this policy out`);
    }
    for (const lib of def.celLibraries) {
      if (CEL_LIBRARY_SINCE[lib] > minor) {
        throw new PropError(this, 'kubernetesVersion', formatKubernetesMinor(minor), `lacks the CEL library ${lib} that policy ${def.name} uses (from ${formatKubernetesMinor(CEL_LIBRARY_SINCE[lib])})`,
          `target Kubernetes >= ${formatKubernetesMinor(CEL_LIBRARY_SINCE[lib])}`);
      }
    }
    const matchConditions = [...(def.matchConditions ?? []), ...exemptionCondition(this, props.exempt)];
    const common = {
      failurePolicy: def.failurePolicy?.action ?? 'Fail',
      matchConstraints: { resourceRules: def.matchConstraints.resourceRules.map((r) => ({ ...r, apiGroups: [...r.apiGroups], apiVersions: [...r.apiVersions], resources: [...r.resources], operations: [...r.operations] })) },
      ...(def.params ? { paramKind: { ...def.params.kind } } : {}),
      ...(matchConditions.length ? { matchConditions: matchConditions.map((m) => ({ ...m, expression: formatCel(m.expression) })) } : {}),
      ...(def.variables?.length ? { variables: def.variables.map((v) => ({ ...v, expression: formatCel(v.expression) })) } : {}),
    };
    const bindings = this.bindingSpecs(props);

    if (def.type === 'validating') {
      if (props.allowBetaMutatingApi !== undefined) {
        throw new PropError(this, 'allowBetaMutatingApi', props.allowBetaMutatingApi, `only applies to mutating policies, and ${def.name} is validating`, 'remove allowBetaMutatingApi');
      }
      const actions = checkActions(this, props.validationActions ?? [ValidationAction.DENY]);
      const apiVersion = cluster ? requireAdmissionApi(this, kind, minor, cluster).version : validatingAdmissionPolicyApi(minor)!.version;
      new KubeValidatingAdmissionPolicy(this, 'Policy', {
        metadata: { name: this.policyName },
        spec: {
          ...common,
          validations: def.validations.map((v) => ({
            ...v, expression: formatCel(v.expression), ...(v.messageExpression ? { messageExpression: formatCel(v.messageExpression) } : {}),
          })),
        },
      });
      for (const b of bindings) {
        new KubeValidatingAdmissionPolicyBinding(this, b.id, {
          metadata: { name: b.name, ...b.meta },
          spec: { policyName: this.policyName, validationActions: actions, ...b.paramRef, ...b.matchResources },
        });
      }
      return apiVersion;
    }

    if (props.validationActions !== undefined) {
      throw new PropError(this, 'validationActions', props.validationActions, `does not apply to mutating policy ${def.name}`, 'remove validationActions');
    }
    const offer = mutatingAdmissionPolicyApi(minor);
    const spec = {
      ...common,
      mutations: def.mutations.map((m) => (m.patchType === 'ApplyConfiguration'
        ? { patchType: m.patchType, applyConfiguration: { expression: formatCel(m.expression) } }
        : { patchType: m.patchType, jsonPatch: { expression: formatCel(m.expression) } })),
      reinvocationPolicy: def.reinvocationPolicy ?? 'Never',
    };
    const bindingSpec = (b: BindingSpec) => ({ policyName: this.policyName, ...b.paramRef, ...b.matchResources });
    if (offer?.version === 'v1') {
      if (cluster) requireAdmissionApi(this, kind, minor, cluster);
      const apiVersion = 'v1';
      new KubeMutatingAdmissionPolicy(this, 'Policy', { metadata: { name: this.policyName }, spec });
      for (const b of bindings) new KubeMutatingAdmissionPolicyBinding(this, b.id, { metadata: { name: b.name, ...b.meta }, spec: bindingSpec(b) });
      return apiVersion;
    }
    if (offer?.version === 'v1beta1') {
      if (cluster) {
        // Throws unless the gate configuration turns on the gate and the runtime-config, even when
        // allowBetaMutatingApi is set: the two would contradict each other.
        requireAdmissionApi(this, kind, minor, cluster);
      } else if (props.allowBetaMutatingApi !== true) {
        throw new PropError(this, 'allowBetaMutatingApi', props.allowBetaMutatingApi,
          `is not true, but Kubernetes ${formatKubernetesMinor(minor)} serves MutatingAdmissionPolicy only as v1beta1, off by default`,
          `set allowBetaMutatingApi: true and start the API server with ${betaApiRequirement('MutatingAdmissionPolicy')}, `
          + 'or pass clusterFeatures with that gate, or leave the mutating policies out');
      }
      const apiVersion = 'v1beta1';
      const annotations = { [API_REQUIREMENT_ANNOTATION]: betaApiRequirement('MutatingAdmissionPolicy') };
      new KubeMutatingAdmissionPolicyV1Beta1(this, 'Policy', { metadata: { name: this.policyName, annotations }, spec });
      for (const b of bindings) {
        new KubeMutatingAdmissionPolicyBindingV1Beta1(this, b.id, { metadata: { name: b.name, annotations: { ...b.meta.annotations, ...annotations } }, spec: bindingSpec(b) });
      }
      return apiVersion;
    }
    throw new PropError(this, 'kubernetesVersion', formatKubernetesMinor(minor),
      `does not serve MutatingAdmissionPolicy for policy ${def.name} (v1beta1 arrives in 1.34 behind a gate, v1 in 1.36; the 1.32-1.33 v1alpha1 API is not supported)`,
      'target Kubernetes 1.36 (or 1.34/1.35 with allowBetaMutatingApi or clusterFeatures), or leave the mutating policies out');
  }

  /** What each binding carries: its name, construct id, paramRef, object selector and the cost note. */
  private bindingSpecs(props: AdmissionPolicyProps): BindingSpec[] {
    const def = props.definition;
    if (props.bindings?.length && (props.objectSelector || props.paramSelector)) {
      throw new PropError(this, 'bindings', props.bindings.map((b) => b.suffix), 'is set together with objectSelector or paramSelector',
        'give each binding its own selectors, or use one binding');
    }
    const variants = props.bindings?.length
      ? props.bindings.map((b, i) => {
        checkDnsLabel(this, `bindings[${i}].suffix`, b.suffix);
        return { name: this.bindingNames[i], id: `Binding${pascal(b.suffix)}`, objectSelector: b.objectSelector, paramSelector: b.paramSelector, prop: `bindings[${i}]` };
      })
      : [{ name: this.bindingNames[0], id: 'Binding', objectSelector: props.objectSelector, paramSelector: props.paramSelector, prop: '' }];
    if (new Set(variants.map((v) => v.name)).size !== variants.length) {
      throw new PropError(this, 'bindings', props.bindings!.map((b) => b.suffix), 'repeats a suffix', 'give every binding its own suffix');
    }
    return variants.map((v) => {
      const where = v.prop ? `${v.prop}.` : '';
      if (v.objectSelector && !v.objectSelector.matchLabels && !v.objectSelector.matchExpressions?.length) {
        throw new PropError(this, `${where}objectSelector`, v.objectSelector, 'selects every object', 'name the labels to select, or leave objectSelector out');
      }
      if (v.paramSelector && !def.params) {
        throw new PropError(this, `${where}paramSelector`, v.paramSelector, `is set but policy ${def.name} takes no params`, 'remove paramSelector');
      }
      const selector = v.paramSelector ?? def.params?.selector;
      return {
        name: v.name, id: v.id,
        paramRef: def.params ? { paramRef: { selector: cloneSelector(selector!), parameterNotFoundAction: def.params.parameterNotFoundAction } } : {},
        matchResources: v.objectSelector ? { matchResources: { objectSelector: cloneSelector(v.objectSelector) } } : {},
        meta: def.params ? {
          annotations: {
            [PARAMS_NOTE_ANNOTATION]: `the policy runs once per ${def.params.kind.kind} that spec.paramRef.selector matches`
              + `${Object.keys(selector!).length === 0 ? ' ({}: all of them)' : ''}; cost grows with their number, and none found means ${def.params.parameterNotFoundAction}`,
          },
        } : {},
      };
    });
  }
}

/**
 * The target of an admission-policy construct. An explicit `kubernetesVersion` outside the supported range gets
 * the usual range error (it is written on this construct). A target inherited from the context may
 * be older because it was meant for the migration constructs (1.23+): that fails naming this
 * construct, what it needs and where the target was set.
 * @internal
 */
export function resolvePolicyTarget(scope: IConstruct, explicit: string | undefined, what: string): number {
  if (explicit !== undefined) return resolveKubernetesMinor(scope, explicit);
  const minor = resolveKubernetesMinor(scope, undefined, MIGRATION_KUBERNETES);
  requireTargetRange(scope, what, minor, SNAPSHOT_STACK_KUBERNETES);
  return minor;
}

function checkActions(scope: Construct, actions: readonly EnumValue<ValidationAction>[]): string[] {
  const known = Object.values(ValidationAction) as string[];
  if (actions.length === 0) {
    throw new PropError(scope, 'validationActions', actions, 'is empty', "use ['Deny'], or ['Warn', 'Audit'] for a staged rollout");
  }
  for (const a of actions) {
    if (!known.includes(a)) throw new PropError(scope, 'validationActions', actions, `contains unknown action '${a}'`, `use only ${known.join(', ')}`);
  }
  if (new Set(actions).size !== actions.length) {
    throw new PropError(scope, 'validationActions', actions, 'lists an action twice', 'list each action once');
  }
  if (actions.includes(ValidationAction.DENY) && actions.includes(ValidationAction.WARN)) {
    throw new PropError(scope, 'validationActions', actions, 'combines Deny and Warn, which the API server refuses (a denied request is already reported)',
      "use ['Deny'] or ['Deny', 'Audit'] to enforce, ['Warn', 'Audit'] to observe");
  }
  return [...actions].sort((a, b) => known.indexOf(a) - known.indexOf(b));
}

const PRINCIPAL = /^[^\s'\\]+$/;

function exemptionCondition(scope: Construct, exempt: PrincipalExemption | undefined): NamedExpression[] {
  if (!exempt) return [];
  const subjects = (exempt.subjects ?? []).map((s, i) => toRbacSubject(scope, `exempt.subjects[${i}]`, s));
  const users = [...new Set([...(exempt.users ?? []), ...subjects.filter((s) => s.kind !== 'Group').map(userNameOf)])].sort();
  const groups = [...new Set([...(exempt.groups ?? []), ...subjects.filter((s) => s.kind === 'Group').map((s) => s.name)])].sort();
  const everyone = groups.find((g) => EVERYONE_GROUPS[g] !== undefined);
  if (everyone !== undefined) {
    throw new PropError(scope, 'exempt.groups', everyone, `exempts ${EVERYONE_GROUPS[everyone]}, so the policy would guard nothing`,
      'exempt the few users or ServiceAccounts that need it (e.g. a backup tool), or leave the policy out with `exclude`');
  }
  for (const [prop, list] of [['exempt.users', users], ['exempt.groups', groups]] as const) {
    const bad = list.find((n) => !PRINCIPAL.test(n));
    if (bad !== undefined) throw new PropError(scope, prop, bad, 'is not a user or group name', 'use the name exactly as the API server reports it, without spaces or quotes');
  }
  if (users.length === 0 && groups.length === 0) {
    throw new PropError(scope, 'exempt', exempt, 'names nobody', 'list users or groups, or remove exempt');
  }
  const quote = (l: string[]) => `[${l.map((n) => `'${n}'`).join(', ')}]`;
  const parts = [
    ...(users.length ? [`!(request.userInfo.username in ${quote(users)})`] : []),
    ...(groups.length ? [`!request.userInfo.groups.exists(g, g in ${quote(groups)})`] : []),
  ];
  return [{ name: 'not-an-exempt-principal', expression: parts.join(' && ') }];
}

/** One binding as rendered. */
interface BindingSpec {
  readonly name: string;
  readonly id: string;
  readonly paramRef: { paramRef?: { selector: ReturnType<typeof cloneSelector>; parameterNotFoundAction: string } };
  readonly matchResources: { matchResources?: { objectSelector: ReturnType<typeof cloneSelector> } };
  readonly meta: { annotations?: Record<string, string> };
}

function pascal(s: string): string {
  return s.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

function cloneSelector(s: LabelSelector): { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } {
  return {
    ...(s.matchLabels ? { matchLabels: { ...s.matchLabels } } : {}),
    ...(s.matchExpressions ? { matchExpressions: s.matchExpressions.map((e) => ({ key: e.key, operator: e.operator, ...(e.values ? { values: [...e.values] } : {}) })) } : {}),
  };
}
