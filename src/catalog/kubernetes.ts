/**
 * What each Kubernetes minor offers to this project: admission-policy API versions, CEL
 * libraries and which in-tree volume plugins are gone. Source: ../shared/reference/FACTS.md §e, §f.
 */

/** A Kubernetes minor release written as `1.<minor>`, e.g. `'1.36'`. */
export type KubernetesVersion = `1.${number}`;

/** Range of targets the snapshot stack and the admission policies support. */
export const SNAPSHOT_STACK_KUBERNETES = { min: 30, max: 37, default: 37 } as const;

/** Range of targets the feature-gate and CSI-migration constructs accept (older clusters migrate). */
export const MIGRATION_KUBERNETES = { min: 23, max: 37 } as const;

/** Admission API version served by default (or behind an opt-in) on a minor. */
export interface AdmissionApiOffer {
  /** `admissionregistration.k8s.io` version to write. */
  readonly version: 'v1' | 'v1beta1' | 'v1alpha1';
  /** True when the API is off unless the apiserver gets a feature gate and `--runtime-config`. */
  readonly needsOptIn: boolean;
}

/** ValidatingAdmissionPolicy: v1 (on by default) from 1.30, the oldest supported target. */
export function validatingAdmissionPolicyApi(minor: number): AdmissionApiOffer | undefined {
  if (minor >= 30) return { version: 'v1', needsOptIn: false };
  if (minor >= 28) return { version: 'v1beta1', needsOptIn: true };
  if (minor >= 26) return { version: 'v1alpha1', needsOptIn: true };
  return undefined;
}

/** MutatingAdmissionPolicy: v1 from 1.36; v1beta1 on 1.34-1.35 behind the gate and runtime-config. */
export function mutatingAdmissionPolicyApi(minor: number): AdmissionApiOffer | undefined {
  if (minor >= 36) return { version: 'v1', needsOptIn: false };
  if (minor >= 34) return { version: 'v1beta1', needsOptIn: true };
  if (minor >= 32) return { version: 'v1alpha1', needsOptIn: true };
  return undefined;
}

/**
 * CEL libraries an expression may use, by the minor that first offers them (FACTS §f2, §0.1). A
 * library enters the API server's environment at some version n and new expressions may use it
 * from n+1 (they compile at compatibility version n-1), which is the number written here.
 */
export const CEL_LIBRARY_SINCE = {
  /** Standard macros and functions, lists, regex, url, authorizer. */
  base: 25,
  /** `optional` types (`?.field`, `orValue`) and cross-type numeric comparisons. */
  optionalTypes: 29,
  quantity: 29,
  /** Extended strings v2 (lowerAscii, split, join, ...). */
  stringsV2: 30,
  ipCidr: 31,
  format: 32,
  twoVarComprehensions: 33,
  semver: 34,
  /** ext.Sets: `sets.contains`, `sets.equivalent`, `sets.intersects` (environment 1.29, usable from 1.30). */
  sets: 30,
  /** ext.Lists v3: `slice`, `flatten`, `distinct`, `sort` (environment 1.34, usable from 1.35). */
  listsV3: 35,
  /**
   * kubernetes.lists `includes()`: environment 1.37, so usable only from 1.38. No supported target
   * offers it yet; the entry keeps a policy from reaching for it early.
   */
  listsIncludes: 38,
} as const;

/** One in-tree volume plugin, the release that removed it and the CSI driver that replaces it. */
export interface InTreePlugin {
  /** Provisioner name written in StorageClasses, e.g. `kubernetes.io/vsphere-volume`. */
  readonly provisioner: string;
  /** Volume source name in the Pod/PV API. */
  readonly volumeType: string;
  /** First minor without the plugin. */
  readonly removedIn: number;
  /** CSI driver that migration redirects to; undefined where the volumes simply stop working. */
  readonly csiDriver?: string;
}

/** In-tree plugins and their removal (FACTS §e "In-tree volume plugins removed"). */
export const IN_TREE_PLUGINS: readonly InTreePlugin[] = [
  { provisioner: 'kubernetes.io/cinder', volumeType: 'cinder', removedIn: 26, csiDriver: 'cinder.csi.openstack.org' },
  { provisioner: 'kubernetes.io/glusterfs', volumeType: 'glusterfs', removedIn: 26 },
  { provisioner: 'kubernetes.io/aws-ebs', volumeType: 'awsElasticBlockStore', removedIn: 27, csiDriver: 'ebs.csi.aws.com' },
  { provisioner: 'kubernetes.io/azure-disk', volumeType: 'azureDisk', removedIn: 27, csiDriver: 'disk.csi.azure.com' },
  { provisioner: 'kubernetes.io/gce-pd', volumeType: 'gcePersistentDisk', removedIn: 28, csiDriver: 'pd.csi.storage.gke.io' },
  { provisioner: 'kubernetes.io/azure-file', volumeType: 'azureFile', removedIn: 30, csiDriver: 'file.csi.azure.com' },
  { provisioner: 'kubernetes.io/vsphere-volume', volumeType: 'vsphereVolume', removedIn: 30, csiDriver: 'csi.vsphere.vmware.com' },
  { provisioner: 'kubernetes.io/cephfs', volumeType: 'cephfs', removedIn: 31 },
  { provisioner: 'kubernetes.io/rbd', volumeType: 'rbd', removedIn: 31 },
  { provisioner: 'kubernetes.io/portworx-volume', volumeType: 'portworxVolume', removedIn: 36, csiDriver: 'pxd.portworx.com' },
];

/** The in-tree plugin behind a provisioner name, if it is one. */
export function inTreePlugin(provisioner: string): InTreePlugin | undefined {
  return IN_TREE_PLUGINS.find((p) => p.provisioner === provisioner);
}

/** `'1.36'` -> 36; undefined when the text is not `1.<minor>`. */
export function parseKubernetesMinor(version: string): number | undefined {
  const m = /^v?1\.(\d{1,2})(?:\.\d+)?$/.exec(String(version));
  return m ? Number(m[1]) : undefined;
}

/** 36 -> `'1.36'`. */
export function formatKubernetesMinor(minor: number): KubernetesVersion {
  return `1.${minor}`;
}

/** Built-in priority classes every cluster has. */
export const BUILT_IN_PRIORITY_CLASSES = {
  /** For controllers the cluster cannot work without. */
  clusterCritical: 'system-cluster-critical',
  /** For per-node agents such as CSI node plugins. */
  nodeCritical: 'system-node-critical',
} as const;
