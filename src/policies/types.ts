/**
 * Admission policies as data: one definition holds everything the API server needs (match,
 * variables, CEL) and the cases that prove it. The AdmissionPolicy construct renders a definition,
 * the offline harness in `csi-snapshot-guard/testing` runs its cases.
 */
import type { CEL_LIBRARY_SINCE } from '../catalog';

/** Admission operations a rule can match. */
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT' | '*';

/** One resource rule of `matchConstraints` (a subset of NamedRuleWithOperations). */
export interface ResourceRule {
  /** API groups; `''` is the core group, `'*'` any. */
  readonly apiGroups: readonly string[];
  /** API versions; `'*'` any. */
  readonly apiVersions: readonly string[];
  /** Plural resources, optionally `resource/subresource`; `'*'` any. A bare resource never matches a subresource. */
  readonly resources: readonly string[];
  /** Operations that trigger the policy. */
  readonly operations: readonly AdmissionOperation[];
}

/** A named CEL expression (matchCondition or variable). */
export interface NamedExpression {
  /** Name; variables are read as `variables.<name>`. */
  readonly name: string;
  /** CEL expression. */
  readonly expression: string;
}

/** Reasons a validation can report (HTTP status follows from it). */
export type ValidationReason = 'Unauthorized' | 'Forbidden' | 'Invalid' | 'RequestEntityTooLarge';

/** One validation: `expression` must be true or the request fails with the message. */
export interface PolicyValidation {
  /** CEL expression that must evaluate to true. */
  readonly expression: string;
  /** Static message; also the fallback when `messageExpression` fails. */
  readonly message: string;
  /** CEL expression building the message (wins over `message` when it yields a one-line string). */
  readonly messageExpression?: string;
  /** Reason reported with the denial. @default Invalid */
  readonly reason?: ValidationReason;
}

/** A label selector as written in a binding's paramRef. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; readonly values?: readonly string[] }[];
}

/** Params: the kind a policy reads other objects of, and how the binding selects them. */
export interface PolicyParams {
  /** `apiVersion` and `kind` of the param objects. */
  readonly kind: { readonly apiVersion: string; readonly kind: string };
  /** Selector the binding's paramRef uses; `{}` selects every object of the kind. */
  readonly selector: LabelSelector;
  /** What happens when the selector matches nothing. */
  readonly parameterNotFoundAction: 'Allow' | 'Deny';
}

/** CEL library names, as keys of the catalog's CEL_LIBRARY_SINCE. */
export type CelLibrary = keyof typeof CEL_LIBRARY_SINCE;

/** The request a case sends (the parts a policy can see). */
export interface CaseRequest {
  /** Admission operation. */
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  /** Requesting user. @default - user 'jane' in group 'system:authenticated' */
  readonly userInfo?: { readonly username: string; readonly groups?: readonly string[]; readonly uid?: string };
  /** Sub-resource, e.g. `status`. @default '' */
  readonly subResource?: string;
  /** Namespace of a namespaced request. @default - the object's metadata.namespace, else '' */
  readonly namespace?: string;
  /** Resource coordinates. @default - derived from the object's apiVersion and kind */
  readonly resource?: { readonly group: string; readonly version: string; readonly resource: string };
}

/** One permission the requesting user holds, as the case's authorizer answers it. */
export interface CasePermission {
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
  /** Object name; unset or `*` means any. */
  readonly name?: string;
  /** Namespace; unset or `*` means any. */
  readonly namespace?: string;
  /** Sub-resource; unset means none, `*` any. */
  readonly subresource?: string;
}

/** Expected outcome of a validating case. `not-matched` is an allowed request the policy skips. */
export type ValidatingVerdict = 'allowed' | 'denied' | 'not-matched';

/** Shared parts of a case. */
export interface CaseBase {
  /** What the case shows, in a few words. */
  readonly name: string;
  /** The request. */
  readonly request: CaseRequest;
  /** The object after the change (null/absent on DELETE). */
  readonly object?: Record<string, unknown> | null;
  /** The object before the change (absent on CREATE). */
  readonly oldObject?: Record<string, unknown> | null;
  /** The namespace object of a namespaced request. */
  readonly namespaceObject?: Record<string, unknown> | null;
  /** The objects the binding's paramRef selector would match, in the cluster at that moment. */
  readonly params?: readonly Record<string, unknown>[];
  /** Permissions of the requesting user (for `authorizer` checks). */
  readonly permissions?: readonly CasePermission[];
}

/** A case of a validating policy. */
export interface PolicyCase extends CaseBase {
  /** Expected verdict. */
  readonly expect: ValidatingVerdict;
  /** For denied cases: text (exact) or pattern the first denial message must match. */
  readonly message?: string | RegExp;
  /**
   * For denied cases that an earlier stage refuses on a cluster running this project's CRDs (their
   * own validation rules run before admission policies): what the API server answers there. The
   * policy's `message` is then what clusters with older CRDs see.
   */
  readonly serverMessage?: string | RegExp;
}

/** A case of a mutating policy. */
export interface MutatingPolicyCase extends CaseBase {
  /** `mutated`: the policy matched and changed the object; `unchanged`: matched, no change; `not-matched`: skipped. */
  readonly expect: 'mutated' | 'unchanged' | 'not-matched';
  /** For mutated cases: fields the patched object must contain (lists compare whole). */
  readonly expectObject?: Record<string, unknown>;
}

/** Parts shared by validating and mutating definitions. */
export interface PolicyDefinitionBase {
  /** metadata.name of the policy (see catalog POLICY_NAMES). */
  readonly name: string;
  /** What the policy enforces and why, in two sentences (rendered into docs). */
  readonly description: string;
  /** Oldest Kubernetes minor whose API server runs this policy as written. */
  readonly minKubernetesMinor: number;
  /** CEL libraries beyond the base set that the expressions use (checked against the target). */
  readonly celLibraries: readonly CelLibrary[];
  /** Resource rules; keep them as narrow as possible. */
  readonly matchConstraints: { readonly resourceRules: readonly ResourceRule[] };
  /** Cheap pre-filters: any false skips the policy. */
  readonly matchConditions?: readonly NamedExpression[];
  /** Named sub-expressions, evaluated in order, read as `variables.<name>`. */
  readonly variables?: readonly NamedExpression[];
  /** Param objects the policy reads, if any. */
  readonly params?: PolicyParams;
  /**
   * What the API server does when the policy cannot run: an expression error, a cost limit, or a
   * param kind that does not resolve (snapshot CRDs absent or not yet synced). `Fail` refuses the
   * request. A policy whose param kind is a custom resource and that matches traffic unrelated to
   * snapshots must say `Ignore`, or it refuses that traffic whenever the CRDs are missing.
   * @default Fail
   */
  readonly failurePolicy?: { readonly action: 'Fail' | 'Ignore'; readonly why: string };
}

/** A ValidatingAdmissionPolicy as data. */
export interface PolicyDefinition extends PolicyDefinitionBase {
  readonly type: 'validating';
  /** The rules; every one must hold. */
  readonly validations: readonly PolicyValidation[];
  /** Allowed, denied and skipped requests the policy must handle. */
  readonly cases: readonly PolicyCase[];
}

/** One mutation of a MutatingAdmissionPolicy. */
export interface PolicyMutation {
  /** `ApplyConfiguration` (expression returns `Object{...}`, merged like server-side apply) or `JSONPatch`. */
  readonly patchType: 'ApplyConfiguration' | 'JSONPatch';
  /** CEL expression. */
  readonly expression: string;
}

/** A MutatingAdmissionPolicy as data. */
export interface MutatingPolicyDefinition extends PolicyDefinitionBase {
  readonly type: 'mutating';
  /** Mutations, applied in order. */
  readonly mutations: readonly PolicyMutation[];
  /** Whether the policy runs again after later mutations. @default Never */
  readonly reinvocationPolicy?: 'Never' | 'IfNeeded';
  /** Requests and the object the policy must produce. */
  readonly cases: readonly MutatingPolicyCase[];
}

/** Either kind of policy definition. */
export type AnyPolicyDefinition = PolicyDefinition | MutatingPolicyDefinition;
