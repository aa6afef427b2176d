/**
 * `csi-snapshot-guard/testing`: run admission policies offline, the way this project tests its own.
 * Define a policy with the types from the main entry point (PolicyDefinition, PolicyCase) and call
 * `runPolicyCases` in your test runner; `checkPolicy` reports type errors and calls Kubernetes does
 * not offer.
 */
export type {
  AnyPolicyDefinition, CasePermission, CaseRequest, MutatingPolicyCase, MutatingPolicyDefinition, PolicyCase, PolicyDefinition,
} from '../policies/types';
export {
  admissionRequest, checkPolicy, evaluateCase, firstDifference, policyExpressions, runPolicyCases,
} from './harness';
export type {
  CaseReport, CaseResult, ExpressionRole, ExpressionTrace, HarnessOptions, PolicyExpression, PolicyProblem, Verdict,
} from './harness';
export { Authorizer } from './authorizer';
export { rewriteObjectConstruction } from './object-syntax';
export { applyJsonPatch, atomicFieldsOf, mergeApplyConfiguration } from './patch';
export type { JsonPatchOperation } from './patch';
export { celEvaluatorPath, celGoCosts, crossCheckWithCelGo } from './cel-go';
export type { CelGoCost, CelGoDisagreement } from './cel-go';
