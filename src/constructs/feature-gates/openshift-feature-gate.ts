import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  featureGate, formatKubernetesMinor, formatOpenShiftMinor, gateState, IRREVERSIBLE_ANNOTATION,
  OPENSHIFT_FEATURE_GATE, OPENSHIFT_GATE_NAME, OpenShiftFeatureSet, openShiftMigrationByGate,
  openShiftMigrationMode, OpenShiftMigrationMode, openShiftMigrationSince,
} from '../../catalog';
import { ClusterPlatform, GateResolution, IClusterFeatureGates, resolveGateRequest, resolveOpenShiftRelease } from './_feature-gates';
import { checkProps, PropError } from '../common/_validation';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';
import type { EnumValue } from '../common/_enum';

/** Props of {@link OpenShiftFeatureGate}. */
export interface OpenShiftFeatureGateProps extends ObjectLabelsProps {
  /** Target OpenShift release, `4.10` or newer (each maps to a Kubernetes minor, see OPENSHIFT_RELEASES). */
  readonly openshiftVersion: string;
  /**
   * The feature set. Every set but the default cannot be undone and blocks minor upgrades.
   * @default OpenShiftFeatureSet.DEFAULT (rendered as the empty string, never "Default")
   */
  readonly featureSet?: EnumValue<OpenShiftFeatureSet>;
  /**
   * Gates to switch on; only with `CustomNoUpgrade`. CSI migration gates follow the OpenShift
   * release (manual only while migration is tech preview); other gates are checked against the
   * Kubernetes lifecycle of the release's Kubernetes minor.
   * @default - none
   */
  readonly enabled?: readonly string[];
  /** Gates to switch off; only with `CustomNoUpgrade`. @default - none */
  readonly disabled?: readonly string[];
  /**
   * Must repeat `featureSet` when it is a NoUpgrade set: the acknowledgement that the switch cannot
   * be undone and blocks minor upgrades. Repeating the value means changing the set later needs a
   * fresh acknowledgement.
   * @default - none; a NoUpgrade feature set without it fails at synth
   */
  readonly acknowledgeNoUpgrade?: EnumValue<OpenShiftFeatureSet>;
  /** Accept enabling alpha Kubernetes gates (e.g. CSIVolumeHealth). @default false */
  readonly allowAlphaGates?: boolean;
  /**
   * Accept gate names the catalog does not know (OpenShift-only gates); they get no checks.
   * @default false - unknown names fail with the closest known name
   */
  readonly allowUncataloguedGates?: boolean;
}

/**
 * The OpenShift cluster FeatureGate (`config.openshift.io/v1`, name `cluster`). The default feature
 * set is written as `''`. NoUpgrade sets need `acknowledgeNoUpgrade` and carry an annotation saying
 * they cannot be undone and block minor upgrades. CSI migration gates are only accepted on releases
 * where migration is switched on by hand: on releases where it is automatic, asking for it fails with
 * the reason, because the only way to ask is an irreversible, upgrade-blocking feature set.
 */
export class OpenShiftFeatureGate extends Construct implements IClusterFeatureGates {
  /** Always `ClusterPlatform.OPENSHIFT`. */
  public readonly platform = ClusterPlatform.OPENSHIFT;
  /** The Kubernetes minor the OpenShift release ships (FACTS §g2). */
  public readonly kubernetesMinor: number;
  /** OpenShift minor, e.g. 11 for 4.11. */
  public readonly openshiftMinor: number;
  /** The feature set rendered. */
  public readonly featureSet: OpenShiftFeatureSet;
  /** Gates rendered in `customNoUpgrade.enabled`, sorted. */
  public readonly enabled: readonly string[];
  /** Gates rendered in `customNoUpgrade.disabled`, sorted. */
  public readonly disabled: readonly string[];
  /** Remarks about the request (unconfirmed version mapping, uncatalogued gates). */
  public readonly notes: readonly string[];
  /** The rendered FeatureGate. */
  public readonly resource: ApiObject;
  private readonly resolution: GateResolution;

  constructor(scope: Construct, id: string, props: OpenShiftFeatureGateProps) {
    super(scope, id);
    checkProps(this, props, 'OpenShiftFeatureGateProps');
    const release = resolveOpenShiftRelease(this, props.openshiftVersion);
    this.openshiftMinor = release.minor;
    this.kubernetesMinor = release.kubernetesMinor;
    const notes: string[] = release.confirmed ? [] : [
      `OpenShift ${formatOpenShiftMinor(release.minor)} -> Kubernetes ${formatKubernetesMinor(release.kubernetesMinor)} is UNCONFIRMED (${release.inferredFrom ?? 'no source'})`,
    ];

    this.featureSet = checkFeatureSet(this, props.featureSet ?? OpenShiftFeatureSet.DEFAULT);
    const custom = this.featureSet === OpenShiftFeatureSet.CUSTOM_NO_UPGRADE;
    const enabled = checkGateList(this, 'enabled', props.enabled ?? []);
    const disabled = checkGateList(this, 'disabled', props.disabled ?? []);
    if (!custom && enabled.length + disabled.length > 0) {
      throw new PropError(this, enabled.length ? 'enabled' : 'disabled', enabled.length ? enabled : disabled,
        `is only read with featureSet CustomNoUpgrade, not ${JSON.stringify(this.featureSet)}`,
        `set featureSet: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE (irreversible) or remove the list`);
    }
    if (custom && enabled.length + disabled.length === 0) {
      throw new PropError(this, 'enabled', [], 'is empty while featureSet is CustomNoUpgrade, which would block upgrades for nothing',
        'list the gates to switch on, or keep the default feature set');
    }
    const both = enabled.find((g) => disabled.includes(g));
    if (both) {
      throw new PropError(this, 'disabled', both, 'is also listed in enabled', 'list each gate in one of the two lists');
    }
    if (this.featureSet !== OpenShiftFeatureSet.DEFAULT && props.acknowledgeNoUpgrade !== this.featureSet) {
      throw new PropError(this, 'acknowledgeNoUpgrade', props.acknowledgeNoUpgrade,
        `does not acknowledge featureSet ${this.featureSet}, which cannot be undone (the API refuses to change it back) and blocks minor upgrades of the cluster`,
        `set acknowledgeNoUpgrade: OpenShiftFeatureSet.${enumKey(this.featureSet)} if that is intended, or keep the default feature set`);
    }

    const request: Record<string, boolean> = {};
    for (const name of enabled) if (!this.checkMigrationGate('enabled', name, true)) request[name] = true;
    for (const name of disabled) if (!this.checkMigrationGate('disabled', name, false)) request[name] = false;
    this.resolution = resolveGateRequest(this, this.kubernetesMinor, request, {
      prop: 'enabled/disabled',
      allowAlphaGates: props.allowAlphaGates,
      allowUncataloguedGates: props.allowUncataloguedGates,
      targetLabel: `OpenShift ${formatOpenShiftMinor(this.openshiftMinor)} (Kubernetes ${formatKubernetesMinor(this.kubernetesMinor)})`,
    });
    const rendered = (on: boolean) => [
      ...this.resolution.gates.filter((g) => g.enabled === on).map((g) => g.name),
      ...(on ? enabled : disabled).filter((g) => openShiftMigrationByGate(g)),
    ].sort();
    this.enabled = custom ? rendered(true) : [];
    this.disabled = custom ? rendered(false) : [];
    this.notes = [...notes, ...this.resolution.notes];
    for (const note of this.notes) this.node.addMetadata('note', note);
    if (custom && this.enabled.length + this.disabled.length === 0) {
      throw new PropError(this, 'enabled', enabled, 'leaves nothing to render once locked gates are dropped, so CustomNoUpgrade would only block upgrades',
        `keep the default feature set (${this.notes.join('; ')})`);
    }

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: OPENSHIFT_FEATURE_GATE.apiVersion,
      kind: OPENSHIFT_FEATURE_GATE.kind,
      metadata: {
        name: OPENSHIFT_FEATURE_GATE.name,
        ...(this.featureSet === OpenShiftFeatureSet.DEFAULT ? {} : {
          annotations: {
            [IRREVERSIBLE_ANNOTATION]: `featureSet ${this.featureSet} cannot be undone and blocks minor upgrades of this cluster`,
          },
        }),
      },
      spec: {
        featureSet: this.featureSet,
        ...(custom ? {
          customNoUpgrade: {
            ...(this.enabled.length ? { enabled: this.enabled } : {}),
            ...(this.disabled.length ? { disabled: this.disabled } : {}),
          },
        } : {}),
      },
    });
    labelObjects(this, { name: 'feature-gates', component: 'cluster-configuration' }, props.labels);
  }

  /** True when the gate is in `enabled`, or on by default for the release's Kubernetes minor and not in `disabled`. */
  public gateEnabled(name: string): boolean {
    if (this.enabled.includes(name)) return true;
    if (this.disabled.includes(name)) return false;
    const gate = featureGate(name);
    return gate ? gateState(gate, this.kubernetesMinor).phase?.defaultOn === true : false;
  }

  /** Always false: OpenShift's FeatureGate has no way to pass `--runtime-config`. */
  public runtimeConfigEnabled(_entry: string): boolean {
    return false;
  }

  /**
   * CSI migration gates follow the OpenShift release (FACTS §g3), not the upstream lifecycle: OpenShift
   * kept them tech preview after upstream turned them on. Returns true when the gate was handled here.
   */
  private checkMigrationGate(prop: string, name: string, on: boolean): boolean {
    const entry = openShiftMigrationByGate(name);
    if (!entry) return false;
    const mode = openShiftMigrationMode(entry, this.openshiftMinor);
    const here = `OpenShift ${formatOpenShiftMinor(this.openshiftMinor)}`;
    if (mode === OpenShiftMigrationMode.FEATURE_GATE) return true;
    if (mode === OpenShiftMigrationMode.STORAGE_OPERATOR_OPT_IN) {
      throw new PropError(this, prop, name,
        `is not how ${here} migrates ${entry.provisioner}: new installs migrate automatically and clusters upgraded from ` +
        `${formatOpenShiftMinor(this.openshiftMinor - 1)} opt in through the Storage operator object, without an irreversible feature set`,
        `remove the gate and use OpenShiftStorageDriver (vsphereStorageDriver: CSIWithMigrationDriver) on upgraded clusters`);
    }
    if (mode === OpenShiftMigrationMode.AUTOMATIC) {
      const since = openShiftMigrationSince(entry, OpenShiftMigrationMode.AUTOMATIC)!;
      throw new PropError(this, prop, name,
        `is not needed on ${here}: CSI migration of ${entry.provisioner} is GA and automatic for every cluster since ${formatOpenShiftMinor(since)}` +
        (on ? '' : ' and cannot be switched off'),
        'remove the gate (a CustomNoUpgrade feature set for it would only block upgrades)');
    }
    throw new PropError(this, prop, name, `is not offered on ${here} (migration of ${entry.provisioner} starts in ${formatOpenShiftMinor(entry.modes[0].since)})`,
      'remove the gate or target a newer release');
  }
}

function checkFeatureSet(scope: Construct, value: string): OpenShiftFeatureSet {
  const allowed = Object.values(OpenShiftFeatureSet) as string[];
  if (!allowed.includes(value)) {
    throw new PropError(scope, 'featureSet', value,
      value === 'Default' ? 'is not in the API enum: the default feature set is the empty string' : 'is not an OpenShift feature set',
      `use OpenShiftFeatureSet.DEFAULT ('') or one of ${allowed.filter(Boolean).join(', ')}`);
  }
  return value as OpenShiftFeatureSet;
}

function checkGateList(scope: Construct, prop: string, names: readonly string[]): string[] {
  names.forEach((name, i) => {
    if (typeof name !== 'string' || !OPENSHIFT_GATE_NAME.test(name)) {
      throw new PropError(scope, `${prop}[${i}]`, name, 'is not a gate name', 'use letters, digits, "-" and "." only, e.g. CSIMigrationvSphere');
    }
    if (names.indexOf(name) !== i) throw new PropError(scope, `${prop}[${i}]`, name, 'is listed twice', 'list each gate once');
  });
  return [...names].sort();
}

function enumKey(value: OpenShiftFeatureSet): string {
  return Object.entries(OpenShiftFeatureSet).find(([, v]) => v === value)![0];
}
