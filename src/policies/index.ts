/**
 * Every admission policy this project ships, as data. The VolumeModeGuard construct renders them;
 * the harness in `csi-snapshot-guard/testing` runs their cases.
 */
import { addProtectionFlag } from './add-protection-flag';
import { approveVolumeModeChange } from './approve-volume-mode-change';
import { crdKeepsSourceVolumeMode } from './crd-keeps-source-volume-mode';
import { keepProtectionFlag } from './keep-protection-flag';
import { labelSnapshotContents } from './label-snapshot-contents';
import { markSnapshotRestores } from './mark-snapshot-restores';
import { requireSourceVolumeMode } from './require-source-volume-mode';
import { restoreKeepsVolumeMode } from './restore-keeps-volume-mode';
import { singleDefaultSnapshotClass, singleDefaultStorageClass } from './single-default-class';
import { stampModeChangeApprover } from './stamp-mode-change-approver';
import type { MutatingPolicyDefinition, PolicyDefinition } from './types';

export * from './types';
export {
  addProtectionFlag, approveVolumeModeChange, crdKeepsSourceVolumeMode, keepProtectionFlag, labelSnapshotContents, markSnapshotRestores,
  requireSourceVolumeMode, restoreKeepsVolumeMode, singleDefaultSnapshotClass, singleDefaultStorageClass, stampModeChangeApprover,
};

/** The validating policies, keyed like POLICY_NAMES. */
export const VALIDATING_POLICIES = {
  requireSourceVolumeMode,
  approveVolumeModeChange,
  keepProtectionFlag,
  crdKeepsSourceVolumeMode,
  singleDefaultSnapshotClass,
  singleDefaultStorageClass,
  restoreKeepsVolumeMode,
} as const satisfies Record<string, PolicyDefinition>;

/** The mutating policies, keyed like POLICY_NAMES. */
export const MUTATING_POLICIES = {
  addProtectionFlag,
  stampModeChangeApprover,
  markSnapshotRestores,
  labelSnapshotContents,
} as const satisfies Record<string, MutatingPolicyDefinition>;

/** Key of a validating policy. */
export type ValidatingPolicyKey = keyof typeof VALIDATING_POLICIES;

/** Key of a mutating policy. */
export type MutatingPolicyKey = keyof typeof MUTATING_POLICIES;
