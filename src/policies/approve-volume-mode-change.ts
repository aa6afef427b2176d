/**
 * Policy 2: only principals holding the approve verb may add, change or remove the annotation that
 * lets a restore change the volume mode, and the value must be one csi-provisioner can parse.
 * The audit stamp next to it can only name the user who changed the allow annotation in the same
 * request, which is what the stamping mutating policy writes, so nobody can forge or erase it.
 * The controllers' own updates leave both annotations alone, so the policy never matches them.
 */
import {
  ALLOW_VOLUME_MODE_CHANGE_ANNOTATION, APPROVE_MODE_CHANGE_VERB, MODE_CHANGE_APPROVED_BY_ANNOTATION, MODE_CHANGE_APPROVER_CLUSTER_ROLE,
  POLICY_NAMES,
} from '../catalog';
import { SNAPSHOT_GROUP, SNAPSHOT_RESOURCES } from '../catalog/snapshot-api';
import { annotationAction, annotationOf, annotationsChange, celString, celStrings, PARSE_BOOL_WORDS } from './_cel';
import { BACKUP_TOOL_USER, snapshotContent, SNAPSHOT_CONTROLLER_USER } from './_fixtures';
import { SNAPSHOT_CONTENT_WRITES } from './_match';
import type { CasePermission, PolicyDefinition } from './types';

const KEY = ALLOW_VOLUME_MODE_CHANGE_ANNOTATION;
const STAMP = MODE_CHANGE_APPROVED_BY_ANNOTATION;

const approver: CasePermission = {
  group: SNAPSHOT_GROUP, resource: SNAPSHOT_RESOURCES.volumeSnapshotContents, verb: APPROVE_MODE_CHANGE_VERB,
};
const controller = SNAPSHOT_CONTROLLER_USER;
const backupTool = BACKUP_TOOL_USER;
const withAllow = (name: string, value: string) => snapshotContent(name, { annotations: { [KEY]: value } });
const withAnnotations = (name: string, annotations: Record<string, string>) => snapshotContent(name, { annotations });

/** Adding, changing or removing the allow annotation needs the approve verb; its value must parse as a Go bool; the stamp cannot be forged. */
export const approveVolumeModeChange: PolicyDefinition = {
  type: 'validating',
  name: POLICY_NAMES.approveVolumeModeChange,
  description: `Adding, changing or removing the ${KEY} annotation on a VolumeSnapshotContent needs the RBAC verb `
    + `${APPROVE_MODE_CHANGE_VERB} on volumesnapshotcontents (ClusterRole ${MODE_CHANGE_APPROVER_CLUSTER_ROLE}), checked through the authorizer, `
    + 'and values csi-provisioner cannot parse as a boolean are refused. '
    + `The audit stamp ${STAMP} may only be written in the request that changes ${KEY}, with the name of the user sending it `
    + '(the stamping mutating policy does that; without it an approver may stamp themselves), and never changed or removed afterwards; '
    + 'requests that leave both annotations alone (the controllers\' own updates) are not even evaluated.',
  minKubernetesMinor: 30,
  celLibraries: ['optionalTypes'],
  matchConstraints: SNAPSHOT_CONTENT_WRITES,
  matchConditions: [{ name: 'allow-annotation-or-stamp-changes', expression: annotationsChange([KEY, STAMP]) }],
  variables: [
    { name: 'allowChanged', expression: annotationsChange([KEY]) },
    { name: 'allowAction', expression: annotationAction(KEY) },
    { name: 'value', expression: `${annotationOf('object', KEY)}.orValue('')` },
    { name: 'stampChanged', expression: annotationsChange([STAMP]) },
    { name: 'stampAction', expression: annotationAction(STAMP) },
  ],
  validations: [
    {
      expression: `!variables.allowChanged || variables.allowAction == 'remove' || variables.value in ${celStrings(PARSE_BOOL_WORDS)}`,
      message: `annotation ${KEY} must be true or false as Go's strconv.ParseBool reads it`,
      messageExpression: `'VolumeSnapshotContent ' + object.metadata.name + ': annotation ${KEY} is \\'' + variables.value`
        + ` + '\\', which csi-provisioner cannot read as a boolean (it accepts ${PARSE_BOOL_WORDS.join(', ')}), so every restore would fail. Write "true" to allow a volume mode change or remove the annotation.'`,
    },
    {
      expression: `!variables.allowChanged || authorizer.group(${celString(SNAPSHOT_GROUP)}).resource(${celString(SNAPSHOT_RESOURCES.volumeSnapshotContents)})`
        + `.name(object.metadata.name).check(${celString(APPROVE_MODE_CHANGE_VERB)}).allowed()`,
      message: `changing annotation ${KEY} needs the ${APPROVE_MODE_CHANGE_VERB} verb on volumesnapshotcontents`,
      messageExpression: `'user ' + request.userInfo.username + ' may not ' + variables.allowAction + ' annotation ${KEY} on VolumeSnapshotContent '`
        + ` + object.metadata.name + ': that needs the RBAC verb ${APPROVE_MODE_CHANGE_VERB} on volumesnapshotcontents; `
        + `ask a storage admin, or bind ClusterRole ${MODE_CHANGE_APPROVER_CLUSTER_ROLE} to the backup tool that restores across modes.'`,
      reason: 'Forbidden',
    },
    {
      // Validation sees the object after mutation: a stamp equal to the requesting user, in the
      // request that changed the allow annotation, is the one the mutating policy wrote.
      expression: `!variables.stampChanged || (variables.allowChanged && ${annotationOf('object', STAMP)}.orValue('') == request.userInfo.username)`,
      message: `annotation ${STAMP} is written by the admission policy ${POLICY_NAMES.stampModeChangeApprover} and cannot be set by hand`,
      messageExpression: `'user ' + request.userInfo.username + ' may not ' + variables.stampAction + ' annotation ${STAMP} on VolumeSnapshotContent '`
        + ` + object.metadata.name + ': it records who allowed a volume mode change and is written only together with a change of ${KEY}, `
        + `with the name of the user making that change. Leave it out of the request.'`,
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
    {
      name: 'approver adds true, the mutating policy stamps the approver', request: { operation: 'UPDATE', userInfo: backupTool }, permissions: [approver],
      oldObject: snapshotContent('snapcontent-1'), object: withAnnotations('snapcontent-1', { [KEY]: 'true', [STAMP]: backupTool.username }), expect: 'allowed',
    },
    {
      name: 'approver without the mutating policy stamps themselves on an imported content', request: { operation: 'CREATE', userInfo: backupTool }, permissions: [approver],
      object: withAnnotations('imported-2', { [KEY]: 'true', [STAMP]: backupTool.username }), expect: 'allowed',
    },
    {
      name: 'approver revokes, the stamp stays as history', request: { operation: 'UPDATE' }, permissions: [approver],
      oldObject: withAnnotations('snapcontent-1', { [KEY]: 'true', [STAMP]: backupTool.username }),
      object: withAnnotations('snapcontent-1', { [STAMP]: backupTool.username }), expect: 'allowed',
    },
    {
      name: 'snapshot-controller update of a stamped content', request: { operation: 'UPDATE', userInfo: controller },
      oldObject: withAnnotations('snapcontent-1', { [KEY]: 'true', [STAMP]: backupTool.username }),
      object: withAnnotations('snapcontent-1', { [KEY]: 'true', [STAMP]: backupTool.username, 'snapshot.storage.kubernetes.io/volumesnapshot-being-deleted': 'yes' }),
      expect: 'not-matched',
    },
    {
      name: 'ordinary user adds a stamp to an allowed content', request: { operation: 'UPDATE' },
      oldObject: withAllow('snapcontent-1', 'true'), object: withAnnotations('snapcontent-1', { [KEY]: 'true', [STAMP]: 'storage-admin' }), expect: 'denied',
      message: `user jane may not add annotation ${STAMP} on VolumeSnapshotContent snapcontent-1: it records who allowed a volume mode change `
        + `and is written only together with a change of ${KEY}, with the name of the user making that change. Leave it out of the request.`,
    },
    {
      name: 'ordinary user rewrites the stamp', request: { operation: 'UPDATE' },
      oldObject: withAnnotations('snapcontent-1', { [KEY]: 'true', [STAMP]: backupTool.username }),
      object: withAnnotations('snapcontent-1', { [KEY]: 'true', [STAMP]: 'storage-admin' }), expect: 'denied', message: new RegExp(`^user jane may not change annotation ${STAMP} `),
    },
    {
      name: 'ordinary user erases the stamp', request: { operation: 'UPDATE' },
      oldObject: withAnnotations('snapcontent-1', { [KEY]: 'true', [STAMP]: backupTool.username }),
      object: withAllow('snapcontent-1', 'true'), expect: 'denied', message: new RegExp(`^user jane may not remove annotation ${STAMP} `),
    },
    {
      name: 'approver allows and stamps someone else (no mutating policy)', request: { operation: 'UPDATE', userInfo: backupTool }, permissions: [approver],
      oldObject: snapshotContent('snapcontent-1'), object: withAnnotations('snapcontent-1', { [KEY]: 'true', [STAMP]: 'storage-admin' }), expect: 'denied',
      message: new RegExp(`^user ${backupTool.username} may not add annotation ${STAMP} `),
    },
    {
      name: 'approver stamps themselves without changing the allow annotation', request: { operation: 'UPDATE', userInfo: backupTool }, permissions: [approver],
      oldObject: withAllow('snapcontent-1', 'true'), object: withAnnotations('snapcontent-1', { [KEY]: 'true', [STAMP]: backupTool.username }), expect: 'denied',
      message: /may not add annotation .* written only together with a change of/,
    },
    {
      name: 'approver revokes and erases the stamp', request: { operation: 'UPDATE', userInfo: backupTool }, permissions: [approver],
      oldObject: withAnnotations('snapcontent-1', { [KEY]: 'true', [STAMP]: backupTool.username }), object: snapshotContent('snapcontent-1'), expect: 'denied',
      message: new RegExp(`may not remove annotation ${STAMP} `),
    },
    {
      name: 'ordinary user creates a content with a stamp only', request: { operation: 'CREATE' },
      object: withAnnotations('imported-3', { [STAMP]: 'jane' }), expect: 'denied', message: new RegExp(`^user jane may not add annotation ${STAMP} `),
    },
  ],
};
