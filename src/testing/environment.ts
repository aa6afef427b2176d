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

let base: Environment | undefined;

/** The shared part; cloning it is cheap, building it is not. */
function baseEnvironment(): Environment {
  if (!base) {
    const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: true })
      .registerType('Authorizer', Authorizer)
      .registerType('GroupCheck', GroupCheck)
      .registerType('ResourceCheck', ResourceCheck)
      .registerType('Decision', Decision)
      .registerVariable('object', 'dyn')
      .registerVariable('oldObject', 'dyn')
      .registerVariable('params', 'dyn')
      .registerVariable('namespaceObject', 'dyn')
      .registerVariable('authorizer', 'Authorizer')
      .registerVariable({ name: 'request', schema: REQUEST_SCHEMA as any });
    for (const [signature, handler] of AUTHORIZER_FUNCTIONS) env.registerFunction(signature, handler);
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
