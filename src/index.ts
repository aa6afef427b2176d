/**
 * csi-snapshot-guard: cdk8s constructs that deploy CSI volume snapshots with the volume mode
 * guarded on restore. Constructs, their props and enums, the charts and the version catalog.
 */
export * from './catalog';
export { KUBERNETES_VERSION_CONTEXT } from './constructs/_target';
export { PropError } from './constructs/_validation';
export { LIBRARY_VERSION, ObjectLabelsProps } from './constructs/_labels';
export type { EnumValue } from './constructs/_enum';
export type { NamespaceRef, RbacSubject, SubjectData, SubjectLike } from './constructs/_subjects';
export type { CsiDriverRef, ICsiDriverRef } from './constructs/_driver-ref';
export * from './constructs/component-rbac';
export * from './constructs/snapshot-controller';
export * from './constructs/snapshot-crds';
export * from './crds';
export * from './charts/snapshot-platform';
export { IStorageClass, ReclaimPolicy, SecretReference, StorageClass, StorageClassProps, TopologyTerm, VolumeBindingMode } from './constructs/storage-class';
export * from './constructs/volume-snapshot-class';
export * from './constructs/default-class-check';
export * from './constructs/volume-health-alerts';
export * from './constructs/snapshot-user-roles';
export { AccessMode, ClaimAttributes, IClaim, PersistentVolumeMode, SourceClaim, SourceClaimProps } from './constructs/source-claim';
export * from './constructs/volume-snapshot';
export * from './constructs/restored-claim';
export * from './constructs/kubernetes-feature-gates';
export * from './constructs/openshift-feature-gate';
export * from './constructs/openshift-storage-driver';
export * from './constructs/csi-migration-storage-classes';
export {
  AdmissionApiRequirement, AdmissionPolicyKind, ClusterPlatform, IClusterFeatureGates, ResolvedGate,
  requireAdmissionApi, requireSameCluster, requireTargetRange,
} from './constructs/_feature-gates';
export * from './charts/openshift-vsphere-migration';
export * from './charts/vanilla-volume-health-gates';
export * from './constructs/csi-driver';
export * from './charts/hostpath';
export * from './charts/vsphere';
export * from './charts/field-report';
export * from './constructs/admission-policy';
export * from './constructs/volume-mode-guard';
export * from './policies';
export * from './constructs/doctor-rbac';
