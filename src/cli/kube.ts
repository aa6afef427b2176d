/**
 * The one module that imports @kubernetes/client-node. Everything else in the command works on
 * plain JSON objects as the API server returns them, through the small {@link Cluster} interface,
 * so the checks read like the REST API and stay independent of the client's typed models.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type * as K8s from '@kubernetes/client-node';
import { CLIENT_NODE_RANGE, DOCTOR_NPX_COMMAND } from './install';

let clientNodeModule: typeof K8s | undefined;

/**
 * @kubernetes/client-node, loaded on first use. It is an optional peer dependency: only `doctor`
 * needs it, and it is most of what an install would otherwise weigh (README "Install size").
 */
export function clientNode(): typeof K8s {
  if (!clientNodeModule) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      clientNodeModule = require('@kubernetes/client-node') as typeof K8s;
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes('@kubernetes/client-node')) throw e;
      throw new Error(`doctor needs @kubernetes/client-node ${CLIENT_NODE_RANGE} (an optional peer dependency of csi-snapshot-guard): `
        + `run \`npm install --no-save @kubernetes/client-node@${CLIENT_NODE_RANGE}\`, or without installing anything: \`${DOCTOR_NPX_COMMAND}\``);
    }
  }
  return clientNodeModule;
}

/** Any Kubernetes object as JSON. */
export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec?: any;
  status?: any;
  [key: string]: any;
};

/** A REST resource: `/api/v1/<plural>` when group is '', else `/apis/<group>/<version>/<plural>`. */
export interface ResourceRef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

/** A failed API call, reduced to what a finding needs. */
export class KubeApiError extends Error {
  constructor(
    /** HTTP status; 0 when no response arrived (timeout, dropped connection, refused). */
    public readonly status: number,
    /** Status.reason from the server (`Forbidden`, `NotFound`, `Conflict`, ...) or the network error. */
    public readonly reason: string,
    message: string,
    /** The request, `VERB path`. */
    public readonly request: string,
    /**
     * On 410 Expired of a paged list: the `metadata.continue` of the Status, a token the API server
     * issues to resume after the last key returned, read from its current snapshot (an
     * "inconsistent" continuation). Absent when the server sent none.
     */
    public readonly continueToken?: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** What the checks need from a cluster. */
export interface Cluster {
  /** Server address from the kubeconfig, for the report. */
  readonly server: string;
  /** `GET /version`. */
  version(): Promise<{ gitVersion: string; major: string; minor: string }>;
  /** `GET /apis/<group>`: the versions the server serves; undefined when the group is unknown. */
  groupVersions(group: string): Promise<string[] | undefined>;
  /** `GET /apis/<group>/<version>`: resource names served; undefined when that version is not served. */
  resourcesOf(group: string, version: string): Promise<string[] | undefined>;
  /** `GET` one object; undefined on 404. */
  get(ref: ResourceRef, name: string, namespace?: string): Promise<KubeObject | undefined>;
  /** One page of a cluster-wide list. */
  listPage(ref: ResourceRef, limit: number, continueToken?: string): Promise<{ items: KubeObject[]; continue?: string; resourceVersion?: string }>;
  /** JSON merge patch of a cluster-scoped object. */
  mergePatch(ref: ResourceRef, name: string, patch: object, fieldManager: string): Promise<KubeObject>;
}

/** How to reach the cluster. */
export interface ConnectOptions {
  /** kubeconfig file; @default - KUBECONFIG, ~/.kube/config, then in-cluster */
  readonly kubeconfig?: string;
  /** Context in the kubeconfig. @default - the current context */
  readonly context?: string;
  /** Per-request timeout in ms (the whole response, body included). @default 30000 */
  readonly timeoutMs?: number;
  /** Attempts for reads that failed without a response or with 429/5xx. @default 3 */
  readonly attempts?: number;
  /** First retry delay in ms, doubled on each retry. @default 250 */
  readonly retryDelayMs?: number;
}

/** Loads a kubeconfig the way kubectl does and returns a {@link Cluster}. */
export function connect(opts: ConnectOptions = {}): Cluster {
  const kc = new (clientNode().KubeConfig)();
  if (opts.kubeconfig) {
    kc.loadFromFile(opts.kubeconfig);
  } else {
    // KUBECONFIG, then ~/.kube/config, then the in-cluster ServiceAccount (loadFromCluster).
    kc.loadFromDefault();
    const fallback = kc.getCurrentCluster();
    // With nothing found client-node falls back to an anonymous http://localhost:8080; say so instead.
    if (fallback?.name === 'cluster' && fallback.server === 'http://localhost:8080' && kc.getCurrentUser()?.name === 'user') {
      throw new Error('no kubeconfig found (KUBECONFIG, ~/.kube/config) and not running in a Pod; pass --kubeconfig');
    }
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name).sort().join(', ') || 'none';
      throw new Error(`--context '${opts.context}' is not in the kubeconfig (contexts: ${known}); pick one of them`);
    }
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new Error('no cluster in the kubeconfig and not running in a Pod; pass --kubeconfig or set KUBECONFIG');
  }
  return new ClientNodeCluster(allowLoopbackHttp(kc, cluster), cluster.server, opts);
}

/**
 * `kubectl proxy` serves the API on plain http://127.0.0.1, with its own credentials behind it.
 * client-node refuses http unless TLS verification is marked skipped, which means nothing without
 * TLS; so a loopback http server gets that mark. Plain http to any other host would send the
 * credentials unencrypted over the network: refused with the way out.
 */
function allowLoopbackHttp(kc: K8s.KubeConfig, cluster: K8s.Cluster): K8s.KubeConfig {
  if (!cluster.server.startsWith('http://')) return kc;
  const host = new URL(cluster.server).hostname;
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host)) {
    throw new Error(`the kubeconfig's server ${cluster.server} is plain http on a non-loopback host, which would send credentials unencrypted; `
      + 'use its https address, or run `kubectl proxy` and point --kubeconfig at http://127.0.0.1:<port>');
  }
  const patched = new (clientNode().KubeConfig)();
  patched.loadFromOptions({
    clusters: kc.clusters.map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c)),
    users: kc.users, contexts: kc.contexts, currentContext: kc.getCurrentContext(),
  });
  return patched;
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 410: 'Expired' };

class ClientNodeCluster implements Cluster {
  private readonly custom: K8s.CustomObjectsApi;
  private readonly core: K8s.CoreV1Api;
  private readonly versionApi: K8s.VersionApi;
  private readonly apis: K8s.ApisApi;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly retryDelayMs: number;

  constructor(private readonly kc: K8s.KubeConfig, public readonly server: string, opts: ConnectOptions) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.attempts = Math.max(1, opts.attempts ?? 3);
    this.retryDelayMs = opts.retryDelayMs ?? 250;
    const timeoutMs = this.timeoutMs;
    const config = clientNode().createConfiguration({
      baseServer: new (clientNode().ServerConfiguration)(server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [{
        // node-fetch honours the signal for the headers and the body: a stalled server cannot hang the scan.
        pre: async (ctx) => { ctx.setSignal(AbortSignal.timeout(timeoutMs)); return ctx; },
        post: async (ctx) => ctx,
      }],
    });
    this.custom = new (clientNode().CustomObjectsApi)(config);
    this.core = new (clientNode().CoreV1Api)(config);
    this.versionApi = new (clientNode().VersionApi)(config);
    this.apis = new (clientNode().ApisApi)(config);
  }

  async version() {
    const v = await this.read('GET /version', () => this.versionApi.getCode());
    return { gitVersion: v.gitVersion, major: v.major, minor: v.minor };
  }

  async groupVersions(group: string) {
    // One discovery call lists every group with its versions.
    const all = await this.read('GET /apis', () => this.apis.getAPIVersions());
    const found = (all.groups ?? []).find((g) => g.name === group);
    return found ? found.versions.map((v) => v.version) : undefined;
  }

  async resourcesOf(group: string, version: string) {
    const list = await this.readOptional(`GET /apis/${group}/${version}`, () => this.custom.getAPIResources({ group, version }));
    return list ? (list.resources ?? []).map((r) => r.name) : undefined;
  }

  async get(ref: ResourceRef, name: string, namespace?: string) {
    const path = `GET ${resourcePath(ref, namespace)}/${name}`;
    if (ref.group === '') {
      if (ref.plural !== 'persistentvolumeclaims' || !namespace) throw new Error(`core get of ${ref.plural} is not used by doctor`);
      // The typed model is turned back into API JSON so callers see one shape everywhere.
      return this.readOptional(path, async () => toApiJson(
        await this.core.readNamespacedPersistentVolumeClaim({ name, namespace })));
    }
    return this.readOptional(path, () => namespace
      ? this.custom.getNamespacedCustomObject({ ...ref, namespace, name })
      : this.custom.getClusterCustomObject({ ...ref, name }));
  }

  async listPage(ref: ResourceRef, limit: number, continueToken?: string) {
    const path = `GET ${resourcePath(ref)}?limit=${limit}${continueToken ? '&continue=…' : ''}`;
    let list: any;
    if (ref.group === '') {
      if (ref.plural === 'persistentvolumes') {
        list = await this.read(path, async () => toApiJson(await this.core.listPersistentVolume({ limit, _continue: continueToken })));
      } else if (ref.plural === 'persistentvolumeclaims') {
        // Raw JSON: the typed model of this client release drops fields newer than it (status.healthStatus, 1.37).
        const query = `?limit=${limit}${continueToken ? `&continue=${encodeURIComponent(continueToken)}` : ''}`;
        list = await this.read(path, () => this.getJson(`${resourcePath(ref)}${query}`));
      } else {
        throw new Error(`core list of ${ref.plural} is not used by doctor`);
      }
    } else {
      list = await this.read(path, () => this.custom.listClusterCustomObject({ ...ref, limit, _continue: continueToken }));
    }
    return { items: list.items ?? [], continue: list.metadata?.continue || undefined, resourceVersion: list.metadata?.resourceVersion };
  }

  async mergePatch(ref: ResourceRef, name: string, patch: object, fieldManager: string) {
    const path = `PATCH ${resourcePath(ref)}/${name}`;
    try {
      // Writes are not retried here: the caller re-reads on 409 and decides again.
      return await this.custom.patchClusterCustomObject({ ...ref, name, body: patch, fieldManager },
        clientNode().setHeaderOptions('Content-Type', clientNode().PatchStrategy.MergePatch));
    } catch (e) {
      throw toKubeApiError(e, path);
    }
  }

  /** A GET through the kubeconfig's credentials and TLS settings, answered as the server's own JSON. */
  private async getJson(apiPath: string): Promise<any> {
    const url = new URL(this.server.replace(/\/$/, '') + apiPath);
    const opts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    await this.kc.applyToHTTPSOptions(opts);
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'http:' ? http : https).request(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) {
            try { resolve(JSON.parse(body)); } catch (e) { reject(e); }
          } else {
            reject(new (clientNode().ApiException)(code, `HTTP ${code}`, body, res.headers as Record<string, string>));
          }
        });
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })));
      req.on('error', reject);
      req.end();
    });
  }

  private async readOptional<T>(request: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.read(request, call);
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  private async read<T>(request: string, call: () => Promise<T>): Promise<T> {
    let last: KubeApiError | undefined;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        return await call();
      } catch (e) {
        last = toKubeApiError(e, request, this.timeoutMs);
        const transient = last.status === 0 || last.status === 429 || (last.status >= 500 && last.status !== 501);
        if (!transient || attempt === this.attempts) break;
        await new Promise((r) => setTimeout(r, this.retryDelayMs * 2 ** (attempt - 1)));
      }
    }
    throw last!;
  }
}

function resourcePath(ref: ResourceRef, namespace?: string): string {
  const base = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  return namespace ? `${base}/namespaces/${namespace}/${ref.plural}` : `${base}/${ref.plural}`;
}

/**
 * Typed models keep the API's field names except where they clash with JS (`_continue`); dates
 * serialize back to RFC 3339. Only PVs and PVCs go through here, whose fields we read are plain.
 */
function toApiJson(model: unknown): any {
  const json = JSON.parse(JSON.stringify(model));
  if (json?.metadata && '_continue' in json.metadata) {
    json.metadata.continue = json.metadata._continue;
    delete json.metadata._continue;
  }
  return json;
}

function toKubeApiError(e: unknown, request: string, timeoutMs?: number): KubeApiError {
  if (e instanceof KubeApiError) return e;
  if (e instanceof clientNode().ApiException) {
    const code = e.code as number;
    let status: any;
    try { status = typeof e.body === 'string' ? JSON.parse(e.body) : e.body; } catch { status = undefined; }
    const reason = status?.reason ?? STATUS_TEXT[code] ?? `HTTP${code}`;
    const message = status?.message ?? (code === 401
      ? 'the server rejected the credentials (401 Unauthorized): log in again or check the kubeconfig user'
      : `HTTP ${code}`);
    const token = typeof status?.metadata?.continue === 'string' && status.metadata.continue !== '' ? status.metadata.continue : undefined;
    return new KubeApiError(code, reason, message, request, token);
  }
  const err = e as { name?: string; message?: string; code?: string; type?: string };
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError' || err?.type === 'aborted') {
    return new KubeApiError(0, 'Timeout', `no complete response within ${timeoutMs ?? '?'} ms`, request);
  }
  return new KubeApiError(0, err?.code ?? 'NetworkError', err?.message ?? String(e), request);
}
