import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { MIGRATION_KUBERNETES } from '../../catalog/kubernetes';
import {
  CLAIM_HEALTH_REPORTED_SINCE, DEFAULT_STORAGE_HEALTH_EXPRESSION, DEFAULT_VOLUME_HEALTH_EXPRESSION, PROMETHEUS_RULE_API,
  STORAGE_HEALTH_METRIC, VOLUME_HEALTH_ABNORMAL_METRIC,
} from '../../catalog/volume-health';
import { resolveKubernetesMinor } from '../common/_target';
import { checkEnum } from '../classes/_class-params';
import { checkDnsSubdomain, checkProps, PropError } from '../common/_validation';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';
import type { EnumValue } from '../common/_enum';
import { NamespaceRef, namespaceName } from '../common/_subjects';

/** The `severity` label of an alert, as Alertmanager routes commonly match it. */
export enum AlertSeverity {
  CRITICAL = 'critical',
  WARNING = 'warning',
  INFO = 'info',
}

/** Props of {@link VolumeHealthAlerts}. */
export interface VolumeHealthAlertsProps extends ObjectLabelsProps {
  /**
   * Target Kubernetes release: it decides what the alert reads (see the class comment).
   * @default - the chart's `csi-snapshot-guard:kubernetesVersion` context, else the newest supported minor
   */
  readonly kubernetesVersion?: string;
  /** Namespace of the PrometheusRule (one the Prometheus operator's ruleNamespaceSelector covers): a name or a cdk8s-plus Namespace. */
  readonly namespace: NamespaceRef;
  /** Name of the PrometheusRule. @default 'csi-volume-health' */
  readonly name?: string;
  /**
   * Labels of the PrometheusRule; set the ones your Prometheus `ruleSelector` matches
   * (e.g. `{ release: 'kube-prometheus-stack' }`), or the rule is never loaded.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /** Name of the rule group. @default 'csi-volume-health' */
  readonly groupName?: string;
  /** Name of the alert. @default - 'CsiStorageUnhealthy' from 1.37, 'CsiVolumeAbnormal' before */
  readonly alertName?: string;
  /**
   * PromQL expression; every series it returns is one firing alert. The default reads what the
   * target's kubelets emit: from 1.37 DEFAULT_STORAGE_HEALTH_EXPRESSION (`csi_node_storage_health_status`,
   * per kubelet, driver and condition), before that DEFAULT_VOLUME_HEALTH_EXPRESSION
   * (`kubelet_volume_stats_health_status_abnormal`, per claim). When you override it, override
   * `summary` and `description` too if your series lack the labels the default texts print.
   * @default - the target's expression, as above
   */
  readonly expression?: string;
  /** How long the condition must hold before the alert fires (Prometheus duration). @default '5m' */
  readonly forDuration?: string;
  /** The alert's `severity` label. @default AlertSeverity.WARNING */
  readonly severity?: EnumValue<AlertSeverity>;
  /** Link to your runbook, rendered as the `runbook_url` annotation. @default - no runbook_url annotation */
  readonly runbookUrl?: string;
  /** The `summary` annotation (Prometheus template). @default - names the namespace and claim */
  readonly summary?: string;
  /** The `description` annotation (Prometheus template). @default - explains where to look next */
  readonly description?: string;
}

const PROMETHEUS_DURATION = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;
const ALERT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A monitoring.coreos.com/v1 PrometheusRule that alerts on the volume health the target's kubelets
 * really emit (catalog volume-health.ts says where each fact comes from):
 * - up to 1.36, `kubelet_volume_stats_health_status_abnormal`: the volume behind a claim is abnormal;
 * - from 1.37, where that gauge is gone, `csi_node_storage_health_status`: a CSI node plugin reports
 *   its storage backend unreachable or degraded on a node. Claim-level health lives in the claims'
 *   `status.healthStatus`, which no metric carries; `doctor` lists those claims.
 *
 * Off unless a chart creates it. Either metric needs the kubelets' alpha `CSIVolumeHealth` gate (on
 * 1.37 the API server's too, for claim status; see vanillaVolumeHealthGates) and a driver that
 * reports health; the Prometheus operator CRDs must be installed.
 */
export class VolumeHealthAlerts extends Construct {
  /** The rendered PrometheusRule. */
  public readonly resource: ApiObject;
  /** The alert expression in use. */
  public readonly expression: string;
  /** The kubelet metric the default expression reads on the target. */
  public readonly metric: string;

  constructor(scope: Construct, id: string, props: VolumeHealthAlertsProps) {
    super(scope, id);
    checkProps(this, props, 'VolumeHealthAlertsProps');
    const namespace = namespaceName(this, 'namespace', props.namespace);
    const name = checkDnsSubdomain(this, 'name', props.name ?? 'csi-volume-health');
    const groupName = props.groupName ?? 'csi-volume-health';
    if (typeof groupName !== 'string' || groupName.trim() === '') {
      throw new PropError(this, 'groupName', groupName, 'is empty', 'give the rule group a name, e.g. csi-volume-health');
    }
    const minor = resolveKubernetesMinor(this, props.kubernetesVersion, MIGRATION_KUBERNETES);
    const redesigned = minor >= CLAIM_HEALTH_REPORTED_SINCE;
    /** The metric the default expression reads on this target. */
    this.metric = redesigned ? STORAGE_HEALTH_METRIC : VOLUME_HEALTH_ABNORMAL_METRIC;
    const alertName = props.alertName ?? (redesigned ? 'CsiStorageUnhealthy' : 'CsiVolumeAbnormal');
    if (typeof alertName !== 'string' || !ALERT_NAME.test(alertName)) {
      throw new PropError(this, 'alertName', alertName, 'is not a valid alert name',
        'use letters, digits and "_", not starting with a digit, e.g. CsiVolumeAbnormal');
    }
    const forDuration = props.forDuration ?? '5m';
    if (typeof forDuration !== 'string' || forDuration === '' || !PROMETHEUS_DURATION.test(forDuration)) {
      throw new PropError(this, 'forDuration', forDuration, 'is not a Prometheus duration',
        'write it as units in descending order without spaces, e.g. "5m", "1h30m" or "90s"');
    }
    const severity = checkEnum(this, 'severity', props.severity ?? AlertSeverity.WARNING, AlertSeverity);
    const defaultExpression = redesigned ? DEFAULT_STORAGE_HEALTH_EXPRESSION : DEFAULT_VOLUME_HEALTH_EXPRESSION;
    this.expression = props.expression ?? defaultExpression;
    if (typeof this.expression !== 'string' || this.expression.trim() === '') {
      throw new PropError(this, 'expression', props.expression, 'is empty',
        `leave it unset for the default (${defaultExpression}) or give a PromQL expression`);
    }
    if (props.runbookUrl !== undefined && !/^https?:\/\/\S+$/.test(props.runbookUrl)) {
      throw new PropError(this, 'runbookUrl', props.runbookUrl, 'is not an http(s) URL',
        'link the runbook page, e.g. https://runbooks.example.com/storage/volume-abnormal');
    }

    const annotations: Record<string, string> = redesigned ? {
      description: props.description ??
        'The CSI driver {{ $labels.driver_name }} reports its storage {{ $labels.status }} ({{ $labels.reason }}) on the node of ' +
        `kubelet {{ $labels.instance }} (${STORAGE_HEALTH_METRIC}). Volumes of that driver on that node may be unusable. The node's ` +
        'CSINode status.storageHealth has the message; `csi-snapshot-guard doctor` lists claims whose volumes report a condition.',
      ...(props.runbookUrl !== undefined ? { runbook_url: props.runbookUrl } : {}),
      summary: props.summary ?? 'CSI driver {{ $labels.driver_name }}: {{ $labels.status }} on {{ $labels.instance }}',
    } : {
      description: props.description ??
        'The CSI driver reports the volume of claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} as unhealthy ' +
        `(${VOLUME_HEALTH_ABNORMAL_METRIC} is 1). Look at the claim's and its Pods' VolumeConditionAbnormal events for the driver's ` +
        'message, then at the driver logs; data on the volume may be at risk.',
      ...(props.runbookUrl !== undefined ? { runbook_url: props.runbookUrl } : {}),
      summary: props.summary ?? 'Volume of PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is abnormal',
    };

    this.resource = new ApiObject(this, 'Resource', {
      ...PROMETHEUS_RULE_API,
      metadata: {
        name,
        namespace,
        ...(props.labels ? { labels: Object.fromEntries(Object.keys(props.labels).sort().map((k) => [k, props.labels![k]])) } : {}),
      },
      spec: {
        groups: [{
          name: groupName,
          rules: [{
            alert: alertName,
            expr: this.expression,
            for: forDuration,
            labels: { severity },
            annotations,
          }],
        }],
      },
    });
    labelObjects(this, { name: 'volume-health-alerts', component: 'monitoring' }, props.labels);
  }
}
