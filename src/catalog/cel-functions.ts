/**
 * CEL functions and macros a Kubernetes API server offers to admission policies, by the library
 * that brings them (keys of CEL_LIBRARY_SINCE). The offline harness refuses any other call, so an
 * expression cannot lean on something only the JavaScript engine has. Source: FACTS.md §f2.
 */
import type { CEL_LIBRARY_SINCE } from './kubernetes';

/** Function or macro name -> library. Names shared by several libraries map to the oldest. */
export const KUBERNETES_CEL_FUNCTIONS: Readonly<Record<string, keyof typeof CEL_LIBRARY_SINCE>> = {
  // standard definitions and macros
  has: 'base', all: 'base', exists: 'base', exists_one: 'base', map: 'base', filter: 'base',
  size: 'base', int: 'base', uint: 'base', double: 'base', string: 'base', bool: 'base', bytes: 'base',
  dyn: 'base', type: 'base', duration: 'base', timestamp: 'base',
  matches: 'base', contains: 'base', startsWith: 'base', endsWith: 'base',
  // Kubernetes list and regex libraries
  isSorted: 'base', sum: 'base', min: 'base', max: 'base', indexOf: 'base', lastIndexOf: 'base',
  find: 'base', findAll: 'base',
  // Kubernetes authorizer library
  group: 'base', resource: 'base', subresource: 'base', namespace: 'base', name: 'base', check: 'base',
  allowed: 'base', reason: 'base', errored: 'base', error: 'base', path: 'base', serviceAccount: 'base',
  // optional types
  'optional.of': 'optionalTypes', 'optional.none': 'optionalTypes', 'optional.ofNonZeroValue': 'optionalTypes',
  orValue: 'optionalTypes', hasValue: 'optionalTypes', value: 'optionalTypes', or: 'optionalTypes',
  // extended strings (version 2 from 1.30; the policies here treat the whole library as stringsV2)
  charAt: 'stringsV2', lowerAscii: 'stringsV2', upperAscii: 'stringsV2', replace: 'stringsV2', split: 'stringsV2',
  join: 'stringsV2', substring: 'stringsV2', trim: 'stringsV2', quote: 'stringsV2',
  // ext.Sets (namespaced calls are written with their namespace)
  'sets.contains': 'sets', 'sets.equivalent': 'sets', 'sets.intersects': 'sets',
  // ext.Lists version 3
  slice: 'listsV3', flatten: 'listsV3', distinct: 'listsV3', sort: 'listsV3',
  // kubernetes.lists, 1.38 on
  includes: 'listsIncludes',
};

/** Namespaces whose functions are called as `<namespace>.<function>(...)`. */
export const CEL_FUNCTION_NAMESPACES: readonly string[] = ['optional', 'sets'];
