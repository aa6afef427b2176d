/**
 * Offline validation of rendered objects (plain JSON, as `Testing.synth` / `app.synth` produce them)
 * against the Kubernetes OpenAPI definitions in ../shared/reference/k8s-schemas and against the
 * CustomResourceDefinitions rendered alongside them. It catches what an apiserver would reject or
 * silently prune: unknown fields, wrong types, missing required fields, values outside an enum or
 * bound, duplicate keys in map-lists, and kinds the target release does not serve.
 *
 * A small hand-written compiler instead of ajv: the Kubernetes rules (int-or-string, preserve-unknown,
 * embedded resources, pruning of undeclared fields, CR metadata) are easier to state directly than to
 * rewrite into JSON Schema, and each schema node is compiled once into a closure, so validating
 * thousands of objects costs little (see test/manifest-validator.test.ts for the measured rate).
 * CEL rules (`x-kubernetes-validations`) are not evaluated here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseKubernetesMinor, SNAPSHOT_STACK_KUBERNETES } from '../../src/catalog';
import { sharedPath } from './shared';

/** A custom resource accepted without a schema, with the reason written down. */
export interface NoSchemaAllowance {
  /** `group/version` of the custom resource, e.g. `monitoring.coreos.com/v1`. */
  readonly apiVersion: string;
  /** Its kind, e.g. `PrometheusRule`. */
  readonly kind: string;
  /** Why no CRD can be supplied (shown nowhere, but required so the exception is deliberate). */
  readonly reason: string;
}

/** Options of {@link validateManifests} and {@link expectValid}. */
export interface ManifestValidationOptions {
  /**
   * Target Kubernetes release, `'1.30'` or `30`. Picks `k8s-<v>.json` for that minor, or the nearest
   * newer schema when the exact one is absent.
   * @default the snapshot stack's default target (SNAPSHOT_STACK_KUBERNETES.default)
   */
  readonly kubernetesVersion?: string | number;
  /** CRD objects that are installed by someone else (not among the validated objects). @default none */
  readonly crds?: readonly unknown[];
  /** Custom resources with no CRD available, accepted on purpose. @default none: every such object is a finding */
  readonly allowWithoutSchema?: readonly NoSchemaAllowance[];
  /** Folders holding `k8s-<major.minor.patch>.json`, searched in order. @default schemas/, then ../shared/reference/k8s-schemas */
  readonly schemaDir?: string | readonly string[];
}

/** One problem: which object, where in it, and what is wrong. */
export interface ManifestFinding {
  /** `<kind>/<name>` of the object. */
  readonly object: string;
  /** JSON path inside the object, e.g. `spec.template.spec.containers[0].name`; `` for the object itself. */
  readonly path: string;
  /** What is wrong, in words. */
  readonly problem: string;
}

/** Schema node as found in the Kubernetes definitions or a CRD's openAPIV3Schema. */
type SchemaNode = Record<string, any>;
interface Problem { path: string; problem: string }
type Check = (value: unknown, path: string, out: Problem[]) => void;
type Flavor = 'builtin' | 'crd';

const ACCEPT: Check = () => {};
const INT32 = 2 ** 31;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const SIMPLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `a.b`, `a["x.y/z"]`, `a[3]`: readable and unambiguous for keys such as annotation names. */
function childPath(parent: string, key: string): string {
  if (SIMPLE_KEY.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  const text = JSON.stringify(v);
  return `${typeof v} ${text.length > 40 ? text.slice(0, 37) + '...' : text}`;
}

function isPlainObject(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const TYPE_TESTS: Record<string, (v: unknown) => boolean> = {
  'string': (v) => typeof v === 'string',
  'integer': (v) => typeof v === 'number' && Number.isInteger(v),
  'number': (v) => typeof v === 'number' && Number.isFinite(v),
  'boolean': (v) => typeof v === 'boolean',
  'integer or string': (v) => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)),
  'object': isPlainObject,
  'array': Array.isArray,
};

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

function suggestion(key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const d = editDistance(key, k);
    if (d < bestScore) { best = k; bestScore = d; }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(key.length / 4)) ? ` (did you mean "${best}"?)` : '';
}

/** Compiles schema nodes of one source (the Kubernetes definitions, or one CRD version) into checks. */
class Compiler {
  private readonly refs = new Map<string, Check>();

  constructor(
    private readonly flavor: Flavor,
    private readonly definitions: Record<string, SchemaNode>,
    /** Check for `metadata` of custom resources and embedded resources (ObjectMeta). */
    private readonly objectMeta: () => Check,
  ) {}

  /** The compiled check of `#/definitions/<name>`, compiled once (recursive definitions resolve lazily). */
  definition(name: string): Check {
    const cached = this.refs.get(name);
    if (cached) return cached;
    const node = this.definitions[name];
    if (!node) throw new Error(`schema has no definition '${name}'`);
    let real: Check | undefined;
    this.refs.set(name, (v, p, o) => real!(v, p, o));
    real = this.compile(node, false);
    this.refs.set(name, real);
    return real;
  }

  /**
   * @param inJunctor true inside oneOf/anyOf/allOf/not: those branches only add value checks, so
   *   they never decide which fields exist.
   * @param root true for a custom resource's top-level schema (apiVersion, kind and metadata are implicit).
   */
  compile(node: SchemaNode, inJunctor: boolean, root = false): Check {
    if (typeof node.$ref === 'string') return this.definition(node.$ref.replace(/^#\/definitions\//, ''));

    const checks: Check[] = [];
    const intOrString = node['x-kubernetes-int-or-string'] === true || node.format === 'int-or-string';
    const type: string | undefined = intOrString ? 'integer or string' : node.type ?? (node.properties ? 'object' : undefined);
    if (Array.isArray(node.enum)) {
      const allowed = new Set(node.enum.map((e: unknown) => JSON.stringify(e)));
      const shown = node.enum.map((e: unknown) => JSON.stringify(e)).join(', ');
      checks.push((v, p, o) => {
        if (!allowed.has(JSON.stringify(v))) o.push({ path: p, problem: `value ${describeValue(v)} is not one of [${shown}]` });
      });
    }
    this.addStringChecks(node, checks);
    this.addNumberChecks(node, checks);
    if (type === 'object') this.addObjectChecks(node, checks, inJunctor, root);
    if (type === 'array' || node.items) this.addArrayChecks(node, checks);
    this.addJunctors(node, checks);

    const typeTest = type ? TYPE_TESTS[type] : undefined;
    const nullable = node.nullable === true;
    return (v, p, o) => {
      if (v === null) {
        if (!nullable && !inJunctor) o.push({ path: p, problem: 'null value (omit the field instead)' });
        return;
      }
      if (typeTest && !typeTest(v)) {
        o.push({ path: p, problem: `expected ${type}, got ${describeValue(v)}` });
        return;
      }
      for (let i = 0; i < checks.length; i++) checks[i](v, p, o);
    };
  }

  private addStringChecks(node: SchemaNode, checks: Check[]): void {
    const { pattern, minLength, maxLength, format } = node;
    let re: RegExp | undefined;
    if (typeof pattern === 'string') {
      // Kubernetes patterns are RE2; most are valid JavaScript too. One that is not is skipped rather than guessed.
      for (const flags of ['u', '']) {
        try { re = new RegExp(pattern, flags); break; } catch { re = undefined; }
      }
    }
    const formatTest = format === 'date-time' ? RFC3339 : format === 'byte' ? BASE64 : undefined;
    if (!re && minLength === undefined && maxLength === undefined && !formatTest) return;
    checks.push((v, p, o) => {
      if (typeof v !== 'string') return;
      if (re && !re.test(v)) o.push({ path: p, problem: `value ${describeValue(v)} does not match /${pattern}/` });
      if (minLength !== undefined || maxLength !== undefined) {
        const len = [...v].length;
        if (minLength !== undefined && len < minLength) o.push({ path: p, problem: `shorter than ${minLength} characters` });
        if (maxLength !== undefined && len > maxLength) o.push({ path: p, problem: `longer than ${maxLength} characters (${len})` });
      }
      if (formatTest && !formatTest.test(v)) o.push({ path: p, problem: `value ${describeValue(v)} is not in ${format} format` });
    });
  }

  private addNumberChecks(node: SchemaNode, checks: Check[]): void {
    const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, format } = node;
    const int32 = format === 'int32';
    if (minimum === undefined && maximum === undefined && multipleOf === undefined && !int32
      && typeof exclusiveMinimum !== 'number' && typeof exclusiveMaximum !== 'number') return;
    checks.push((v, p, o) => {
      if (typeof v !== 'number') return;
      if (int32 && (v < -INT32 || v >= INT32)) o.push({ path: p, problem: `value ${v} does not fit in int32` });
      if (minimum !== undefined && (exclusiveMinimum === true ? v <= minimum : v < minimum)) {
        o.push({ path: p, problem: `value ${v} is below the minimum ${minimum}${exclusiveMinimum === true ? ' (exclusive)' : ''}` });
      }
      if (maximum !== undefined && (exclusiveMaximum === true ? v >= maximum : v > maximum)) {
        o.push({ path: p, problem: `value ${v} is above the maximum ${maximum}${exclusiveMaximum === true ? ' (exclusive)' : ''}` });
      }
      if (typeof exclusiveMinimum === 'number' && v <= exclusiveMinimum) o.push({ path: p, problem: `value ${v} must be > ${exclusiveMinimum}` });
      if (typeof exclusiveMaximum === 'number' && v >= exclusiveMaximum) o.push({ path: p, problem: `value ${v} must be < ${exclusiveMaximum}` });
      if (multipleOf !== undefined && Math.abs(v / multipleOf - Math.round(v / multipleOf)) > 1e-9) {
        o.push({ path: p, problem: `value ${v} is not a multiple of ${multipleOf}` });
      }
    });
  }

  private addObjectChecks(node: SchemaNode, checks: Check[], inJunctor: boolean, root: boolean): void {
    const props = new Map<string, Check>();
    for (const [key, sub] of Object.entries<SchemaNode>(node.properties ?? {})) {
      props.set(key, this.compile(sub, false));
    }
    const embedded = root || node['x-kubernetes-embedded-resource'] === true;
    if (embedded) {
      // The apiserver validates apiVersion, kind and metadata of these itself, whatever the schema says.
      props.set('apiVersion', TYPE_CHECK_STRING);
      props.set('kind', TYPE_CHECK_STRING);
      const meta = this.objectMeta;
      props.set('metadata', (v, p, o) => meta()(v, p, o));
    }
    const required: string[] = Array.isArray(node.required) ? node.required : [];
    const { minProperties, maxProperties } = node;

    // What happens to a field the schema does not name.
    let unknown: Check | 'allow' | 'reject';
    const ap = node.additionalProperties;
    if (inJunctor || node['x-kubernetes-preserve-unknown-fields'] === true || ap === true) unknown = 'allow';
    else if (isPlainObject(ap)) unknown = this.compile(ap, false);
    else if (ap === false || node.properties) unknown = 'reject';
    // A declared object with no fields: Kubernetes' own opaque types (RawExtension, FieldsV1) take
    // anything, while a CRD's apiserver prunes every field it was not told about.
    else unknown = this.flavor === 'builtin' ? 'allow' : 'reject';
    const knownNames = [...props.keys()];
    const noFields = knownNames.length === 0;

    checks.push((v, p, o) => {
      if (!isPlainObject(v)) return;
      for (const key of required) {
        if (v[key] === undefined) o.push({ path: childPath(p, key), problem: 'missing required field' });
      }
      let count = 0;
      for (const key in v) {
        count++;
        const value = v[key];
        if (value === undefined) continue;
        const sub = props.get(key);
        if (sub) { sub(value, childPath(p, key), o); continue; }
        if (unknown === 'allow') continue;
        if (unknown === 'reject') {
          o.push({
            path: childPath(p, key),
            problem: noFields ? 'unknown field (the schema declares no fields here, so the apiserver drops it)'
              : `unknown field${suggestion(key, knownNames)}`,
          });
          continue;
        }
        unknown(value, childPath(p, key), o);
      }
      if (minProperties !== undefined && count < minProperties) o.push({ path: p, problem: `fewer than ${minProperties} fields` });
      if (maxProperties !== undefined && count > maxProperties) o.push({ path: p, problem: `more than ${maxProperties} fields` });
    });
  }

  private addArrayChecks(node: SchemaNode, checks: Check[]): void {
    const items = isPlainObject(node.items) ? this.compile(node.items, false) : ACCEPT;
    const { minItems, maxItems, uniqueItems } = node;
    const listType = node['x-kubernetes-list-type'];
    const mapKeys: string[] | undefined = listType === 'map' ? node['x-kubernetes-list-map-keys'] : undefined;
    const unique = uniqueItems === true || listType === 'set';
    checks.push((v, p, o) => {
      if (!Array.isArray(v)) return;
      for (let i = 0; i < v.length; i++) items(v[i], `${p}[${i}]`, o);
      if (minItems !== undefined && v.length < minItems) o.push({ path: p, problem: `fewer than ${minItems} items` });
      if (maxItems !== undefined && v.length > maxItems) o.push({ path: p, problem: `more than ${maxItems} items` });
      if ((unique || mapKeys) && v.length > 1) {
        const seen = new Map<string, number>();
        for (let i = 0; i < v.length; i++) {
          const item = v[i];
          let key: string | undefined;
          if (mapKeys) {
            if (!isPlainObject(item) || mapKeys.some((k) => item[k] === undefined)) continue; // defaults may fill it in
            key = JSON.stringify(mapKeys.map((k) => item[k]));
          } else {
            key = JSON.stringify(item);
          }
          const prev = seen.get(key);
          if (prev !== undefined) {
            const what = mapKeys ? `same ${mapKeys.join('+')} ${key}` : `same value ${key}`;
            o.push({ path: `${p}[${i}]`, problem: `duplicate of item [${prev}] (${what})` });
          } else {
            seen.set(key, i);
          }
        }
      }
    });
  }

  private addJunctors(node: SchemaNode, checks: Check[]): void {
    const branches = (list: unknown) => (Array.isArray(list) ? list.map((b: SchemaNode) => this.compile(b, true)) : []);
    const typeName = (list: SchemaNode[]) => list.map((b) => b.type ?? (b.required ? `{required: ${b.required.join(', ')}}` : 'schema')).join(' | ');
    for (const c of branches(node.allOf)) checks.push(c);
    for (const kind of ['oneOf', 'anyOf'] as const) {
      const list = branches(node[kind]);
      if (list.length === 0) continue;
      const shown = typeName(node[kind]);
      checks.push((v, p, o) => {
        let matches = 0;
        for (const c of list) {
          const scratch: Problem[] = [];
          c(v, p, scratch);
          if (scratch.length === 0) matches++;
        }
        if (matches === 0) o.push({ path: p, problem: `value ${describeValue(v)} matches none of ${kind} [${shown}]` });
        else if (kind === 'oneOf' && matches > 1) o.push({ path: p, problem: `value matches ${matches} oneOf alternatives [${shown}], exactly one allowed` });
      });
    }
    if (isPlainObject(node.not)) {
      const not = this.compile(node.not, true);
      checks.push((v, p, o) => {
        const scratch: Problem[] = [];
        not(v, p, scratch);
        if (scratch.length === 0) o.push({ path: p, problem: 'value matches a schema it must not match ("not")' });
      });
    }
  }
}

const TYPE_CHECK_STRING: Check = (v, p, o) => {
  if (typeof v !== 'string') o.push({ path: p, problem: `expected string, got ${describeValue(v)}` });
};

/** One loaded Kubernetes schema file with its compiled definitions and GVK index. */
interface KubernetesSchema {
  readonly file: string;
  readonly compiler: Compiler;
  /** `group/version/kind` -> definition name. */
  readonly byGvk: ReadonlyMap<string, string>;
  /** group -> `apiVersion` values that exist for it (to explain a kind the target does not serve). */
  readonly kindsByGroup: ReadonlyMap<string, Map<string, string[]>>;
}

const schemaCache = new Map<string, KubernetesSchema>();

/** The project's own schema files (schemas/k8s-<version>.json, fetched from a real API server). */
export const PROJECT_SCHEMA_DIR = path.join(__dirname, '..', '..', 'schemas');

/**
 * The schema file for a target minor: the exact one if present, else the nearest newer one. The
 * project's schemas/ is searched before ../shared/reference/k8s-schemas, so a minor the project
 * added itself (1.37) wins over a published file of the same minor.
 * Newer, because Kubernetes adds fields and API versions far more often than it removes them, so a
 * newer schema recognises everything the target serves; the price is that fields or API versions
 * added after the target are not caught (e.g. 1.31-1.33 validate against 1.34). Older targets than
 * the oldest file get the oldest file; a target newer than every file is an error.
 */
export function schemaFileFor(
  kubernetesVersion: string | number,
  schemaDirs: string | readonly string[] = [PROJECT_SCHEMA_DIR, sharedPath('reference', 'k8s-schemas')],
): string {
  const minor = typeof kubernetesVersion === 'number' ? kubernetesVersion : parseKubernetesMinor(kubernetesVersion);
  if (minor === undefined || !Number.isInteger(minor)) {
    throw new Error(`kubernetesVersion '${kubernetesVersion}' is not a Kubernetes minor; write it as '1.<minor>' or a number`);
  }
  const dirs = typeof schemaDirs === 'string' ? [schemaDirs] : schemaDirs;
  const byMinor = new Map<number, string>();
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      const m = /^k8s-1\.(\d+)\.\d+\.json$/.exec(f);
      if (m && !byMinor.has(Number(m[1]))) byMinor.set(Number(m[1]), path.join(dir, f));
    }
  }
  const available = [...byMinor].map(([m, file]) => ({ minor: m, file })).sort((a, b) => a.minor - b.minor);
  const pick = available.find((a) => a.minor >= minor);
  if (!pick) {
    throw new Error(`no Kubernetes schema for 1.${minor} or newer in ${dirs.join(' or ')} (have: ${available.map((a) => `1.${a.minor}`).join(', ') || 'none'}); `
      + `add it with: bash scripts/kubernetes-schema/fetch.sh 1.${minor}`);
  }
  return pick.file;
}

function loadKubernetesSchema(file: string): KubernetesSchema {
  const cached = schemaCache.get(file);
  if (cached) return cached;
  const definitions: Record<string, SchemaNode> = JSON.parse(fs.readFileSync(file, 'utf8')).definitions;
  const byGvk = new Map<string, string>();
  const kindsByGroup = new Map<string, Map<string, string[]>>();
  for (const [name, def] of Object.entries(definitions)) {
    const gvks: { group: string; version: string; kind: string }[] = def['x-kubernetes-group-version-kind'] ?? [];
    // DeleteOptions and WatchEvent list every group; they are request bodies, not objects to render.
    if (gvks.length !== 1) continue;
    const { group, version, kind } = gvks[0];
    byGvk.set(`${group}/${version}/${kind}`, name);
    const kinds = kindsByGroup.get(group) ?? new Map<string, string[]>();
    kinds.set(kind, [...(kinds.get(kind) ?? []), group ? `${group}/${version}` : version]);
    kindsByGroup.set(group, kinds);
  }
  const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
  const compiler: Compiler = new Compiler('builtin', definitions, () => compiler.definition(meta));
  const schema = { file, compiler, byGvk, kindsByGroup };
  schemaCache.set(file, schema);
  return schema;
}

/** Compiled custom resource schemas keyed by their JSON text (CRDs are re-rendered on every synth). */
const crdCheckCache = new Map<string, Check>();

interface CrdVersion { crd: string; served: boolean; namespaced: boolean; schema?: SchemaNode }

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

function isCrd(o: unknown): o is Record<string, any> {
  return isPlainObject(o) && o.apiVersion === 'apiextensions.k8s.io/v1' && o.kind === 'CustomResourceDefinition';
}

/**
 * Rules the apiserver applies to a CRD beyond its OpenAPI type (so a CRD can pass the Kubernetes
 * schema and still be refused): the name is `<plural>.<group>`, exactly one version is stored, and
 * each version's schema is structural (every node typed, no `properties` beside
 * `additionalProperties`, map-list keys required or defaulted).
 */
function crdRuleProblems(crd: Record<string, any>): Problem[] {
  const problems: Problem[] = [];
  const spec = crd.spec;
  if (!isPlainObject(spec)) return problems;
  const expectedName = `${spec.names?.plural}.${spec.group}`;
  if (crd.metadata?.name !== expectedName) {
    problems.push({ path: 'metadata.name', problem: `must be '${expectedName}' (<spec.names.plural>.<spec.group>)` });
  }
  const versions: any[] = Array.isArray(spec.versions) ? spec.versions : [];
  const stored = versions.filter((v) => v?.storage === true).length;
  if (stored !== 1) problems.push({ path: 'spec.versions', problem: `exactly one version must have storage: true (found ${stored})` });
  versions.forEach((v, i) => {
    const schema = v?.schema?.openAPIV3Schema;
    const at = `spec.versions[${i}].schema.openAPIV3Schema`;
    if (!isPlainObject(schema)) problems.push({ path: at, problem: 'missing; every version needs a schema' });
    else structuralProblems(schema, at, problems, false);
  });
  return problems;
}

function structuralProblems(node: SchemaNode, at: string, out: Problem[], inJunctor: boolean): void {
  const open = node['x-kubernetes-int-or-string'] === true || node['x-kubernetes-preserve-unknown-fields'] === true;
  if (!inJunctor && !open && node.type === undefined) out.push({ path: at, problem: 'structural schema: type is missing' });
  if (node.properties && node.additionalProperties !== undefined && node.additionalProperties !== false) {
    out.push({ path: at, problem: 'structural schema: properties and additionalProperties are mutually exclusive' });
  }
  for (const [key, sub] of Object.entries<SchemaNode>(node.properties ?? {})) structuralProblems(sub, childPath(`${at}.properties`, key), out, inJunctor);
  if (isPlainObject(node.additionalProperties)) structuralProblems(node.additionalProperties, `${at}.additionalProperties`, out, inJunctor);
  if (isPlainObject(node.items)) {
    structuralProblems(node.items, `${at}.items`, out, inJunctor);
    if (node['x-kubernetes-list-type'] === 'map') {
      const keys: string[] = node['x-kubernetes-list-map-keys'] ?? [];
      if (keys.length === 0) out.push({ path: at, problem: 'x-kubernetes-list-type map needs x-kubernetes-list-map-keys' });
      const required: string[] = node.items.required ?? [];
      for (const k of keys) {
        if (!required.includes(k) && node.items.properties?.[k]?.default === undefined) {
          out.push({ path: at, problem: `map-list key '${k}' must be required or have a default in items` });
        }
      }
    }
  }
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(node[j])) node[j].forEach((b: SchemaNode, i: number) => structuralProblems(b, `${at}.${j}[${i}]`, out, true));
  }
  if (isPlainObject(node.not)) structuralProblems(node.not, `${at}.not`, out, true);
}

/** `group/kind` -> version -> what the CRD says about it. */
function indexCrds(crds: readonly unknown[]): Map<string, Map<string, CrdVersion>> {
  const index = new Map<string, Map<string, CrdVersion>>();
  for (const crd of crds) {
    if (!isCrd(crd)) continue;
    const spec = crd.spec ?? {};
    const key = `${spec.group}/${spec.names?.kind}`;
    const versions = index.get(key) ?? new Map<string, CrdVersion>();
    for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
      versions.set(v?.name, {
        crd: crd.metadata?.name ?? key,
        served: v?.served === true,
        namespaced: spec.scope !== 'Cluster',
        schema: v?.schema?.openAPIV3Schema,
      });
    }
    index.set(key, versions);
  }
  return index;
}

function crdCheck(k8s: KubernetesSchema, schema: SchemaNode): Check {
  const key = JSON.stringify(schema);
  const cached = crdCheckCache.get(key);
  if (cached) return cached;
  const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
  const check = new Compiler('crd', {}, () => k8s.compiler.definition(meta)).compile(schema, false, true);
  crdCheckCache.set(key, check);
  return check;
}

function objectLabel(o: Record<string, any>, index: number): string {
  const kind = typeof o.kind === 'string' ? o.kind : '<no kind>';
  const name = typeof o.metadata?.name === 'string' ? o.metadata.name : `<unnamed object #${index}>`;
  return `${kind}/${name}`;
}

/** Validates every object; returns structured findings (empty when all are valid). */
export function findManifestProblems(objects: readonly unknown[], opts: ManifestValidationOptions = {}): ManifestFinding[] {
  const k8s = loadKubernetesSchema(schemaFileFor(opts.kubernetesVersion ?? SNAPSHOT_STACK_KUBERNETES.default, opts.schemaDir));
  const schemaName = path.basename(k8s.file);
  const crds = indexCrds([...objects, ...(opts.crds ?? [])]);
  const allowed = new Set<string>();
  for (const a of opts.allowWithoutSchema ?? []) {
    if (!a.reason || !a.reason.trim()) throw new Error(`allowWithoutSchema entry ${a.apiVersion} ${a.kind} needs a reason`);
    allowed.add(`${a.apiVersion}/${a.kind}`);
  }

  const findings: ManifestFinding[] = [];
  const identities = new Map<string, number>();
  objects.forEach((raw, i) => {
    if (!isPlainObject(raw)) {
      findings.push({ object: `<object #${i}>`, path: '', problem: `expected an object, got ${describeValue(raw)}` });
      return;
    }
    const label = objectLabel(raw, i);
    const problems: Problem[] = [];
    const { apiVersion, kind } = raw;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      findings.push({ object: label, path: '', problem: 'apiVersion and kind must both be strings' });
      return;
    }
    const meta = isPlainObject(raw.metadata) ? raw.metadata : undefined;
    if (!meta?.name && !meta?.generateName) problems.push({ path: 'metadata.name', problem: 'missing (neither name nor generateName is set)' });

    const { group, version } = splitApiVersion(apiVersion);
    const identity = `${group}/${kind}/${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
    if (meta?.name) {
      const prev = identities.get(identity);
      if (prev !== undefined) problems.push({ path: '', problem: `duplicate of object #${prev} (same group, kind, namespace and name)` });
      else identities.set(identity, i);
    }

    const definition = k8s.byGvk.get(`${group}/${version}/${kind}`);
    if (definition) {
      k8s.compiler.definition(definition)(raw, '', problems);
      if (isCrd(raw)) problems.push(...crdRuleProblems(raw));
    } else if (k8s.kindsByGroup.has(group)) {
      const served = k8s.kindsByGroup.get(group)!.get(kind);
      problems.push({
        path: 'apiVersion',
        problem: served
          ? `${apiVersion} ${kind} is not in ${schemaName}; it offers ${served.join(', ')}`
          : `kind ${kind} does not exist in group '${group || 'core'}' in ${schemaName}`,
      });
    } else {
      const versions = crds.get(`${group}/${kind}`);
      const entry = versions?.get(version);
      if (!versions) {
        if (!allowed.has(`${apiVersion}/${kind}`)) {
          problems.push({
            path: '',
            problem: `no schema: ${apiVersion} ${kind} is neither in ${schemaName} nor defined by a CustomResourceDefinition ` +
              'among the objects or in opts.crds; pass its CRD or list it in opts.allowWithoutSchema with a reason',
          });
        }
      } else if (!entry) {
        problems.push({ path: 'apiVersion', problem: `CRD has no version '${version}' (it defines ${[...versions.keys()].join(', ')})` });
      } else if (!entry.served) {
        problems.push({ path: 'apiVersion', problem: `version '${version}' of CRD ${entry.crd} is not served` });
      } else {
        if (!entry.namespaced && meta?.namespace !== undefined) {
          problems.push({ path: 'metadata.namespace', problem: `set on a cluster-scoped custom resource (CRD ${entry.crd})` });
        }
        if (entry.schema) crdCheck(k8s, entry.schema)(raw, '', problems);
        else problems.push({ path: '', problem: `version '${version}' of CRD ${entry.crd} has no openAPIV3Schema` });
      }
    }
    for (const p of problems) findings.push({ object: label, path: p.path, problem: p.problem });
  });
  return findings;
}

/** Renders a finding as `<kind>/<name>: <json path>: <problem>`. */
export function formatFinding(f: ManifestFinding): string {
  return `${f.object}: ${f.path || '(object)'}: ${f.problem}`;
}

/** Validates every object; returns readable findings (`<kind>/<name>: <json path>: <problem>`), empty when valid. */
export function validateManifests(objects: readonly unknown[], opts: ManifestValidationOptions = {}): string[] {
  return findManifestProblems(objects, opts).map(formatFinding);
}

/** Throws one error listing every finding; use it in tests on whatever a chart or app synthesizes. */
export function expectValid(objects: readonly unknown[], opts: ManifestValidationOptions = {}): void {
  if (objects.length === 0) throw new Error('expectValid: no objects to validate (did the chart render anything?)');
  const findings = validateManifests(objects, opts);
  if (findings.length > 0) {
    const target = opts.kubernetesVersion ?? SNAPSHOT_STACK_KUBERNETES.default;
    throw new Error(`${findings.length} problem(s) in ${objects.length} rendered objects (Kubernetes ${target}):\n  ${findings.join('\n  ')}`);
  }
}
