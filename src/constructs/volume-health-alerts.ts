import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { DEFAULT_VOLUME_HEALTH_EXPRESSION, PROMETHEUS_RULE_API, VOLUME_HEALTH_ABNORMAL_METRIC } from '../catalog/volume-health';
import { checkEnum } from './_class-params';
import { checkDnsLabel, checkDnsSubdomain, PropError } from './_validation';
import { labelObjects, ObjectLabelsProps } from './_labels';

/** The `severity` label of an alert, as Alertmanager routes commonly match it. */
export enum AlertSeverity {
  CRITICAL = 'critical',
  WARNING = 'warning',
  INFO = 'info',
}

/** Props of {@link VolumeHealthAlerts}. */
export interface VolumeHealthAlertsProps extends ObjectLabelsProps {
  /** Namespace of the PrometheusRule (one the Prometheus operator's ruleNamespaceSelector covers). */
  readonly namespace: string;
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
  /** Name of the alert. @default 'CsiVolumeAbnormal' */
  readonly alertName?: string;
  /**
   * PromQL expression; every series it returns is one firing alert. The default,
   * DEFAULT_VOLUME_HEALTH_EXPRESSION, reads `kubelet_volume_stats_health_status_abnormal` per
   * namespace and claim. That metric is alpha and slated to disappear with the KEP-1432 redesign
   * (targeting Kubernetes 1.37): override the expression when your cluster reports volume health
   * differently. Keep the `namespace` and `persistentvolumeclaim` labels, or override
   * `summary`/`description` too, since the default texts print them.
   * @default DEFAULT_VOLUME_HEALTH_EXPRESSION
   */
  readonly expression?: string;
  /** How long the condition must hold before the alert fires (Prometheus duration). @default '5m' */
  readonly forDuration?: string;
  /** The alert's `severity` label. @default AlertSeverity.WARNING */
  readonly severity?: AlertSeverity;
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
 * A monitoring.coreos.com/v1 PrometheusRule that alerts when the kubelet reports the volume behind
 * a PersistentVolumeClaim as abnormal (FACTS §h). It turns the `VolumeConditionAbnormal` events
 * of the health monitor into an alert someone is paged for.
 *
 * Off unless a chart creates it. For the metric to exist, the kubelets need the alpha
 * `CSIVolumeHealth` feature gate (see KubernetesFeatureGates) and the driver must report volume
 * conditions (VOLUME_CONDITION capability); the Prometheus operator CRDs must be installed.
 */
export class VolumeHealthAlerts extends Construct {
  /** The rendered PrometheusRule. */
  public readonly resource: ApiObject;
  /** The alert expression in use. */
  public readonly expression: string;

  constructor(scope: Construct, id: string, props: VolumeHealthAlertsProps) {
    super(scope, id);
    const namespace = checkDnsLabel(this, 'namespace', props.namespace);
    const name = checkDnsSubdomain(this, 'name', props.name ?? 'csi-volume-health');
    const groupName = props.groupName ?? 'csi-volume-health';
    if (typeof groupName !== 'string' || groupName.trim() === '') {
      throw new PropError(this, 'groupName', groupName, 'is empty', 'give the rule group a name, e.g. csi-volume-health');
    }
    const alertName = props.alertName ?? 'CsiVolumeAbnormal';
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
    this.expression = props.expression ?? DEFAULT_VOLUME_HEALTH_EXPRESSION;
    if (typeof this.expression !== 'string' || this.expression.trim() === '') {
      throw new PropError(this, 'expression', props.expression, 'is empty',
        `leave it unset for the default (${DEFAULT_VOLUME_HEALTH_EXPRESSION}) or give a PromQL expression`);
    }
    if (props.runbookUrl !== undefined && !/^https?:\/\/\S+$/.test(props.runbookUrl)) {
      throw new PropError(this, 'runbookUrl', props.runbookUrl, 'is not an http(s) URL',
        'link the runbook page, e.g. https://runbooks.example.com/storage/volume-abnormal');
    }

    const annotations: Record<string, string> = {
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
