/**
 * Policy 5b (mutating): when a request allows a volume mode change on a VolumeSnapshotContent, the
 * content records who did it. The validating policy volume-mode-change-requires-approval makes sure
 * only approvers get here, and refuses any other write of the stamp.
 */
import { ALLOW_VOLUME_MODE_CHANGE_ANNOTATION, GO_PARSE_BOOL, MODE_CHANGE_APPROVED_BY_ANNOTATION, POLICY_NAMES } from '../catalog';
import { annotationOf, annotationsChange, celString, celStrings } from './_cel';
import { BACKUP_TOOL_USER, snapshotContent, SNAPSHOT_CONTROLLER_USER } from './_fixtures';
import { SNAPSHOT_CONTENT_WRITES } from './_match';
import type { MutatingPolicyDefinition } from './types';

const KEY = ALLOW_VOLUME_MODE_CHANGE_ANNOTATION;
const backupTool = BACKUP_TOOL_USER;

/** Writes the requesting user into MODE_CHANGE_APPROVED_BY_ANNOTATION when the allow annotation becomes true. */
export const stampModeChangeApprover: MutatingPolicyDefinition = {
  type: 'mutating',
  name: POLICY_NAMES.stampModeChangeApprover,
  description: `When a request sets ${KEY} to a true value, the user who sent it is written into ${MODE_CHANGE_APPROVED_BY_ANNOTATION}. `
    + 'The audit trail stays on the object itself, next to the permission it explains.',
  minKubernetesMinor: 34,
  celLibraries: ['optionalTypes'],
  matchConstraints: SNAPSHOT_CONTENT_WRITES,
  matchConditions: [
    { name: 'allow-annotation-changes', expression: annotationsChange([KEY]) },
    { name: 'allows-a-change', expression: `${annotationOf('object', KEY)}.orValue('') in ${celStrings(GO_PARSE_BOOL.true)}` },
  ],
  mutations: [{
    patchType: 'ApplyConfiguration',
    expression: `Object{metadata: Object.metadata{annotations: {${celString(MODE_CHANGE_APPROVED_BY_ANNOTATION)}: request.userInfo.username}}}`,
  }],
  cases: [
    {
      name: 'approver sets true', request: { operation: 'UPDATE', userInfo: backupTool },
      oldObject: snapshotContent('snapcontent-1'), object: snapshotContent('snapcontent-1', { annotations: { [KEY]: 'true' } }), expect: 'mutated',
      expectObject: { metadata: { annotations: { [KEY]: 'true', [MODE_CHANGE_APPROVED_BY_ANNOTATION]: backupTool.username } } },
    },
    {
      name: 'approver changes false to 1, a forged stamp is overwritten', request: { operation: 'UPDATE', userInfo: backupTool },
      oldObject: snapshotContent('snapcontent-1', { annotations: { [KEY]: 'false' } }),
      object: snapshotContent('snapcontent-1', { annotations: { [KEY]: '1', [MODE_CHANGE_APPROVED_BY_ANNOTATION]: 'someone-else' } }), expect: 'mutated',
      expectObject: { metadata: { annotations: { [KEY]: '1', [MODE_CHANGE_APPROVED_BY_ANNOTATION]: backupTool.username } } },
    },
    {
      name: 'setting false is not stamped', request: { operation: 'UPDATE', userInfo: backupTool },
      oldObject: snapshotContent('snapcontent-1'), object: snapshotContent('snapcontent-1', { annotations: { [KEY]: 'false' } }), expect: 'not-matched',
    },
    {
      name: 'controller update that keeps the annotation is not stamped again', request: { operation: 'UPDATE', userInfo: SNAPSHOT_CONTROLLER_USER },
      oldObject: snapshotContent('snapcontent-1', { annotations: { [KEY]: 'true' } }), object: snapshotContent('snapcontent-1', { annotations: { [KEY]: 'true' } }), expect: 'not-matched',
    },
  ],
};
