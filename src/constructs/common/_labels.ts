/**
 * The recommended `app.kubernetes.io/*` labels on every object a construct renders, plus the
 * user's own. With them a reviewer sees what each object belongs to, and a GitOps tool or
 * `kubectl apply --prune -l app.kubernetes.io/part-of=...` can select the set and remove objects a
 * later version no longer renders.
 *
 * Only `metadata.labels` is touched: selectors and pod templates keep their labels, so an
 * upgrade never changes an immutable workload selector.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { registerAppChecks } from './_app-checks';
import { DNS1123_SUBDOMAIN, PropError } from './_validation';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const PACKAGE: { name: string; version: string } = require('../../../package.json');

/** The library's version (package.json), stamped as `app.kubernetes.io/version`. */
export const LIBRARY_VERSION = PACKAGE.version;

/** `app.kubernetes.io/part-of` of the snapshot platform's objects; also `managed-by` of every object. */
export const LIBRARY_NAME = PACKAGE.name;

/** Props every construct takes for the user's own labels. */
export interface ObjectLabelsProps {
  /**
   * Labels added to `metadata.labels` of every object the construct renders (not to selectors or
   * pod templates). They win over the `app.kubernetes.io/*` labels the construct sets.
   * @default - only the app.kubernetes.io/* labels
   */
  readonly labels?: Record<string, string>;
}

/** What the objects of one construct are: `app.kubernetes.io/name` and `component`. */
export interface LabelRole {
  readonly name: string;
  readonly component: string;
  /** @default LIBRARY_NAME */
  readonly partOf?: string;
}

/** Files for node agents are configuration, not API objects: they have no metadata to label. */
const NOT_API_OBJECTS = /^(kubelet\.config\.k8s\.io|kubeadm\.k8s\.io|apiserver\.config\.k8s\.io)\//;

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Label keys and values as the API server validates them; the error names the fix. */
export function checkLabels(scope: IConstruct, prop: string, labels: unknown): Record<string, string> {
  if (labels === undefined) return {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new PropError(scope, prop, labels, 'is not a map of label keys to values', `write ${prop} as { 'team': 'storage' }`);
  }
  for (const [k, v] of Object.entries(labels)) {
    const slash = k.lastIndexOf('/');
    const prefix = slash >= 0 ? k.slice(0, slash) : undefined;
    const name = slash >= 0 ? k.slice(slash + 1) : k;
    if ((prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) || name.length > 63 || !QUALIFIED_NAME.test(name)) {
      throw new PropError(scope, `${prop} key`, k, 'is not a valid label key',
        'use an optional DNS-subdomain prefix and "/", then at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit');
    }
    if (typeof v !== 'string' || v.length > 63 || (v !== '' && !QUALIFIED_NAME.test(v))) {
      throw new PropError(scope, `${prop}['${k}']`, v, 'is not a valid label value',
        'use a string of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or empty)');
    }
  }
  return labels as Record<string, string>;
}

/** Label keys a user set on an object: no construct's role overwrites them. */
const USER_SET = new WeakMap<ApiObject, Set<string>>();

/**
 * Labels every API object under `scope`, called at the end of a constructor:
 * - `name` and `component` where the object has none yet (an inner construct knows best what
 *   its objects are);
 * - `part-of`: an explicit `role.partOf` claims every object under the scope (a driver stack's
 *   classes are part of that driver), otherwise only where none is set;
 * - `managed-by` and `version` where missing;
 * - then the user's labels, which nothing overwrites afterwards.
 */
export function labelObjects(scope: IConstruct, role: LabelRole, userLabels?: Record<string, string>, prop = 'labels'): void {
  // Every construct of this library ends here, so this is where the app-wide checks join the tree.
  registerAppChecks(scope);
  const own = checkLabels(scope, prop, userLabels);
  const ifMissing: Record<string, string> = {
    'app.kubernetes.io/name': role.name,
    'app.kubernetes.io/component': role.component,
    'app.kubernetes.io/managed-by': LIBRARY_NAME,
    'app.kubernetes.io/version': LIBRARY_VERSION,
  };
  for (const child of scope.node.findAll()) {
    if (!(child instanceof ApiObject) || NOT_API_OBJECTS.test(child.apiVersion)) continue;
    const userSet = USER_SET.get(child) ?? new Set<string>();
    for (const [k, v] of Object.entries(ifMissing)) {
      if (child.metadata.getLabel(k) === undefined) child.metadata.addLabel(k, v);
    }
    const partOf = 'app.kubernetes.io/part-of';
    if (!userSet.has(partOf) && (role.partOf !== undefined || child.metadata.getLabel(partOf) === undefined)) {
      child.metadata.addLabel(partOf, role.partOf ?? LIBRARY_NAME);
    }
    for (const [k, v] of Object.entries(own)) { child.metadata.addLabel(k, v); userSet.add(k); }
    USER_SET.set(child, userSet);
  }
}
