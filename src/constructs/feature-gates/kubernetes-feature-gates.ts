import { ApiObject, App, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import {
  CONTROL_PLANE_FLAGS, GateComponent, KUBEADM_SECTIONS, MIGRATION_KUBERNETES, NODE_CONFIG_API,
} from '../../catalog';
import {
  ClusterPlatform, featureGatesFlagValue, GateResolution, gateOn, gatesFor, IClusterFeatureGates, ResolvedGate, resolveGateRequest,
} from './_feature-gates';
import { resolveKubernetesMinor } from '../common/_target';
import { checkProps } from '../common/_validation';

/** Props of {@link KubernetesFeatureGates}. */
export interface KubernetesFeatureGatesProps {
  /**
   * Gates to set, name -> on/off, e.g. `{ CSIVolumeHealth: true }`. Checked against the catalog
   * for the target: unknown, not-yet-existing and removed gates fail; GA gates locked to their
   * default are left out with a note (see `notes`); setting one against its lock fails.
   */
  readonly gates: Readonly<Record<string, boolean>>;
  /**
   * Accept enabling alpha (and deprecated) gates such as CSIVolumeHealth.
   * @default false - enabling an alpha gate fails at synth
   */
  readonly allowAlphaGates?: boolean;
  /**
   * Target Kubernetes release, `1.23` up to the newest supported minor.
   * @default - the context `csi-snapshot-guard:kubernetesVersion`, else the newest supported minor
   */
  readonly kubernetesVersion?: string;
  /**
   * Where the KubeletConfiguration document is rendered, e.g. a chart whose file is the node config.
   * @default - this construct (its chart)
   */
  readonly kubeletScope?: Construct;
  /**
   * Where the kubeadm ClusterConfiguration document is rendered.
   * @default - this construct (its chart)
   */
  readonly controlPlaneScope?: Construct;
}

/**
 * Feature gates for a vanilla (kubeadm-style) cluster. Renders what the cluster operator hands to
 * the nodes, not objects for the API server:
 * - a `KubeletConfiguration` (kubelet.config.k8s.io/v1beta1) with `featureGates`, to merge into
 *   each node's kubelet config;
 * - a kubeadm `ClusterConfiguration` with `--feature-gates` / `--runtime-config` for
 *   kube-apiserver, kube-controller-manager and kube-scheduler (v1beta4 list form from 1.31,
 *   v1beta3 map form before).
 * Each document is only rendered when some gate reaches that component. Render them with an App
 * of their own (see the README, "Feature gates"): `kubectl apply` cannot take them, and a
 * synth-time check refuses them next to real Kubernetes objects.
 */
export class KubernetesFeatureGates extends Construct implements IClusterFeatureGates {
  /** Always `ClusterPlatform.KUBERNETES`. */
  public readonly platform = ClusterPlatform.KUBERNETES;
  /** The resolved target minor (1.23 up to the newest supported minor). */
  public readonly kubernetesMinor: number;
  /** The gates that are rendered, sorted by name. */
  public readonly gates: readonly ResolvedGate[];
  /** `--runtime-config` entries kube-apiserver gets, sorted. */
  public readonly runtimeConfig: readonly string[];
  /** Requested gates that are not rendered, and why. Also recorded as construct metadata. */
  public readonly notes: readonly string[];
  /** The KubeletConfiguration document, when a kubelet gate is set. */
  public readonly kubeletConfiguration?: ApiObject;
  /** The kubeadm ClusterConfiguration document, when a control-plane gate or runtime-config is set. */
  public readonly clusterConfiguration?: ApiObject;
  private readonly resolution: GateResolution;

  constructor(scope: Construct, id: string, props: KubernetesFeatureGatesProps) {
    super(scope, id);
    checkProps(this, props, 'KubernetesFeatureGatesProps');
    this.kubernetesMinor = resolveKubernetesMinor(this, props.kubernetesVersion, MIGRATION_KUBERNETES);
    this.resolution = resolveGateRequest(this, this.kubernetesMinor, props.gates ?? {}, {
      prop: 'gates', allowAlphaGates: props.allowAlphaGates,
    });
    this.gates = this.resolution.gates;
    this.runtimeConfig = this.resolution.runtimeConfig;
    this.notes = this.resolution.notes;
    for (const note of this.notes) this.node.addMetadata('note', note);

    const kubeletGates = gatesFor(this.resolution, GateComponent.KUBELET);
    if (Object.keys(kubeletGates).length > 0) {
      this.kubeletConfiguration = nodeDocument(props.kubeletScope ?? this, this.childId(props.kubeletScope, 'KubeletConfiguration'), {
        ...NODE_CONFIG_API.kubelet,
        featureGates: kubeletGates,
      });
    }
    const controlPlane = this.renderControlPlane();
    if (controlPlane) {
      this.clusterConfiguration = nodeDocument(props.controlPlaneScope ?? this,
        this.childId(props.controlPlaneScope, 'ClusterConfiguration'), controlPlane);
    }
    this.node.addValidation({ validate: () => checkNotNextToApiObjects(this) });
  }

  /** True when the gate is on for the target: set on here, or on by default and not switched off. */
  public gateEnabled(name: string): boolean {
    return gateOn(this.resolution, name, this.kubernetesMinor);
  }

  /** True when kube-apiserver gets this `--runtime-config` entry. */
  public runtimeConfigEnabled(entry: string): boolean {
    return this.runtimeConfig.includes(entry);
  }

  private childId(other: Construct | undefined, base: string): string {
    return other === undefined ? base : `${this.node.id}-${base}`;
  }

  private renderControlPlane(): Record<string, unknown> | undefined {
    const listForm = this.kubernetesMinor >= NODE_CONFIG_API.kubeadmV1beta4.since;
    const { apiVersion, kind } = listForm ? NODE_CONFIG_API.kubeadmV1beta4 : NODE_CONFIG_API.kubeadmV1beta3;
    const doc: Record<string, unknown> = { apiVersion, kind };
    for (const component of [GateComponent.KUBE_APISERVER, GateComponent.KUBE_CONTROLLER_MANAGER, GateComponent.KUBE_SCHEDULER]) {
      const args: Record<string, string> = {};
      const gates = gatesFor(this.resolution, component);
      if (Object.keys(gates).length > 0) args[CONTROL_PLANE_FLAGS.featureGates] = featureGatesFlagValue(gates);
      if (component === GateComponent.KUBE_APISERVER && this.runtimeConfig.length > 0) {
        args[CONTROL_PLANE_FLAGS.runtimeConfig] = this.runtimeConfig.join(',');
      }
      const names = Object.keys(args).sort();
      if (names.length === 0) continue;
      doc[KUBEADM_SECTIONS[component]!] = {
        extraArgs: listForm ? names.map((name) => ({ name, value: args[name] })) : Object.fromEntries(names.map((n) => [n, args[n]])),
      };
    }
    return Object.keys(doc).length > 2 ? doc : undefined;
  }
}

/** Kinds that are node/control-plane configuration files rather than API objects. */
const NODE_CONFIG_KINDS = new Set<string>([NODE_CONFIG_API.kubelet.kind, NODE_CONFIG_API.kubeadmV1beta4.kind]);

/** An ApiObject without `metadata`: these documents are files, and their loaders do not expect it. */
function nodeDocument(scope: Construct, id: string, body: Record<string, unknown>): ApiObject {
  const { apiVersion, kind, ...rest } = body as { apiVersion: string; kind: string };
  // A name is given only so cdk8s does not hash one up; the patch below drops metadata anyway.
  const obj = new ApiObject(scope, id, { apiVersion, kind, metadata: { name: kind.toLowerCase() }, ...rest });
  obj.addJsonPatch(JsonPatch.remove('/metadata'));
  return obj;
}

/**
 * Node configuration must not end up in a folder people `kubectl apply`: refuse to share an App
 * with real Kubernetes objects.
 */
function checkNotNextToApiObjects(self: IConstruct): string[] {
  const root = self.node.root;
  if (!(root instanceof App)) return [];
  const foreign = root.node.findAll().find((c) => c instanceof ApiObject && !NODE_CONFIG_KINDS.has(c.kind));
  if (!foreign) return [];
  return [`KubeletConfiguration / ClusterConfiguration documents are node configuration, not API objects, but this app also renders ` +
    `${(foreign as ApiObject).kind} at ${foreign.node.path}; synthesize node configuration with an App of its own ` +
    `(e.g. outdir dist/node-config) so that 'kubectl apply -f dist/' cannot pick it up`];
}
