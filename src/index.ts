/**
 * csi-snapshot-guard: cdk8s constructs that deploy CSI volume snapshots with the volume mode
 * guarded on restore. Constructs, their props and enums, the charts and the version catalog.
 */
export * from './catalog';
export { KUBERNETES_VERSION_CONTEXT } from './constructs/common/_target';
export { PropError } from './constructs/common/_validation';
export { LIBRARY_VERSION, ObjectLabelsProps } from './constructs/common/_labels';
export type { EnumValue } from './constructs/common/_enum';
export type { NamespaceRef, RbacSubject, SubjectData, SubjectLike } from './constructs/common/_subjects';
export type { CsiDriverRef, ICsiDriverRef } from './constructs/csi-driver/_driver-ref';
export * from './constructs/common/component-rbac';
export * from './constructs/platform/snapshot-controller';
export * from './constructs/platform/snapshot-crds';
export * from './crds';
export * from './charts/snapshot-platform';
export { IStorageClass, ReclaimPolicy, SecretReference, StorageClass, StorageClassProps, TopologyTerm, VolumeBindingMode } from './constructs/classes/storage-class';
export * from './constructs/classes/volume-snapshot-class';
export * from './constructs/classes/default-class-check';
export * from './constructs/monitoring/volume-health-alerts';
export * from './constructs/platform/snapshot-user-roles';
export { AccessMode, ClaimAttributes, IClaim, PersistentVolumeMode, SourceClaim, SourceClaimProps } from './constructs/classes/source-claim';
export * from './constructs/classes/volume-snapshot';
export * from './constructs/classes/restored-claim';
export * from './constructs/feature-gates/kubernetes-feature-gates';
export * from './constructs/feature-gates/openshift-feature-gate';
export * from './constructs/feature-gates/openshift-storage-driver';
export * from './constructs/classes/csi-migration-storage-classes';
export {
  AdmissionApiRequirement, AdmissionPolicyKind, ClusterPlatform, IClusterFeatureGates, ResolvedGate,
  requireAdmissionApi, requireSameCluster, requireTargetRange,
} from './constructs/feature-gates/_feature-gates';
export * from './charts/openshift-vsphere-migration';
export * from './charts/vanilla-volume-health-gates';
export * from './constructs/csi-driver/csi-driver';
export * from './charts/hostpath';
export * from './charts/vsphere';
export * from './charts/field-report';
export * from './constructs/guard/admission-policy';
export * from './constructs/guard/volume-mode-guard';
export * from './policies';
export * from './constructs/platform/doctor-rbac';
