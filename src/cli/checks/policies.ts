import { App, Chart } from 'cdk8s';
import { formatKubernetesMinor, mutatingAdmissionPolicyApi, SNAPSHOT_STACK_KUBERNETES } from '../../catalog/kubernetes';
import { POLICY_BINDING_SUFFIX } from '../../catalog/policy-names';
import { VolumeModeGuard } from '../../constructs/guard/volume-mode-guard';
import type { Finding, FindingStatus } from '../findings';
import type { KubeObject } from '../kube';
import { CheckContext, listAll } from './context';

/**
 * One of the project's policies as the project renders it: the policy object and its binding,
 * exactly as VolumeModeGuard synthesizes them for the server's release.
 */
export interface ExpectedPolicy {
  /** metadata.name of the policy; its bindings are `<name>-binding` or `<name>-binding-<suffix>`. */
  readonly name: string;
  readonly type: 'validating' | 'mutating';
  /** The rendered policy (apiVersion, kind, metadata, spec). */
  readonly policy: KubeObject;
  /** The rendered bindings, by name (one, or one per selector split: the restore policy has one per volume mode). */
  readonly bindings: readonly KubeObject[];
}

/**
 * The manifest the project ships with the guard (written by src/app.ts from SnapshotPlatformChart);
 * re-applying it restores every policy and binding.
 */
export const PLATFORM_MANIFEST = 'dist/snapshot-platform.k8s.yaml';

/**
 * Renders, in memory, the policies and bindings VolumeModeGuard (with its defaults) produces for a
 * server: the minor clamped to the range the guard supports, and the mutating policies only in the
 * admissionregistration version the server serves them in (v1 from 1.36, v1beta1 on 1.34/1.35).
 */
export function renderExpectedPolicies(minor: number | undefined, mutatingApiVersion: string | undefined): ExpectedPolicy[] {
  const target = clampMinor(minor);
  const offer = mutatingAdmissionPolicyApi(target);
  const mutating = offer !== undefined && offer.version === mutatingApiVersion;
  const chart = new Chart(new App(), 'doctor-expected');
  new VolumeModeGuard(chart, 'Guard', {
    kubernetesVersion: formatKubernetesMinor(target),
    ...(mutating ? (offer.needsOptIn ? { allowBetaMutatingApi: true } : {}) : { mutatingPolicies: false }),
  });
  const objects: KubeObject[] = chart.toJson();
  const bindings = objects.filter((o) => /AdmissionPolicyBinding$/.test(o.kind ?? '')).sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  return objects
    .filter((o) => /AdmissionPolicy$/.test(o.kind ?? ''))
    .map((policy): ExpectedPolicy => ({
      name: policy.metadata!.name!,
      type: policy.kind === 'ValidatingAdmissionPolicy' ? 'validating' : 'mutating',
      policy,
      bindings: bindings.filter((b) => b.metadata!.name!.startsWith(policy.metadata!.name! + POLICY_BINDING_SUFFIX) && b.spec?.policyName === policy.metadata!.name),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function clampMinor(minor: number | undefined): number {
  if (minor === undefined) return SNAPSHOT_STACK_KUBERNETES.default;
  return Math.min(SNAPSHOT_STACK_KUBERNETES.max, Math.max(SNAPSHOT_STACK_KUBERNETES.min, minor));
}

const GROUP = 'admissionregistration.k8s.io';

/**
 * Check 4: the project's policies and bindings are present, wired, enforcing and identical to what
 * the project renders. `expected` defaults to {@link renderExpectedPolicies} for the server.
 */
export async function checkPolicies(ctx: CheckContext, expected?: readonly ExpectedPolicy[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const rendered = expected ?? renderExpectedPolicies(ctx.minor, ctx.mapVersion);
  const version = formatKubernetesMinor(clampMinor(ctx.minor));
  const validating = rendered.filter((p) => p.type === 'validating');
  const mutating = rendered.filter((p) => p.type === 'mutating');
  if (ctx.vapServed === false) {
    findings.push({ check: 'policies', id: 'policies.validating', status: 'skip', summary: 'ValidatingAdmissionPolicy v1 is not served (see server.admission-apis)', evidence: [] });
  } else {
    const live = await byName(ctx, 'v1', 'validatingadmissionpolicies', validating.map((p) => p.name));
    const bindings = await byName(ctx, 'v1', 'validatingadmissionpolicybindings', validating.flatMap(bindingNames));
    if (validating.every((p) => !live.has(p.name))) {
      findings.push({ check: 'policies', id: 'policies.validating', status: 'fail', summary: 'none of the guard ValidatingAdmissionPolicies is installed',
        evidence: [`missing: ${validating.map((p) => p.name).join(', ')}`],
        fix: `apply ${PLATFORM_MANIFEST} (or deploy the VolumeModeGuard construct)` });
    } else {
      for (const p of validating) findings.push(auditPolicy(p, version, live.get(p.name), bindings));
    }
  }
  if (!ctx.mapVersion) {
    findings.push({ check: 'policies', id: 'policies.mutating', status: 'skip', summary: 'MutatingAdmissionPolicy is not served; the mutating policies cannot be installed', evidence: [] });
  } else if (mutating.length === 0) {
    findings.push({ check: 'policies', id: 'policies.mutating', status: 'skip',
      summary: `the project renders no mutating policies for MutatingAdmissionPolicy ${ctx.mapVersion} on Kubernetes ${version}`, evidence: [] });
  } else {
    const version = apiVersionOf(mutating[0].policy);
    const live = await byName(ctx, version, 'mutatingadmissionpolicies', mutating.map((p) => p.name));
    const bindings = await byName(ctx, version, 'mutatingadmissionpolicybindings', mutating.flatMap(bindingNames));
    for (const p of mutating) findings.push(auditPolicy(p, version, live.get(p.name), bindings));
  }
  return findings;
}

function apiVersionOf(o: KubeObject): string {
  return (o.apiVersion ?? '').split('/').pop()!;
}

async function byName(ctx: CheckContext, version: string, plural: string, wanted: readonly string[]): Promise<Map<string, KubeObject>> {
  const names = new Set(wanted);
  const out = new Map<string, KubeObject>();
  for await (const o of listAll(ctx, { group: GROUP, version, plural })) if (names.has(o.metadata?.name ?? '')) out.set(o.metadata!.name!, o);
  return out;
}

function bindingNames(p: ExpectedPolicy): string[] {
  return p.bindings.map((b) => b.metadata!.name!);
}

function auditPolicy(p: ExpectedPolicy, version: string, policy: KubeObject | undefined, liveBindings: ReadonlyMap<string, KubeObject>): Finding {
  const kind = p.policy.kind!;
  const base = { check: 'policies' as const, id: `policies.${p.name}`, subject: `${kind} ${p.name}` };
  const reapply = `re-apply ${PLATFORM_MANIFEST} (or the VolumeModeGuard construct rendered for Kubernetes ${version})`;
  if (!policy) {
    return { ...base, status: 'warn', summary: 'policy is not installed', evidence: [`no ${kind} named ${p.name}`], fix: `${reapply}, or document why it is left out` };
  }
  const evidence: string[] = [];
  const bindingDrift: Drift[] = [];
  for (const expected of p.bindings) {
    const bindingName = expected.metadata!.name!;
    const binding = liveBindings.get(bindingName);
    if (!binding) {
      const others = p.bindings.length > 1 ? ` (one of ${p.bindings.length}: a request meets only the binding whose selector it matches)` : '';
      return { ...base, status: 'fail', summary: `policy has no binding ${bindingName}, so it enforces nothing for the requests that binding selects${others}`,
        evidence: [`no ${kind}Binding named ${bindingName}`], fix: `create ${bindingName}: ${reapply}` };
    }
    evidence.push(`binding ${bindingName} -> policyName ${binding.spec?.policyName ?? '(unset)'}`);
    if (binding.spec?.policyName !== p.name) {
      return { ...base, status: 'fail', summary: `binding ${bindingName} points at another policy`, evidence, fix: `set spec.policyName of ${bindingName} to ${p.name}: ${reapply}` };
    }
    bindingDrift.push(...specDrift(`${kind}Binding ${bindingName}`, `${kind}Binding`, expected.spec, binding.spec));
  }

  const drift = [...specDrift(`${kind} ${p.name}`, kind, p.policy.spec, policy.spec), ...bindingDrift];
  if (drift.length === 0) {
    return { ...base, status: 'pass', summary: 'installed, bound, enforcing and as the project renders it', evidence: [...evidence, `policy and binding specs match what the project renders for Kubernetes ${version}`] };
  }
  const failing = drift.filter((d) => d.status === 'fail');
  const lead = failing[0] ?? drift[0];
  const lines = drift.map((d) => `${d.object} ${d.path}: expected ${show(d.expected)}, found ${show(d.found)}${d.status === 'fail' ? ' (weakens enforcement)' : ''}`);
  const shown = lines.length > MAX_DRIFT_LINES ? [...lines.slice(0, MAX_DRIFT_LINES), `… and ${lines.length - MAX_DRIFT_LINES} more differences`] : lines;
  return { ...base, status: failing.length > 0 ? 'fail' : 'warn', summary: lead.summary,
    evidence: [...evidence, `compared with what the project renders for Kubernetes ${version}`, ...shown], fix: reapply };
}

const MAX_DRIFT_LINES = 20;

/** One field where the live spec differs from the rendered one. */
interface Drift {
  /** `Kind name` of the object. */
  readonly object: string;
  /** Field path, e.g. `spec.validations[0].expression`. */
  readonly path: string;
  readonly expected: unknown;
  readonly found: unknown;
  readonly status: Exclude<FindingStatus, 'pass' | 'skip'>;
  readonly summary: string;
}

/**
 * Differences between the rendered and the live spec of one object, after giving both the defaults
 * the API server fills in. Every difference weakens enforcement (fail) unless it only changes what a
 * denied user reads or what is audited (warn): a changed match, condition, variable, param, failure
 * policy, expression or mutation may let requests through, and doctor cannot prove that it does
 * not, so it does not try.
 */
function specDrift(object: string, kind: string, expected: any, found: any): Drift[] {
  const out: { path: string; expected: unknown; found: unknown }[] = [];
  diff(withServerDefaults(kind, expected), withServerDefaults(kind, found), 'spec', out);
  return out.map((d) => {
    const cosmetic = /^spec\.validations\[\d+\]\.(message|messageExpression|reason)$/.test(d.path) || /^spec\.auditAnnotations\b/.test(d.path);
    if (d.path === 'spec.validationActions') {
      const actions = Array.isArray(d.found) ? d.found as string[] : [];
      // Warn/Audit-only bindings are a deliberate staged rollout (VolumeModeGuard's `actions`), so
      // they warn (check 4 of the issue), naming the binding.
      const summary = actions.includes('Deny')
        ? `${object.split(' ')[1]} validationActions are ${actions.join('/')}, not ${(d.expected as string[]).join('/')}`
        : `binding ${object.split(' ')[1]} only ${actions.join('/') || 'does nothing'}: violations are let through`;
      return { object, ...d, status: 'warn' as const, summary };
    }
    if (d.path === 'spec.failurePolicy' && d.found === 'Ignore') {
      return { object, ...d, status: 'fail' as const, summary: 'failurePolicy Ignore: a CEL error or a missing param lets the request through' };
    }
    return cosmetic
      ? { object, ...d, status: 'warn' as const, summary: `${object} ${d.path} differs from what the project renders` }
      : { object, ...d, status: 'fail' as const, summary: `${object} ${d.path} differs from what the project renders, so enforcement may be weaker` };
  });
}

/**
 * The spec as the API server stores it. admissionregistration v1 (and v1beta1 for the mutating
 * kinds) defaults, on write, exactly these fields of what this project renders:
 * - policy `failurePolicy`: Fail;
 * - every MatchResources (the policy's matchConstraints, a binding's matchResources when present):
 *   `matchPolicy` Equivalent, `namespaceSelector` and `objectSelector` the empty selector `{}`;
 * - every rule in resourceRules/excludeResourceRules: `scope` "*".
 * Both sides get them so a manifest that omits a default and one that spells it out compare equal.
 * Not normalised: `reinvocationPolicy` and `paramRef.parameterNotFoundAction` are required fields
 * without a default (the project always writes them), and metadata (managedFields, uid,
 * annotations) and status (typeChecking) are not compared at all: only `spec` is.
 */
function withServerDefaults(kind: string, spec: any): any {
  if (spec === null || typeof spec !== 'object') return spec;
  const s = structuredClone(spec);
  const isPolicy = !kind.endsWith('Binding');
  if (isPolicy) s.failurePolicy ??= 'Fail';
  const match = isPolicy ? s.matchConstraints : s.matchResources;
  if (match && typeof match === 'object') {
    match.matchPolicy ??= 'Equivalent';
    match.namespaceSelector ??= {};
    match.objectSelector ??= {};
    for (const list of [match.resourceRules, match.excludeResourceRules]) {
      if (Array.isArray(list)) for (const rule of list) if (rule && typeof rule === 'object') rule.scope ??= '*';
    }
  }
  return s;
}

/**
 * Field-by-field differences; object keys in sorted order, arrays of objects by position, and
 * arrays of scalars (operations, apiGroups, validationActions) as one value, which reads better.
 */
function diff(expected: unknown, found: unknown, path: string, out: { path: string; expected: unknown; found: unknown }[]): void {
  if (Array.isArray(expected) && Array.isArray(found) && !(expected.every(isScalar) && found.every(isScalar))) {
    for (let i = 0; i < Math.max(expected.length, found.length); i++) diff(expected[i], found[i], `${path}[${i}]`, out);
    return;
  }
  if (isPlainObject(expected) && isPlainObject(found)) {
    for (const key of [...new Set([...Object.keys(expected), ...Object.keys(found)])].sort()) {
      diff(expected[key], found[key], `${path}.${key}`, out);
    }
    return;
  }
  if (expected === found || (Array.isArray(expected) && Array.isArray(found) && JSON.stringify(expected) === JSON.stringify(found))) return;
  if (expected === undefined && found === null) return;
  out.push({ path, expected, found });
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  // Keys sorted so the evidence does not depend on the order a client wrote them in.
  const text = JSON.stringify(v, (_k, x) => (isPlainObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}
