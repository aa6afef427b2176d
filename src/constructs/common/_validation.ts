/**
 * Synth-time checks shared by every construct. Each failure names the construct path, the prop,
 * the bad value and the fix, and is thrown from the constructor so no partial output is written.
 */
import { IConstruct } from 'constructs';
import {
  Component, ComponentRelease, COMPONENT_RELEASES, compareTags, componentRepository, defaultRelease,
  formatKubernetesMinor, ImageRef, parseTag, PROTECTION_FLOORS, SIG_STORAGE_REGISTRY,
} from '../../catalog';
import { PROP_NAMES } from './_prop-names';
import { closestName } from '../../catalog/_names';

/** Thrown for invalid construct props; the message is meant for the person who wrote the props. */
export class PropError extends Error {
  constructor(scope: IConstruct | undefined, prop: string, value: unknown, problem: string, fix: string) {
    const where = scope && scope.node.path ? `${scope.node.path}: ` : '';
    super(`${where}${prop} ${show(value)} ${problem}; ${fix}`);
    this.name = 'PropError';
  }
}

/** Renders a prop value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return '(unset)';
  try { return JSON.stringify(value); } catch { return String(value); }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain (names, label key prefixes); length is checked separately. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Namespaces, Service names and label-like names: DNS-1123 label, at most 63 characters. */
export function checkDnsLabel(scope: IConstruct | undefined, prop: string, value: string): string {
  if (typeof value !== 'string' || value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new PropError(scope, prop, value, 'is not a valid DNS-1123 label',
      'use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit');
  }
  return value;
}

/** Most object names: DNS-1123 subdomain, at most 253 characters. */
export function checkDnsSubdomain(scope: IConstruct | undefined, prop: string, value: string): string {
  if (typeof value !== 'string' || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw new PropError(scope, prop, value, 'is not a valid DNS-1123 subdomain',
      'use at most 253 lower-case letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit');
  }
  return value;
}

/** Whole numbers within [min, max]. */
export function checkInteger(scope: IConstruct | undefined, prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new PropError(scope, prop, value, `must be a whole number ${range}`, `set ${prop} to a whole number ${range}`);
  }
  return value;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** What a construct needs to know to resolve one image. */
export interface ImageRequest {
  readonly component: Component;
  /** Prop path shown in errors, e.g. `images.snapshotController`. */
  readonly prop: string;
  /** The user's override; unset fields come from the catalog. */
  readonly override?: Partial<ImageRef>;
  /** Target Kubernetes minor. */
  readonly kubernetesMinor: number;
  /**
   * True when the construct relies on `--prevent-volume-mode-conversion`: the tag must be at least
   * the component's protection floor (see catalog PROTECTION_FLOORS).
   */
  readonly protection?: boolean;
}

/**
 * The image to render for a component: the catalog's newest release compatible with the target,
 * or the user's pinned one after checking tag, digest, Kubernetes compatibility and protection floor.
 */
export function resolveImage(scope: IConstruct, req: ImageRequest): ImageRef {
  const o = req.override ?? {};
  const catalogRelease = defaultRelease(req.component, req.kubernetesMinor);
  const tag = o.tag ?? catalogRelease?.tag;
  if (tag === undefined) {
    const oldest = COMPONENT_RELEASES[req.component].reduce((a, b) => (a.minKubernetes < b.minKubernetes ? a : b));
    throw new PropError(scope, 'kubernetesVersion', formatKubernetesMinor(req.kubernetesMinor),
      `is older than every catalogued ${req.component} release (oldest: ${oldest.tag}, needs Kubernetes >= ${formatKubernetesMinor(oldest.minKubernetes)})`,
      `target Kubernetes >= ${formatKubernetesMinor(oldest.minKubernetes)} or pin '${req.prop}.tag' to a release that supports it`);
  }
  if (typeof tag === 'string' && /^\d+\.\d+\.\d+/.test(tag)) {
    // kubernetes-csi publishes every release as v<semver>; `8.6.0` pulls nothing (ErrImagePull).
    throw new PropError(scope, `${req.prop}.tag`, tag, 'is not a published tag: kubernetes-csi images are tagged with a leading v',
      `write 'v${tag}'`);
  }
  if (parseTag(tag) === undefined) {
    throw new PropError(scope, `${req.prop}.tag`, tag, 'is not a pinned release tag (floating tags like latest change under you)',
      `pin a release such as '${catalogRelease?.tag ?? COMPONENT_RELEASES[req.component][0].tag}', optionally with '${req.prop}.digest'`);
  }
  if (o.digest !== undefined && !DIGEST.test(o.digest)) {
    throw new PropError(scope, `${req.prop}.digest`, o.digest, 'is not a content digest',
      'write it as sha256:<64 lower-case hex characters>, as printed by `crane digest` or the registry');
  }
  // Kubernetes needs, flags and RBAC change with a release line (major), not with every patch tag.
  const major = parseTag(tag)!.major;
  const releases = COMPONENT_RELEASES[req.component];
  const newest = releases.reduce((a, b) => (compareTags(a.tag, b.tag) >= 0 ? a : b));
  if (major > parseTag(newest.tag)!.major) {
    throw new PropError(scope, `${req.prop}.tag`, tag,
      `is a newer release line than the catalog knows (${req.component} ${newest.tag}); its flags, RBAC and Kubernetes needs are unchecked`,
      `pin a catalogued release such as '${catalogRelease?.tag ?? newest.tag}', or add the v${major} line to src/catalog (images.ts, rbac.ts) first`);
  }
  // Within a line, the newest catalogued release not newer than the tag says what the tag needs
  // (v0.19.0 of the health monitor needs 1.37, v0.18.0 does not); older tags take the line's oldest entry.
  const sameLine = releases.filter((r) => parseTag(r.tag)!.major === major).sort((a, b) => compareTags(b.tag, a.tag));
  const line: ComponentRelease | undefined = sameLine.find((r) => compareTags(r.tag, tag) <= 0) ?? sameLine[sameLine.length - 1];
  if (line && line.minKubernetes > req.kubernetesMinor) {
    throw new PropError(scope, `${req.prop}.tag`, tag,
      `needs Kubernetes >= ${formatKubernetesMinor(line.minKubernetes)} like ${line.tag === tag ? 'that release' : `${line.tag}, the release it is catalogued under`} (${line.source}) but the target is ${formatKubernetesMinor(req.kubernetesMinor)}`,
      catalogRelease ? `use '${catalogRelease.tag}' (the catalog's release for this target) or raise kubernetesVersion`
        : `raise kubernetesVersion to ${formatKubernetesMinor(line.minKubernetes)} or newer`);
  }
  const floor = PROTECTION_FLOORS[req.component];
  if (req.protection && floor && compareTags(tag, floor.flagSince) < 0) {
    throw new PropError(scope, `${req.prop}.tag`, tag,
      `cannot refuse volume mode conversion (${req.component} needs >= ${floor.flagSince} for --prevent-volume-mode-conversion)`,
      // Name a release that passes every other check too (RBAC, Kubernetes floor), not just the flag's floor.
      `pin '${catalogRelease?.tag ?? COMPONENT_RELEASES[req.component][0].tag}' (the catalog's release for this target; the flag is on by default `
        + `from ${floor.defaultOnSince}), or set 'preventVolumeModeConversion: false' explicitly`);
  }
  return {
    registry: o.registry ?? SIG_STORAGE_REGISTRY,
    repository: o.repository ?? componentRepository(req.component),
    tag,
    ...(o.digest ? { digest: o.digest } : {}),
  };
}

/**
 * A construct's props object. Plain JavaScript may pass anything; what is not an object is refused
 * here, before any prop is read, so no TypeError comes from inside the library.
 */
export function checkProps(scope: IConstruct, props: unknown, propsType: keyof typeof PROP_NAMES): void {
  if (props === undefined) return;
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw new PropError(scope, 'props', props, 'is not an object of props', 'pass an object such as { name: ... }, or leave it out where every prop is optional');
  }
  checkKnownKeys(scope, '', props as Record<string, unknown>, PROP_NAMES[propsType]);
  // Option objects written inline (`provisioner: { timeout }`) are checked one level down.
  for (const [key, value] of Object.entries(props)) {
    const nested = (PROP_NAMES as Record<string, readonly string[]>)[`${propsType}.${key}`];
    if (nested && value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) {
      checkKnownKeys(scope, `${key}.`, value as Record<string, unknown>, nested);
    }
  }
}

/** A prop nobody reads (a typo from plain JavaScript) would be ignored without a word. */
function checkKnownKeys(scope: IConstruct, prefix: string, props: Record<string, unknown>, known: readonly string[]): void {
  for (const [key, value] of Object.entries(props)) {
    if (known.includes(key)) continue;
    const near = closestName(key, known, 3);
    throw new PropError(scope, `${prefix}${key}`, value, `is not a prop of ${prefix ? `${prefix.slice(0, -1)} (${scope.constructor.name})` : scope.constructor.name}`,
      near ? `did you mean '${prefix}${near}'?` : `use one of ${known.join(', ')}`);
  }
}

/** A list prop: undefined stays undefined; anything but an array is refused by name. */
export function checkList<T>(scope: IConstruct, prop: string, value: readonly T[] | undefined, example: string): readonly T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new PropError(scope, prop, value, 'is not a list', `write it as a list, e.g. ${example}`);
  return value;
}
