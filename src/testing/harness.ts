/**
 * The offline admission-policy harness: runs a policy definition's cases through cel-js the way
 * the API server runs a ValidatingAdmissionPolicy or MutatingAdmissionPolicy binding — match
 * constraints, match conditions, params (once per param, results ANDed), variables, validations
 * with messageExpression, mutations — and type-checks every expression first.
 * Every evaluation is recorded as a trace, so another engine (cel-go) can replay exactly the same
 * inputs and confirm each result.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { CEL_LIBRARY_SINCE, formatKubernetesMinor } from '../catalog';
import { CEL_FUNCTION_NAMESPACES, KUBERNETES_CEL_FUNCTIONS } from '../catalog/cel-functions';
import type {
  AnyPolicyDefinition, CaseBase, CasePermission, MutatingPolicyCase, MutatingPolicyDefinition, PolicyCase, PolicyDefinition, ResourceRule,
} from '../policies/types';
import { Authorizer } from './authorizer';
import { CEL_SETS, policyEnvironment } from './environment';
import { rewriteObjectConstruction } from './object-syntax';
import { applyJsonPatch, JsonPatchOperation, mergeApplyConfiguration } from './patch';

/** Where in a policy an expression sits. */
export type ExpressionRole = 'matchCondition' | 'variable' | 'validation' | 'messageExpression' | 'mutation';

/** One expression of a policy, as the harness sees it. */
export interface PolicyExpression {
  readonly role: ExpressionRole;
  /** e.g. `validations[1].messageExpression`. */
  readonly path: string;
  /** The expression as written in the policy. */
  readonly source: string;
  /** The expression as evaluated (mutations: typed object construction rewritten to map literals). */
  readonly evaluated: string;
}

/** A problem found before any case runs. */
export interface PolicyProblem {
  readonly path: string;
  readonly problem: string;
}

/** One evaluation, with everything needed to replay it on another engine. */
export interface ExpressionTrace {
  readonly path: string;
  readonly expression: string;
  /** JSON-safe admission variables (integers as numbers). */
  readonly vars: Record<string, unknown>;
  readonly permissions: readonly CasePermission[];
  /** JSON-safe result, or the error text. */
  readonly result: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };
}

/** Verdict of one request against one policy. */
export type Verdict = 'allowed' | 'denied' | 'not-matched' | 'error' | 'mutated' | 'unchanged';

/** What evaluating one case produced. */
export interface CaseResult {
  readonly verdict: Verdict;
  /** Failure messages, in order (validating: one per failed validation and param). */
  readonly messages: readonly string[];
  /** The text the API server returns for the first failure. */
  readonly denial?: string;
  /** The object after mutations (mutating policies). */
  readonly patchedObject?: unknown;
  /** Expression errors (verdict `error`: failurePolicy Fail rejects the request). */
  readonly errors: readonly string[];
  readonly traces: readonly ExpressionTrace[];
}

/** A case's result next to what the case expected. */
export interface CaseReport {
  readonly policy: string;
  readonly case: string;
  readonly expected: string;
  readonly result: CaseResult;
  /** Undefined when the case passed; else what differed. */
  readonly problem?: string;
}

/** Options of the harness. */
export interface HarnessOptions {
  /** Binding name used in denial texts. @default '<policy>-binding' */
  readonly bindingName?: string;
  /** Kubernetes minor the expressions must run on. @default - the definition's minKubernetesMinor */
  readonly kubernetesMinor?: number;
  /** Record a trace of every evaluation (needed for the cel-go cross-check). @default true */
  readonly trace?: boolean;
}

/** All expressions of a definition, in the order the API server meets them. */
export function policyExpressions(def: AnyPolicyDefinition): PolicyExpression[] {
  const out: PolicyExpression[] = [];
  const add = (role: ExpressionRole, path: string, source: string, evaluated = source) => out.push({ role, path, source, evaluated });
  (def.matchConditions ?? []).forEach((m, i) => add('matchCondition', `matchConditions[${i}] (${m.name})`, m.expression));
  (def.variables ?? []).forEach((v, i) => add('variable', `variables[${i}] (${v.name})`, v.expression));
  if (def.type === 'validating') {
    def.validations.forEach((v, i) => {
      add('validation', `validations[${i}].expression`, v.expression);
      if (v.messageExpression !== undefined) add('messageExpression', `validations[${i}].messageExpression`, v.messageExpression);
    });
  } else {
    def.mutations.forEach((m, i) => {
      let evaluated: string;
      try { evaluated = rewriteObjectConstruction(m.expression); } catch (e) { evaluated = `<${(e as Error).message}>`; }
      add('mutation', `mutations[${i}] (${m.patchType})`, m.expression, evaluated);
    });
  }
  return out;
}

const environments = new WeakMap<AnyPolicyDefinition, Environment>();

function environmentFor(def: AnyPolicyDefinition): Environment {
  let env = environments.get(def);
  if (!env) {
    env = policyEnvironment((def.variables ?? []).map((v) => v.name));
    environments.set(def, env);
  }
  return env;
}

const parsed = new WeakMap<Environment, Map<string, (ctx: Record<string, unknown>) => unknown>>();

/** The parsed expression, cached per environment (parsing dominates a single evaluation). */
function compiled(env: Environment, expression: string): (ctx: Record<string, unknown>) => unknown {
  let cache = parsed.get(env);
  if (!cache) { cache = new Map(); parsed.set(env, cache); }
  let fn = cache.get(expression);
  if (!fn) { fn = env.parse(expression) as unknown as (ctx: Record<string, unknown>) => unknown; cache.set(expression, fn); }
  return fn;
}

const EXPECTED_TYPE: Record<ExpressionRole, readonly string[]> = {
  matchCondition: ['bool', 'dyn'],
  validation: ['bool', 'dyn'],
  messageExpression: ['string', 'dyn'],
  variable: [],
  mutation: [],
};

/**
 * Type-checks every expression and checks that it only calls what the API server of the target
 * minor offers (and that the libraries it uses are declared). Returns the problems; none means fit.
 */
export function checkPolicy(def: AnyPolicyDefinition, options: HarnessOptions = {}): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const minor = options.kubernetesMinor ?? def.minKubernetesMinor;
  const env = environmentFor(def);
  const names = new Set<string>();
  for (const v of def.variables ?? []) {
    if (names.has(v.name)) problems.push({ path: `variables (${v.name})`, problem: `variable name '${v.name}' is used twice` });
    names.add(v.name);
  }
  for (const lib of def.celLibraries) {
    if (CEL_LIBRARY_SINCE[lib] > minor) {
      problems.push({ path: 'celLibraries', problem: `${lib} needs Kubernetes >= ${formatKubernetesMinor(CEL_LIBRARY_SINCE[lib])}, target is ${formatKubernetesMinor(minor)}` });
    }
  }
  for (const e of policyExpressions(def)) {
    const checked = env.check(e.evaluated);
    if (!checked.valid) {
      problems.push({ path: e.path, problem: `does not type-check: ${firstLine(checked.error?.message)}` });
      continue;
    }
    const want = EXPECTED_TYPE[e.role];
    if (want.length > 0 && !want.includes(checked.type ?? '')) {
      problems.push({ path: e.path, problem: `has type ${checked.type}, expected ${want[0]}` });
    }
    for (const use of functionsUsed(env, e.evaluated)) {
      const lib = KUBERNETES_CEL_FUNCTIONS[use];
      if (lib === undefined) problems.push({ path: e.path, problem: `calls ${use}(), which Kubernetes CEL does not offer` });
      else if (lib !== 'base' && !def.celLibraries.includes(lib)) problems.push({ path: e.path, problem: `calls ${use}() from ${lib}, which celLibraries does not declare` });
    }
    if (/\.\?|\[\?/.test(e.evaluated) && !def.celLibraries.includes('optionalTypes')) {
      problems.push({ path: e.path, problem: 'uses optional field selection, which celLibraries does not declare (optionalTypes)' });
    }
  }
  return problems;
}

/** Names of the functions and macros an expression calls (`optional.none`, `sets.contains` for namespaced ones). */
export function functionsUsed(env: Environment, expression: string): Set<string> {
  const found = new Set<string>();
  const walk = (n: any): void => {
    if (Array.isArray(n)) { n.forEach(walk); return; }
    if (!n || typeof n !== 'object' || !('op' in n)) return;
    if (n.op === 'call') found.add(n.args[0]);
    if (n.op === 'rcall') {
      const receiver = n.args[1];
      const namespaced = receiver?.op === 'id' && CEL_FUNCTION_NAMESPACES.includes(receiver.args);
      found.add(namespaced ? `${receiver.args}.${n.args[0]}` : n.args[0]);
    }
    if (Array.isArray(n.args)) walk(n.args);
  };
  walk(env.parse(expression).ast);
  return found;
}

/** Runs one case through the definition. */
export function evaluateCase(def: AnyPolicyDefinition, c: PolicyCase | MutatingPolicyCase, options: HarnessOptions = {}): CaseResult {
  const env = environmentFor(def);
  const traces: ExpressionTrace[] = [];
  const request = admissionRequest(c);
  const base = {
    object: toCel(c.object ?? null), oldObject: toCel(c.oldObject ?? null), namespaceObject: toCel(c.namespaceObject ?? null),
    request: toCel(request),
  };
  const permissions = c.permissions ?? [];
  const authorizer = new Authorizer(permissions);
  const result = (verdict: Verdict, extra: Partial<CaseResult> = {}): CaseResult => ({ verdict, messages: [], errors: [], traces, ...extra });

  if (!def.matchConstraints.resourceRules.some((r) => ruleMatches(r, request))) return result('not-matched');

  let paramList: (Record<string, unknown> | null)[] = [null];
  if (def.params) {
    paramList = [...(c.params ?? [])];
    if (paramList.length === 0) {
      if (def.params.parameterNotFoundAction === 'Allow') return result(def.type === 'validating' ? 'allowed' : 'unchanged');
      const message = 'no params found for policy binding with `Deny` parameterNotFoundAction';
      return result('denied', { messages: [message], denial: denialText(def, options, message) });
    }
  }

  const run = (path: string, expression: string, vars: Record<string, unknown>): { ok: true; value: unknown } | { ok: false; error: string } => {
    let out: { ok: true; value: unknown } | { ok: false; error: string };
    try {
      out = { ok: true, value: compiled(env, expression)({ ...vars, authorizer, sets: CEL_SETS }) };
    } catch (e) {
      out = { ok: false, error: firstLine((e as Error).message) };
    }
    if (options.trace !== false) traces.push({ path, expression, vars: toJson(vars) as Record<string, unknown>, permissions, result: out.ok ? { ok: true, value: toJson(out.value) } : out });
    return out;
  };

  const messages: string[] = [];
  const errors: string[] = [];
  let matchedAny = false;
  let object: unknown = c.object ?? null;
  for (const param of paramList) {
    const vars: Record<string, unknown> = { ...base, object: toCel(object), params: toCel(param), variables: {} };
    let skip = false;
    for (const [i, m] of (def.matchConditions ?? []).entries()) {
      const r = run(`matchConditions[${i}] (${m.name})`, m.expression, vars);
      if (!r.ok) { errors.push(`matchCondition ${m.name}: ${r.error}`); skip = true; break; }
      if (r.value !== true) { skip = true; break; }
    }
    if (errors.length > 0) break;
    if (skip) continue;
    matchedAny = true;
    // Variables are lazy in the API server; here they are computed in order and a failed one only
    // matters to the expressions that read it.
    const variables: Record<string, unknown> = {};
    const failedVariables = new Map<string, string>();
    for (const [i, v] of (def.variables ?? []).entries()) {
      const r = run(`variables[${i}] (${v.name})`, v.expression, { ...vars, variables: { ...variables } });
      if (r.ok) variables[v.name] = r.value; else failedVariables.set(v.name, r.error);
    }
    const scoped = { ...vars, variables };
    const reads = (expression: string) => [...failedVariables].find(([n]) => new RegExp(`\\bvariables\\.${n}\\b`).test(expression));
    if (def.type === 'validating') {
      for (const [i, v] of def.validations.entries()) {
        const bad = reads(v.expression);
        const r = bad ? { ok: false as const, error: `variable ${bad[0]}: ${bad[1]}` } : run(`validations[${i}].expression`, v.expression, scoped);
        if (!r.ok) { errors.push(`validations[${i}]: ${r.error}`); continue; }
        if (r.value === true) continue;
        if (r.value !== false) { errors.push(`validations[${i}]: returned ${String(r.value)}, not a bool`); continue; }
        let message = v.message;
        if (v.messageExpression !== undefined && !reads(v.messageExpression)) {
          const m = run(`validations[${i}].messageExpression`, v.messageExpression, scoped);
          if (m.ok && typeof m.value === 'string' && m.value.trim() !== '' && !/[\r\n]/.test(m.value)) message = m.value;
        }
        messages.push(message);
      }
    } else {
      for (const [i, m] of def.mutations.entries()) {
        const expression = rewriteObjectConstruction(m.expression);
        const r = run(`mutations[${i}] (${m.patchType})`, expression, { ...scoped, object: toCel(object) });
        if (!r.ok) { errors.push(`mutations[${i}]: ${r.error}`); continue; }
        const patch = toJson(r.value);
        try {
          object = m.patchType === 'ApplyConfiguration' ? mergeApplyConfiguration(object, patch) : applyJsonPatch(object, patch as JsonPatchOperation[]);
        } catch (e) {
          errors.push(`mutations[${i}]: ${(e as Error).message}`);
        }
      }
    }
  }
  if (errors.length > 0) return result('error', { errors, messages });
  if (!matchedAny) return result('not-matched');
  if (def.type === 'mutating') {
    const changed = JSON.stringify(object) !== JSON.stringify(c.object ?? null);
    return result(changed ? 'mutated' : 'unchanged', { patchedObject: object });
  }
  if (messages.length > 0) return result('denied', { messages, denial: denialText(def, options, messages[0]) });
  return result('allowed');
}

/** Runs every case of a definition and compares with the expectation. */
export function runPolicyCases(def: AnyPolicyDefinition, options: HarnessOptions = {}): CaseReport[] {
  if (def.type === 'validating') return def.cases.map((c) => reportValidating(def, c, options));
  return def.cases.map((c) => reportMutating(def, c, options));
}

function reportValidating(def: PolicyDefinition, c: PolicyCase, options: HarnessOptions): CaseReport {
  const result = evaluateCase(def, c, options);
  let problem: string | undefined;
  if (result.verdict !== c.expect) {
    problem = `expected ${c.expect}, got ${result.verdict}` + (result.messages.length ? `: ${result.messages.join(' | ')}` : '')
      + (result.errors.length ? ` (errors: ${result.errors.join('; ')})` : '');
  } else if (c.expect === 'denied' && c.message !== undefined) {
    const first = result.messages[0] ?? '';
    const ok = typeof c.message === 'string' ? first === c.message : c.message.test(first);
    if (!ok) problem = `denial message ${JSON.stringify(first)} does not match ${String(typeof c.message === 'string' ? JSON.stringify(c.message) : c.message)}`;
  }
  return { policy: def.name, case: c.name, expected: c.expect, result, ...(problem ? { problem } : {}) };
}

function reportMutating(def: MutatingPolicyDefinition, c: MutatingPolicyCase, options: HarnessOptions): CaseReport {
  const result = evaluateCase(def, c, options);
  let problem: string | undefined;
  if (result.verdict !== c.expect) {
    problem = `expected ${c.expect}, got ${result.verdict}` + (result.errors.length ? ` (errors: ${result.errors.join('; ')})` : '');
  } else if (c.expectObject !== undefined) {
    const diff = firstDifference(c.expectObject, result.patchedObject, '');
    if (diff) problem = `patched object differs at ${diff}`;
  }
  return { policy: def.name, case: c.name, expected: c.expect, result, ...(problem ? { problem } : {}) };
}

/** Path of the first place where `actual` does not contain `expected` (lists compare whole). */
export function firstDifference(expected: unknown, actual: unknown, path: string): string | undefined {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return path || '/';
    for (const [k, v] of Object.entries(expected)) {
      const d = firstDifference(v, (actual as Record<string, unknown>)[k], `${path}/${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return JSON.stringify(sortedKeys(expected)) === JSON.stringify(sortedKeys(actual)) ? undefined
    : `${path || '/'} (expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)})`;
}

function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])]));
  return v;
}

function denialText(def: AnyPolicyDefinition, options: HarnessOptions, message: string): string {
  const kind = def.type === 'validating' ? 'ValidatingAdmissionPolicy' : 'MutatingAdmissionPolicy';
  return `${kind} '${def.name}' with binding '${options.bindingName ?? `${def.name}-binding`}' denied request: ${message}`;
}

/** The `request` variable of a case, with every field the API server fills. */
export function admissionRequest(c: CaseBase): Record<string, unknown> {
  const obj = (c.object ?? c.oldObject ?? {}) as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
  const [group, version] = splitApiVersion(obj.apiVersion ?? 'v1');
  const resource = c.request.resource ?? { group, version, resource: pluralOf(obj.kind ?? '') };
  const kind = { group: resource.group, version: resource.version, kind: obj.kind ?? '' };
  return {
    kind, resource, requestKind: kind, requestResource: resource,
    subResource: c.request.subResource ?? '', requestSubResource: c.request.subResource ?? '',
    name: obj.metadata?.name ?? '', namespace: c.request.namespace ?? obj.metadata?.namespace ?? '',
    operation: c.request.operation,
    userInfo: {
      username: c.request.userInfo?.username ?? 'jane', uid: c.request.userInfo?.uid ?? '',
      groups: [...(c.request.userInfo?.groups ?? ['system:authenticated'])], extra: {},
    },
    dryRun: false, options: {},
  };
}

function splitApiVersion(apiVersion: string): [string, string] {
  const i = apiVersion.indexOf('/');
  return i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

/** Lower-case plural of a kind, as REST paths spell it. */
export function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  if (k.endsWith('s')) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

function ruleMatches(rule: ResourceRule, request: Record<string, any>): boolean {
  const any = (list: readonly string[], v: string) => list.includes('*') || list.includes(v);
  const res: string = request.resource.resource;
  const sub: string = request.subResource;
  const resourceOk = rule.resources.some((r) => {
    const [rr, rs] = r.split('/');
    if (rs === undefined) return sub === '' && (rr === '*' || rr === res);
    return (rr === '*' || rr === res) && (rs === '*' || rs === sub);
  });
  return resourceOk && any(rule.apiGroups, request.resource.group) && any(rule.apiVersions, request.resource.version)
    && (rule.operations.includes('*') || rule.operations.includes(request.operation));
}

/** JSON -> cel-js values: whole numbers become BigInt (CEL int), as the API server's typed objects are. */
export function toCel(value: unknown): any {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCel(v);
    return out;
  }
  return value;
}

/** cel-js values -> JSON: BigInt to number, Map to object, optionals as cel-go's evaluator prints them. */
export function toJson(value: unknown): any {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJson(v)]));
  if (value !== null && typeof value === 'object') {
    const v = value as any;
    if (typeof v.hasValue === 'function' && typeof v.orValue === 'function') {
      return v.hasValue() ? { 'optional.of': toJson(v.value()) } : { 'optional.none': true };
    }
    if (value instanceof Authorizer) return '<authorizer>';
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value)) out[k] = toJson(x);
    return out;
  }
  return value;
}

function firstLine(text: string | undefined): string {
  return (text ?? 'unknown error').split('\n')[0];
}
