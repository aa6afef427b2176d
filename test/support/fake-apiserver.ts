/**
 * A small Kubernetes API server for tests: plain HTTP on 127.0.0.1 (random port), answering the
 * REST paths `doctor` uses with objects shaped as kube-apiserver returns them (kind, apiVersion,
 * metadata.resourceVersion, `<Kind>List` with metadata.continue), bearer-token auth, JSON merge
 * patch with resourceVersion preconditions, and injectable faults (status codes with a real
 * `Status` body, slow responses, dropped connections). It records every request.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** A resource type the server knows. */
export interface FakeType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Built-in types omit kind/apiVersion on list items, as the real server does. */
  readonly builtin: boolean;
}

const t = (group: string, version: string, plural: string, kind: string, namespaced: boolean, builtin = true): FakeType =>
  ({ group, version, plural, kind, namespaced, builtin });

/** Types served by default. */
export const FAKE_TYPES: readonly FakeType[] = [
  t('', 'v1', 'persistentvolumes', 'PersistentVolume', false),
  t('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true),
  t('apps', 'v1', 'deployments', 'Deployment', true),
  t('apps', 'v1', 'statefulsets', 'StatefulSet', true),
  t('apps', 'v1', 'daemonsets', 'DaemonSet', true),
  t('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false),
  t('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false),
  t('storage.k8s.io', 'v1', 'csidrivers', 'CSIDriver', false),
  t('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies', 'ValidatingAdmissionPolicy', false),
  t('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding', false),
  t('admissionregistration.k8s.io', 'v1', 'mutatingadmissionpolicies', 'MutatingAdmissionPolicy', false),
  t('admissionregistration.k8s.io', 'v1', 'mutatingadmissionpolicybindings', 'MutatingAdmissionPolicyBinding', false),
  t('admissionregistration.k8s.io', 'v1beta1', 'mutatingadmissionpolicies', 'MutatingAdmissionPolicy', false),
  t('admissionregistration.k8s.io', 'v1beta1', 'mutatingadmissionpolicybindings', 'MutatingAdmissionPolicyBinding', false),
  t('snapshot.storage.k8s.io', 'v1', 'volumesnapshots', 'VolumeSnapshot', true, false),
  t('snapshot.storage.k8s.io', 'v1', 'volumesnapshotcontents', 'VolumeSnapshotContent', false, false),
  t('snapshot.storage.k8s.io', 'v1', 'volumesnapshotclasses', 'VolumeSnapshotClass', false, false),
];

/** An injected failure; the first matching fault with budget left wins. */
export interface Fault {
  /** HTTP method; any when unset. */
  readonly method?: string;
  /** Matches the request path (without query). */
  readonly path: string | RegExp;
  /** Answer with this status and a Status body. */
  readonly status?: number;
  readonly reason?: string;
  readonly message?: string;
  /** Wait this long before answering (normally, or with `status`). */
  readonly delayMs?: number;
  /** Destroy the connection without an answer. */
  readonly drop?: boolean;
  /** How many requests it hits. @default unlimited */
  times?: number;
}

/** A request as the server saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType?: string;
  readonly body?: any;
}

/** Server options. */
export interface FakeApiServerOptions {
  /** `/version` minor. @default '37' (the newest supported minor) */
  readonly minor?: string;
  /** admissionregistration.k8s.io versions served (MutatingAdmissionPolicy v1 only from minor 36). @default ['v1'] */
  readonly admissionVersions?: readonly string[];
  /** Resource plurals NOT served (e.g. a CRD that is not installed, or MAP on an old release). */
  readonly unserved?: readonly string[];
  /** Bearer token accepted. @default 'test-token' */
  readonly token?: string;
}

/** The fake API server. Start with {@link FakeApiServer.start}; always {@link close} it. */
export class FakeApiServer {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** `http://127.0.0.1:<port>`. */
  url = '';
  private readonly store = new Map<FakeType, Map<string, any>>();
  private readonly generated = new Map<FakeType, { count: number; make: (i: number) => any }>();
  private readonly faults: Fault[] = [];
  private readonly beforePatch = new Map<string, () => void>();
  private readonly expiries = new Map<FakeType, ContinueExpiry>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly server: http.Server;
  private rv = 1000;
  private readonly types: FakeType[];

  private constructor(private readonly opts: FakeApiServerOptions) {
    const unserved = new Set(opts.unserved ?? []);
    const admission = new Set(opts.admissionVersions ?? ['v1']);
    // MutatingAdmissionPolicy v1 exists from 1.36 on (FACTS §f1).
    const mapV1 = Number.parseInt(opts.minor ?? '37', 10) >= 36;
    this.types = FAKE_TYPES.filter((ty) => !unserved.has(ty.plural)
      && !(ty.group === 'admissionregistration.k8s.io' && !admission.has(ty.version))
      && !(ty.version === 'v1' && ty.plural.startsWith('mutatingadmissionpolic') && !mapV1));
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c) => { raw += c; });
      req.on('end', () => this.handle(req, res, raw));
    });
  }

  /** Starts a server on 127.0.0.1 and a random port. */
  static async start(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const s = new FakeApiServer(opts);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  /** Stops the server, its pending delayed answers and open connections. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Stores an object (type from apiVersion + kind); fills uid, resourceVersion and creationTimestamp. */
  add(...objects: any[]): this {
    for (const input of objects) {
      const obj = structuredClone(input);
      const type = this.typeOf(obj.apiVersion, obj.kind);
      obj.metadata ??= {};
      obj.metadata.uid ??= `uid-${obj.metadata.namespace ?? '_'}-${obj.metadata.name}`;
      obj.metadata.resourceVersion = String(++this.rv);
      obj.metadata.creationTimestamp ??= '2026-01-01T00:00:00Z';
      obj.metadata.generation ??= 1;
      if (type.group === 'admissionregistration.k8s.io') storeAsApiServer(type, obj);
      this.bucket(type).set(keyOf(obj), obj);
    }
    return this;
  }

  /** Serves `count` generated objects of a type without storing them (scale tests). */
  addGenerated(plural: string, count: number, make: (i: number) => any): this {
    this.generated.set(this.typeByPlural(plural), { count, make });
    return this;
  }

  /** The stored object, as the server holds it now. */
  object(plural: string, name: string, namespace?: string): any {
    return this.bucket(this.typeByPlural(plural)).get(namespace ? `${namespace}/${name}` : name);
  }

  /** Runs `fn` right before the next PATCH of `name` is handled (to simulate a concurrent writer). */
  onceBeforePatch(name: string, fn: () => void): void {
    this.beforePatch.set(name, fn);
  }

  /** Changes a stored object as another client would, bumping its resourceVersion. */
  modify(plural: string, name: string, fn: (obj: any) => void): void {
    const obj = this.object(plural, name);
    fn(obj);
    obj.metadata.resourceVersion = String(++this.rv);
  }

  /**
   * Makes the next `times` list requests of `plural` that carry a continue token answer 410 Gone,
   * reason Expired, as kube-apiserver does once etcd compacted the revision the token pins. With
   * `inconsistentToken` (the default, as current servers do) the Status carries metadata.continue:
   * a token resuming after the same key but reading the latest state. `onExpire` runs first (to
   * simulate writes that happened while the client was paging).
   */
  expireContinue(plural: string, opts: { times?: number; inconsistentToken?: boolean; onExpire?: () => void } = {}): this {
    this.expiries.set(this.typeByPlural(plural), { times: opts.times ?? 1, inconsistentToken: opts.inconsistentToken ?? true, onExpire: opts.onExpire });
    return this;
  }

  /** Removes a stored object as another client would. */
  remove(plural: string, name: string, namespace?: string): void {
    this.bucket(this.typeByPlural(plural)).delete(namespace ? `${namespace}/${name}` : name);
  }

  /** Injects a failure. */
  fault(f: Fault): this {
    this.faults.push({ ...f });
    return this;
  }

  /** Requests whose path matches. */
  requestsTo(method: string, pathPattern: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && (typeof pathPattern === 'string' ? r.path === pathPattern : pathPattern.test(r.path)));
  }

  /** Writes a kubeconfig pointing at this server and returns its path. */
  writeKubeconfig(dir: string = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-kube-')), token = this.opts.token ?? 'test-token'): string {
    const file = path.join(dir, 'kubeconfig');
    fs.writeFileSync(file, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'fake',
      // client-node only speaks plain HTTP when told to skip TLS verification; the server is loopback-only.
      clusters: [{ name: 'fake', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'doctor', user: { token } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'doctor' } }, { name: 'other', context: { cluster: 'fake', user: 'doctor' } }],
    }, null, 2));
    return file;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    let body: any;
    try { body = raw ? JSON.parse(raw) : undefined; } catch { body = raw; }
    this.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), contentType: req.headers['content-type'], body });

    if (req.headers.authorization !== `Bearer ${this.opts.token ?? 'test-token'}`) {
      return send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    const fault = this.faults.find((f) => (f.times ?? 1) > 0 && (!f.method || f.method === method)
      && (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname)));
    if (fault) {
      if (fault.times !== undefined) fault.times--;
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      const answer = () => fault.status
        ? send(res, fault.status, status(fault.status, fault.reason ?? 'InternalError', fault.message ?? 'injected'))
        : this.route(method, url, body, req, res);
      if (fault.delayMs) {
        const timer = setTimeout(() => { this.timers.delete(timer); if (!res.destroyed) answer(); }, fault.delayMs);
        this.timers.add(timer);
        return;
      }
      return answer();
    }
    this.route(method, url, body, req, res);
  }

  private route(method: string, url: URL, body: any, req: http.IncomingMessage, res: http.ServerResponse) {
    const p = url.pathname;
    if (p === '/version') {
      const minor = this.opts.minor ?? '37';
      return send(res, 200, { major: '1', minor, gitVersion: `v1.${minor.replace(/\D/g, '')}.2`, gitCommit: 'abc', gitTreeState: 'clean',
        buildDate: '2026-07-01T00:00:00Z', goVersion: 'go1.26.0', compiler: 'gc', platform: 'linux/amd64' });
    }
    if (p === '/apis') {
      const groups = new Map<string, Set<string>>();
      for (const ty of this.types) if (ty.group) groups.set(ty.group, (groups.get(ty.group) ?? new Set()).add(ty.version));
      return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups.entries()].map(([name, vs]) => {
        const versions = [...vs].sort().reverse().map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
        return { name, versions, preferredVersion: versions[0] };
      }) });
    }
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(p);
    if (!m) return notFound(res);
    const group = m[2] ?? '';
    const version = m[1] ?? m[3];
    const [namespace, plural, name] = [m[4], m[5], m[6]];
    if (!plural) {
      const resources = this.types.filter((ty) => ty.group === group && ty.version === version);
      if (resources.length === 0) return notFound(res);
      return send(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version,
        resources: resources.map((ty) => ({ name: ty.plural, singularName: ty.kind.toLowerCase(), namespaced: ty.namespaced, kind: ty.kind,
          verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] })) });
    }
    const type = this.types.find((ty) => ty.group === group && ty.version === version && ty.plural === plural);
    if (!type) return notFound(res);
    const qualified = group ? `${plural}.${group}` : plural;
    if (!name) {
      if (method !== 'GET') return send(res, 405, status(405, 'MethodNotAllowed', 'only GET is implemented'));
      return this.list(type, namespace, url, res);
    }
    const key = type.namespaced ? `${namespace}/${name}` : name;
    const obj = this.bucket(type).get(key);
    if (!obj) return send(res, 404, status(404, 'NotFound', `${qualified} "${name}" not found`, { name, group, kind: plural }));
    if (method === 'GET') return send(res, 200, withType(type, obj));
    if (method === 'PATCH') {
      if (req.headers['content-type'] !== 'application/merge-patch+json') {
        return send(res, 415, status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json`));
      }
      const hook = this.beforePatch.get(name);
      if (hook) { this.beforePatch.delete(name); hook(); }
      const current = this.bucket(type).get(key);
      const precondition = body?.metadata?.resourceVersion;
      if (precondition !== undefined && precondition !== current.metadata.resourceVersion) {
        return send(res, 409, status(409, 'Conflict',
          `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          { name, group, kind: plural }));
      }
      const next = mergePatch(current, body);
      next.metadata.resourceVersion = String(++this.rv);
      next.metadata.generation = (current.metadata.generation ?? 1) + 1;
      this.bucket(type).set(key, next);
      return send(res, 200, withType(type, next));
    }
    return send(res, 405, status(405, 'MethodNotAllowed', `${method} is not implemented`));
  }

  private list(type: FakeType, namespace: string | undefined, url: URL, res: http.ServerResponse) {
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const token = url.searchParams.get('continue');
    // Like the real server, a token records where to resume (after a key; an index for generated
    // objects) and the revision of the first page.
    let position: ContinuePosition = {};
    let listRv = String(this.rv);
    if (token) {
      try {
        const parsed = JSON.parse(Buffer.from(token, 'base64url').toString());
        position = { after: parsed.after, offset: parsed.offset };
        listRv = parsed.rv;
      } catch {
        return send(res, 400, status(400, 'BadRequest', 'continue key is not valid: illegal base64 data'));
      }
      const expiry = this.expiries.get(type);
      if (expiry && expiry.times > 0) {
        expiry.times--;
        expiry.onExpire?.();
        const next = expiry.inconsistentToken ? encodeToken({ rv: String(this.rv), ...position }) : undefined;
        return send(res, 410, { kind: 'Status', apiVersion: 'v1', metadata: next ? { continue: next } : {}, status: 'Failure',
          message: 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter'
            + (next ? ', or use the continue token in this response to retrieve the remainder of the results (an inconsistent list).' : '.'),
          reason: 'Expired', code: 410 });
      }
    }
    const gen = this.generated.get(type);
    const items: any[] = [];
    let more: ContinuePosition | undefined;
    let remaining = 0;
    if (gen) {
      const offset = position.offset ?? 0;
      const end = limit > 0 ? Math.min(gen.count, offset + limit) : gen.count;
      for (let i = offset; i < end; i++) items.push(type.builtin ? stripType(gen.make(i)) : gen.make(i));
      if (end < gen.count) { more = { offset: end }; remaining = gen.count - end; }
    } else {
      const after = position.after;
      const keys = this.sortedKeys(type, namespace).filter((k) => after === undefined || k > after);
      const page = limit > 0 ? keys.slice(0, limit) : keys;
      for (const k of page) {
        const obj = this.bucket(type).get(k);
        items.push(type.builtin ? stripType(obj) : withType(type, obj));
      }
      if (page.length < keys.length) { more = { after: page[page.length - 1] }; remaining = keys.length - page.length; }
    }
    const metadata: any = { resourceVersion: listRv };
    if (more) {
      metadata.continue = encodeToken({ rv: listRv, ...more });
      metadata.remainingItemCount = remaining;
    }
    send(res, 200, { kind: `${type.kind}List`, apiVersion: type.group ? `${type.group}/${type.version}` : type.version, metadata, items });
  }

  private sortedKeys(type: FakeType, namespace?: string): string[] {
    return [...this.bucket(type).keys()].filter((k) => !namespace || k.startsWith(`${namespace}/`)).sort();
  }

  private bucket(type: FakeType): Map<string, any> {
    let b = this.store.get(type);
    if (!b) this.store.set(type, b = new Map());
    return b;
  }

  private typeOf(apiVersion: string, kind: string): FakeType {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const type = FAKE_TYPES.find((ty) => ty.group === group && ty.version === version && ty.kind === kind);
    if (!type) throw new Error(`fake apiserver does not know ${apiVersion} ${kind}`);
    return this.types.find((ty) => ty === type) ?? type;
  }

  private typeByPlural(plural: string): FakeType {
    const type = FAKE_TYPES.find((ty) => ty.plural === plural);
    if (!type) throw new Error(`fake apiserver does not know ${plural}`);
    return type;
  }
}

/**
 * What kube-apiserver adds to an admission policy or binding on write: the defaults its OpenAPI
 * schema documents (failurePolicy Fail; in MatchResources matchPolicy Equivalent, empty
 * namespace/object selectors, rule scope "*"), managedFields, and for policies a status.
 */
function storeAsApiServer(type: FakeType, obj: any): void {
  const spec = obj.spec ?? {};
  const binding = type.kind.endsWith('Binding');
  if (!binding) spec.failurePolicy ??= 'Fail';
  const match = binding ? spec.matchResources : spec.matchConstraints;
  if (match) {
    match.matchPolicy ??= 'Equivalent';
    match.namespaceSelector ??= {};
    match.objectSelector ??= {};
    for (const rule of [...(match.resourceRules ?? []), ...(match.excludeResourceRules ?? [])]) rule.scope ??= '*';
  }
  obj.metadata.managedFields ??= [{ manager: 'kubectl', operation: 'Apply', apiVersion: `${type.group}/${type.version}`,
    time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }];
  if (!binding && type.kind === 'ValidatingAdmissionPolicy') obj.status ??= { observedGeneration: obj.metadata.generation, typeChecking: {} };
}

interface ContinueExpiry { times: number; readonly inconsistentToken: boolean; readonly onExpire?: () => void }

/** Where a continued list resumes: after a key (stored objects) or at an index (generated ones). */
interface ContinuePosition { after?: string; offset?: number }

function encodeToken(t: { rv: string } & ContinuePosition): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function keyOf(obj: any): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

function withType(type: FakeType, obj: any): any {
  return { apiVersion: type.group ? `${type.group}/${type.version}` : type.version, kind: type.kind, ...obj };
}

function stripType(obj: any): any {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** A kube-apiserver `Status` failure body. */
export function status(code: number, reason: string, message: string, details?: object): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out = target !== null && typeof target === 'object' && !Array.isArray(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function send(res: http.ServerResponse, code: number, body: object) {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function notFound(res: http.ServerResponse) {
  // What kube-apiserver answers for a resource it does not serve (e.g. a CRD that is not installed).
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('404 page not found\n');
}

/** The RBAC denial text kube-apiserver writes for a ServiceAccount. */
export function forbiddenMessage(verb: string, plural: string, group: string, user = 'system:serviceaccount:ops:doctor'): string {
  const qualified = group ? `${plural}.${group}` : plural;
  return `${qualified} is forbidden: User "${user}" cannot ${verb} resource "${plural}" in API group "${group}" at the cluster scope`;
}
