/**
 * Replays a policy case (src/policies) on the real API server: params and the old object are real
 * objects written beforehand, the user is impersonated and holds exactly the RBAC the case's
 * `permissions` describe plus the right to make the request itself, and the request is sent with
 * dryRun=All, which runs admission in full and stores nothing.
 *
 * The policy under test is the one this project renders; its binding is the rendered binding with
 * one change for policies with params: the paramRef selects this case's params by a label, which
 * is what a cluster holding exactly those params would give.
 */
import { Testing } from 'cdk8s';
import { AdmissionPolicy } from '../../../src/constructs/guard/admission-policy';
import type { AnyPolicyDefinition, CaseBase, CasePermission } from '../../../src/policies/types';
import { admissionRequest, firstDifference } from '../../../src/testing/harness';
import { ApiResponse, Cluster, denialMessage, eventually, Impersonate, Obj } from './cluster';

/** Label that ties params to the case whose binding selects them. */
export const CASE_LABEL = 'e2e.csi-snapshot-guard/case';
/**
 * How long informers (bindings, params, RBAC) get to see a change before an allowed request relies
 * on it. Denials need no guess: they are polled until they show.
 */
export const SETTLE_MS = Number(process.env.KUBE_E2E_SETTLE_MS ?? 750);

/** Keeps an object that a case shows being deleted from going away before the request. */
const HOLD_FINALIZER = 'e2e.csi-snapshot-guard/hold';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The policy and binding objects this project renders for `def` on `minor`. */
export function renderPolicy(def: AnyPolicyDefinition, minor: number): { policy: Obj; binding: Obj } {
  const chart = Testing.chart();
  new AdmissionPolicy(chart, 'P', {
    definition: def, kubernetesVersion: `1.${minor}`,
    ...(def.type === 'mutating' && minor < 36 ? { allowBetaMutatingApi: true } : {}),
  });
  const [policy, binding] = Testing.synth(chart) as Obj[];
  return { policy, binding };
}

/** What the server did with a case's request. */
export interface ServerOutcome {
  /** `allowed` (2xx, or 409 after admission let a CREATE through to storage) or `denied`. */
  readonly verdict: 'allowed' | 'denied';
  readonly status: number;
  /** Denial text without the API server's prefix; empty when allowed. */
  readonly message: string;
  /** The object as the server would store it (allowed requests). */
  readonly object?: Obj;
  readonly raw: ApiResponse;
}

const WRITE_VERBS: Record<string, string> = { CREATE: 'create', UPDATE: 'update', DELETE: 'delete' };

/** The user a case's request comes from (the harness default when the case names none). */
export function caseUser(c: CaseBase): Impersonate {
  const u = admissionRequest(c).userInfo as { username: string; groups: string[] };
  return { username: u.username, groups: u.groups.filter((g) => g !== 'system:authenticated') };
}

function rbacRules(c: CaseBase, request: Obj): Obj[] {
  const res = request.resource as { group: string; resource: string };
  const sub = request.subResource ? `/${request.subResource}` : '';
  const own = { apiGroups: [res.group], resources: [res.resource + sub], verbs: [WRITE_VERBS[c.request.operation]] };
  const granted = (c.permissions ?? []).map((p: CasePermission) => ({
    apiGroups: [p.group], resources: [p.subresource ? `${p.resource}/${p.subresource}` : p.resource], verbs: [p.verb],
    ...(p.name && p.name !== '*' ? { resourceNames: [p.name] } : {}),
  }));
  return [own, ...granted];
}

/** Runs cases of one policy against the server; one instance per policy. */
export class CaseReplayer {
  private leftovers: Obj[] = [];
  private counter = 0;

  constructor(private readonly cluster: Cluster, private readonly def: AnyPolicyDefinition, private readonly rendered: { policy: Obj; binding: Obj }) {}

  /** Installs the policy (not yet bound). */
  async install(): Promise<void> {
    await this.cluster.put(this.rendered.policy);
  }

  /** Removes the policy, its binding and what the last case left. */
  async uninstall(): Promise<void> {
    await this.unbind();
    await this.cleanup();
    const p = this.rendered.policy;
    await this.cluster.remove(p.apiVersion, p.kind, p.metadata.name);
  }

  /** Removes the binding and gives the API server time to drop it (a mutating one would change setup writes). */
  private async unbind(): Promise<void> {
    const b = this.rendered.binding;
    const res = await this.cluster.remove(b.apiVersion, b.kind, b.metadata.name);
    if (res.status < 300) await sleep(SETTLE_MS);
  }

  /**
   * Writes a fixture as admin so the stored object has its content. Until the API server drops the
   * previous case's binding, the policy may still refuse it: retried then. Fields the API makes
   * immutable (a StorageClass's binding mode, say) are changed by re-creating the object.
   */
  private async write(obj: Obj): Promise<Obj> {
    return eventually(async () => {
      try {
        return await this.cluster.put(obj);
      } catch (e) {
        const text = (e as Error).message;
        if (/field is immutable|Forbidden: updates to .* are forbidden/.test(text)) {
          await this.cluster.purge(obj.apiVersion, obj.kind, obj.metadata.name, obj.metadata.namespace);
          return this.cluster.put(obj);
        }
        if (/AdmissionPolicy/.test(text)) return undefined;
        throw e;
      }
    }, `writing ${obj.kind} ${obj.metadata.name}`, 10_000);
  }

  /**
   * A param or old object of a case, stored as the case shows it. One being deleted
   * (deletionTimestamp) is written without it and then deleted for real: a finalizer keeps it,
   * now terminating.
   */
  private async store(old: Obj): Promise<Obj> {
    const { deletionTimestamp, deletionGracePeriodSeconds: _g, ...metadata } = old.metadata;
    if (!deletionTimestamp) {
      // A mutating binding the server has not dropped yet could still rewrite it: write until stored as given.
      return eventually(async () => {
        const stored = await this.write(old);
        return canonical(writableParts(stored)) === canonical(writableParts(old)) ? stored : undefined;
      }, `${old.kind} ${metadata.name} stored as written`, 10_000, 250);
    }
    // The case's own finalizer may be one a controller finishes (foregroundDeletion): one of ours holds it.
    await this.write({ ...old, metadata: { ...metadata, finalizers: [...(metadata.finalizers ?? []), HOLD_FINALIZER] } });
    await this.cluster.remove(old.apiVersion, old.kind, metadata.name, metadata.namespace);
    return eventually(async () => {
      const terminating = await this.cluster.get(old.apiVersion, old.kind, metadata.name, metadata.namespace);
      return terminating?.metadata.deletionTimestamp ? terminating : undefined;
    }, `${old.kind} ${metadata.name} terminating`);
  }

  private async cleanup(): Promise<void> {
    for (const o of this.leftovers.reverse()) await this.cluster.purge(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace);
    this.leftovers = [];
  }

  /**
   * Sets the cluster up for `c`, sends its request and returns what the server did. With `until`,
   * the request is resent until the outcome satisfies it (a denial or a mutation is final once seen;
   * before informers catch up the request may still pass unchanged), for at most 10 s.
   */
  async run(c: CaseBase, until?: (o: ServerOutcome) => boolean): Promise<ServerOutcome> {
    const id = `c${++this.counter}`;
    await this.unbind();
    await this.cleanup();
    const target = (c.object ?? c.oldObject) as Obj;
    const request = admissionRequest(c) as Obj;
    const namespace = (request.namespace as string) || undefined;
    for (const ns of new Set([namespace, ...[c.object, c.oldObject].map((o) => (o as Obj | undefined)?.metadata?.namespace)].filter(Boolean))) {
      await this.cluster.ensureNamespace(ns as string);
    }
    if (c.namespaceObject) await this.write(c.namespaceObject as Obj);

    // Params, labelled for this case; an old object that is also a param is written once, as the param.
    const sameObject = (a: Obj, b: Obj) => a.kind === b.kind && a.metadata.name === b.metadata.name && a.metadata.namespace === b.metadata.namespace;
    for (const p of (c.params ?? []) as Obj[]) {
      const labelled = { ...p, metadata: { ...p.metadata, labels: { ...(p.metadata.labels ?? {}), [CASE_LABEL]: id } } };
      this.leftovers.push(await this.store(stripServerFields(labelled)));
    }
    let stored: Obj | undefined;
    if (c.oldObject) {
      const asParam = ((c.params ?? []) as Obj[]).find((p) => sameObject(p, c.oldObject as Obj));
      const old = c.oldObject as Obj;
      stored = asParam
        ? await this.cluster.get(old.apiVersion, old.kind, old.metadata.name, old.metadata.namespace)
        : await this.store(stripServerFields(old));
      if (!asParam) this.leftovers.push(stored!);
      if (asParam && firstDifference(stripServerFields(old), stripServerFields(stored!), '')) {
        throw new Error(`case ${c.name}: oldObject ${old.metadata.name} differs from the param of the same name; the case cannot be replayed`);
      }
    }

    const user = caseUser(c);
    await this.grant(user, rbacRules(c, request), id);

    const b = this.rendered.binding;
    const binding = this.def.params
      ? { ...b, spec: { ...b.spec, paramRef: { ...b.spec.paramRef, selector: { matchLabels: { [CASE_LABEL]: id } } } } }
      : b;
    await this.cluster.put(binding);
    await sleep(SETTLE_MS);

    const send = () => this.send(c, target, stored, user, namespace);
    if (!until) return send();
    let last: ServerOutcome | undefined;
    await eventually(async () => { last = await send(); return until(last); }, 'the expected outcome', 10_000, 250).catch(() => undefined);
    return last!;
  }

  private async grant(user: Impersonate, rules: Obj[], id: string): Promise<void> {
    const name = 'e2e-case-user';
    await this.cluster.put({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels: { [CASE_LABEL]: id } }, rules });
    const subjects = [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user.username }];
    const existing = await this.cluster.get('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', name);
    if (existing && existing.subjects?.[0]?.name !== user.username) await this.cluster.purge('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', name);
    await this.cluster.put({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects,
    });
  }

  private async send(c: CaseBase, target: Obj, stored: Obj | undefined, as: Impersonate, namespace: string | undefined): Promise<ServerOutcome> {
    const sub = c.request.subResource || undefined;
    let raw: ApiResponse;
    if (c.request.operation === 'CREATE') {
      raw = await this.cluster.create(stripServerFields(target), { dryRun: true, as });
    } else if (c.request.operation === 'UPDATE') {
      // The server's own bookkeeping comes from the stored object: a deletion time cannot be made up.
      // Read it again: controllers may have written its status since (a CRD's conditions, say).
      const latest = (await this.cluster.get(target.apiVersion, target.kind, target.metadata.name, target.metadata.namespace)) ?? stored!;
      const { deletionTimestamp, deletionGracePeriodSeconds } = latest.metadata;
      const metadata = { ...stripServerFields(target).metadata, resourceVersion: latest.metadata.resourceVersion };
      if (target.metadata.deletionTimestamp) {
        // No finalizer can be added to an object being deleted: keep those still stored, and ours.
        const stillThere = (target.metadata.finalizers ?? []).filter((f: string) => latest.metadata.finalizers?.includes(f));
        Object.assign(metadata, { deletionTimestamp, deletionGracePeriodSeconds, finalizers: [...stillThere, HOLD_FINALIZER] });
      }
      const body = { ...stripServerFields(target), metadata };
      raw = await this.cluster.replace(body, { dryRun: true, as, subresource: sub });
    } else {
      raw = await this.cluster.request('DELETE', await this.cluster.pathOf(target.apiVersion, target.kind, namespace ?? target.metadata.namespace, target.metadata.name), { dryRun: true, as });
    }
    const admitted = raw.status < 300 || (raw.status === 409 && c.request.operation === 'CREATE');
    return {
      verdict: admitted ? 'allowed' : 'denied', status: raw.status, raw,
      message: admitted ? '' : denialMessage(raw), ...(raw.status < 300 ? { object: raw.body } : {}),
    };
  }
}

/** Drops what the server sets itself, so a fixture can be written (or compared) as a user would. */
export function stripServerFields(o: Obj): Obj {
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, managedFields: _m, generation: _g, ...metadata } = o.metadata ?? {};
  const { status: _s, ...rest } = o;
  return { ...rest, metadata };
}

/** JSON with map keys sorted, so two objects compare equal whatever order the server wrote their keys in. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => (Array.isArray(v) ? v.map(sort)
    : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v);
  return JSON.stringify(sort(value));
}

/** What the mutating policies may write: annotations, and the args of every pod-template container. */
export function writableParts(o: Record<string, any>): unknown {
  const pod = o.spec?.template?.spec ?? (o.kind === 'Pod' ? o.spec : undefined);
  const args = (list: Record<string, any>[] | undefined) => (list ?? []).map((c) => c.args ?? null);
  return { annotations: o.metadata?.annotations ?? {}, containers: args(pod?.containers), initContainers: args(pod?.initContainers) };
}

/**
 * Where `actual` does not hold `expected`: maps may have more keys (server defaults), lists must
 * have the same length and hold the expected items in order.
 */
export function differenceIn(expected: unknown, actual: unknown, at = ''): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${at} (expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)})`;
    for (let i = 0; i < expected.length; i++) { const d = differenceIn(expected[i], actual[i], `${at}/${i}`); if (d) return d; }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    const a = (actual ?? {}) as Record<string, unknown>;
    if (typeof a !== 'object') return `${at} (expected an object, got ${JSON.stringify(actual)})`;
    for (const [k, v] of Object.entries(expected)) { if (v === undefined) continue; const d = differenceIn(v, a[k], `${at}/${k}`); if (d) return d; }
    return undefined;
  }
  return expected === actual ? undefined : `${at} (expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)})`;
}
