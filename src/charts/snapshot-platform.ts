import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { formatKubernetesMinor, SNAPSHOT_STACK_KUBERNETES } from '../catalog';
import { KubeNamespace } from '../imports/k8s';
import { KUBERNETES_VERSION_CONTEXT, resolveKubernetesMinor } from '../constructs/_target';
import { checkDnsLabel } from '../constructs/_validation';
import { SnapshotController, SnapshotControllerProps } from '../constructs/snapshot-controller';
import { SnapshotCrds } from '../constructs/snapshot-crds';

/** Props of {@link SnapshotPlatformChart}. */
export interface SnapshotPlatformChartProps extends ChartProps {
  /**
   * Target Kubernetes release for every construct in the chart (`'1.30'` to `'1.36'`).
   * @default '1.36'
   */
  readonly kubernetesVersion?: string;
  /**
   * Namespace rendered for the controller, labelled to enforce Pod Security "restricted".
   * @default 'snapshot-system'
   */
  readonly namespace?: string;
  /** Render the group snapshot CRDs too. @default false */
  readonly groupSnapshots?: boolean;
  /** snapshot-controller settings (its namespace is the chart's). @default - the construct's defaults */
  readonly controller?: Omit<SnapshotControllerProps, 'namespace' | 'kubernetesVersion'>;
}

/**
 * The default snapshot platform: a restricted namespace, the snapshot CRDs (with
 * `spec.sourceVolumeMode`) and the snapshot-controller with the protection flag written out.
 */
export class SnapshotPlatformChart extends Chart {
  /** Namespace of the controller. */
  public readonly namespace: string;
  /** The snapshot CRDs. */
  public readonly crds: SnapshotCrds;
  /** The snapshot-controller. */
  public readonly controller: SnapshotController;

  constructor(scope: Construct, id: string, props: SnapshotPlatformChartProps = {}) {
    super(scope, id, props);
    const version = props.kubernetesVersion ?? formatKubernetesMinor(SNAPSHOT_STACK_KUBERNETES.default);
    if (props.kubernetesVersion !== undefined) this.node.setContext(KUBERNETES_VERSION_CONTEXT, version);
    resolveKubernetesMinor(this, props.kubernetesVersion);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'snapshot-system');

    const ns = new KubeNamespace(this, 'Namespace', {
      metadata: {
        name: this.namespace,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
    this.crds = new SnapshotCrds(this, 'Crds', { groupSnapshots: props.groupSnapshots ?? false });
    this.controller = new SnapshotController(this, 'SnapshotController', { ...props.controller, namespace: this.namespace });
    // Apply order: the namespace and CRDs exist before the controller starts watching them.
    this.controller.node.addDependency(ns, this.crds);
  }
}
