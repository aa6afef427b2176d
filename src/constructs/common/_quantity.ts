/**
 * Kubernetes quantity strings (`1Gi`, `500M`, `1.5e3`, `2048`), parsed exactly so sizes can be
 * compared without floating-point rounding. Grammar: core/v1 resource.Quantity
 * (number, then one of the binary suffixes Ki..Ei, the decimal suffixes m, k, M..E, or an e/E exponent).
 * @internal
 */
import { IConstruct } from 'constructs';
import { PropError } from './_validation';

/** A parsed quantity: the exact value numerator / denominator. */
export interface Quantity {
  /** The string as written. */
  readonly text: string;
  readonly numerator: bigint;
  readonly denominator: bigint;
}

const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Larger exponents are legal upstream but never a sensible volume size. */
const MAX_EXPONENT = 30;

/** The exact value of a quantity string, or undefined when it is not one. */
export function parseQuantity(text: string): Quantity | undefined {
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, number, suffix = ''] = m;
  const [whole, fraction = ''] = number.split('.');
  let numerator = BigInt((whole || '0') + fraction) * (sign === '-' ? -1n : 1n);
  let exp10 = -fraction.length;
  if (suffix in BINARY) numerator *= 2n ** BigInt(BINARY[suffix]);
  else if (suffix in DECIMAL) exp10 += DECIMAL[suffix];
  else if (suffix !== '') {
    const e = Number(suffix.slice(1));
    if (Math.abs(e) > MAX_EXPONENT) return undefined;
    exp10 += e;
  }
  let denominator = 1n;
  if (exp10 >= 0) numerator *= 10n ** BigInt(exp10);
  else denominator = 10n ** BigInt(-exp10);
  return { text, numerator, denominator };
}

/** Negative, zero or positive as a is smaller than, equal to or larger than b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const l = a.numerator * b.denominator;
  const r = b.numerator * a.denominator;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** A positive storage size; throws naming the prop otherwise. */
export function checkStorageSize(scope: IConstruct, prop: string, value: string): Quantity {
  const q = parseQuantity(value);
  if (q === undefined) {
    throw new PropError(scope, prop, value, 'is not a Kubernetes quantity',
      'write a number with an optional suffix, e.g. "10Gi" (binary: Ki, Mi, Gi, Ti, Pi, Ei) or "10G" (decimal: k, M, G, T, P, E)');
  }
  if (q.numerator <= 0n) {
    throw new PropError(scope, prop, value, 'is not a positive size', 'request more than zero bytes, e.g. "1Gi"');
  }
  return q;
}

/** Requests and limits of one container, as quantity strings by resource name. */
export interface ResourceQuantities {
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
}

/** Resource names a container may request without a domain prefix (core/v1 standard container resources). */
const STANDARD_CONTAINER_RESOURCES: readonly string[] = ['cpu', 'ephemeral-storage', 'memory'];

/**
 * Checks every requests/limits entry of a container the way the API server would: a known resource
 * name, a non-negative quantity, and no request above its limit. `prop` is the path of the
 * resources prop, e.g. `provisioner.resources`.
 */
export function checkResources(scope: IConstruct, prop: string, resources: ResourceQuantities | undefined): void {
  if (resources === undefined) return;
  const parsed: Record<'requests' | 'limits', Map<string, Quantity>> = { requests: new Map(), limits: new Map() };
  for (const part of ['requests', 'limits'] as const) {
    const map = resources[part];
    if (map === undefined) continue;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      throw new PropError(scope, `${prop}.${part}`, map, 'is not a map of resource name to quantity', `write it like { cpu: '10m', memory: '32Mi' }`);
    }
    for (const [name, value] of Object.entries(map)) {
      const at = `${prop}.${part}.${name}`;
      if (!STANDARD_CONTAINER_RESOURCES.includes(name) && !name.startsWith('hugepages-') && !name.includes('/')) {
        throw new PropError(scope, `${prop}.${part}`, name, 'is not a container resource name',
          `use ${STANDARD_CONTAINER_RESOURCES.join(', ')}, hugepages-<size> or a domain-prefixed extended resource (vendor.example.com/name)`);
      }
      const q = parseQuantity(value);
      if (q === undefined) {
        throw new PropError(scope, at, value, 'is not a Kubernetes quantity',
          `write a number with an optional suffix, e.g. cpu '100m' or '0.5', memory '64Mi' or '1Gi'`);
      }
      if (q.numerator < 0n) {
        throw new PropError(scope, at, value, 'is negative', `give a quantity of zero or more, e.g. '${name === 'cpu' ? '10m' : '32Mi'}'`);
      }
      parsed[part].set(name, q);
    }
  }
  for (const [name, request] of parsed.requests) {
    const limit = parsed.limits.get(name);
    if (limit !== undefined && compareQuantities(request, limit) > 0) {
      throw new PropError(scope, `${prop}.requests.${name}`, request.text, `is above ${prop}.limits.${name} '${limit.text}', which the API server refuses`,
        `lower the request or raise the limit to at least '${request.text}'`);
    }
  }
}
