import { POLICY_BINDING_SUFFIX } from '../../catalog/policy-names';
import { MUTATING_POLICIES, VALIDATING_POLICIES } from '../../policies';
import type { Finding } from '../findings';
import type { KubeObject } from '../kube';
import { CheckContext, listAll } from './context';

/**
 * What doctor expects of one of the project's policies. A policy definition from src/policies
 * (`AnyPolicyDefinition`) fits this shape, so the catalog's definitions can be passed as they are.
 */
export interface ExpectedPolicy {
  readonly name: string;
  readonly type: 'validating' | 'mutating';
  /** When given, the live policy's validation expressions must equal these, in order. */
  readonly validations?: readonly { readonly expression: string }[];
  /** When given, the live policy's mutation expressions must equal these, in order. */
  readonly mutations?: readonly { readonly expression: string }[];
}

/**
 * The project's policies as src/policies defines them (what VolumeModeGuard renders): names,
 * kinds and expressions.
 */
export const CATALOG_POLICIES: readonly ExpectedPolicy[] = [...Object.values(VALIDATING_POLICIES), ...Object.values(MUTATING_POLICIES)]
  .sort((a, b) => a.name.localeCompare(b.name));

const GROUP = 'admissionregistration.k8s.io';

/** Check 4: the project's policies and bindings are present, wired, current and enforcing. */
export async function checkPolicies(ctx: CheckContext, expected: readonly ExpectedPolicy[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const validating = expected.filter((p) => p.type === 'validating');
  const mutating = expected.filter((p) => p.type === 'mutating');
  if (ctx.vapServed === false) {
    findings.push({ check: 'policies', id: 'policies.validating', status: 'skip', summary: 'ValidatingAdmissionPolicy v1 is not served (see server.admission-apis)', evidence: [] });
  } else {
    const live = await byName(ctx, 'v1', 'validatingadmissionpolicies', validating);
    const bindings = await bindingsByName(ctx, 'v1', 'validatingadmissionpolicybindings', validating);
    if (validating.every((p) => !live.has(p.name))) {
      findings.push({ check: 'policies', id: 'policies.validating', status: 'fail', summary: 'none of the guard ValidatingAdmissionPolicies is installed',
        evidence: [`missing: ${validating.map((p) => p.name).join(', ')}`],
        fix: 'deploy the VolumeSnapshotGuard construct (dist/ of csi-snapshot-guard)' });
    } else {
      for (const p of validating) findings.push(auditPolicy(p, 'ValidatingAdmissionPolicy', live.get(p.name), bindings.get(p.name + POLICY_BINDING_SUFFIX)));
    }
  }
  if (mutating.length > 0) {
    if (!ctx.mapVersion) {
      findings.push({ check: 'policies', id: 'policies.mutating', status: 'skip', summary: 'MutatingAdmissionPolicy is not served; the mutating policies cannot be installed', evidence: [] });
    } else {
      const live = await byName(ctx, ctx.mapVersion, 'mutatingadmissionpolicies', mutating);
      const bindings = await bindingsByName(ctx, ctx.mapVersion, 'mutatingadmissionpolicybindings', mutating);
      for (const p of mutating) findings.push(auditPolicy(p, 'MutatingAdmissionPolicy', live.get(p.name), bindings.get(p.name + POLICY_BINDING_SUFFIX)));
    }
  }
  return findings;
}

async function byName(ctx: CheckContext, version: string, plural: string, wanted: readonly ExpectedPolicy[]): Promise<Map<string, KubeObject>> {
  const names = new Set(wanted.map((p) => p.name));
  const out = new Map<string, KubeObject>();
  for await (const o of listAll(ctx, { group: GROUP, version, plural })) if (names.has(o.metadata?.name ?? '')) out.set(o.metadata!.name!, o);
  return out;
}

function bindingsByName(ctx: CheckContext, version: string, plural: string, wanted: readonly ExpectedPolicy[]) {
  return byName(ctx, version, plural, wanted.map((p) => ({ ...p, name: p.name + POLICY_BINDING_SUFFIX })));
}

function auditPolicy(p: ExpectedPolicy, kind: string, policy: KubeObject | undefined, binding: KubeObject | undefined): Finding {
  const bindingName = p.name + POLICY_BINDING_SUFFIX;
  const base = { check: 'policies' as const, id: `policies.${p.name}`, subject: `${kind} ${p.name}` };
  if (!policy) {
    return { ...base, status: 'warn', summary: 'policy is not installed', evidence: [`no ${kind} named ${p.name}`], fix: 'deploy it with the VolumeSnapshotGuard construct, or document why it is left out' };
  }
  if (!binding) {
    return { ...base, status: 'fail', summary: 'policy has no binding, so it enforces nothing', evidence: [`no ${kind}Binding named ${bindingName}`], fix: `create ${bindingName} (VolumeSnapshotGuard renders it)` };
  }
  const evidence = [`binding ${bindingName} -> policyName ${binding.spec?.policyName ?? '(unset)'}`];
  if (binding.spec?.policyName !== p.name) {
    return { ...base, status: 'fail', summary: `binding ${bindingName} points at another policy`, evidence, fix: `set spec.policyName of ${bindingName} to ${p.name}` };
  }
  const warnings: string[] = [];
  const fixes: string[] = [];
  if (kind === 'ValidatingAdmissionPolicy') {
    const actions: string[] = binding.spec?.validationActions ?? [];
    evidence.push(`validationActions: ${actions.join(', ') || '(none)'}`);
    if (!actions.includes('Deny')) {
      warnings.push(`binding ${bindingName} only ${actions.join('/') || 'does nothing'}: violations are let through`);
      fixes.push(`set validationActions: [Deny] on ${bindingName}`);
    }
  }
  if (policy.spec?.failurePolicy === 'Ignore') {
    warnings.push('failurePolicy Ignore: a CEL error lets the request through');
    fixes.push(`set failurePolicy: Fail on ${p.name}`);
  }
  const drift = expressionDrift(p, policy);
  if (drift) {
    warnings.push(drift);
    fixes.push('re-deploy the policy from the current csi-snapshot-guard release');
  } else if (p.validations || p.mutations) {
    evidence.push('expressions match the catalog');
  }
  if (warnings.length > 0) return { ...base, status: 'warn', summary: warnings[0], evidence: [...evidence, ...warnings.slice(1)], fix: fixes.join('; ') };
  return { ...base, status: 'pass', summary: 'installed, bound and enforcing', evidence };
}

function expressionDrift(p: ExpectedPolicy, policy: KubeObject): string | undefined {
  const compare = (want: readonly { expression: string }[] | undefined, have: any[] | undefined, what: string) => {
    if (!want) return undefined;
    const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
    const a = want.map((x) => norm(x.expression));
    // Live mutations nest the expression under applyConfiguration or jsonPatch (admissionregistration API shape).
    const b = (have ?? []).map((x) => norm(String(x.expression ?? x.applyConfiguration?.expression ?? x.jsonPatch?.expression)));
    if (a.length !== b.length) return `${what}: ${b.length} live, ${a.length} in the catalog`;
    const i = a.findIndex((x, k) => x !== b[k]);
    return i >= 0 ? `${what}[${i}] differs from the catalog` : undefined;
  };
  return compare(p.validations, policy.spec?.validations, 'validations') ?? compare(p.mutations, policy.spec?.mutations, 'mutations');
}
