/**
 * Policy 2: only principals holding the approve verb may add, change or remove the annotation that
 * lets a restore change the volume mode, and the value must be one csi-provisioner can parse.
 * The controllers' own updates leave the annotation alone, so the policy never matches them.
 */
import {
  ALLOW_VOLUME_MODE_CHANGE_ANNOTATION, APPROVE_MODE_CHANGE_VERB, MODE_CHANGE_APPROVER_CLUSTER_ROLE, POLICY_NAMES,
} from '../catalog';
import { SNAPSHOT_GROUP, SNAPSHOT_RESOURCES } from '../catalog/snapshot-api';
import { annotationOf, celString, celStrings, PARSE_BOOL_WORDS } from './_cel';
import { snapshotContent } from './_fixtures';
import type { CasePermission, PolicyDefinition } from './types';

const KEY = ALLOW_VOLUME_MODE_CHANGE_ANNOTATION;
const newValue = annotationOf('object', KEY);
const oldValue = annotationOf('oldObject', KEY);

/** True when the annotation is added, removed or changed by this request. */
export const ALLOW_ANNOTATION_CHANGES = `oldObject == null ? ${newValue}.hasValue() : `
  + `(${newValue}.hasValue() != ${oldValue}.hasValue() || ${newValue}.orValue('') != ${oldValue}.orValue(''))`;

const approver: CasePermission = {
  group: SNAPSHOT_GROUP, resource: SNAPSHOT_RESOURCES.volumeSnapshotContents, verb: APPROVE_MODE_CHANGE_VERB,
};
const controller = { username: 'system:serviceaccount:kube-system:snapshot-controller', groups: ['system:serviceaccounts'] };
const backupTool = { username: 'system:serviceaccount:velero:velero', groups: ['system:serviceaccounts'] };
const withAllow = (name: string, value: string) => snapshotContent(name, { annotations: { [KEY]: value } });

/** Adding, changing or removing the allow annotation needs the approve verb; its value must parse as a Go bool. */
export const approveVolumeModeChange: PolicyDefinition = {
  type: 'validating',
  name: POLICY_NAMES.approveVolumeModeChange,
  description: `Adding, changing or removing the ${KEY} annotation on a VolumeSnapshotContent needs the RBAC verb `
    + `${APPROVE_MODE_CHANGE_VERB} on volumesnapshotcontents (ClusterRole ${MODE_CHANGE_APPROVER_CLUSTER_ROLE}), checked through the authorizer. `
    + 'Values csi-provisioner cannot parse as a boolean are refused, and requests that leave the annotation alone (the controllers\' own updates) are not even evaluated.',
  minKubernetesMinor: 30,
  celLibraries: ['optionalTypes'],
  matchConstraints: {
    resourceRules: [{
      apiGroups: [SNAPSHOT_GROUP], apiVersions: ['*'],
      resources: [SNAPSHOT_RESOURCES.volumeSnapshotContents], operations: ['CREATE', 'UPDATE'],
    }],
  },
  matchConditions: [{ name: 'allow-annotation-changes', expression: ALLOW_ANNOTATION_CHANGES }],
  variables: [
    { name: 'isSet', expression: `${newValue}.hasValue()` },
    { name: 'value', expression: `${newValue}.orValue('')` },
    {
      name: 'action',
      expression: `!variables.isSet ? 'remove' : (oldObject == null || !${oldValue}.hasValue() ? 'add' : 'change')`,
    },
  ],
  validations: [
    {
      expression: `!variables.isSet || variables.value in ${celStrings(PARSE_BOOL_WORDS)}`,
      message: `annotation ${KEY} must be true or false as Go's strconv.ParseBool reads it`,
      messageExpression: `'VolumeSnapshotContent ' + object.metadata.name + ': annotation ${KEY} is \\'' + variables.value`
        + ` + '\\', which csi-provisioner cannot read as a boolean (it accepts ${PARSE_BOOL_WORDS.join(', ')}), so every restore would fail. Write "true" to allow a volume mode change or remove the annotation.'`,
    },
    {
      expression: `authorizer.group(${celString(SNAPSHOT_GROUP)}).resource(${celString(SNAPSHOT_RESOURCES.volumeSnapshotContents)})`
        + `.name(object.metadata.name).check(${celString(APPROVE_MODE_CHANGE_VERB)}).allowed()`,
      message: `changing annotation ${KEY} needs the ${APPROVE_MODE_CHANGE_VERB} verb on volumesnapshotcontents`,
      messageExpression: `'user ' + request.userInfo.username + ' may not ' + variables.action + ' annotation ${KEY} on VolumeSnapshotContent '`
        + ` + object.metadata.name + ': that needs the RBAC verb ${APPROVE_MODE_CHANGE_VERB} on volumesnapshotcontents; `
        + `ask a storage admin, or bind ClusterRole ${MODE_CHANGE_APPROVER_CLUSTER_ROLE} to the backup tool that restores across modes.'`,
      reason: 'Forbidden',
    },
  ],
  cases: [
    {
      name: 'approver adds true', request: { operation: 'UPDATE', userInfo: backupTool }, permissions: [approver],
      oldObject: snapshotContent('snapcontent-1'), object: withAllow('snapcontent-1', 'true'), expect: 'allowed',
    },
    {
      name: 'approver whose grant names this content', request: { operation: 'UPDATE', userInfo: backupTool },
      permissions: [{ ...approver, name: 'snapcontent-1' }],
      oldObject: snapshotContent('snapcontent-1'), object: withAllow('snapcontent-1', 'True'), expect: 'allowed',
    },
    {
      name: 'ordinary user adds true', request: { operation: 'UPDATE' },
      oldObject: snapshotContent('snapcontent-1'), object: withAllow('snapcontent-1', 'true'), expect: 'denied',
      message: `user jane may not add annotation ${KEY} on VolumeSnapshotContent snapcontent-1: that needs the RBAC verb `
        + `${APPROVE_MODE_CHANGE_VERB} on volumesnapshotcontents; ask a storage admin, or bind ClusterRole `
        + `${MODE_CHANGE_APPROVER_CLUSTER_ROLE} to the backup tool that restores across modes.`,
    },
    {
      name: 'grant for another content does not count', request: { operation: 'UPDATE', userInfo: backupTool },
      permissions: [{ ...approver, name: 'snapcontent-2' }],
      oldObject: snapshotContent('snapcontent-1'), object: withAllow('snapcontent-1', 'true'), expect: 'denied', message: /may not add annotation/,
    },
    {
      name: 'plain update rights are not enough', request: { operation: 'UPDATE' },
      permissions: [{ ...approver, verb: 'update' }, { ...approver, verb: 'patch' }],
      oldObject: snapshotContent('snapcontent-1'), object: withAllow('snapcontent-1', '1'), expect: 'denied', message: /may not add/,
    },
    {
      name: 'ordinary user changes false to true', request: { operation: 'UPDATE' },
      oldObject: withAllow('snapcontent-1', 'false'), object: withAllow('snapcontent-1', 'true'), expect: 'denied', message: /may not change annotation/,
    },
    {
      name: 'ordinary user removes the annotation', request: { operation: 'UPDATE' },
      oldObject: withAllow('snapcontent-1', 'true'), object: snapshotContent('snapcontent-1'), expect: 'denied', message: /may not remove annotation/,
    },
    {
      name: 'approver removes the annotation (revokes)', request: { operation: 'UPDATE' }, permissions: [approver],
      oldObject: withAllow('snapcontent-1', 'true'), object: snapshotContent('snapcontent-1'), expect: 'allowed',
    },
    {
      name: 'approver writes an unparsable value', request: { operation: 'UPDATE', userInfo: backupTool }, permissions: [approver],
      oldObject: snapshotContent('snapcontent-1'), object: withAllow('snapcontent-1', 'yes'), expect: 'denied',
      message: `VolumeSnapshotContent snapcontent-1: annotation ${KEY} is 'yes', which csi-provisioner cannot read as a boolean `
        + `(it accepts ${PARSE_BOOL_WORDS.join(', ')}), so every restore would fail. Write "true" to allow a volume mode change or remove the annotation.`,
    },
    {
      name: 'unparsable wrong-case TRue', request: { operation: 'UPDATE' }, permissions: [approver],
      oldObject: withAllow('snapcontent-1', 'false'), object: withAllow('snapcontent-1', 'TRue'), expect: 'denied', message: /is 'TRue', which/,
    },
    {
      name: 'imported content created with the annotation by an ordinary user', request: { operation: 'CREATE' },
      object: withAllow('imported-1', 'true'), expect: 'denied', message: /user jane may not add annotation/,
    },
    {
      name: 'imported content created with the annotation by an approver', request: { operation: 'CREATE' }, permissions: [approver],
      object: withAllow('imported-1', 'true'), expect: 'allowed',
    },
    {
      name: 'snapshot-controller update keeps the annotation', request: { operation: 'UPDATE', userInfo: controller },
      oldObject: withAllow('snapcontent-1', 'true'),
      object: snapshotContent('snapcontent-1', { annotations: { [KEY]: 'true', 'snapshot.storage.kubernetes.io/volumesnapshot-being-deleted': 'yes' } }),
      expect: 'not-matched',
    },
    {
      name: 'snapshot-controller update of a content without the annotation', request: { operation: 'UPDATE', userInfo: controller },
      oldObject: snapshotContent('snapcontent-1'), object: snapshotContent('snapcontent-1', { annotations: { 'snapshot.storage.kubernetes.io/deletion-secret-name': 's' } }),
      expect: 'not-matched',
    },
    {
      name: 'csi-snapshotter creates a content without the annotation', request: { operation: 'CREATE', userInfo: controller },
      object: snapshotContent('snapcontent-9'), expect: 'not-matched',
    },
  ],
};
