/**
 * Vanilla feature gates: rendering per version and every check at synth. Expected values come from
 * FACTS §e / §f1 (gate lifecycle, runtime-config) and the kubeadm/kubelet config formats.
 */
import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { describe, expect, test } from 'vitest';
import { KubeConfigMap } from '../src/imports/k8s';
import { KUBERNETES_VERSION_CONTEXT } from '../src/constructs/common/_target';
import { requireAdmissionApi, requireSameCluster, requireTargetRange } from '../src/constructs/feature-gates/_feature-gates';
import { KubernetesFeatureGates, KubernetesFeatureGatesProps } from '../src/constructs/feature-gates/kubernetes-feature-gates';
import { OpenShiftFeatureGate } from '../src/constructs/feature-gates/openshift-feature-gate';
import { OpenShiftFeatureSet, SNAPSHOT_STACK_KUBERNETES } from '../src/catalog';

function gates(props: KubernetesFeatureGatesProps) {
  const chart = Testing.chart();
  const construct = new KubernetesFeatureGates(chart, 'Gates', props);
  const docs = Testing.synth(chart) as any[];
  return {
    construct,
    kubelet: docs.find((d) => d.kind === 'KubeletConfiguration'),
    kubeadm: docs.find((d) => d.kind === 'ClusterConfiguration'),
    docs,
  };
}

describe('rendering', () => {
  test('CSIVolumeHealth on 1.30 reaches only the kubelet config, as a name -> bool map', () => {
    const r = gates({ kubernetesVersion: '1.30', gates: { CSIVolumeHealth: true }, allowAlphaGates: true });
    expect(r.kubelet).toEqual({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', featureGates: { CSIVolumeHealth: true } });
    expect(r.kubeadm).toBeUndefined();
  });

  test('node documents carry no metadata (they are files, not API objects)', () => {
    const r = gates({ kubernetesVersion: '1.34', gates: { MutatingAdmissionPolicy: true, CSIVolumeHealth: true }, allowAlphaGates: true });
    expect(r.docs).toHaveLength(2);
    for (const d of r.docs) expect(d.metadata).toBeUndefined();
  });

  test('vSphere migration on 1.24: kubelet, controller-manager and scheduler, kubeadm v1beta3 map form', () => {
    const r = gates({ kubernetesVersion: '1.24', gates: { CSIMigrationvSphere: true } });
    expect(r.kubelet.featureGates).toEqual({ CSIMigrationvSphere: true });
    expect(r.kubeadm.apiVersion).toBe('kubeadm.k8s.io/v1beta3');
    expect(r.kubeadm.controllerManager).toEqual({ extraArgs: { 'feature-gates': 'CSIMigrationvSphere=true' } });
    expect(r.kubeadm.scheduler).toEqual({ extraArgs: { 'feature-gates': 'CSIMigrationvSphere=true' } });
    expect(r.kubeadm.apiServer).toBeUndefined();
  });

  test('ValidatingAdmissionPolicy on 1.28: apiserver gate plus runtime-config v1beta1, map form', () => {
    const r = gates({ kubernetesVersion: '1.28', gates: { ValidatingAdmissionPolicy: true } });
    expect(r.kubeadm.apiVersion).toBe('kubeadm.k8s.io/v1beta3');
    expect(r.kubeadm.apiServer.extraArgs).toEqual({
      'feature-gates': 'ValidatingAdmissionPolicy=true',
      'runtime-config': 'admissionregistration.k8s.io/v1beta1=true',
    });
    expect(r.kubelet).toBeUndefined();
  });

  test('MutatingAdmissionPolicy on 1.34: kubeadm v1beta4 list form, sorted by flag name', () => {
    const r = gates({ kubernetesVersion: '1.34', gates: { MutatingAdmissionPolicy: true } });
    expect(r.kubeadm.apiVersion).toBe('kubeadm.k8s.io/v1beta4');
    expect(r.kubeadm.apiServer.extraArgs).toEqual([
      { name: 'feature-gates', value: 'MutatingAdmissionPolicy=true' },
      { name: 'runtime-config', value: 'admissionregistration.k8s.io/v1beta1=true' },
    ]);
    expect(r.construct.runtimeConfig).toEqual(['admissionregistration.k8s.io/v1beta1=true']);
  });

  test('kubeadm switches to the list form exactly at 1.31', () => {
    const before = gates({ kubernetesVersion: '1.30', gates: { InTreePluginvSphereUnregister: false } });
    const from = gates({ kubernetesVersion: '1.31', gates: { InTreePluginPortworxUnregister: false } });
    expect(before.kubeadm.apiVersion).toBe('kubeadm.k8s.io/v1beta3');
    expect(from.kubeadm.apiVersion).toBe('kubeadm.k8s.io/v1beta4');
    expect(Array.isArray(from.kubeadm.controllerManager.extraArgs)).toBe(true);
  });

  test('several gates are joined sorted in one --feature-gates value', () => {
    const r = gates({ kubernetesVersion: '1.24', gates: { CSIMigrationvSphere: true, CSIMigrationAzureFile: true } });
    expect(r.kubeadm.controllerManager.extraArgs['feature-gates']).toBe('CSIMigrationAzureFile=true,CSIMigrationvSphere=true');
    expect(Object.keys(r.kubelet.featureGates)).toEqual(['CSIMigrationAzureFile', 'CSIMigrationvSphere']);
  });

  test('an alpha gate set to false (its default) needs no opt-in', () => {
    const r = gates({ kubernetesVersion: '1.30', gates: { CSIVolumeHealth: false } });
    expect(r.kubelet.featureGates).toEqual({ CSIVolumeHealth: false });
  });

  test('the target comes from the context when the prop is unset', () => {
    const app = Testing.app();
    app.node.setContext(KUBERNETES_VERSION_CONTEXT, '1.25');
    const g = new KubernetesFeatureGates(new Chart(app, 'c'), 'Gates', { gates: { CSIMigrationvSphere: true } });
    expect(g.kubernetesMinor).toBe(25);
  });
});

describe('checks at synth', () => {
  test('unknown gate suggests the closest known name', () => {
    expect(() => gates({ kubernetesVersion: '1.24', gates: { CSIMigrationVSphere: true } }))
      .toThrow(/gates 'CSIMigrationVSphere' is not a known feature gate; did you mean 'CSIMigrationvSphere'/);
  });

  test('unknown gate far from any name lists the known ones', () => {
    expect(() => gates({ kubernetesVersion: '1.30', gates: { FooBarBazQux: true } }))
      .toThrow(/gates 'FooBarBazQux' is not a known feature gate; use one of: .*CSIVolumeHealth/);
  });

  test('external-snapshotter gate is explained, not just unknown', () => {
    expect(() => gates({ kubernetesVersion: '1.30', gates: { CSIVolumeGroupSnapshot: true } }))
      .toThrow(/gates 'CSIVolumeGroupSnapshot' is a gate of external-snapshotter .*; remove it from gates/);
  });

  test('gate removed in the target: since when and what to do', () => {
    expect(() => gates({ kubernetesVersion: '1.30', gates: { CSIMigrationvSphere: true } }))
      .toThrow(/gates 'CSIMigrationvSphere' cannot be set on Kubernetes 1\.30: CSIMigrationvSphere was removed after 1\.28.*; vSphere migration is always on.*delete the gate/);
  });

  test('gate removed even when set to false (the component would refuse the name)', () => {
    expect(() => gates({ kubernetesVersion: '1.31', gates: { InTreePluginvSphereUnregister: false } }))
      .toThrow(/InTreePluginvSphereUnregister was removed after 1\.30/);
  });

  test('gate that does not exist yet names its first release', () => {
    expect(() => gates({ kubernetesVersion: '1.29', gates: { MutatingAdmissionPolicy: true } }))
      .toThrow(/gates 'MutatingAdmissionPolicy' does not exist on Kubernetes 1\.29 \(it appeared as alpha in 1\.30\); target 1\.30 or newer/);
  });

  test('locked GA gate set to its default is a no-op with a note', () => {
    const r = gates({ kubernetesVersion: '1.27', gates: { CSIMigrationvSphere: true } });
    expect(r.docs).toHaveLength(0);
    expect(r.construct.notes).toEqual([expect.stringMatching(/CSIMigrationvSphere is GA and locked to true on Kubernetes 1\.27, so it is not rendered/)]);
    expect(r.construct.node.metadata.map((m) => m.data)).toContain(r.construct.notes[0]);
  });

  test('locked GA gate set against the lock fails', () => {
    expect(() => gates({ kubernetesVersion: '1.27', gates: { CSIMigrationvSphere: false } }))
      .toThrow(/gates\.CSIMigrationvSphere false is against the lock: CSIMigrationvSphere is GA since 1\.26 and locked to true on Kubernetes 1\.27; vSphere migration is always on/);
  });

  test('alpha gate needs allowAlphaGates', () => {
    expect(() => gates({ kubernetesVersion: '1.30', gates: { CSIVolumeHealth: true } }))
      .toThrow(/gates\.CSIVolumeHealth true enables a gate that is alpha on Kubernetes 1\.30 .*; set 'allowAlphaGates: true' to accept that/);
  });

  test('deprecated gate needs allowAlphaGates too, and is noted', () => {
    expect(() => gates({ kubernetesVersion: '1.29', gates: { CSIMigrationRBD: true } })).toThrow(/enables a gate that is deprecated on Kubernetes 1\.29/);
    const r = gates({ kubernetesVersion: '1.29', gates: { CSIMigrationRBD: true }, allowAlphaGates: true });
    expect(r.construct.notes.join()).toMatch(/CSIMigrationRBD is deprecated/);
  });

  test('MutatingAdmissionPolicy on 1.30-1.31 has no effect and fails even with the alpha opt-in', () => {
    expect(() => gates({ kubernetesVersion: '1.31', gates: { MutatingAdmissionPolicy: true }, allowAlphaGates: true }))
      .toThrow(/gates\.MutatingAdmissionPolicy true has no effect on Kubernetes 1\.31: no MutatingAdmissionPolicy API is served before 1\.32; target 1\.32/);
  });

  test('a gate value must be a boolean', () => {
    expect(() => gates({ kubernetesVersion: '1.30', gates: { CSIVolumeHealth: 'true' as unknown as boolean } }))
      .toThrow(/gates\.CSIVolumeHealth 'true' is not a boolean; write CSIVolumeHealth: true/);
  });

  test('targets older than 1.23 are refused', () => {
    expect(() => gates({ kubernetesVersion: '1.22', gates: {} }))
      .toThrow(/kubernetesVersion '1\.22' is outside the supported range 1\.23 to 1\.37/);
  });

  test('node configuration next to Kubernetes API objects fails at app synth', () => {
    const app = new App({ outdir: '/tmp/fg-never-written' });
    new KubernetesFeatureGates(new Chart(app, 'node'), 'Gates', { kubernetesVersion: '1.30', gates: { CSIVolumeHealth: true }, allowAlphaGates: true });
    new KubeConfigMap(new Chart(app, 'stack'), 'Cm', { metadata: { name: 'x' } });
    expect(() => app.synthYaml()).toThrow(/node configuration, not API objects, but this app also renders ConfigMap at stack\/Cm; synthesize node configuration with an App of its own/);
  });

  test('node configuration alone in its app synthesizes', () => {
    const app = Testing.app();
    new KubernetesFeatureGates(new Chart(app, 'node'), 'Gates', { kubernetesVersion: '1.30', gates: { CSIVolumeHealth: true }, allowAlphaGates: true });
    expect(app.synthYaml()).toContain('CSIVolumeHealth: true');
  });
});

describe('what other constructs ask of the gates (requireAdmissionApi)', () => {
  /** Stands in for an admission-policy construct. */
  function policyScope(chart: Construct) {
    return new Construct(chart, 'MutatingPolicies');
  }

  test('MutatingAdmissionPolicy v1beta1 without any gate configuration fails', () => {
    const chart = Testing.chart();
    expect(() => requireAdmissionApi(policyScope(chart), 'MutatingAdmissionPolicy', 34))
      .toThrow(/clusterFeatures \(unset\) must be given: MutatingAdmissionPolicy v1beta1 is off on Kubernetes 1\.34 unless kube-apiserver runs with --feature-gates=MutatingAdmissionPolicy=true and --runtime-config=admissionregistration\.k8s\.io\/v1beta1=true; pass a KubernetesFeatureGates/);
  });

  test('gate configuration that does not enable MutatingAdmissionPolicy fails, naming both constructs', () => {
    const chart = Testing.chart();
    const cf = new KubernetesFeatureGates(chart, 'Gates', { kubernetesVersion: '1.34', gates: { CSIVolumeHealth: true }, allowAlphaGates: true });
    expect(() => requireAdmissionApi(policyScope(chart), 'MutatingAdmissionPolicy', 34, cf))
      .toThrow(/MutatingPolicies: clusterFeatures '.*Gates' does not provide the gate MutatingAdmissionPolicy=true and --runtime-config=admissionregistration\.k8s\.io\/v1beta1=true.*add MutatingAdmissionPolicy: true to the gates of .*Gates/);
  });

  test('gate configuration that enables it satisfies the policies', () => {
    const chart = Testing.chart();
    const cf = new KubernetesFeatureGates(chart, 'Gates', { kubernetesVersion: '1.34', gates: { MutatingAdmissionPolicy: true } });
    expect(requireAdmissionApi(policyScope(chart), 'MutatingAdmissionPolicy', 34, cf)).toEqual({
      version: 'v1beta1', gate: 'MutatingAdmissionPolicy', runtimeConfig: 'admissionregistration.k8s.io/v1beta1=true',
    });
  });

  test('v1 needs nothing: MutatingAdmissionPolicy on 1.36, ValidatingAdmissionPolicy on 1.30', () => {
    const chart = Testing.chart();
    expect(requireAdmissionApi(policyScope(chart), 'MutatingAdmissionPolicy', 36)).toEqual({ version: 'v1' });
    expect(requireAdmissionApi(new Construct(chart, 'V'), 'ValidatingAdmissionPolicy', 30)).toEqual({ version: 'v1' });
  });

  test('OpenShift cannot provide --runtime-config', () => {
    const chart = Testing.chart();
    const os = new OpenShiftFeatureGate(chart, 'Os', { openshiftVersion: '4.19', featureSet: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE,
      acknowledgeNoUpgrade: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE, enabled: ['MutatingAdmissionPolicy'], allowAlphaGates: true });
    expect(() => requireAdmissionApi(policyScope(chart), 'MutatingAdmissionPolicy', 32, os))
      .toThrow(/does not provide --runtime-config=admissionregistration\.k8s\.io\/v1alpha1=true.*OpenShift's FeatureGate cannot set --runtime-config/);
  });

  test('gate configuration for another version fails, naming both', () => {
    const chart = Testing.chart();
    const cf = new KubernetesFeatureGates(chart, 'OldGates', { kubernetesVersion: '1.24', gates: { CSIMigrationvSphere: true } });
    expect(() => requireAdmissionApi(policyScope(chart), 'MutatingAdmissionPolicy', 36, cf))
      .toThrow(/clusterFeatures '.*OldGates' targets Kubernetes 1\.24, but MutatingAdmissionPolicy objects at .*MutatingPolicies target 1\.36; one cluster runs one version/);
  });

  test('a 1.30+ construct next to a 1.24 gate configuration names both and the range', () => {
    const chart = Testing.chart();
    const cf = new KubernetesFeatureGates(chart, 'OldGates', { kubernetesVersion: '1.24', gates: { CSIMigrationvSphere: true } });
    expect(() => requireSameCluster(new Construct(chart, 'SnapshotStack'), 'snapshot stack objects', 24, cf, SNAPSHOT_STACK_KUBERNETES))
      .toThrow(/clusterFeatures '.*OldGates' targets Kubernetes 1\.24, but snapshot stack objects at .*SnapshotStack need Kubernetes 1\.30 to 1\.37; upgrade the cluster/);
  });

  test('an old target from the context names the construct and the chart that set it', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'legacy-cluster');
    chart.node.setContext(KUBERNETES_VERSION_CONTEXT, '1.24');
    const policies = new Construct(chart, 'Policies');
    expect(() => requireTargetRange(policies, 'admission policies', 24, SNAPSHOT_STACK_KUBERNETES))
      .toThrow(/kubernetesVersion '1\.24' \(from context 'csi-snapshot-guard:kubernetesVersion' set on legacy-cluster\) is too old for admission policies at legacy-cluster\/Policies, which need Kubernetes 1\.30 to 1\.37/);
    expect(() => requireTargetRange(policies, 'admission policies', 30, SNAPSHOT_STACK_KUBERNETES)).not.toThrow();
  });
});
