/**
 * OpenShift facts the feature-gate and CSI-migration constructs need: which Kubernetes minor each
 * OpenShift release ships, the cluster FeatureGate and Storage operator objects, and how CSI
 * migration is switched on per release. Source: ../shared/reference/FACTS.md §g1-§g3.
 */

/** An OpenShift 4 release written as `4.<minor>`, e.g. `'4.11'`. */
export type OpenShiftVersion = `4.${number}`;

/** One OpenShift release and the Kubernetes minor it is built on. */
export interface OpenShiftRelease {
  /** OpenShift minor: 11 for 4.11. */
  readonly minor: number;
  /** Kubernetes minor it ships. */
  readonly kubernetesMinor: number;
  /** True where a primary source states the pairing. */
  readonly confirmed: boolean;
  /** For an unconfirmed row: what the pairing is inferred from. */
  readonly inferredFrom?: string;
}

/** The inference FACTS §0.2 makes for releases no primary page pairs with a Kubernetes minor. */
const FROM_OPERATOR_GO_MOD = 'inferred: k8s.io/api in the release branch go.mod of openshift/cluster-csi-snapshot-controller-operator '
  + '(FACTS §0.2), matching the +1 cadence';

/**
 * OpenShift -> Kubernetes (FACTS §g2: gist jeyaramashok/ebbd25f, RH 4.15 release notes, openshift/api
 * types_feature.go comment pairing kubelet 1.32.0 with 4.19.0; FACTS §0.2 for 4.16-4.22). Rows with
 * `confirmed: false` are inferred, and say from what. Starts at 4.10, the oldest release the
 * migration constructs accept.
 */
export const OPENSHIFT_RELEASES: readonly OpenShiftRelease[] = [
  { minor: 10, kubernetesMinor: 23, confirmed: true },
  { minor: 11, kubernetesMinor: 24, confirmed: true },
  { minor: 12, kubernetesMinor: 25, confirmed: true },
  { minor: 13, kubernetesMinor: 26, confirmed: true },
  { minor: 14, kubernetesMinor: 27, confirmed: true },
  { minor: 15, kubernetesMinor: 28, confirmed: true },
  { minor: 16, kubernetesMinor: 29, confirmed: false, inferredFrom: FROM_OPERATOR_GO_MOD },
  { minor: 17, kubernetesMinor: 30, confirmed: false, inferredFrom: FROM_OPERATOR_GO_MOD },
  { minor: 18, kubernetesMinor: 31, confirmed: false, inferredFrom: FROM_OPERATOR_GO_MOD },
  { minor: 19, kubernetesMinor: 32, confirmed: true },
  { minor: 20, kubernetesMinor: 33, confirmed: false, inferredFrom: FROM_OPERATOR_GO_MOD },
  { minor: 21, kubernetesMinor: 34, confirmed: false, inferredFrom: FROM_OPERATOR_GO_MOD },
  { minor: 22, kubernetesMinor: 35, confirmed: false, inferredFrom: FROM_OPERATOR_GO_MOD },
];

/** `'4.11'` -> 11; undefined when the text is not `4.<minor>` (a patch suffix is tolerated). */
export function parseOpenShiftMinor(version: string): number | undefined {
  const m = /^v?4\.(\d{1,2})(?:\.\d+)?$/.exec(String(version));
  return m ? Number(m[1]) : undefined;
}

/** 11 -> `'4.11'`. */
export function formatOpenShiftMinor(minor: number): OpenShiftVersion {
  return `4.${minor}`;
}

/** The catalogued release for an OpenShift minor, if any. */
export function openShiftRelease(minor: number): OpenShiftRelease | undefined {
  return OPENSHIFT_RELEASES.find((r) => r.minor === minor);
}

/** `spec.featureSet` of the cluster FeatureGate (FACTS §g1). There is no `Default` literal. */
export enum OpenShiftFeatureSet {
  /** The supported default: written as the empty string. */
  DEFAULT = '',
  /** Tech-preview features; cannot be undone, blocks minor upgrades. */
  TECH_PREVIEW_NO_UPGRADE = 'TechPreviewNoUpgrade',
  /** Dev-preview features; cannot be undone, blocks minor upgrades. */
  DEV_PREVIEW_NO_UPGRADE = 'DevPreviewNoUpgrade',
  /** Hand-picked gates in `customNoUpgrade`; unsupported, cannot be undone, blocks minor upgrades. */
  CUSTOM_NO_UPGRADE = 'CustomNoUpgrade',
}

/** The cluster-scoped singleton FeatureGate (FACTS §g1). */
export const OPENSHIFT_FEATURE_GATE = { apiVersion: 'config.openshift.io/v1', kind: 'FeatureGate', name: 'cluster' } as const;

/** Gate names accepted in `customNoUpgrade.enabled/disabled` (FACTS §g1 pattern). */
export const OPENSHIFT_GATE_NAME = /^([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+\.?$/;

/** The storage operator's singleton config (FACTS §g3 4.13 row; openshift/api operator/v1 types_storage.go). */
export const OPENSHIFT_STORAGE_OPERATOR = { apiVersion: 'operator.openshift.io/v1', kind: 'Storage', name: 'cluster' } as const;

/** `spec.vsphereStorageDriver` of the Storage operator object; set-once (FACTS §g3). */
export enum VSphereStorageDriver {
  /** Keep the in-tree driver (the value OpenShift 4.13 assumes for upgraded clusters). */
  LEGACY_DEPRECATED_IN_TREE_DRIVER = 'LegacyDeprecatedInTreeDriver',
  /** Route in-tree vSphere volumes to csi.vsphere.vmware.com. */
  CSI_WITH_MIGRATION_DRIVER = 'CSIWithMigrationDriver',
}

/**
 * Annotation this project puts on objects whose setting cannot be reverted; the value says what
 * is irreversible and what it blocks, for whoever reviews the YAML or finds the object later.
 */
export const IRREVERSIBLE_ANNOTATION = 'csi-snapshot-guard.io/irreversible';

/** How an OpenShift release switches CSI migration on for one in-tree plugin. */
export enum OpenShiftMigrationMode {
  /** Tech preview: the admin enables the gate through the FeatureGate (CustomNoUpgrade / TechPreviewNoUpgrade). */
  FEATURE_GATE = 'feature-gate',
  /** New installs migrate; clusters upgraded from the previous release opt in through the Storage operator object. */
  STORAGE_OPERATOR_OPT_IN = 'storage-operator-opt-in',
  /** GA and automatic for every cluster: nothing to switch on. */
  AUTOMATIC = 'automatic',
}

/** CSI migration of one in-tree plugin across OpenShift releases. */
export interface OpenShiftCsiMigration {
  /** In-tree provisioner, as in the catalog's IN_TREE_PLUGINS. */
  readonly provisioner: string;
  /** Gate enabled by the FeatureGate while migration is manual. */
  readonly gate: string;
  /** Mode from each OpenShift minor on, ascending. */
  readonly modes: readonly { readonly since: number; readonly mode: OpenShiftMigrationMode }[];
}

/**
 * CSI migration per OpenShift release (FACTS §g3: docs.openshift.com .../persistent-storage-csi-migration.html
 * for 4.8-4.13, issues.redhat.com STOR-1265 for the 4.13 opt-in, redhat.com blog for 4.14).
 */
export const OPENSHIFT_CSI_MIGRATION: readonly OpenShiftCsiMigration[] = [
  {
    provisioner: 'kubernetes.io/aws-ebs', gate: 'CSIMigrationAWS',
    modes: [{ since: 8, mode: OpenShiftMigrationMode.FEATURE_GATE }, { since: 12, mode: OpenShiftMigrationMode.AUTOMATIC }],
  },
  {
    // 4.9 docs spell the gate `CSIMigrationAzure`; which string OpenShift accepted is UNCONFIRMED.
    provisioner: 'kubernetes.io/azure-disk', gate: 'CSIMigrationAzureDisk',
    modes: [{ since: 9, mode: OpenShiftMigrationMode.FEATURE_GATE }, { since: 11, mode: OpenShiftMigrationMode.AUTOMATIC }],
  },
  {
    provisioner: 'kubernetes.io/azure-file', gate: 'CSIMigrationAzureFile',
    modes: [{ since: 10, mode: OpenShiftMigrationMode.FEATURE_GATE }, { since: 13, mode: OpenShiftMigrationMode.AUTOMATIC }],
  },
  {
    provisioner: 'kubernetes.io/cinder', gate: 'CSIMigrationOpenStack',
    modes: [{ since: 8, mode: OpenShiftMigrationMode.FEATURE_GATE }, { since: 11, mode: OpenShiftMigrationMode.AUTOMATIC }],
  },
  {
    provisioner: 'kubernetes.io/gce-pd', gate: 'CSIMigrationGCE',
    modes: [{ since: 9, mode: OpenShiftMigrationMode.FEATURE_GATE }, { since: 12, mode: OpenShiftMigrationMode.AUTOMATIC }],
  },
  {
    provisioner: 'kubernetes.io/vsphere-volume', gate: 'CSIMigrationvSphere',
    modes: [
      { since: 10, mode: OpenShiftMigrationMode.FEATURE_GATE },
      { since: 13, mode: OpenShiftMigrationMode.STORAGE_OPERATOR_OPT_IN },
      { since: 14, mode: OpenShiftMigrationMode.AUTOMATIC },
    ],
  },
];

/** The OpenShift migration entry whose gate is `gate`, if any. */
export function openShiftMigrationByGate(gate: string): OpenShiftCsiMigration | undefined {
  return OPENSHIFT_CSI_MIGRATION.find((m) => m.gate === gate);
}

/** The OpenShift migration entry for an in-tree provisioner, if any. */
export function openShiftMigrationByProvisioner(provisioner: string): OpenShiftCsiMigration | undefined {
  return OPENSHIFT_CSI_MIGRATION.find((m) => m.provisioner === provisioner);
}

/** How migration is switched on for an entry on an OpenShift minor; undefined before it existed. */
export function openShiftMigrationMode(entry: OpenShiftCsiMigration, openshiftMinor: number): OpenShiftMigrationMode | undefined {
  return [...entry.modes].reverse().find((m) => m.since <= openshiftMinor)?.mode;
}

/** The first OpenShift minor on which an entry reaches a mode, if it ever does. */
export function openShiftMigrationSince(entry: OpenShiftCsiMigration, mode: OpenShiftMigrationMode): number | undefined {
  return entry.modes.find((m) => m.mode === mode)?.since;
}
