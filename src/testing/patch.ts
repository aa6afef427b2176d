/**
 * Applying a mutation's result to an object, the way the API server does for the two patch types.
 * ApplyConfiguration: maps merge recursively; a list of objects that all carry `name` merges by
 * name (containers, env: listType=map in the schema); every other list is replaced. The API server
 * refuses an apply configuration that sets an atomic list, map or struct at all (it would drop what
 * the configuration leaves out); the atomic fields the harness knows are the catalog's
 * APPLY_ATOMIC_FIELDS. JSONPatch: RFC 6902 add / remove / replace / test.
 */
import { APPLY_ATOMIC_FIELDS } from '../catalog/admission';

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNamedList = (v: Json): v is Record<string, Json>[] => Array.isArray(v) && v.length > 0 && v.every((e) => isObject(e) && typeof e.name === 'string');

/** The catalog's atomic field paths for an object of this apiVersion and kind (none when unknown). */
export function atomicFieldsOf(object: Json): readonly string[] {
  if (!isObject(object)) return [];
  return APPLY_ATOMIC_FIELDS.filter((f) => f.apiVersion === object.apiVersion && f.kinds.includes(String(object.kind))).flatMap((f) => f.paths);
}

/**
 * `base` with the apply configuration merged in; the input is not modified. Throws when the
 * configuration sets one of `atomicFields` (dotted paths, `[]` for list items), as the API server
 * refuses such a mutation. @default atomicFields - the catalog's atomic fields for base's kind
 */
export function mergeApplyConfiguration(base: Json, patch: Json, atomicFields: readonly string[] = atomicFieldsOf(base)): Json {
  const atomic = new Set(atomicFields);
  const found: string[] = [];
  findAtomic(patch, '', atomic, found);
  if (found.length > 0) {
    throw new Error(`ApplyConfiguration may not set atomic lists, maps or structs (${[...new Set(found)].join(', ')}); use a JSONPatch mutation`);
  }
  return merge(base, patch);
}

function findAtomic(patch: Json, path: string, atomic: ReadonlySet<string>, found: string[]): void {
  if (path !== '' && atomic.has(path)) { found.push(path); return; }
  if (Array.isArray(patch)) { for (const e of patch) findAtomic(e, `${path}[]`, atomic, found); return; }
  if (isObject(patch)) for (const [k, v] of Object.entries(patch)) findAtomic(v, path === '' ? k : `${path}.${k}`, atomic, found);
}

function merge(base: Json, patch: Json): Json {
  if (isObject(base) && isObject(patch)) {
    const out: Record<string, Json> = { ...base };
    for (const [k, v] of Object.entries(patch)) out[k] = k in base ? merge(base[k], v) : v;
    return out;
  }
  if (isNamedList(base) && isNamedList(patch)) {
    const out = base.map((e) => {
      const p = patch.find((x) => x.name === e.name);
      return p ? merge(e, p) : e;
    });
    for (const p of patch) if (!base.some((e) => e.name === p.name)) out.push(p);
    return out;
  }
  return patch;
}

/** One JSON patch operation. */
export interface JsonPatchOperation {
  readonly op: string;
  readonly path: string;
  readonly value?: Json;
}

/** `base` with the JSON patch applied; throws on a path that does not exist or a failed test. */
export function applyJsonPatch(base: Json, ops: readonly JsonPatchOperation[]): Json {
  let doc = structuredClone(base);
  for (const op of ops) {
    const parts = op.path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (parts.length === 0) {
      if (op.op === 'test') { if (JSON.stringify(doc) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}`); continue; }
      doc = op.op === 'remove' ? undefined : op.value;
      continue;
    }
    let parent: any = doc;
    for (const p of parts.slice(0, -1)) {
      parent = Array.isArray(parent) ? parent[Number(p)] : parent?.[p];
      if (parent === undefined || parent === null) throw new Error(`path ${op.path} does not exist`);
    }
    const last = parts[parts.length - 1];
    const index = last === '-' ? (Array.isArray(parent) ? parent.length : NaN) : Number(last);
    switch (op.op) {
      case 'add':
        if (Array.isArray(parent)) parent.splice(index, 0, op.value); else parent[last] = op.value;
        break;
      case 'replace':
        if (!(Array.isArray(parent) ? index < parent.length : last in parent)) throw new Error(`path ${op.path} does not exist`);
        if (Array.isArray(parent)) parent[index] = op.value; else parent[last] = op.value;
        break;
      case 'remove':
        if (!(Array.isArray(parent) ? index < parent.length : last in parent)) throw new Error(`path ${op.path} does not exist`);
        if (Array.isArray(parent)) parent.splice(index, 1); else delete parent[last];
        break;
      case 'test':
        if (JSON.stringify(Array.isArray(parent) ? parent[index] : parent[last]) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}`);
        break;
      default:
        throw new Error(`unsupported JSON patch op '${op.op}'`);
    }
  }
  return doc;
}
