import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { AlertSeverity, VolumeHealthAlerts, VolumeHealthAlertsProps } from '../src/constructs/monitoring/volume-health-alerts';
import { RECOMMENDED_LABELS } from './support/synth';

function alerts(props: Partial<VolumeHealthAlertsProps> = {}) {
  const chart = Testing.chart();
  const a = new VolumeHealthAlerts(chart, 'Health', { namespace: 'monitoring', ...props });
  const manifest = a.resource.toJson();
  return { manifest, rule: manifest.spec.groups[0].rules[0] };
}

describe('VolumeHealthAlerts', () => {
  test('renders one PrometheusRule in the given namespace', () => {
    const { manifest } = alerts();
    expect(manifest).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule',
      metadata: { name: 'csi-volume-health', namespace: 'monitoring' },
    });
    expect(manifest.spec.groups).toHaveLength(1);
    expect(manifest.spec.groups[0].rules).toHaveLength(1);
  });

  test('up to 1.36 the default alerts per namespace and claim on the kubelet volume gauge (FACTS §h)', () => {
    const { rule } = alerts({ kubernetesVersion: '1.36' });
    expect(rule.expr).toContain('kubelet_volume_stats_health_status_abnormal');
    expect(rule.expr).toMatch(/by \(namespace, persistentvolumeclaim\)/);
    expect(rule.expr).toMatch(/> 0$/);
    expect(rule).toMatchObject({ alert: 'CsiVolumeAbnormal', for: '5m', labels: { severity: 'warning' } });
  });

  test('from 1.37 (the default target) it alerts on csi_node_storage_health_status, which the 1.37 kubelet registers', () => {
    // k8s.io/kubernetes v1.37.2 pkg/kubelet/volumemanager/volumehealth/metrics.go registers this gauge
    // with labels driver_name, status, reason; volume_stats.go no longer has the 1.36 gauge.
    const { rule } = alerts();
    expect(rule.expr).toBe('max by (instance, driver_name, status, reason) (csi_node_storage_health_status) > 0');
    expect(rule).toMatchObject({ alert: 'CsiStorageUnhealthy', for: '5m', labels: { severity: 'warning' } });
    expect(rule.annotations.description).toMatch(/doctor` lists claims/);
  });

  test.each(['1.30', '1.36', '1.37'])('every label the default annotations print on %s is kept by the default aggregation', (kubernetesVersion) => {
    const { rule } = alerts({ kubernetesVersion });
    const kept = /by \(([^)]*)\)/.exec(rule.expr)![1].split(',').map((s: string) => s.trim());
    const printed = [...JSON.stringify(rule.annotations).matchAll(/\$labels\.([a-z_]+)/g)].map((m) => m[1]);
    expect(printed.length).toBeGreaterThan(0);
    for (const label of printed) expect(kept).toContain(label);
  });

  test('the expression is overridable for the metric redesign', () => {
    const expression = 'max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_health_status{status!="Healthy"}) > 0';
    const { rule } = alerts({ expression });
    expect(rule.expr).toBe(expression);
  });

  test('alert name, duration, severity, runbook and texts are settable', () => {
    const { rule } = alerts({
      alertName: 'StorageVolumeUnhealthy', forDuration: '1h30m', severity: AlertSeverity.CRITICAL,
      runbookUrl: 'https://runbooks.example.com/storage/volume', summary: 'S', description: 'D',
    });
    expect(rule).toMatchObject({ alert: 'StorageVolumeUnhealthy', for: '1h30m', labels: { severity: 'critical' } });
    expect(rule.annotations).toEqual({ description: 'D', runbook_url: 'https://runbooks.example.com/storage/volume', summary: 'S' });
    expect(alerts().rule.annotations.runbook_url).toBeUndefined();
  });

  test('labels for the Prometheus ruleSelector are rendered sorted', () => {
    const { manifest } = alerts({ labels: { team: 'storage', release: 'kube-prometheus-stack' } });
    expect(Object.keys(manifest.metadata.labels)).toEqual([...RECOMMENDED_LABELS, 'release', 'team'].sort());
  });

  describe('bad input', () => {
    test('a for-duration that Prometheus cannot parse', () => {
      expect(() => alerts({ forDuration: '5 minutes' })).toThrow(/Health: forDuration '5 minutes' is not a Prometheus duration; write it as units in descending order/);
      expect(() => alerts({ forDuration: '' })).toThrow(/forDuration '' is not a Prometheus duration/);
    });
    test('an alert name with dashes', () => {
      expect(() => alerts({ alertName: 'volume-abnormal' })).toThrow(/alertName 'volume-abnormal' is not a valid alert name; use letters, digits and "_"/);
    });
    test('an empty expression', () => {
      expect(() => alerts({ expression: '  ' })).toThrow(/expression '  ' is empty; leave it unset for the default \(max by/);
    });
    test('a runbook that is not a URL', () => {
      expect(() => alerts({ runbookUrl: 'runbooks/volume.md' })).toThrow(/runbookUrl 'runbooks\/volume.md' is not an http\(s\) URL; link the runbook page/);
    });
    test('a severity outside the enum', () => {
      expect(() => alerts({ severity: 'page' as AlertSeverity })).toThrow(/severity 'page' is not one of 'critical', 'warning', 'info'/);
    });
    test('bad names', () => {
      expect(() => alerts({ namespace: 'Monitoring' })).toThrow(/namespace 'Monitoring' is not a valid DNS-1123 label/);
      expect(() => alerts({ name: 'volume_health' })).toThrow(/name 'volume_health' is not a valid DNS-1123 subdomain/);
    });
  });
});
