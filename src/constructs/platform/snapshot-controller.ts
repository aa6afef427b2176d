import { Construct } from 'constructs';
import {
  Component, FEATURE_DISTRIBUTED_SNAPSHOTTING, ImageRef, imageString, PREVENT_VOLUME_MODE_CONVERSION_FLAG,
  RbacRule, rbacRuleSet, SNAPSHOT_CONTROLLER_DEFAULTS as D, SNAPSHOT_CONTROLLER_FLAGS as F,
  SNAPSHOT_CONTROLLER_NAMES as N,
} from '../../catalog';
import {
  IntOrString, KubeDeployment, KubePodDisruptionBudget, KubeResourceQuota, KubeService, Quantity,
} from '../../imports/k8s';
import { checkResources } from '../common/_quantity';
import { softTopologySpread } from '../common/_scheduling';
import { resolveKubernetesMinor } from '../common/_target';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../common/_security';
import { checkComponentGates, renderFeatureGates } from '../csi-driver/_csi-containers';
import { checkDnsSubdomain, checkInteger, checkProps, PropError, resolveImage } from '../common/_validation';
import { ComponentRbac } from '../common/component-rbac';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';
import { NamespaceRef, namespaceName } from '../common/_subjects';

/** CPU and memory for the controller container. */
export interface ContainerResources {
  /** Requests, e.g. `{ cpu: '10m', memory: '64Mi' }`. */
  readonly requests?: Readonly<Record<string, string>>;
  /** Limits, e.g. `{ memory: '256Mi' }`. */
  readonly limits?: Readonly<Record<string, string>>;
}

/** How the controller's RBAC is rendered; every field is an explicit, reviewable override. */
export interface SnapshotControllerRbacOptions {
  /**
   * Bind an existing ServiceAccount of this name instead of rendering one.
   * @default - a ServiceAccount named `snapshot-controller` is rendered
   */
  readonly existingServiceAccountName?: string;
  /**
   * Replace the catalog's ClusterRole rules. Wildcards are refused.
   * @default - the rules of upstream rbac-snapshot-controller.yaml for the pinned release
   */
  readonly clusterRules?: readonly RbacRule[];
  /**
   * Replace the leader-election Role rules. Wildcards are refused.
   * @default - leases get, watch, list, delete, update, create
   */
  readonly leaderElectionRules?: readonly RbacRule[];
  /** ClusterRole (and ClusterRoleBinding) name. @default 'csi-snapshot-guard-snapshot-controller' */
  readonly clusterRoleName?: string;
  /** Leader-election Role name. @default 'snapshot-controller-leaderelection' */
  readonly leaderElectionRoleName?: string;
}

/** Props of {@link SnapshotController}. */
export interface SnapshotControllerProps extends ObjectLabelsProps {
  /** Namespace of the controller: a name or a cdk8s-plus Namespace. @default 'kube-system' */
  readonly namespace?: NamespaceRef;
  /**
   * Target Kubernetes release (`'1.30'` up to the newest supported minor).
   * @default - the chart's `csi-snapshot-guard:kubernetesVersion` context, else the newest supported minor
   */
  readonly kubernetesVersion?: string;
  /** Controller replicas; leader election is on when > 1. @default 2 */
  readonly replicas?: number;
  /** The controller image. @default - the catalog's pinned release for the target Kubernetes */
  readonly image?: Partial<ImageRef>;
  /**
   * Refuse restores that change the volume mode (`--prevent-volume-mode-conversion=true`, always
   * written explicitly). Turning it off is possible but must be said out loud.
   * @default true
   */
  readonly preventVolumeModeConversion?: boolean;
  /** `--worker-threads`. @default - the controller's default (10) */
  readonly workerThreads?: number;
  /** Log verbosity (`--v`). @default 2 */
  readonly logVerbosity?: number;
  /** Watch Nodes to snapshot node-local volumes (`--enable-distributed-snapshotting`). @default false */
  readonly distributedSnapshotting?: boolean;
  /** `--feature-gates` of the controller, e.g. `{ CSIVolumeGroupSnapshot: true }`. @default - none */
  readonly featureGates?: Readonly<Record<string, boolean>>;
  /**
   * Container resources. Set a memory limit only with headroom measured on your cluster: the
   * controller caches every PV, PVC, VolumeSnapshot and VolumeSnapshotContent.
   * @default - requests 10m CPU / 64Mi memory, no limit
   */
  readonly resources?: ContainerResources;
  /** Priority class of the pods. @default 'system-cluster-critical' */
  readonly priorityClassName?: string;
  /**
   * Spread replicas over nodes and zones (soft constraints, so small clusters still schedule).
   * @default true
   */
  readonly topologySpread?: boolean;
  /** Render a PodDisruptionBudget (minAvailable 1) when replicas > 1. @default true */
  readonly podDisruptionBudget?: boolean;
  /** RBAC overrides. @default - the catalog's rules */
  readonly rbac?: SnapshotControllerRbacOptions;
}

const APP_LABEL = 'app.kubernetes.io/name';

/**
 * The cluster-wide snapshot-controller: Deployment with leader election, metrics Service,
 * PodDisruptionBudget and its RBAC, with volume-mode-conversion protection switched on explicitly.
 */
export class SnapshotController extends Construct {
  /** The controller Deployment. */
  public readonly deployment: KubeDeployment;
  /** Image actually rendered. */
  public readonly image: ImageRef;
  /** Namespace of the controller. */
  public readonly namespace: string;
  /** Container args, in rendered order. */
  public readonly args: readonly string[];
  /**
   * The ResourceQuota that admits the system priority class in the controller's namespace, where
   * clusters limit those classes to namespaces with such a quota (absent in kube-system).
   */
  public readonly criticalPodsQuota?: KubeResourceQuota;

  constructor(scope: Construct, id: string, props: SnapshotControllerProps = {}) {
    super(scope, id);
    checkProps(this, props, 'SnapshotControllerProps');
    const minor = resolveKubernetesMinor(this, props.kubernetesVersion);
    const namespace = namespaceName(this, 'namespace', props.namespace ?? D.namespace);
    const replicas = checkInteger(this, 'replicas', props.replicas ?? D.replicas, 1);
    const protection = props.preventVolumeModeConversion ?? true;
    const image = resolveImage(this, {
      component: Component.SNAPSHOT_CONTROLLER, prop: 'image', override: props.image, kubernetesMinor: minor, protection,
    });
    const leaderElection = replicas > 1;
    const priorityClassName = checkDnsSubdomain(this, 'priorityClassName', props.priorityClassName ?? D.priorityClassName);
    const verbosity = checkInteger(this, 'logVerbosity', props.logVerbosity ?? D.logVerbosity, 0, 10);
    if (props.workerThreads !== undefined) checkInteger(this, 'workerThreads', props.workerThreads, 1);
    this.namespace = namespace;
    this.image = image;

    const ruleSet = rbacRuleSet(Component.SNAPSHOT_CONTROLLER, image.tag);
    const rbac = props.rbac ?? {};
    if (!ruleSet && !rbac.clusterRules) {
      throw new PropError(this, 'image.tag', image.tag, 'has no catalogued RBAC rules (the catalog covers the v8 line)',
        "pin a v8 release or pass 'rbac.clusterRules' with the rules of that release's rbac-snapshot-controller.yaml");
    }
    const distributed = props.distributedSnapshotting ?? false;
    const optionalRules = distributed ? ruleSet?.optional[FEATURE_DISTRIBUTED_SNAPSHOTTING]?.cluster ?? [] : [];
    const serviceAccountName = rbac.existingServiceAccountName ?? N.serviceAccount;
    if (rbac.existingServiceAccountName !== undefined) checkDnsSubdomain(this, 'rbac.existingServiceAccountName', serviceAccountName);
    new ComponentRbac(this, 'Rbac', {
      namespace,
      serviceAccountName,
      createServiceAccount: rbac.existingServiceAccountName === undefined,
      clusterRoleName: checkDnsSubdomain(this, 'rbac.clusterRoleName', rbac.clusterRoleName ?? N.clusterRole),
      clusterRules: rbac.clusterRules ?? [...ruleSet!.cluster, ...optionalRules],
      roleName: checkDnsSubdomain(this, 'rbac.leaderElectionRoleName', rbac.leaderElectionRoleName ?? N.leaderElectionRole),
      // A single replica never elects, so it gets no lease permissions.
      namespacedRules: leaderElection ? rbac.leaderElectionRules ?? ruleSet?.namespaced ?? [] : [],
      labels: { [APP_LABEL]: N.deployment },
      propPath: 'rbac',
    });

    const flags: Record<string, string> = {
      [F.verbosity]: String(verbosity),
      [F.leaderElection]: String(leaderElection),
      [F.httpEndpoint]: `:${D.httpPort}`,
      [PREVENT_VOLUME_MODE_CONVERSION_FLAG]: String(protection),
    };
    if (props.workerThreads !== undefined) flags[F.workerThreads] = String(props.workerThreads);
    if (distributed) flags[F.enableDistributedSnapshotting] = 'true';
    const gates = renderFeatureGates(checkComponentGates(this, 'featureGates', Component.SNAPSHOT_CONTROLLER, image.tag, props.featureGates));
    if (gates) flags[F.featureGates] = gates;
    this.args = Object.keys(flags).sort().map((k) => `${k}=${flags[k]}`);

    const labels = { [APP_LABEL]: N.deployment };
    const resources = props.resources ?? { requests: D.requests };
    const probePath = leaderElection ? D.leaderElectionHealthPath : D.metricsPath;
    this.deployment = new KubeDeployment(this, 'Deployment', {
      metadata: { name: N.deployment, namespace, labels },
      spec: {
        replicas,
        minReadySeconds: D.minReadySeconds,
        revisionHistoryLimit: 5,
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: IntOrString.fromNumber(0), maxUnavailable: IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName,
            priorityClassName,
            securityContext: restrictedPodSecurityContext(D.runAsUser),
            topologySpreadConstraints: (props.topologySpread ?? true) && replicas > 1 ? softTopologySpread(labels) : undefined,
            containers: [{
              name: 'snapshot-controller',
              image: imageString(image),
              imagePullPolicy: 'IfNotPresent',
              args: [...this.args],
              ports: [{ name: 'http', containerPort: D.httpPort, protocol: 'TCP' }],
              livenessProbe: {
                httpGet: { path: probePath, port: IntOrString.fromString('http') },
                initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 10, failureThreshold: 5,
              },
              readinessProbe: {
                httpGet: { path: D.metricsPath, port: IntOrString.fromString('http') },
                periodSeconds: 10, timeoutSeconds: 5,
              },
              resources: toResources(this, resources),
              securityContext: restrictedContainerSecurityContext(),
            }],
          },
        },
      },
    });

    new KubeService(this, 'MetricsService', {
      metadata: { name: `${N.deployment}-metrics`, namespace, labels },
      spec: {
        selector: labels,
        ports: [{ name: 'http', port: D.httpPort, targetPort: IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    if ((props.podDisruptionBudget ?? true) && replicas > 1) {
      new KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
        metadata: { name: N.deployment, namespace, labels },
        spec: {
          minAvailable: IntOrString.fromNumber(1),
          // AlwaysAllow: evicting a Pod that is not Ready costs no availability; the default would let
          // two unready replicas block every node drain.
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
          selector: { matchLabels: labels },
        },
      });
    }

    // Clusters may allow the system-* priority classes only in namespaces whose ResourceQuota names
    // them (GKE does so outside kube-system): without this the Deployment looks applied while no Pod
    // is ever created. Room for twice the replicas covers a rollout.
    if (priorityClassName.startsWith('system-') && namespace !== 'kube-system') {
      this.criticalPodsQuota = new KubeResourceQuota(this, 'CriticalPodsQuota', {
        metadata: { name: `${N.deployment}-critical-pods`, namespace, labels },
        spec: {
          hard: { pods: Quantity.fromString(String(replicas * 2)) },
          scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [priorityClassName] }] },
        },
      });
    }
    labelObjects(this, { name: 'snapshot-controller', component: 'controller' }, props.labels);
  }
}

function toResources(scope: Construct, r: ContainerResources): { requests?: Record<string, Quantity>; limits?: Record<string, Quantity> } {
  checkResources(scope, 'resources', r);
  const conv = (m?: Readonly<Record<string, string>>) =>
    m ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Quantity.fromString(v)])) : undefined;
  return { requests: conv(r.requests), limits: conv(r.limits) };
}

