/**
 * Lifecycle of the Kubernetes feature gates this project turns on or warns about: when each gate
 * was alpha, beta and GA, its default in each phase, the last release that still accepts the name,
 * and which components read it. Source: ../shared/reference/FACTS.md §e (and §f1, §h), which cites
 * the kubernetes/website feature-gate pages (KW content/en/docs/reference/command-line-tools-reference/feature-gates/<Name>.md).
 *
 * The GA phases are marked `locked`: Kubernetes locks a graduated gate to its default. FACTS states
 * the lock outright only for CSIMigrationPortworx and StrictCostEnforcementForVAP; for the other GA
 * gates it follows the graduation convention (UNCONFIRMED per gate). Being wrong here only makes us
 * refuse to switch a GA feature off, which is the safe direction.
 */
import { AdmissionApiOffer, mutatingAdmissionPolicyApi, validatingAdmissionPolicyApi } from './kubernetes';
import { closestName } from './_names';

/** A Kubernetes component that reads feature gates. */
export enum GateComponent {
  /** Control plane: `--feature-gates` and `--runtime-config` flags. */
  KUBE_APISERVER = 'kube-apiserver',
  /** Control plane: `--feature-gates` flag. */
  KUBE_CONTROLLER_MANAGER = 'kube-controller-manager',
  /** Control plane: `--feature-gates` flag. */
  KUBE_SCHEDULER = 'kube-scheduler',
  /** Every node: `featureGates` in the KubeletConfiguration file. */
  KUBELET = 'kubelet',
}

/** Maturity of a gate in one phase of its life. */
export enum GateMaturity {
  /** Off by default; may change or vanish between releases. */
  ALPHA = 'alpha',
  /** Well tested; on or off by default depending on the gate and release. */
  BETA = 'beta',
  /** Graduated: locked to on, and removed a few releases later. */
  GA = 'GA',
  /** Still accepted, on its way out; treated like alpha (needs an explicit opt-in to enable). */
  DEPRECATED = 'deprecated',
}

/** One phase of a gate, from `since` until the next phase starts (or the gate is removed). */
export interface GatePhase {
  readonly maturity: GateMaturity;
  /** First Kubernetes minor of the phase. */
  readonly since: number;
  /** Value the gate has when nobody sets it. */
  readonly defaultOn: boolean;
  /** True when the gate cannot be set to anything but its default. */
  readonly locked?: boolean;
}

/** The API group/version a gate needs `--runtime-config` for on kube-apiserver. */
export type AdmissionApiOfferFn = (minor: number) => AdmissionApiOffer | undefined;

/** Everything the project knows about one feature gate. */
export interface FeatureGateLifecycle {
  /** Gate name, exactly as the components spell it. */
  readonly name: string;
  /** Phases in ascending order of `since`. */
  readonly phases: readonly GatePhase[];
  /** Last minor that still accepts the name; unset while the gate is still accepted. */
  readonly lastAccepted?: number;
  /** Why the end of the gate is uncertain, when it is. */
  readonly removalNote?: string;
  /** Components whose `--feature-gates` / `featureGates` the gate belongs to. */
  readonly components: readonly GateComponent[];
  /** Components that read the gate only from some minor on (use `gateComponents`). */
  readonly componentsFrom?: readonly { readonly since: number; readonly components: readonly GateComponent[] }[];
  /** What to do once the gate is locked or gone, in one sentence. */
  readonly afterGraduation: string;
  /**
   * For admission-policy gates: the `admissionregistration.k8s.io` version served on a minor and
   * whether it also needs `--runtime-config`. Derived from the catalog's API table, not repeated.
   */
  readonly admissionApi?: AdmissionApiOfferFn;
  /** Where the row comes from. */
  readonly source: string;
}

/** API group of the admission-policy APIs, used to build `--runtime-config` entries. */
export const ADMISSION_API_GROUP = 'admissionregistration.k8s.io';

const KW = (gate: string) => `FACTS §e; KW feature-gates/${gate}.md`;

// CSIMigration* gates were read by kube-controller-manager and kubelet (KEP-625). The scheduler's
// use is UNCONFIRMED (FACTS §e), but every kube component registers the same gate list, so listing
// it is harmless and matches the field report (SCENARIOS §5: kubelet, controller-manager, scheduler).
const MIGRATION_COMPONENTS = [GateComponent.KUBE_CONTROLLER_MANAGER, GateComponent.KUBE_SCHEDULER, GateComponent.KUBELET] as const;
// The in-tree "Unregister" gates switch the plugin off where volumes are attached and mounted
// (KEP-625 design; component list UNCONFIRMED beyond controller-manager and kubelet).
const UNREGISTER_COMPONENTS = [GateComponent.KUBE_CONTROLLER_MANAGER, GateComponent.KUBELET] as const;

function unregisterGate(provider: string, lastAccepted: number): FeatureGateLifecycle {
  return {
    name: `InTreePlugin${provider}Unregister`,
    phases: [{ maturity: GateMaturity.ALPHA, since: 21, defaultOn: false }],
    lastAccepted,
    components: UNREGISTER_COMPONENTS,
    afterGraduation: `the in-tree ${provider} plugin is gone from Kubernetes, so there is nothing left to unregister: delete the gate`,
    source: `FACTS §e row InTreePlugin{AWS,GCE,AzureDisk,AzureFile,OpenStack,vSphere}Unregister (alpha 1.21-1.30, off)`,
  };
}

/** The catalogued Kubernetes feature gates (look them up with `featureGate(name)`). */
export const FEATURE_GATES: readonly FeatureGateLifecycle[] = [
  {
    // Alpha 1.18, beta 1.24 (on), GA 1.33 (locked), last accepted 1.36, removed in 1.37 (FACTS §0.1;
    // k8s.io/kubernetes v1.36.3 and v1.37.2 pkg/features/kube_features.go). Without it, older API
    // servers dropped a claim's dataSourceRef to anything but a PVC or VolumeSnapshot.
    name: 'AnyVolumeDataSource',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 18, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 24, defaultOn: true },
      { maturity: GateMaturity.GA, since: 33, defaultOn: true, locked: true },
    ],
    lastAccepted: 36,
    components: [GateComponent.KUBE_APISERVER, GateComponent.KUBE_CONTROLLER_MANAGER],
    afterGraduation: 'claims may name any populator in dataSourceRef; delete the gate',
    source: 'FACTS §0.1; k8s.io/kubernetes v1.36.3 and v1.37.2 pkg/features/kube_features.go',
  },
  {
    // FACTS §e: alpha 1.14-1.16, beta 1.17-1.24 (on), GA 1.25, last 1.26.
    name: 'CSIMigration',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 14, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 17, defaultOn: true },
      { maturity: GateMaturity.GA, since: 25, defaultOn: true, locked: true },
    ],
    lastAccepted: 26,
    components: MIGRATION_COMPONENTS,
    afterGraduation: 'CSI migration is always on; delete the gate',
    source: KW('CSIMigration'),
  },
  {
    // FACTS §e: alpha 1.14-1.16, beta 1.17-1.22 off, 1.23-1.24 on, GA 1.25, last 1.26.
    name: 'CSIMigrationAWS',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 14, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 17, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 23, defaultOn: true },
      { maturity: GateMaturity.GA, since: 25, defaultOn: true, locked: true },
    ],
    lastAccepted: 26,
    components: MIGRATION_COMPONENTS,
    afterGraduation: 'AWS EBS migration is always on (volumes go to ebs.csi.aws.com); delete the gate',
    source: KW('CSIMigrationAWS'),
  },
  {
    // FACTS §e: alpha 1.15-1.18, beta 1.19-1.22 off, 1.23 on, GA 1.24, last 1.26.
    name: 'CSIMigrationAzureDisk',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 15, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 19, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 23, defaultOn: true },
      { maturity: GateMaturity.GA, since: 24, defaultOn: true, locked: true },
    ],
    lastAccepted: 26,
    components: MIGRATION_COMPONENTS,
    afterGraduation: 'Azure Disk migration is always on (volumes go to disk.csi.azure.com); delete the gate',
    source: KW('CSIMigrationAzureDisk'),
  },
  {
    // FACTS §e: alpha 1.15-1.20, beta 1.21-1.23 off, 1.24-1.25 on, GA 1.26, last 1.29.
    name: 'CSIMigrationAzureFile',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 15, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 21, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 24, defaultOn: true },
      { maturity: GateMaturity.GA, since: 26, defaultOn: true, locked: true },
    ],
    lastAccepted: 29,
    components: MIGRATION_COMPONENTS,
    afterGraduation: 'Azure File migration is always on (volumes go to file.csi.azure.com); delete the gate',
    source: KW('CSIMigrationAzureFile'),
  },
  {
    // FACTS §e: alpha 1.14-1.16, beta 1.17-1.22 off, 1.23-1.24 on, GA 1.25, last 1.27.
    name: 'CSIMigrationGCE',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 14, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 17, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 23, defaultOn: true },
      { maturity: GateMaturity.GA, since: 25, defaultOn: true, locked: true },
    ],
    lastAccepted: 27,
    components: MIGRATION_COMPONENTS,
    afterGraduation: 'GCE PD migration is always on (volumes go to pd.csi.storage.gke.io); delete the gate',
    source: KW('CSIMigrationGCE'),
  },
  {
    // FACTS §e: alpha 1.14-1.17, beta 1.18-1.23 (on), GA 1.24, last 1.25.
    name: 'CSIMigrationOpenStack',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 14, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 18, defaultOn: true },
      { maturity: GateMaturity.GA, since: 24, defaultOn: true, locked: true },
    ],
    lastAccepted: 25,
    components: MIGRATION_COMPONENTS,
    afterGraduation: 'Cinder migration is always on (volumes go to cinder.csi.openstack.org); delete the gate',
    source: KW('CSIMigrationOpenStack'),
  },
  {
    // FACTS §e: alpha 1.23-1.24, beta 1.25-1.30 off, 1.31-1.32 on, GA 1.33 (locked). Last accepted in
    // 1.35: k8s.io/kubernetes v1.35.4 pkg/features/kube_features.go has it, v1.36.3 does not (FACTS
    // left the removal UNCONFIRMED; the source settles it, and test/e2e/07 asks the real server).
    name: 'CSIMigrationPortworx',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 23, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 25, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 31, defaultOn: true },
      { maturity: GateMaturity.GA, since: 33, defaultOn: true, locked: true },
    ],
    lastAccepted: 35,
    components: MIGRATION_COMPONENTS,
    afterGraduation: 'Portworx migration is always on (volumes go to pxd.portworx.com); delete the gate',
    source: `${KW('CSIMigrationPortworx')}; k8s.io/kubernetes v1.35.4 and v1.36.3 pkg/features/kube_features.go`,
  },
  {
    // FACTS §e: alpha 1.23-1.27, deprecated 1.28-1.30 (never beta), last 1.30.
    name: 'CSIMigrationRBD',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 23, defaultOn: false },
      { maturity: GateMaturity.DEPRECATED, since: 28, defaultOn: false },
    ],
    lastAccepted: 30,
    components: MIGRATION_COMPONENTS,
    afterGraduation: 'the in-tree rbd plugin is removed (1.31) without a migration path; move the volumes to a CSI driver such as Ceph CSI and delete the gate',
    source: KW('CSIMigrationRBD'),
  },
  {
    // FACTS §e: alpha 1.18, beta 1.19-1.24 off, 1.25 on, GA 1.26, last 1.28.
    name: 'CSIMigrationvSphere',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 18, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 19, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 25, defaultOn: true },
      { maturity: GateMaturity.GA, since: 26, defaultOn: true, locked: true },
    ],
    lastAccepted: 28,
    components: MIGRATION_COMPONENTS,
    afterGraduation: 'vSphere migration is always on (volumes go to csi.vsphere.vmware.com); delete the gate',
    source: KW('CSIMigrationvSphere'),
  },
  {
    // FACTS §e: alpha 1.12-1.13, beta 1.14-1.17 (on), GA 1.18, last 1.21. Components UNCONFIRMED
    // (the CSIDriver API on the apiserver, its use in the kubelet); gone before our oldest target.
    name: 'CSIDriverRegistry',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 12, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 14, defaultOn: true },
      { maturity: GateMaturity.GA, since: 18, defaultOn: true, locked: true },
    ],
    lastAccepted: 21,
    components: [GateComponent.KUBE_APISERVER, GateComponent.KUBELET],
    afterGraduation: 'the CSIDriver API is always served; delete the gate',
    source: KW('CSIDriverRegistry'),
  },
  {
    // FACTS §e: alpha 1.12-1.13, beta 1.14-1.16 (on), GA 1.17, last 1.22. Components UNCONFIRMED.
    name: 'CSINodeInfo',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 12, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 14, defaultOn: true },
      { maturity: GateMaturity.GA, since: 17, defaultOn: true, locked: true },
    ],
    lastAccepted: 22,
    components: [GateComponent.KUBE_APISERVER, GateComponent.KUBELET],
    afterGraduation: 'the CSINode API is always served; delete the gate',
    source: KW('CSINodeInfo'),
  },
  {
    // FACTS §e, §h, §0.1: alpha since 1.21, off, still alpha in 1.37. Up to 1.36 only the kubelet
    // reads it (events on Pods). 1.37 ships the redesign: the API server keeps PVC
    // status.healthStatus, Pod status.volumeHealth and CSINode status.storageHealth only with the
    // gate on (k8s.io/api v0.37.2 `+featureGate=CSIVolumeHealth`; test/e2e/07 shows the drop), and
    // the kubelet writes the Pod and CSINode fields plus csi_node_storage_health_status.
    name: 'CSIVolumeHealth',
    phases: [{ maturity: GateMaturity.ALPHA, since: 21, defaultOn: false }],
    components: [GateComponent.KUBELET],
    componentsFrom: [{ since: 37, components: [GateComponent.KUBE_APISERVER] }],
    afterGraduation: 'volume health is always reported; delete the gate',
    source: `${KW('CSIVolumeHealth')}; FACTS §h, §0.1; k8s.io/kubernetes v1.37.2 pkg/kubelet/volumemanager/volumehealth`,
  },
  unregisterGate('AWS', 30),
  unregisterGate('AzureDisk', 30),
  unregisterGate('AzureFile', 30),
  unregisterGate('GCE', 30),
  unregisterGate('OpenStack', 30),
  {
    // FACTS §e: alpha 1.23-1.35 (off); KW file marks it removed, toVersion 1.35.
    name: 'InTreePluginPortworxUnregister',
    phases: [{ maturity: GateMaturity.ALPHA, since: 23, defaultOn: false }],
    lastAccepted: 35,
    components: UNREGISTER_COMPONENTS,
    afterGraduation: 'the in-tree Portworx plugin is removed in 1.36; delete the gate and use pxd.portworx.com',
    source: KW('InTreePluginPortworxUnregister'),
  },
  {
    // FACTS §e: alpha 1.23-1.27, deprecated 1.28-1.30, last 1.30.
    name: 'InTreePluginRBDUnregister',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 23, defaultOn: false },
      { maturity: GateMaturity.DEPRECATED, since: 28, defaultOn: false },
    ],
    lastAccepted: 30,
    components: UNREGISTER_COMPONENTS,
    afterGraduation: 'the in-tree rbd plugin is removed in 1.31; delete the gate',
    source: KW('InTreePluginRBDUnregister'),
  },
  unregisterGate('vSphere', 30),
  {
    // FACTS §e: alpha 1.11, beta 1.12 (on), GA 1.13, last 1.16. Kubelet only.
    name: 'KubeletPluginsWatcher',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 11, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 12, defaultOn: true },
      { maturity: GateMaturity.GA, since: 13, defaultOn: true, locked: true },
    ],
    lastAccepted: 16,
    components: [GateComponent.KUBELET],
    afterGraduation: 'plugin registration through the kubelet plugin watcher is always on; delete the gate',
    source: KW('KubeletPluginsWatcher'),
  },
  {
    // FACTS §e, §f1: alpha 1.30-1.33 (no effect 1.30-1.31), beta 1.34-1.35 (off), GA 1.36 (on).
    // kube-apiserver only. v1alpha1 / v1beta1 also need --runtime-config (FACTS §f1). GA is not
    // locked: k8s.io/apiserver v0.36.3 and v0.37.2 give it no LockToDefault (FACTS had it locked).
    name: 'MutatingAdmissionPolicy',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 30, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 34, defaultOn: false },
      { maturity: GateMaturity.GA, since: 36, defaultOn: true },
    ],
    components: [GateComponent.KUBE_APISERVER],
    afterGraduation: 'MutatingAdmissionPolicy v1 is always served; delete the gate and its --runtime-config',
    admissionApi: mutatingAdmissionPolicyApi,
    source: `${KW('MutatingAdmissionPolicy')}; FACTS §f1 (KEP-3962)`,
  },
  {
    // FACTS §e: beta 1.30 (off), GA 1.32 (locked). Last accepted in 1.34: k8s.io/apiserver v0.34.4
    // pkg/features/kube_features.go has it, v0.35.4 does not. kube-apiserver only.
    name: 'StrictCostEnforcementForVAP',
    phases: [
      { maturity: GateMaturity.BETA, since: 30, defaultOn: false },
      { maturity: GateMaturity.GA, since: 32, defaultOn: true, locked: true },
    ],
    lastAccepted: 34,
    components: [GateComponent.KUBE_APISERVER],
    afterGraduation: 'strict CEL cost enforcement for admission policies is always on; delete the gate',
    source: 'FACTS §e (KK pkg/features/kube_features.go, 1.33-era); k8s.io/apiserver v0.34.4 and v0.35.4',
  },
  {
    // FACTS §e, §f1: alpha 1.26-1.27, beta 1.28-1.29 (off), GA 1.30, last 1.31. kube-apiserver only.
    name: 'ValidatingAdmissionPolicy',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 26, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 28, defaultOn: false },
      { maturity: GateMaturity.GA, since: 30, defaultOn: true, locked: true },
    ],
    lastAccepted: 31,
    components: [GateComponent.KUBE_APISERVER],
    afterGraduation: 'ValidatingAdmissionPolicy v1 is always served; delete the gate and its --runtime-config',
    admissionApi: validatingAdmissionPolicyApi,
    source: `${KW('ValidatingAdmissionPolicy')}; FACTS §f1`,
  },
  {
    // Alpha 1.29, beta 1.31 (off), GA 1.34 (on), locked from 1.36 (FACTS §0.1; k8s.io/kubernetes v1.30.14,
    // v1.34.4, v1.36.3 pkg/features/kube_features.go). csi-provisioner v6 and csi-resizer v2 need it on.
    name: 'VolumeAttributesClass',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 29, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 31, defaultOn: false },
      { maturity: GateMaturity.GA, since: 34, defaultOn: true },
      { maturity: GateMaturity.GA, since: 36, defaultOn: true, locked: true },
    ],
    components: [GateComponent.KUBE_APISERVER, GateComponent.KUBE_CONTROLLER_MANAGER, GateComponent.KUBELET],
    afterGraduation: 'VolumeAttributesClass v1 is always served; delete the gate',
    source: 'FACTS §0.1; k8s.io/kubernetes v1.30.14, v1.34.4 and v1.36.3 pkg/features/kube_features.go',
  },
  {
    // FACTS §e: alpha 1.12-1.16, beta 1.17-1.19 (on), GA 1.20, last 1.22. The apiserver drops PVC
    // dataSource without it (component list UNCONFIRMED beyond that).
    name: 'VolumeSnapshotDataSource',
    phases: [
      { maturity: GateMaturity.ALPHA, since: 12, defaultOn: false },
      { maturity: GateMaturity.BETA, since: 17, defaultOn: true },
      { maturity: GateMaturity.GA, since: 20, defaultOn: true, locked: true },
    ],
    lastAccepted: 22,
    components: [GateComponent.KUBE_APISERVER],
    afterGraduation: 'restoring a PVC from a VolumeSnapshot is always allowed; delete the gate',
    source: KW('VolumeSnapshotDataSource'),
  },
];

/**
 * Gates that belong to other programs than the Kubernetes components: naming one in a Kubernetes
 * gate request is a mistake this catalog can explain.
 */
export const FOREIGN_FEATURE_GATES: Readonly<Record<string, string>> = {
  // FACTS §e last row: ES@v8.2.0+ pkg/features/features.go, Beta, default false through v8.6.0.
  CSIVolumeGroupSnapshot: 'a gate of external-snapshotter (snapshot-controller and csi-snapshotter --feature-gates, beta and off up to v8.6.0), not of a Kubernetes component; set it on those containers instead',
};

/** The catalog entry for a gate name (exact spelling), if any. */
export function featureGate(name: string): FeatureGateLifecycle | undefined {
  return FEATURE_GATES.find((g) => g.name === name);
}

/** The components that read a gate on a minor. */
export function gateComponents(gate: FeatureGateLifecycle, minor: number): GateComponent[] {
  return [...gate.components, ...(gate.componentsFrom ?? []).filter((c) => c.since <= minor).flatMap((c) => c.components)];
}

/** Where a gate stands on one Kubernetes minor. */
export interface GateState {
  readonly gate: FeatureGateLifecycle;
  /** The phase on that minor; undefined before the gate existed or after its removal. */
  readonly phase?: GatePhase;
  /** True when the components of that minor accept the gate name. */
  readonly accepted: boolean;
  /** True when the minor is past the gate's last accepting release. */
  readonly removed: boolean;
  /** True when the minor is older than the gate's first phase. */
  readonly notYet: boolean;
}

/** The state of a catalogued gate on a minor. */
export function gateState(gate: FeatureGateLifecycle, minor: number): GateState {
  const removed = gate.lastAccepted !== undefined && minor > gate.lastAccepted;
  const notYet = minor < gate.phases[0].since;
  const phase = removed || notYet ? undefined : [...gate.phases].reverse().find((p) => p.since <= minor);
  return { gate, phase, accepted: !removed && !notYet, removed, notYet };
}

/**
 * The `--runtime-config` entry a gate needs on a minor, e.g. `admissionregistration.k8s.io/v1beta1=true`;
 * undefined when the API is served without one (or the gate has no API companion).
 */
export function runtimeConfigFor(gate: FeatureGateLifecycle, minor: number): string | undefined {
  const offer = gate.admissionApi?.(minor);
  return offer?.needsOptIn ? `${ADMISSION_API_GROUP}/${offer.version}=true` : undefined;
}

/** The catalogued gate name closest to a misspelt one, if any is reasonably close. */
export function closestGateName(name: string): string | undefined {
  return closestName(name, FEATURE_GATES.map((g) => g.name), Math.max(3, Math.floor(name.length / 3)));
}

/**
 * Where vanilla clusters take gates (FACTS §e "Vanilla config surfaces"): the kubelet's config file
 * and the control-plane flags, which kubeadm writes from ClusterConfiguration `extraArgs`.
 */
export const NODE_CONFIG_API = {
  /** KubeletConfiguration, whose `featureGates` is a name -> bool map. */
  kubelet: { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration' },
  /** kubeadm v1beta3: `extraArgs` is a flag -> value map. */
  kubeadmV1beta3: { apiVersion: 'kubeadm.k8s.io/v1beta3', kind: 'ClusterConfiguration' },
  /** kubeadm v1beta4 (Kubernetes 1.31+): `extraArgs` is a list of `{ name, value }`. */
  kubeadmV1beta4: { apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'ClusterConfiguration', since: 31 },
} as const;

/** Control-plane flag names as kubeadm `extraArgs` spell them (without the leading dashes). */
export const CONTROL_PLANE_FLAGS = { featureGates: 'feature-gates', runtimeConfig: 'runtime-config' } as const;

/** kubeadm ClusterConfiguration section of each control-plane component. */
export const KUBEADM_SECTIONS: Readonly<Partial<Record<GateComponent, 'apiServer' | 'controllerManager' | 'scheduler'>>> = {
  [GateComponent.KUBE_APISERVER]: 'apiServer',
  [GateComponent.KUBE_CONTROLLER_MANAGER]: 'controllerManager',
  [GateComponent.KUBE_SCHEDULER]: 'scheduler',
};
