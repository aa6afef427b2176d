/**
 * Small builders for the schema shapes the snapshot CRDs repeat. Rule texts here are the exact
 * upstream rule/message pairs: the API server reports the message verbatim, and users and tests
 * match on it, so they must not be reworded. Private to src/crds.
 */
import { CelRule, OpenApiSchema } from './types';

/** Options shared by the builders. */
interface NodeOptions {
  readonly rules?: readonly CelRule[];
}

/** Adds `x-kubernetes-validations` only when there are rules (absent, not empty, upstream). */
function withRules(node: OpenApiSchema, rules: readonly CelRule[] | undefined): OpenApiSchema {
  return rules && rules.length > 0 ? { ...node, 'x-kubernetes-validations': rules } : node;
}

/** A string field. */
export function str(description: string, opts: NodeOptions = {}): OpenApiSchema {
  return withRules({ type: 'string', description }, opts.rules);
}

/** A boolean field. */
export function bool(description: string): OpenApiSchema {
  return { type: 'boolean', description };
}

/** An RFC 3339 timestamp. */
export function dateTime(description: string): OpenApiSchema {
  return { type: 'string', format: 'date-time', description };
}

/** A 64-bit integer. */
export function int64(description: string, extra: Pick<OpenApiSchema, 'minimum'> = {}): OpenApiSchema {
  return { type: 'integer', format: 'int64', description, ...extra };
}

/** A list of strings. */
export function stringList(description: string, opts: NodeOptions & { readonly atomic?: boolean } = {}): OpenApiSchema {
  const node: OpenApiSchema = { type: 'array', description, items: { type: 'string' } };
  return withRules(opts.atomic ? { ...node, 'x-kubernetes-list-type': 'atomic' } : node, opts.rules);
}

/** A string-to-string map. */
export function stringMap(description: string, opts: NodeOptions = {}): OpenApiSchema {
  return withRules({ type: 'object', description, additionalProperties: { type: 'string' } }, opts.rules);
}

/** An object with named fields. */
export function obj(
  description: string,
  properties: Readonly<Record<string, OpenApiSchema>>,
  opts: NodeOptions & { readonly required?: readonly string[]; readonly atomic?: boolean } = {},
): OpenApiSchema {
  let node: OpenApiSchema = { type: 'object', description, properties };
  if (opts.required && opts.required.length > 0) node = { ...node, required: opts.required };
  if (opts.atomic) node = { ...node, 'x-kubernetes-map-type': 'atomic' };
  return withRules(node, opts.rules);
}

/**
 * The root of a custom resource: apiVersion, kind, optionally metadata, plus the given fields.
 * controller-gen stopped emitting `metadata` for some v1beta1 schemas, hence the switch.
 */
export function resource(
  description: string,
  fields: Readonly<Record<string, OpenApiSchema>>,
  opts: { readonly required: readonly string[]; readonly metadata: boolean },
): OpenApiSchema {
  return obj(description, {
    apiVersion: str('Group and version of this object, e.g. "<group>/v1".'),
    kind: str('Kind of this object, in CamelCase.'),
    ...(opts.metadata ? { metadata: { type: 'object' } as OpenApiSchema } : {}),
    ...fields,
  }, { required: opts.required });
}

/** "Retain" or "Delete": what happens to the storage-side snapshot when its API object goes. */
export function deletionPolicy(description: string, opts: NodeOptions = {}): OpenApiSchema {
  return withRules({ type: 'string', description, enum: ['Delete', 'Retain'] }, opts.rules);
}

/** The `{message, time}` error every snapshot status carries. */
export function statusError(description: string): OpenApiSchema {
  return obj(description, {
    message: str('What went wrong. May end up in logs, so it never holds secrets.'),
    time: dateTime('When the error was seen.'),
  });
}

/** A core/v1 ObjectReference, as snapshot contents use to point back at their snapshot. */
export function objectReference(description: string, opts: NodeOptions & { readonly atomic?: boolean } = {}): OpenApiSchema {
  return obj(description, {
    apiVersion: str('API version of the referenced object.'),
    fieldPath: str('Path to a part of the referenced object, if the reference is to a part only.'),
    kind: str('Kind of the referenced object.'),
    name: str('Name of the referenced object.'),
    namespace: str('Namespace of the referenced object.'),
    resourceVersion: str('resourceVersion of the referenced object this reference was made against, if any.'),
    uid: str('UID of the referenced object.'),
  }, opts);
}

/** A metav1.LabelSelector. */
export function labelSelector(description: string, opts: NodeOptions = {}): OpenApiSchema {
  return obj(description, {
    matchExpressions: {
      type: 'array',
      description: 'Set-based requirements; all must hold.',
      items: obj('One requirement on one label key.', {
        key: str('The label key.'),
        operator: str('One of In, NotIn, Exists, DoesNotExist.'),
        values: stringList('Values for In and NotIn; must be empty for Exists and DoesNotExist.', { atomic: true }),
      }, { required: ['key', 'operator'] }),
      'x-kubernetes-list-type': 'atomic',
    },
    matchLabels: stringMap('Exact key=value matches; all must hold.'),
  }, { ...opts, atomic: true });
}

/** `self == oldSelf` with "<field> is immutable". */
export function immutable(field: string): CelRule {
  return { rule: 'self == oldSelf', message: `${field} is immutable` };
}

/** `self == oldSelf` with "<field> is immutable once set". */
export function immutableOnceSet(field: string): CelRule {
  return { rule: 'self == oldSelf', message: `${field} is immutable once set` };
}

/** On the parent: a field that was set may not be removed. */
export function requiredOnceSet(field: string): CelRule {
  return { rule: `!has(oldSelf.${field}) || has(self.${field})`, message: `${field} is required once set` };
}

/** On the parent: exactly one of two fields is present. */
export function exactlyOneOf(a: string, b: string): CelRule {
  return {
    rule: `(has(self.${a}) && !has(self.${b})) || (!has(self.${a}) && has(self.${b}))`,
    message: `exactly one of ${a} and ${b} must be set`,
  };
}

/** On a string: when present, not "". */
export function nonEmptyWhenSet(field: string): CelRule {
  return { rule: 'size(self) > 0', message: `${field} must not be the empty string when set` };
}

/** On a reference: name and namespace both present (`namespace` is a CEL keyword, hence the escape). */
export function namespacedRef(path: string): CelRule {
  return { rule: 'has(self.name) && has(self.__namespace__)', message: `both ${path}.name and ${path}.namespace must be set` };
}

/** The common `kubectl get` age column. */
export const AGE_COLUMN = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' } as const;
