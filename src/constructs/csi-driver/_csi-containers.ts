/**
 * Container building blocks of a CSI driver stack: args rendering, security contexts and the
 * node-side helper containers. @internal
 */
import { IConstruct } from 'constructs';
import { Component, componentFeatureGates, NODE_NAME_ENV } from '../../catalog';
import { closestName } from '../../catalog/_names';
import { EnvVar, Quantity, ResourceRequirements, SecurityContext } from '../../imports/k8s';
import { checkResources } from '../common/_quantity';
import { restrictedContainerSecurityContext } from '../common/_security';
import { PropError } from '../common/_validation';
import type { CsiContainerResources } from './csi-driver';

/** Renders `flag=value` pairs sorted by flag, so arg order never depends on prop order. @internal */
export function renderArgs(flags: Readonly<Record<string, string | number | boolean>>): string[] {
  return Object.keys(flags).sort().map((k) => `${k}=${flags[k]}`);
}

/** `A=true,B=false`, sorted by gate name. @internal */
export function renderFeatureGates(gates: Readonly<Record<string, boolean>>): string | undefined {
  const entries = Object.entries(gates).sort(([a], [b]) => a.localeCompare(b));
  return entries.length > 0 ? entries.map(([k, v]) => `${k}=${v}`).join(',') : undefined;
}

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/** Go durations as the sidecars parse them (`30s`, `1m30s`). @internal */
export function checkDuration(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || !GO_DURATION.test(value)) {
    throw new PropError(scope, prop, value, 'is not a Go duration', `write it like '30s', '2m' or '1m30s'`);
  }
  return value;
}

/** Requests (and optional limits) as Kubernetes quantities; requests always present. @internal */
export function toResourceRequirements(
  scope: IConstruct, prop: string, r: CsiContainerResources | undefined, defaults: Readonly<Record<string, string>>,
): ResourceRequirements {
  const requests = r?.requests ?? defaults;
  if (Object.keys(requests).length === 0) {
    throw new PropError(scope, `${prop}.requests`, requests, 'is empty',
      'give every container CPU and memory requests so the scheduler can place it, e.g. { cpu: "10m", memory: "32Mi" }');
  }
  checkResources(scope, prop, { requests, limits: r?.limits });
  const conv = (m?: Readonly<Record<string, string>>) =>
    m ? Object.fromEntries(Object.keys(m).sort().map((k) => [k, Quantity.fromString(m[k])])) : undefined;
  return { requests: conv(requests), limits: conv(r?.limits) };
}

/**
 * Sidecar next to a privileged node plugin: the plugin (root) creates the socket and the
 * registration directory is root-owned, so the sidecar keeps uid 0 but nothing else of root: the
 * restricted profile otherwise (no capabilities, no escalation, read-only root filesystem,
 * RuntimeDefault seccomp). With `seLinuxPrivileged` it becomes privileged, which SELinux-enforcing
 * hosts need for a non-privileged process to reach a socket made by a privileged one. @internal
 */
export function rootSidecarContext(seLinuxPrivileged: boolean): SecurityContext {
  return seLinuxPrivileged ? { privileged: true } : restrictedContainerSecurityContext({ runAsRoot: true });
}

/** The node plugin mounts with Bidirectional propagation, which Kubernetes allows only privileged. @internal */
export function nodePluginContext(): SecurityContext {
  return { privileged: true };
}

/** `KUBE_NODE_NAME` from the downward API. @internal */
export function nodeNameEnv(): EnvVar {
  return { name: NODE_NAME_ENV, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } };
}

/**
 * Tag words that name a moving target rather than a release: the image behind them changes without
 * the manifest changing. A tag without any digit is treated the same way (no version in it).
 */
const FLOATING_TAG_WORDS: readonly string[] = ['canary', 'dev', 'develop', 'edge', 'head', 'latest', 'main', 'master', 'nightly', 'stable'];

/** True for `latest`, `main`, `stable-alpine`, `edge` and other tags that do not name one release. */
function isFloatingTag(tag: string): boolean {
  return !/\d/.test(tag) || tag.toLowerCase().split(/[-._]/).some((w) => FLOATING_TAG_WORDS.includes(w));
}

/**
 * A pinned image reference for a vendor image: registry/repo:tag or @sha256 digest. A floating tag
 * (latest, main, stable, a tag without a version) is accepted only together with a digest, which then
 * decides what runs; `latest` is refused even then, as it tells a reader nothing. @internal
 */
export function checkVendorImage(scope: IConstruct, prop: string, image: string): string {
  const m = /^([^@\s]+?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(@sha256:[a-f0-9]{64})?$/.exec(image ?? '');
  const lastSegment = m?.[1].split('/').pop() ?? '';
  if (!m || lastSegment.length === 0 || (!m[2] && !m[3]) || m[2] === 'latest') {
    throw new PropError(scope, prop, image, 'is not a pinned image (it needs a release tag other than latest, or a digest)',
      "write it as '<registry>/<repository>:<tag>' or with '@sha256:<digest>', e.g. 'registry.k8s.io/sig-storage/hostpathplugin:v1.17.1'");
  }
  if (m[2] && !m[3] && isFloatingTag(m[2])) {
    throw new PropError(scope, prop, image, `has the floating tag '${m[2]}', which names a moving target rather than one release`,
      `pin a release tag with its version (e.g. '${m[1]}:v1.2.3') or add the digest ('${m[1]}:${m[2]}@sha256:<digest>')`);
  }
  return image;
}

/**
 * The `--feature-gates` of a kubernetes-csi binary, checked against the gates its release knows: a
 * binary exits at start on a name it does not know, so an unknown or removed gate is an error here.
 * Releases older than every catalogued line are not checked. Returns the gates, sorted. @internal
 */
export function checkComponentGates(scope: IConstruct, prop: string, component: Component, tag: string,
  gates: unknown): Readonly<Record<string, boolean>> {
  if (gates === undefined) return {};
  if (gates === null || typeof gates !== 'object' || Array.isArray(gates)) {
    throw new PropError(scope, prop, gates, 'is not a map of gate names to true/false', "write it like { ReleaseLeaderElectionOnExit: true }");
  }
  const known = componentFeatureGates(component, tag);
  for (const [name, on] of Object.entries(gates)) {
    if (typeof on !== 'boolean') {
      throw new PropError(scope, `${prop}.${name}`, on, 'is not a boolean', `set ${name} to true or false`);
    }
    if (!known) continue;
    const removed = known.removed?.[name];
    if (removed) throw new PropError(scope, `${prop}.${name}`, on, `is not a gate of ${component} ${tag}`, removed);
    if (!(name in known.gates)) {
      const names = Object.keys(known.gates);
      const near = closestName(name, names, 0);
      throw new PropError(scope, `${prop}.${name}`, on,
        `is not a gate of ${component} ${tag}, which would refuse to start`,
        near ? `the gate is spelled '${near}'` : `use one of ${names.join(', ')}, or drop it`);
    }
  }
  return gates as Readonly<Record<string, boolean>>;
}
