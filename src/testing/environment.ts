/**
 * The cel-js environment that stands in for the API server's: the admission variables, optional
 * types, integers as BigInt, and the authorizer as a custom type. Objects are `dyn`, as in the API
 * server's compile step; `request` is typed so a misspelt field fails the type check, and
 * `variables` is a per-policy type so an undeclared variable fails too.
 */
import { Environment } from '@marcbachmann/cel-js';
import { Authorizer, AUTHORIZER_FUNCTIONS, Decision, GroupCheck, ResourceCheck } from './authorizer';

const REQUEST_SCHEMA = {
  kind: { group: 'string', version: 'string', kind: 'string' },
  resource: { group: 'string', version: 'string', resource: 'string' },
  requestKind: { group: 'string', version: 'string', kind: 'string' },
  requestResource: { group: 'string', version: 'string', resource: 'string' },
  subResource: 'string',
  requestSubResource: 'string',
  name: 'string',
  namespace: 'string',
  operation: 'string',
  userInfo: { username: 'string', uid: 'string', groups: 'list<string>', extra: 'map<string, list<string>>' },
  dryRun: 'bool',
  options: 'map',
} as const;

/** Stands for the `sets` namespace of ext.Sets, which cel-js has no notion of. */
class SetsNamespace {}
/** The value bound to `sets` when an expression is evaluated. */
export const CEL_SETS = new SetsNamespace();

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a, bigintText) === JSON.stringify(b, bigintText);
function bigintText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}
const includesAll = (list: readonly unknown[], items: readonly unknown[]): boolean => items.every((x) => list.some((y) => same(x, y)));

/**
 * The ext.Sets and ext.Lists v3 functions the API server offers from 1.30 and 1.35 (which
 * minor may call which is the catalog's CEL_LIBRARY_SINCE; the harness checks it). Only what
 * cel-go documents for them, on lists of plain values.
 */
const EXTENSION_FUNCTIONS: readonly [string, (...args: any[]) => unknown][] = [
  ['Sets.contains(list, list): bool', (_s: SetsNamespace, a: unknown[], b: unknown[]) => includesAll(a, b)],
  ['Sets.equivalent(list, list): bool', (_s: SetsNamespace, a: unknown[], b: unknown[]) => includesAll(a, b) && includesAll(b, a)],
  ['Sets.intersects(list, list): bool', (_s: SetsNamespace, a: unknown[], b: unknown[]) => a.some((x) => b.some((y) => same(x, y)))],
  ['list.slice(int, int): list', (l: unknown[], start: bigint, end: bigint) => {
    if (start < 0n || end < start || end > BigInt(l.length)) throw new Error(`cannot slice(${start}, ${end}) a list of length ${l.length}`);
    return l.slice(Number(start), Number(end));
  }],
  ['list.flatten(): list', (l: unknown[]) => l.flatMap((x) => (Array.isArray(x) ? x : [x]))],
  ['list.distinct(): list', (l: unknown[]) => l.filter((x, i) => l.findIndex((y) => same(x, y)) === i)],
  ['list.sort(): list', (l: unknown[]) => [...l].sort((a: any, b: any) => (a < b ? -1 : a > b ? 1 : 0))],
];

let base: Environment | undefined;

/** The shared part; cloning it is cheap, building it is not. */
function baseEnvironment(): Environment {
  if (!base) {
    const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: true })
      .registerType('Authorizer', Authorizer)
      .registerType('GroupCheck', GroupCheck)
      .registerType('ResourceCheck', ResourceCheck)
      .registerType('Decision', Decision)
      .registerType('Sets', SetsNamespace)
      .registerVariable('object', 'dyn')
      .registerVariable('oldObject', 'dyn')
      .registerVariable('params', 'dyn')
      .registerVariable('namespaceObject', 'dyn')
      .registerVariable('authorizer', 'Authorizer')
      .registerVariable({ name: 'request', schema: REQUEST_SCHEMA as any })
      .registerVariable('sets', 'Sets');
    for (const [signature, handler] of [...AUTHORIZER_FUNCTIONS, ...EXTENSION_FUNCTIONS]) env.registerFunction(signature, handler);
    base = env;
  }
  return base;
}

let counter = 0;

/** An environment whose `variables` has exactly the given names (typed dyn). */
export function policyEnvironment(variableNames: readonly string[]): Environment {
  const env = baseEnvironment().clone();
  const fields: Record<string, string> = {};
  for (const n of variableNames) fields[n] = 'dyn';
  // Type names must be unique per environment family; the counter keeps clones apart.
  const typeName = `PolicyVariables${++counter}`;
  env.registerType(typeName, { fields } as any);
  env.registerVariable('variables', typeName);
  return env;
}
