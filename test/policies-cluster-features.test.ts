/**
 * The admission policies linked to the cluster's gate configuration (`clusterFeatures`). Expected
 * API versions and flags come from FACTS §f1: MutatingAdmissionPolicy v1beta1 (1.34-1.35) is served
 * only with the gate MutatingAdmissionPolicy=true plus
 * --runtime-config=admissionregistration.k8s.io/v1beta1=true, v1 (1.36) needs nothing; and from
 * FACTS §g1/§g2: OpenShift's FeatureGate sets gates but has no runtime-config field, and 4.20 ships
 * Kubernetes 1.33.
 */
import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { OpenShiftFeatureSet } from '../src/catalog';
import { AdmissionPolicy } from '../src/constructs/guard/admission-policy';
import { KubernetesFeatureGates, KubernetesFeatureGatesProps } from '../src/constructs/feature-gates/kubernetes-feature-gates';
import { OpenShiftFeatureGate } from '../src/constructs/feature-gates/openshift-feature-gate';
import { KUBERNETES_VERSION_CONTEXT } from '../src/constructs/common/_target';
import { VolumeModeGuard, VolumeModeGuardProps } from '../src/constructs/guard/volume-mode-guard';
import { MUTATING_POLICIES, VALIDATING_POLICIES } from '../src/policies';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string> } };

const BETA_FLAGS = /--feature-gates=MutatingAdmissionPolicy=true --runtime-config=admissionregistration\.k8s\.io\/v1beta1=true/;

/** Node configuration lives in an App of its own (it must not sit next to API objects). */
function clusterGates(props: KubernetesFeatureGatesProps): KubernetesFeatureGates {
  return new KubernetesFeatureGates(new Chart(new App(), 'node-config'), 'Gates', props);
}

function policiesChart(): Chart {
  return new Chart(Testing.app(), 'policies');
}

function synthGuard(props: VolumeModeGuardProps): Obj[] {
  const chart = policiesChart();
  new VolumeModeGuard(chart, 'Guard', props);
  return Testing.synth(chart) as Obj[];
}

const mutating = (objs: Obj[]) => objs.filter((o) => o.kind.startsWith('MutatingAdmissionPolicy'));

describe('MutatingAdmissionPolicy v1beta1 on 1.34/1.35 with clusterFeatures', () => {
  it('renders v1beta1 without allowBetaMutatingApi when the gates turn on MutatingAdmissionPolicy (and so its runtime-config)', () => {
    const cf = clusterGates({ kubernetesVersion: '1.34', gates: { MutatingAdmissionPolicy: true } });
    expect(cf.runtimeConfig).toEqual(['admissionregistration.k8s.io/v1beta1=true']);
    const objs = synthGuard({ kubernetesVersion: '1.34', clusterFeatures: cf });
    expect(mutating(objs).map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(Object.values(MUTATING_POLICIES)
      .flatMap((d) => [`MutatingAdmissionPolicy/${d.name}`, `MutatingAdmissionPolicyBinding/${d.name}-binding`]).sort());
    for (const o of mutating(objs)) {
      expect(o.apiVersion).toBe('admissionregistration.k8s.io/v1beta1');
      // The objects still say what the API server needs, for whoever reads the manifests.
      expect(Object.values(o.metadata.annotations ?? {}).join(' ')).toMatch(BETA_FLAGS);
    }
  });

  it('also counts as the opt-in for a single AdmissionPolicy on 1.35', () => {
    const cf = clusterGates({ kubernetesVersion: '1.35', gates: { MutatingAdmissionPolicy: true } });
    const chart = policiesChart();
    const p = new AdmissionPolicy(chart, 'P', { definition: MUTATING_POLICIES.addProtectionFlag, kubernetesVersion: '1.35', clusterFeatures: cf });
    expect(p.apiVersion).toBe('v1beta1');
    expect((Testing.synth(chart) as Obj[]).map((o) => o.apiVersion)).toEqual([
      'admissionregistration.k8s.io/v1beta1', 'admissionregistration.k8s.io/v1beta1',
    ]);
  });

  it('leaves the mutating policies out by default when the gates do not turn the API on', () => {
    const cf = clusterGates({ kubernetesVersion: '1.34', gates: { CSIVolumeHealth: true }, allowAlphaGates: true });
    const objs = synthGuard({ kubernetesVersion: '1.34', clusterFeatures: cf });
    expect(mutating(objs)).toEqual([]);
    expect(objs.filter((o) => o.kind === 'ValidatingAdmissionPolicy')).toHaveLength(Object.keys(VALIDATING_POLICIES).length);
  });

  it('still renders from allowBetaMutatingApi alone (API server configured elsewhere)', () => {
    const objs = synthGuard({ kubernetesVersion: '1.34', allowBetaMutatingApi: true });
    expect(mutating(objs).map((o) => o.apiVersion)).toContain('admissionregistration.k8s.io/v1beta1');
  });
});

describe('requests that contradict the gate configuration fail, naming both constructs', () => {
  const noGate = () => clusterGates({ kubernetesVersion: '1.34', gates: { CSIVolumeHealth: true }, allowAlphaGates: true });

  it('mutatingPolicies: true without the gate names the gate, the runtime-config and the fix', () => {
    expect(() => synthGuard({ kubernetesVersion: '1.34', mutatingPolicies: true, clusterFeatures: noGate() }))
      .toThrow(/^policies\/Guard: clusterFeatures 'node-config\/Gates' does not provide the gate MutatingAdmissionPolicy=true and --runtime-config=admissionregistration\.k8s\.io\/v1beta1=true: .*; add MutatingAdmissionPolicy: true to the gates of node-config\/Gates/);
  });

  it('allowBetaMutatingApi: true is no way around a gate configuration that leaves the API off', () => {
    expect(() => synthGuard({ kubernetesVersion: '1.34', allowBetaMutatingApi: true, clusterFeatures: noGate() }))
      .toThrow(/^policies\/Guard: clusterFeatures 'node-config\/Gates' does not provide the gate MutatingAdmissionPolicy=true/);
  });

  it('a single mutating AdmissionPolicy without the gate fails the same way', () => {
    const chart = policiesChart();
    expect(() => new AdmissionPolicy(chart, 'AddFlag', { definition: MUTATING_POLICIES.addProtectionFlag, kubernetesVersion: '1.34', clusterFeatures: noGate() }))
      .toThrow(/^policies\/AddFlag: clusterFeatures 'node-config\/Gates' does not provide the gate MutatingAdmissionPolicy=true and --runtime-config=admissionregistration\.k8s\.io\/v1beta1=true.*; add MutatingAdmissionPolicy: true to the gates of node-config\/Gates/);
  });

  it('a gate turned off explicitly is named the same way', () => {
    const cf = clusterGates({ kubernetesVersion: '1.35', gates: { MutatingAdmissionPolicy: false } });
    expect(() => synthGuard({ kubernetesVersion: '1.35', mutatingPolicies: true, clusterFeatures: cf }))
      .toThrow(/clusterFeatures 'node-config\/Gates' does not provide the gate MutatingAdmissionPolicy=true and --runtime-config/);
  });
});

describe('one cluster, one version', () => {
  it('gates for another minor in the supported range fail, naming both and the fix', () => {
    const cf = clusterGates({ kubernetesVersion: '1.35', gates: { MutatingAdmissionPolicy: true } });
    expect(() => synthGuard({ kubernetesVersion: '1.34', clusterFeatures: cf }))
      .toThrow(/^policies\/Guard: clusterFeatures 'node-config\/Gates' targets Kubernetes 1\.35, but admission policies at policies\/Guard target 1\.34; one cluster runs one version; set the same kubernetesVersion/);
  });

  it('gates for a pre-1.30 cluster fail with the range the policies need', () => {
    const cf = clusterGates({ kubernetesVersion: '1.24', gates: { CSIMigrationvSphere: true } });
    expect(() => synthGuard({ kubernetesVersion: '1.36', clusterFeatures: cf }))
      .toThrow(/^policies\/Guard: clusterFeatures 'node-config\/Gates' targets Kubernetes 1\.24, but admission policies at policies\/Guard need Kubernetes 1\.30 to 1\.37; upgrade the cluster/);
  });

  it('a single AdmissionPolicy checks it too', () => {
    const cf = clusterGates({ kubernetesVersion: '1.30', gates: { CSIVolumeHealth: true }, allowAlphaGates: true });
    expect(() => new AdmissionPolicy(policiesChart(), 'Require', { definition: VALIDATING_POLICIES.requireSourceVolumeMode, kubernetesVersion: '1.31', clusterFeatures: cf }))
      .toThrow(/^policies\/Require: clusterFeatures 'node-config\/Gates' targets Kubernetes 1\.30, but ValidatingAdmissionPolicy objects at policies\/Require target 1\.31/);
  });
});

describe('OpenShift', () => {
  /** OpenShift 4.20 ships Kubernetes 1.33, where MutatingAdmissionPolicy is alpha (v1alpha1). */
  const openShiftWithMap = () => new OpenShiftFeatureGate(new Chart(new App(), 'cluster-config'), 'FeatureGate', {
    openshiftVersion: '4.20', featureSet: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE, acknowledgeNoUpgrade: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE,
    enabled: ['MutatingAdmissionPolicy'], allowAlphaGates: true,
  });

  it('cannot provide the runtime-config a pre-v1 MutatingAdmissionPolicy needs, and says so', () => {
    expect(() => synthGuard({ kubernetesVersion: '1.33', mutatingPolicies: true, clusterFeatures: openShiftWithMap() }))
      .toThrow(/^policies\/Guard: clusterFeatures 'cluster-config\/FeatureGate' does not provide --runtime-config=admissionregistration\.k8s\.io\/v1alpha1=true: .*; OpenShift's FeatureGate cannot set --runtime-config/);
  });

  it('a single mutating AdmissionPolicy gets the OpenShift reason, not a version hint', () => {
    expect(() => new AdmissionPolicy(policiesChart(), 'AddFlag', { definition: MUTATING_POLICIES.addProtectionFlag, kubernetesVersion: '1.33', clusterFeatures: openShiftWithMap() }))
      .toThrow(/^policies\/AddFlag: clusterFeatures 'cluster-config\/FeatureGate' does not provide --runtime-config=.*OpenShift's FeatureGate cannot set --runtime-config/);
  });

  it('the validating policies (v1, on by default since 1.30) need nothing from it', () => {
    const objs = synthGuard({ kubernetesVersion: '1.33', clusterFeatures: openShiftWithMap() });
    expect(objs.filter((o) => o.kind === 'ValidatingAdmissionPolicy').map((o) => o.apiVersion))
      .toEqual(Object.keys(VALIDATING_POLICIES).map(() => 'admissionregistration.k8s.io/v1'));
    expect(mutating(objs)).toEqual([]);
  });
});

describe('1.36: MutatingAdmissionPolicy v1 is on by default', () => {
  it('renders v1 with a gate configuration that sets nothing for it', () => {
    const cf = clusterGates({ kubernetesVersion: '1.36', gates: { CSIVolumeHealth: true }, allowAlphaGates: true });
    expect(cf.runtimeConfig).toEqual([]);
    const objs = synthGuard({ kubernetesVersion: '1.36', clusterFeatures: cf });
    expect(mutating(objs).length).toBe(2 * Object.keys(MUTATING_POLICIES).length);
    for (const o of mutating(objs)) {
      expect(o.apiVersion).toBe('admissionregistration.k8s.io/v1');
      expect(o.metadata.annotations).toBeUndefined();
    }
  });
});

describe('an older target inherited from the context', () => {
  it('names the guard, the target and the chart that set it', () => {
    const chart = new Chart(Testing.app(), 'legacy-cluster');
    chart.node.setContext(KUBERNETES_VERSION_CONTEXT, '1.24');
    expect(() => new VolumeModeGuard(chart, 'Guard'))
      .toThrow(/^legacy-cluster\/Guard: kubernetesVersion '1\.24' \(from context 'csi-snapshot-guard:kubernetesVersion' set on legacy-cluster\) is too old for admission policies at legacy-cluster\/Guard, which need Kubernetes 1\.30 to 1\.37; render admission policies only for clusters on 1\.30 to 1\.37, or raise the target/);
  });

  it('names a single AdmissionPolicy and its kind', () => {
    const app = Testing.app();
    app.node.setContext(KUBERNETES_VERSION_CONTEXT, '1.29');
    expect(() => new AdmissionPolicy(new Chart(app, 'c'), 'Require', { definition: VALIDATING_POLICIES.requireSourceVolumeMode }))
      .toThrow(/^c\/Require: kubernetesVersion '1\.29' \(from context 'csi-snapshot-guard:kubernetesVersion' set on \(app\)\) is too old for ValidatingAdmissionPolicy objects at c\/Require/);
  });

  it('an explicit prop keeps the plain range error', () => {
    expect(() => synthGuard({ kubernetesVersion: '1.29' })).toThrow(/kubernetesVersion '1\.29' is outside the supported range 1\.30 to 1\.37/);
  });
});

describe('1.36+: MutatingAdmissionPolicy is GA but not locked', () => {
  it('gates that switch it off contradict the mutating policies; leaving them out (or the gate) synthesizes', () => {
    const cf = clusterGates({ kubernetesVersion: '1.37', gates: { MutatingAdmissionPolicy: false } });
    expect(() => synthGuard({ kubernetesVersion: '1.37', clusterFeatures: cf }))
      .toThrow(/clusterFeatures '.*' switches MutatingAdmissionPolicy off, so kube-apiserver 1\.37 would not serve the MutatingAdmissionPolicy v1 objects rendered here/);
    const cf2 = clusterGates({ kubernetesVersion: '1.37', gates: { MutatingAdmissionPolicy: false } });
    expect(() => synthGuard({ kubernetesVersion: '1.37', clusterFeatures: cf2, mutatingPolicies: false })).not.toThrow();
  });
});
