/**
 * Policy 5b (mutating): when a request allows a volume mode change on a VolumeSnapshotContent, the
 * content records who did it. The validating policy has already made sure only approvers get here.
 */
import { ALLOW_VOLUME_MODE_CHANGE_ANNOTATION, GO_PARSE_BOOL, MODE_CHANGE_APPROVED_BY_ANNOTATION, POLICY_NAMES } from '../catalog';
import { SNAPSHOT_GROUP, SNAPSHOT_RESOURCES } from '../catalog/snapshot-api';
import { annotationOf, celString, celStrings } from './_cel';
import { snapshotContent } from './_fixtures';
import { ALLOW_ANNOTATION_CHANGES } from './approve-volume-mode-change';
import type { MutatingPolicyDefinition } from './types';

const KEY = ALLOW_VOLUME_MODE_CHANGE_ANNOTATION;
const backupTool = { username: 'system:serviceaccount:velero:velero', groups: ['system:serviceaccounts'] };

/** Writes the requesting user into MODE_CHANGE_APPROVED_BY_ANNOTATION when the allow annotation becomes true. */
export const stampModeChangeApprover: MutatingPolicyDefinition = {
  type: 'mutating',
  name: POLICY_NAMES.stampModeChangeApprover,
  description: `When a request sets ${KEY} to a true value, the user who sent it is written into ${MODE_CHANGE_APPROVED_BY_ANNOTATION}. `
    + 'The audit trail stays on the object itself, next to the permission it explains.',
  minKubernetesMinor: 34,
  celLibraries: ['optionalTypes'],
  matchConstraints: {
    resourceRules: [{ apiGroups: [SNAPSHOT_GROUP], apiVersions: ['*'], resources: [SNAPSHOT_RESOURCES.volumeSnapshotContents], operations: ['CREATE', 'UPDATE'] }],
  },
  matchConditions: [
    { name: 'allow-annotation-changes', expression: ALLOW_ANNOTATION_CHANGES },
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
      name: 'controller update that keeps the annotation is not stamped again', request: { operation: 'UPDATE', userInfo: { username: 'system:serviceaccount:kube-system:snapshot-controller' } },
      oldObject: snapshotContent('snapcontent-1', { annotations: { [KEY]: 'true' } }), object: snapshotContent('snapcontent-1', { annotations: { [KEY]: 'true' } }), expect: 'not-matched',
    },
  ],
};
