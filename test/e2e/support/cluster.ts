/**
 * A small, dependency-free client for the real API server that scripts/e2e/start-control-plane.sh
 * runs. Tests see raw status codes and bodies, exactly what kubectl or a controller would get, and
 * can act as any user through impersonation (the admin token may impersonate anyone).
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import { promisify } from 'node:util';
import { mutatingAdmissionPolicyApi } from '../../../src/catalog';

export type Obj = Record<string, any>;

/** What a request returned. */
export interface ApiResponse {
  readonly status: number;
  readonly body: Obj;
  /** `Warning` headers, e.g. from a Warn binding. */
  readonly warnings: string[];
}

/** A user the request is made as (impersonated by the admin). */
export interface Impersonate {
  readonly username: string;
  readonly groups?: readonly string[];
  readonly uid?: string;
}

/** The cluster the suite runs against, from the variables the start script exports. */
export interface ClusterEnv {
  readonly server: string;
  readonly ca: Buffer;
  readonly adminToken: string;
  readonly aliceToken: string;
  readonly bobToken: string;
  /** e.g. `v1.37.2`. */
  readonly version: string;
  /** The minor, e.g. 37. */
  readonly minor: number;
  readonly kubectl: string;
  readonly kubeconfig: string;
}

/** Reads the cluster variables; throws a one-line explanation when the suite was started wrongly. */
export function clusterEnv(e: NodeJS.ProcessEnv = process.env): ClusterEnv {
  if (!e.KUBE_E2E_SERVER || !e.KUBE_E2E_CA_FILE || !e.KUBE_E2E_ADMIN_TOKEN || !e.KUBE_E2E_KUBECTL || !e.KUBE_E2E_VERSION || !e.KUBECONFIG) {
    throw new Error('no API server: run the end-to-end suite with `npm run test:e2e` (it builds and starts one)');
  }
  return {
    server: e.KUBE_E2E_SERVER,
    ca: fs.readFileSync(e.KUBE_E2E_CA_FILE),
    adminToken: e.KUBE_E2E_ADMIN_TOKEN,
    aliceToken: e.KUBE_E2E_ALICE_TOKEN ?? '',
    bobToken: e.KUBE_E2E_BOB_TOKEN ?? '',
    version: e.KUBE_E2E_VERSION,
    minor: Number(e.KUBE_E2E_VERSION.split('.')[1]),
    kubectl: e.KUBE_E2E_KUBECTL,
    kubeconfig: e.KUBECONFIG,
  };
}

/** Request options. */
export interface RequestOptions {
  /** Body; objects are sent as JSON. */
  readonly body?: unknown;
  readonly contentType?: string;
  /** Send `dryRun=All`: admission runs in full, nothing is stored. */
  readonly dryRun?: boolean;
  readonly as?: Impersonate;
  /** Bearer token instead of the admin's. */
  readonly token?: string;
  readonly query?: Record<string, string>;
  /** Accept header. @default application/json */
  readonly accept?: string;
}

/** One cluster connection. */
export class Cluster {
  private readonly agent: https.Agent;
  private readonly resources = new Map<string, Promise<{ plural: string; namespaced: boolean }>>();

  constructor(public readonly env: ClusterEnv = clusterEnv()) {
    this.agent = new https.Agent({ ca: env.ca, keepAlive: true, maxSockets: 8 });
  }

  /**
   * One HTTP request; never throws for an HTTP status. 429 (a CRD's storage re-initializing after a
   * schema change, priority and fairness) is retried after the server's Retry-After, as clients do.
   */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.requestOnce(method, path, opts);
      if (res.status !== 429 || attempt >= 20) return res;
      await new Promise((r) => setTimeout(r, 250 * Math.min(attempt, 4)));
    }
  }

  private requestOnce(method: string, path: string, opts: RequestOptions): Promise<ApiResponse> {
    const url = new URL(this.env.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    if (opts.dryRun) url.searchParams.set('dryRun', 'All');
    const headers: Record<string, string | string[]> = {
      Authorization: `Bearer ${opts.token ?? this.env.adminToken}`,
      Accept: opts.accept ?? 'application/json',
    };
    if (opts.as) {
      headers['Impersonate-User'] = opts.as.username;
      if (opts.as.groups?.length) headers['Impersonate-Group'] = [...opts.as.groups];
      if (opts.as.uid) headers['Impersonate-Uid'] = opts.as.uid;
    }
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['Content-Type'] = opts.contentType ?? 'application/json';
    }
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, headers, agent: this.agent, timeout: 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Obj;
          try { body = text ? JSON.parse(text) : {}; } catch { body = { text }; }
          const w = res.headers.warning;
          const warnings = (Array.isArray(w) ? w : w ? [w] : []).flatMap((h) => h.split(/,(?=\s*\d{3} )/)).map((h) => h.trim().replace(/^299 - "(.*)"$/, '$1'));
          resolve({ status: res.statusCode ?? 0, body, warnings });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** The REST path of an object's collection (or of the object with `name`). Uses discovery. */
  async pathOf(apiVersion: string, kind: string, namespace?: string, name?: string, subresource?: string): Promise<string> {
    const key = `${apiVersion}/${kind}`;
    if (!this.resources.has(key)) this.resources.set(key, this.discover(apiVersion, kind));
    const r = await this.resources.get(key)!.catch((e) => { this.resources.delete(key); throw e; });
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = r.namespaced ? `/namespaces/${namespace ?? 'default'}` : '';
    return `${base}${ns}/${r.plural}${name ? `/${name}` : ''}${subresource ? `/${subresource}` : ''}`;
  }

  private async discover(apiVersion: string, kind: string): Promise<{ plural: string; namespaced: boolean }> {
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const res = await this.request('GET', base);
    const found = (res.body.resources ?? []).find((x: Obj) => x.kind === kind && !String(x.name).includes('/'));
    if (!found) throw new Error(`the server does not serve ${kind} in ${apiVersion} (GET ${base}: ${res.status})`);
    return { plural: found.name, namespaced: found.namespaced };
  }

  /** POST an object (as admin unless `as`). */
  async create(obj: Obj, opts: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('POST', await this.pathOf(obj.apiVersion, obj.kind, obj.metadata?.namespace), { ...opts, body: obj });
  }

  /** PUT an object (needs metadata.resourceVersion for an update). */
  async replace(obj: Obj, opts: RequestOptions & { subresource?: string } = {}): Promise<ApiResponse> {
    return this.request('PUT', await this.pathOf(obj.apiVersion, obj.kind, obj.metadata?.namespace, obj.metadata.name, opts.subresource), { ...opts, body: obj });
  }

  async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<Obj | undefined> {
    const res = await this.request('GET', await this.pathOf(apiVersion, kind, namespace, name));
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`GET ${kind} ${name}: ${res.status} ${res.body.message ?? ''}`);
    return res.body;
  }

  async list(apiVersion: string, kind: string, query: Record<string, string> = {}): Promise<Obj[]> {
    const res = await this.request('GET', await this.pathOf(apiVersion, kind, undefined).then((p) => p.replace(/\/namespaces\/default\//, '/')), { query });
    if (res.status !== 200) throw new Error(`LIST ${kind}: ${res.status} ${res.body.message ?? ''}`);
    return res.body.items;
  }

  /** DELETE; a missing object is fine. */
  async remove(apiVersion: string, kind: string, name: string, namespace?: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const res = await this.request('DELETE', await this.pathOf(apiVersion, kind, namespace, name), opts);
    if (res.status >= 300 && res.status !== 404) throw new Error(`DELETE ${kind} ${name}: ${res.status} ${res.body.message ?? ''}`);
    return res;
  }

  /** Creates or replaces `obj` as admin so that the stored object has its content; returns the stored object. */
  async put(obj: Obj): Promise<Obj> {
    const existing = await this.get(obj.apiVersion, obj.kind, obj.metadata.name, obj.metadata.namespace);
    const res = existing
      ? await this.replace({ ...obj, metadata: { ...obj.metadata, resourceVersion: existing.metadata.resourceVersion } })
      : await this.create(obj);
    if (res.status >= 300) throw new Error(`writing ${obj.kind} ${obj.metadata.name}: ${res.status} ${res.body.message ?? JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Deletes the object and waits until it is gone (finalizers removed first). */
  async purge(apiVersion: string, kind: string, name: string, namespace?: string): Promise<void> {
    const existing = await this.get(apiVersion, kind, name, namespace);
    if (!existing) return;
    if (existing.metadata.finalizers?.length) {
      await this.request('PATCH', await this.pathOf(apiVersion, kind, namespace, name), {
        body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json',
      });
    }
    await this.remove(apiVersion, kind, name, namespace);
    await eventually(async () => (await this.get(apiVersion, kind, name, namespace)) === undefined, `${kind} ${name} deleted`);
  }

  /** Creates the namespace unless it exists. */
  async ensureNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
    if (await this.get('v1', 'Namespace', name)) return;
    const res = await this.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
    if (res.status !== 201 && res.status !== 409) throw new Error(`namespace ${name}: ${res.status} ${res.body.message}`);
  }

  /** Runs the kubectl built with this server, with the suite's kubeconfig. */
  async kubectl(args: readonly string[], opts: { input?: string; context?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    const run = promisify(execFile);
    const full = [...(opts.context ? ['--context', opts.context] : []), ...args];
    try {
      const child = run(this.env.kubectl, full, { env: { ...process.env, KUBECONFIG: this.env.kubeconfig }, maxBuffer: 64 * 1024 * 1024 });
      if (opts.input !== undefined) { child.child.stdin!.write(opts.input); child.child.stdin!.end(); }
      const { stdout, stderr } = await child;
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? String(e) };
    }
  }
}

/** Polls `check` until it returns true (or a truthy value), for at most `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | false | undefined>, what: string, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as T;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The message of a policy denial, without the API server's prefix. */
export function denialMessage(res: ApiResponse): string {
  const m = String(res.body.message ?? '');
  const at = m.indexOf('denied request: ');
  return at >= 0 ? m.slice(at + 'denied request: '.length) : m;
}

/** True once the CRD named `name` is stored and Established. */
export async function crdEstablished(cluster: Cluster, name: string): Promise<Obj | undefined> {
  const crd = await cluster.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', name);
  return crd?.status?.conditions?.some((c: Obj) => c.type === 'Established' && c.status === 'True') ? crd : undefined;
}

/** Deletes every admission policy binding, validating and mutating, so no policy acts any more. */
export async function removePolicyBindings(cluster: Cluster): Promise<void> {
  const kinds: [string, string][] = [['admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding']];
  // The suite's server turns the beta API on where there is one (start-control-plane.sh).
  const map = mutatingAdmissionPolicyApi(cluster.env.minor);
  if (map && map.version !== 'v1alpha1') kinds.push([`admissionregistration.k8s.io/${map.version}`, 'MutatingAdmissionPolicyBinding']);
  for (const [api, kind] of kinds) {
    for (const b of await cluster.list(api, kind)) await cluster.remove(api, kind, b.metadata.name);
  }
}

/**
 * A second, fresh control plane from the same binaries, for what only an API server that has never
 * seen the snapshot CRDs shows, or one started with other flags (`apiserverArgs`, appended to the
 * suite's own; a repeated --feature-gates adds to the first). Stop it with `stop()`.
 */
export async function startFreshControlPlane(apiserverArgs = ''): Promise<{ cluster: Cluster; stop: () => Promise<void> }> {
  const bin = process.env.KUBE_E2E_BIN;
  if (!bin) throw new Error('KUBE_E2E_BIN is not set: run the suite with `npm run test:e2e`');
  const child = spawn('bash', ['scripts/e2e/start-control-plane.sh', bin], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBE_E2E_APISERVER_ARGS: apiserverArgs },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d; });
  const envFile = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d; const m = /(\S+cluster\.env)\n/.exec(out); if (m) resolve(m[1]); });
    child.on('exit', (code) => reject(new Error(`the second control plane exited with ${code}: ${stderr}`)));
  });
  const env: NodeJS.ProcessEnv = {};
  for (const m of fs.readFileSync(envFile, 'utf8').matchAll(/^export (\w+)='([^']*)'$/gm)) env[m[1]] = m[2];
  const stop = () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); });
  return { cluster: new Cluster(clusterEnv(env)), stop };
}
