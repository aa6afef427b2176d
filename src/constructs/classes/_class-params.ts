/**
 * Parameter handling shared by StorageClass and VolumeSnapshotClass: plain parameters stay plain,
 * credentials only ever travel as Secret references under the reserved keys.
 * @internal
 */
import { IConstruct } from 'constructs';
import {
  isSecretParameterKey, looksLikeCredentialKey, SECRET_TEMPLATE_PLACEHOLDER, secretParameterKeys, SnapshotClassSecretRole,
  StorageClassSecretRole,
} from '../../catalog/classes';
import { PropError, show } from '../common/_validation';
import type { EnumValue } from '../common/_enum';

/** A Secret named by a class parameter pair; both parts may use the sidecars' `${...}` placeholders. */
export interface SecretRef {
  readonly name: string;
  readonly namespace: string;
}

/** One typed secret prop of a class. */
export interface SecretProp {
  /** Prop name shown in errors, e.g. `provisionerSecret`. */
  readonly prop: string;
  readonly role: EnumValue<StorageClassSecretRole> | EnumValue<SnapshotClassSecretRole>;
  readonly ref?: SecretRef;
}

/** What renderClassParameters needs. */
export interface ClassParameterInput {
  readonly parameters?: Readonly<Record<string, string>>;
  readonly nonSecretParameterKeys?: readonly string[];
  readonly secrets: readonly SecretProp[];
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function checkSecretRef(scope: IConstruct, s: SecretProp): void {
  const ref = s.ref as unknown;
  const keys = secretParameterKeys(s.role as StorageClassSecretRole | SnapshotClassSecretRole);
  const fix = `create a Secret holding the credential and set ${s.prop} to its { name, namespace }; the class then carries only ${keys.name} / ${keys.namespace}`;
  if (typeof ref !== 'object' || ref === null) {
    throw new PropError(scope, s.prop, ref, 'is a plain value, not a reference to a Secret', fix);
  }
  const { name, namespace } = ref as Partial<SecretRef>;
  const nameShape = typeof name === 'string' ? name.replace(SECRET_TEMPLATE_PLACEHOLDER, 'x') : undefined;
  if (nameShape === undefined || nameShape.length > 253 || !DNS1123_SUBDOMAIN.test(nameShape)) {
    throw new PropError(scope, `${s.prop}.name`, name,
      'is not a Secret name (lower-case DNS-1123 subdomain, optionally with ${pvc.name}-style placeholders); a value like this is usually the credential itself',
      fix);
  }
  const nsShape = typeof namespace === 'string' ? namespace.replace(SECRET_TEMPLATE_PLACEHOLDER, 'x') : undefined;
  if (nsShape === undefined || nsShape.length > 63 || !DNS1123_LABEL.test(nsShape)) {
    throw new PropError(scope, `${s.prop}.namespace`, namespace,
      'is not a namespace (DNS-1123 label, optionally a ${pvc.namespace}-style placeholder); the sidecar needs both name and namespace',
      fix);
  }
}

/**
 * The `parameters` map of a class: plain parameters plus the reserved key pair of every Secret prop,
 * sorted by key; undefined when empty. Throws on credentials passed as parameters.
 */
export function renderClassParameters(scope: IConstruct, input: ClassParameterInput): Record<string, string> | undefined {
  const params = input.parameters ?? {};
  const secretPropOf = new Map(input.secrets.map((s) => [s.role as string, s.prop]));
  const allowed = new Set(input.nonSecretParameterKeys ?? []);
  for (const key of allowed) {
    if (!(key in params)) {
      throw new PropError(scope, 'nonSecretParameterKeys', key, 'names no entry of parameters',
        'list only keys you pass in parameters and have checked are not credentials');
    }
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (!QUALIFIED_KEY.test(key) || key.length > 316) {
      throw new PropError(scope, 'parameters', key, 'is not a valid parameter key',
        'use an optional DNS-subdomain prefix and "/" followed by letters, digits, "-", "_" and "."');
    }
    if (isSecretParameterKey(key)) {
      const role = key.slice(key.indexOf('/') + 1).replace(/-secret-(name|namespace)$/, '');
      const prop = secretPropOf.get(role);
      throw new PropError(scope, `parameters['${key}']`, value, 'is a reserved Secret key and is set through a typed prop',
        prop ? `remove it from parameters and set ${prop}: { name, namespace } instead`
          : `this class has no '${role}' Secret; use one of ${input.secrets.map((s) => s.prop).join(', ')}`);
    }
    if (typeof value !== 'string') {
      throw new PropError(scope, `parameters['${key}']`, value, 'is not a string',
        'class parameters are strings: quote numbers and booleans');
    }
    if (!allowed.has(key) && looksLikeCredentialKey(key)) {
      throw new PropError(scope, `parameters['${key}']`, '(value hidden)',
        'looks like a credential, and class parameters are readable by anyone who can list classes',
        `put the value in a Secret and reference it through ${input.secrets.map((s) => s.prop).join(' / ')}; ` +
        `if '${key}' is not secret (an ID or an ARN), list it in nonSecretParameterKeys`);
    }
    if (value.includes('-----BEGIN')) {
      throw new PropError(scope, `parameters['${key}']`, '(PEM block, hidden)', 'holds key or certificate material',
        `put it in a Secret and reference it through ${input.secrets.map((s) => s.prop).join(' / ')}`);
    }
    out[key] = value;
  }
  for (const s of input.secrets) {
    if (s.ref === undefined) continue;
    checkSecretRef(scope, s);
    const keys = secretParameterKeys(s.role as StorageClassSecretRole | SnapshotClassSecretRole);
    out[keys.name] = s.ref.name;
    out[keys.namespace] = s.ref.namespace;
  }
  const sorted = Object.keys(out).sort();
  if (sorted.length === 0) return undefined;
  return Object.fromEntries(sorted.map((k) => [k, out[k]]));
}

/** Throws unless `value` is one of an enum's values. */
export function checkEnum<T extends string>(scope: IConstruct, prop: string, value: unknown, values: Record<string, T>): T {
  const allowed = Object.values(values);
  if (!allowed.includes(value as T)) {
    throw new PropError(scope, prop, value, `is not one of ${allowed.map((v) => show(v)).join(', ')}`,
      `use one of the enum's members (${allowed.join(', ')})`);
  }
  return value as T;
}
