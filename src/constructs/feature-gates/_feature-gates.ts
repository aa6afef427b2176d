/**
 * Feature-gate checks shared by the vanilla and OpenShift gate constructs, and the small API other
 * constructs call to state what they need from the cluster's gates (admission-policy APIs, a
 * Kubernetes range). Everything throws at construction time with prop, value and fix.
 */
import { IConstruct } from 'constructs';
import {
  closestGateName, FEATURE_GATES, featureGate, FeatureGateLifecycle, FOREIGN_FEATURE_GATES, formatKubernetesMinor,
  formatOpenShiftMinor, GateComponent, GateMaturity, gateState, MIGRATION_KUBERNETES, OPENSHIFT_RELEASES, OpenShiftRelease,
  gateComponents, openShiftRelease, parseOpenShiftMinor, runtimeConfigFor,
} from '../../catalog';
import { KUBERNETES_VERSION_CONTEXT, MinorRange } from '../common/_target';
import { PropError } from '../common/_validation';

/** Which kind of cluster a gate configuration is for. */
export enum ClusterPlatform {
  /** Vanilla Kubernetes: gates in kubelet config and control-plane flags. */
  KUBERNETES = 'kubernetes',
  /** OpenShift: gates through the cluster FeatureGate. */
  OPENSHIFT = 'openshift',
}

/** One gate as it will be rendered. */
export interface ResolvedGate {
  /** Gate name. */
  readonly name: string;
  /** The value rendered. */
  readonly enabled: boolean;
  /** Components whose configuration gets the gate. */
  readonly components: readonly GateComponent[];
}

/** A checked gate request. */
export interface GateResolution {
  /** Gates to render, sorted by name. Locked gates set to their default are left out (see notes). */
  readonly gates: readonly ResolvedGate[];
  /** `--runtime-config` entries kube-apiserver needs for the enabled gates, sorted. */
  readonly runtimeConfig: readonly string[];
  /** Why some requested gates are not rendered, one sentence each. */
  readonly notes: readonly string[];
}

/** How to check a request. */
export interface GateCheckOptions {
  /** Prop name shown in errors, e.g. `gates` or `enabled`. */
  readonly prop: string;
  /** Accept enabling alpha (and deprecated) gates. */
  readonly allowAlphaGates?: boolean;
  /** Accept names the catalog does not know (rendered as given, without lifecycle checks). */
  readonly allowUncataloguedGates?: boolean;
  /** Words naming the platform in messages, e.g. `Kubernetes 1.30` or `OpenShift 4.11 (Kubernetes 1.24)`. */
  readonly targetLabel?: string;
}

const ALL_COMPONENTS = Object.values(GateComponent);

/** First minor on which a gate's admission API is served at all (MutatingAdmissionPolicy: 1.32). */
function firstServedMinor(gate: FeatureGateLifecycle): number | undefined {
  for (let m = gate.phases[0].since; m <= 99; m++) if (gate.admissionApi?.(m)) return m;
  return undefined;
}

/**
 * Checks each requested gate against the catalog for a Kubernetes minor. Throws for unknown,
 * not-yet-available or removed gates, for setting a locked gate against its lock, and for enabling
 * an alpha gate without `allowAlphaGates`. Locked gates set to their default become notes.
 */
export function resolveGateRequest(scope: IConstruct, minor: number, request: Readonly<Record<string, boolean>>, opts: GateCheckOptions): GateResolution {
  const target = opts.targetLabel ?? `Kubernetes ${formatKubernetesMinor(minor)}`;
  const gates: ResolvedGate[] = [];
  const notes: string[] = [];
  const runtimeConfig = new Set<string>();
  for (const name of Object.keys(request).sort()) {
    const value = request[name];
    if (typeof value !== 'boolean') {
      throw new PropError(scope, `${opts.prop}.${name}`, value, 'is not a boolean', `write ${name}: true or ${name}: false`);
    }
    const gate = featureGate(name);
    if (!gate) {
      if (FOREIGN_FEATURE_GATES[name]) {
        throw new PropError(scope, opts.prop, name, `is ${FOREIGN_FEATURE_GATES[name]}`, `remove it from ${opts.prop}`);
      }
      if (opts.allowUncataloguedGates) {
        notes.push(`${name} is not in the catalog; rendered as given without lifecycle checks`);
        gates.push({ name, enabled: value, components: ALL_COMPONENTS });
        continue;
      }
      const near = closestGateName(name);
      throw new PropError(scope, opts.prop, name, 'is not a known feature gate',
        near ? `did you mean '${near}'? (gate names are case-sensitive)` : `use one of: ${FEATURE_GATES.map((g) => g.name).join(', ')}`);
    }
    const state = gateState(gate, minor);
    if (state.notYet) {
      throw new PropError(scope, opts.prop, name, `does not exist on ${target} (it appeared as alpha in ${formatKubernetesMinor(gate.phases[0].since)})`,
        `target ${formatKubernetesMinor(gate.phases[0].since)} or newer, or remove the gate`);
    }
    if (state.removed) {
      throw new PropError(scope, opts.prop, name,
        `cannot be set on ${target}: ${name} was removed after ${formatKubernetesMinor(gate.lastAccepted!)} and the components refuse to start with it`,
        gate.afterGraduation);
    }
    const phase = state.phase!;
    if (phase.locked) {
      if (value === phase.defaultOn) {
        notes.push(`${name} is ${phase.maturity} and locked to ${phase.defaultOn} on ${target}, so it is not rendered (${gate.afterGraduation}` +
          `${gate.removalNote ? `; ${gate.removalNote}` : ''})`);
        continue;
      }
      throw new PropError(scope, `${opts.prop}.${name}`, value,
        `is against the lock: ${name} is ${phase.maturity} since ${formatKubernetesMinor(gate.phases.find((p) => p.locked)!.since)} and locked to ${phase.defaultOn} on ${target}`,
        gate.afterGraduation);
    }
    const experimental = phase.maturity === GateMaturity.ALPHA || phase.maturity === GateMaturity.DEPRECATED;
    if (value && experimental && !opts.allowAlphaGates) {
      throw new PropError(scope, `${opts.prop}.${name}`, value,
        `enables a gate that is ${phase.maturity} on ${target} (alpha features may change or vanish between releases and are not for production)`,
        `set 'allowAlphaGates: true' to accept that, or remove the gate`);
    }
    if (value && gate.admissionApi && !gate.admissionApi(minor)) {
      const first = firstServedMinor(gate);
      throw new PropError(scope, `${opts.prop}.${name}`, value,
        `has no effect on ${target}: no ${name} API is served before ${first ? formatKubernetesMinor(first) : 'a later release'}`,
        first ? `target ${formatKubernetesMinor(first)} or newer, or remove the gate` : 'remove the gate');
    }
    if (value && phase.maturity === GateMaturity.DEPRECATED) {
      notes.push(`${name} is deprecated on ${target}; ${gate.afterGraduation}`);
    }
    const rc = value ? runtimeConfigFor(gate, minor) : undefined;
    if (rc) runtimeConfig.add(rc);
    gates.push({ name, enabled: value, components: gateComponents(gate, minor) });
  }
  return { gates, runtimeConfig: [...runtimeConfig].sort(), notes };
}

/** Gate map for one component, keys sorted. */
export function gatesFor(resolution: GateResolution, component: GateComponent): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const g of resolution.gates) if (g.components.includes(component)) out[g.name] = g.enabled;
  return out;
}

/** `A=true,B=false`, keys sorted: the value of `--feature-gates`. */
export function featureGatesFlagValue(gates: Readonly<Record<string, boolean>>): string {
  return Object.keys(gates).sort().map((k) => `${k}=${gates[k]}`).join(',');
}

/** True when a gate is on for a minor under a resolution: requested on, or on by default and not switched off. */
export function gateOn(resolution: GateResolution, name: string, minor: number): boolean {
  const requested = resolution.gates.find((g) => g.name === name);
  if (requested) return requested.enabled;
  const gate = featureGate(name);
  return gate ? gateState(gate, minor).phase?.defaultOn === true : false;
}

/**
 * A cluster's feature-gate configuration as other constructs see it: implemented by
 * `KubernetesFeatureGates` (vanilla) and `OpenShiftFeatureGate`. Pass it to constructs whose
 * objects only work when a gate is on (the admission policies before their v1 release).
 */
export interface IClusterFeatureGates extends IConstruct {
  /** The kind of cluster. */
  readonly platform: ClusterPlatform;
  /** The Kubernetes minor the configuration is for (OpenShift: the minor the release ships). */
  readonly kubernetesMinor: number;
  /** True when the gate is on: requested on, or on by default at the target and not switched off. */
  gateEnabled(name: string): boolean;
  /** True when kube-apiserver gets this `--runtime-config` entry, e.g. `admissionregistration.k8s.io/v1beta1=true`. */
  runtimeConfigEnabled(entry: string): boolean;
}

/** Admission-policy kinds whose API depends on the target and on gates. */
export type AdmissionPolicyKind = 'ValidatingAdmissionPolicy' | 'MutatingAdmissionPolicy';

/** What an admission-policy construct learns from {@link requireAdmissionApi}. */
export interface AdmissionApiRequirement {
  /** `admissionregistration.k8s.io` version to render. */
  readonly version: 'v1' | 'v1beta1' | 'v1alpha1';
  /** The gate that had to be on (undefined when the version needs nothing). */
  readonly gate?: string;
  /** The `--runtime-config` entry that had to be set (undefined when the version needs nothing). */
  readonly runtimeConfig?: string;
}

/**
 * Called by a construct that renders admission policies of `kind` for `kubernetesMinor`: returns
 * the API version to render, and throws when that version is off unless kube-apiserver gets the
 * gate and `--runtime-config` and `clusterFeatures` does not provide both (or is missing), or when
 * `clusterFeatures` targets another Kubernetes minor. Messages name both constructs.
 *
 * @param scope the policy construct (named in messages)
 * @param kind which policy API
 * @param kubernetesMinor the policy construct's resolved target
 * @param clusterFeatures the cluster's gate configuration, when the app renders one
 */
export function requireAdmissionApi(scope: IConstruct, kind: AdmissionPolicyKind, kubernetesMinor: number,
  clusterFeatures?: IClusterFeatureGates): AdmissionApiRequirement {
  const gate = featureGate(kind)!;
  const offer = gate.admissionApi!(kubernetesMinor);
  const target = formatKubernetesMinor(kubernetesMinor);
  if (!offer) {
    const first = firstServedMinor(gate)!;
    throw new PropError(scope, 'kubernetesVersion', target, `has no ${kind} API (served from ${formatKubernetesMinor(first)})`,
      `target ${formatKubernetesMinor(first)} or newer`);
  }
  if (clusterFeatures) requireSameCluster(scope, `${kind} objects`, kubernetesMinor, clusterFeatures);
  if (!offer.needsOptIn) {
    // GA and on by default, but not locked (MutatingAdmissionPolicy 1.36+): the gates can still switch it off.
    const state = gateState(gate, kubernetesMinor);
    if (clusterFeatures && state.accepted && !state.phase?.locked && !clusterFeatures.gateEnabled(kind)) {
      throw new PropError(scope, 'clusterFeatures', clusterFeatures.node.path,
        `switches ${kind} off, so kube-apiserver ${target} would not serve the ${kind} ${offer.version} objects rendered here`,
        `remove ${kind}: false from the gates of ${clusterFeatures.node.path}, or do not render ${kind} objects`);
    }
    return { version: offer.version };
  }
  const rc = runtimeConfigFor(gate, kubernetesMinor)!;
  const needs = `${kind} ${offer.version} is off on Kubernetes ${target} unless kube-apiserver runs with --feature-gates=${kind}=true and --runtime-config=${rc}`;
  if (!clusterFeatures) {
    throw new PropError(scope, 'clusterFeatures', undefined, `must be given: ${needs}`,
      `pass a KubernetesFeatureGates with gates: { ${kind}: true } (it adds the runtime-config), or target a release where ${kind} v1 is on by default`);
  }
  const missing = [
    ...(clusterFeatures.gateEnabled(kind) ? [] : [`the gate ${kind}=true`]),
    ...(clusterFeatures.runtimeConfigEnabled(rc) ? [] : [`--runtime-config=${rc}`]),
  ];
  if (missing.length > 0) {
    throw new PropError(scope, 'clusterFeatures', clusterFeatures.node.path,
      `does not provide ${missing.join(' and ')}: ${needs}`,
      clusterFeatures.platform === ClusterPlatform.OPENSHIFT
        ? `OpenShift's FeatureGate cannot set --runtime-config; do not render ${kind} ${offer.version} objects on OpenShift`
        : `add ${kind}: true to the gates of ${clusterFeatures.node.path}, or do not render ${kind} objects`);
  }
  return { version: offer.version, gate: kind, runtimeConfig: rc };
}

/**
 * Throws when a construct that needs `range` shares a cluster with a gate configuration for
 * another Kubernetes minor (a cluster has one version). The message names both constructs.
 */
export function requireSameCluster(scope: IConstruct, what: string, kubernetesMinor: number, other: IClusterFeatureGates, range?: MinorRange): void {
  const mine = formatKubernetesMinor(kubernetesMinor);
  const theirs = formatKubernetesMinor(other.kubernetesMinor);
  if (range && (other.kubernetesMinor < range.min || other.kubernetesMinor > range.max)) {
    throw new PropError(scope, 'clusterFeatures', other.node.path,
      `targets Kubernetes ${theirs}, but ${what} at ${scope.node.path} need Kubernetes ${formatKubernetesMinor(range.min)} to ${formatKubernetesMinor(range.max)}`,
      `upgrade the cluster (and ${other.node.path}'s target) to ${formatKubernetesMinor(range.min)} or newer before adding ${what}, or leave them out`);
  }
  if (other.kubernetesMinor !== kubernetesMinor) {
    throw new PropError(scope, 'clusterFeatures', other.node.path,
      `targets Kubernetes ${theirs}, but ${what} at ${scope.node.path} target ${mine}; one cluster runs one version`,
      `set the same kubernetesVersion (or context '${KUBERNETES_VERSION_CONTEXT}') on both`);
  }
}

/**
 * For constructs that need a newer Kubernetes than the migration constructs accept (the snapshot
 * stack, the admission policies: 1.30+): like resolveKubernetesMinor's range check, but the message
 * names the construct, what it needs, the target and where that target was set.
 *
 * @param scope the construct that needs `range`
 * @param what what it renders, for the message (e.g. `MutatingAdmissionPolicy objects`)
 * @param kubernetesMinor its resolved target (resolve with the wide MIGRATION_KUBERNETES range first)
 * @param range what it supports
 * @param explicit the construct's own `kubernetesVersion` prop, when set
 */
export function requireTargetRange(scope: IConstruct, what: string, kubernetesMinor: number, range: MinorRange, explicit?: string): void {
  if (kubernetesMinor >= range.min && kubernetesMinor <= range.max) return;
  const supported = `${formatKubernetesMinor(range.min)} to ${formatKubernetesMinor(range.max)}`;
  const source = explicit !== undefined ? 'its kubernetesVersion prop' : `context '${KUBERNETES_VERSION_CONTEXT}' set on ${contextOwner(scope) ?? '(default)'}`;
  throw new PropError(scope, 'kubernetesVersion', formatKubernetesMinor(kubernetesMinor),
    `(from ${source}) is too old for ${what} at ${scope.node.path}, which need Kubernetes ${supported}`,
    `render ${what} only for clusters on ${supported}, or raise the target`);
}

/** Path of the nearest construct that sets the target context itself (the root shows as `(app)`). */
function contextOwner(scope: IConstruct): string | undefined {
  const scopes = scope.node.scopes;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const here = scopes[i].node.tryGetContext(KUBERNETES_VERSION_CONTEXT);
    const above = i > 0 ? scopes[i - 1].node.tryGetContext(KUBERNETES_VERSION_CONTEXT) : undefined;
    if (here !== undefined && (i === 0 || here !== above)) return scopes[i].node.path || '(app)';
  }
  return undefined;
}

/**
 * The catalogued OpenShift release for `openshiftVersion`, checked against the migration range.
 * @internal
 */
export function resolveOpenShiftRelease(scope: IConstruct, version: string): OpenShiftRelease {
  const minor = parseOpenShiftMinor(version);
  const first = OPENSHIFT_RELEASES[0].minor;
  const last = OPENSHIFT_RELEASES[OPENSHIFT_RELEASES.length - 1].minor;
  const supported = `${formatOpenShiftMinor(first)} to ${formatOpenShiftMinor(last)}`;
  if (minor === undefined) {
    throw new PropError(scope, 'openshiftVersion', version, 'is not an OpenShift 4 release', `write it as '4.<minor>', between ${supported}`);
  }
  const release = openShiftRelease(minor);
  if (!release || release.kubernetesMinor < MIGRATION_KUBERNETES.min || release.kubernetesMinor > MIGRATION_KUBERNETES.max) {
    throw new PropError(scope, 'openshiftVersion', version, `is outside the catalogued releases ${supported}`,
      `choose a release between ${supported} (newer ones need a catalog entry mapping them to a Kubernetes minor)`);
  }
  return release;
}

