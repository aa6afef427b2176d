import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { KubernetesFeatureGates } from '../constructs/feature-gates/kubernetes-feature-gates';

/** Props of {@link vanillaVolumeHealthGates}. */
export interface VanillaVolumeHealthGatesProps {
  /** Target Kubernetes release (1.30+ for the rest of this project's stack). @default '1.30' */
  readonly kubernetesVersion?: string;
  /**
   * Also switch on MutatingAdmissionPolicy (only meaningful on 1.34-1.35, where it is beta and off;
   * adds the gate and its `--runtime-config` to kube-apiserver).
   * @default false
   */
  readonly mutatingAdmissionPolicy?: boolean;
  /** Prefix of the chart ids, and so of the file names. @default 'vanilla-volume-health' */
  readonly name?: string;
}

/** What {@link vanillaVolumeHealthGates} created. */
export interface VanillaVolumeHealthGates {
  /** The gate configuration; pass it as `clusterFeatures` to constructs that need a gate. */
  readonly gates: KubernetesFeatureGates;
  /** Chart holding the KubeletConfiguration (file `<name>-node-kubelet.yaml`). */
  readonly kubeletChart: Chart;
  /** Chart holding the kubeadm ClusterConfiguration, when a control-plane flag is needed (`<name>-control-plane-kubeadm.yaml`). */
  readonly controlPlaneChart?: Chart;
}

/**
 * A vanilla cluster (1.30+) that turns on the kubelet side of volume health monitoring (the alpha
 * gate CSIVolumeHealth), optionally with MutatingAdmissionPolicy on the API server. `scope` must be
 * an App used only for node configuration (e.g. outdir `dist/node-config`): the files are not
 * Kubernetes objects, and a synth-time check refuses them next to ones.
 */
export function vanillaVolumeHealthGates(scope: Construct, props: VanillaVolumeHealthGatesProps = {}): VanillaVolumeHealthGates {
  const name = props.name ?? 'vanilla-volume-health';
  const kubeletChart = new Chart(scope, `${name}-node-kubelet`);
  const controlPlaneId = `${name}-control-plane-kubeadm`;
  const controlPlaneChart = new Chart(scope, controlPlaneId);
  const gates = new KubernetesFeatureGates(kubeletChart, 'FeatureGates', {
    kubernetesVersion: props.kubernetesVersion ?? '1.30',
    // CSIVolumeHealth is alpha (FACTS §e, §h): opting in is the point of this chart.
    allowAlphaGates: true,
    gates: {
      CSIVolumeHealth: true,
      ...(props.mutatingAdmissionPolicy ? { MutatingAdmissionPolicy: true } : {}),
    },
    controlPlaneScope: controlPlaneChart,
  });
  if (gates.clusterConfiguration) return { gates, kubeletChart, controlPlaneChart };
  scope.node.tryRemoveChild(controlPlaneId);
  return { gates, kubeletChart };
}
