/**
 * Policy 1: a VolumeSnapshotContent declares the mode of its source volume.
 * The CRD accepts any string there and csi-provisioner skips the mode check when the field is
 * empty (FACTS §b4, §j.2), so an imported content without it silently bypasses the protection.
 */
import { POLICY_NAMES } from '../catalog';
import { VOLUME_MODES } from '../catalog/snapshot-api';
import { celStrings } from './_cel';
import { snapshotContent, SNAPSHOT_CONTROLLER_USER } from './_fixtures';
import { SNAPSHOT_CONTENT_WRITES } from './_match';
import type { PolicyDefinition } from './types';

const modes = celStrings(VOLUME_MODES);
const created = { operation: 'CREATE' } as const;
const updated = { operation: 'UPDATE', userInfo: SNAPSHOT_CONTROLLER_USER } as const;

/** VolumeSnapshotContent CREATE/UPDATE: spec.sourceVolumeMode is Filesystem or Block, and never changes once set. */
export const requireSourceVolumeMode: PolicyDefinition = {
  type: 'validating',
  name: POLICY_NAMES.requireSourceVolumeMode,
  description: 'Every new VolumeSnapshotContent must say whether its source volume was Filesystem or Block, '
    + 'because csi-provisioner skips the volume mode check for contents that do not. Once set, the mode cannot be '
    + 'changed or removed, also on clusters whose older CRDs lack the immutability rule.',
  minKubernetesMinor: 30,
  celLibraries: ['optionalTypes'],
  matchConstraints: SNAPSHOT_CONTENT_WRITES,
  variables: [
    { name: 'mode', expression: "object.spec.?sourceVolumeMode.orValue('')" },
    { name: 'oldMode', expression: "oldObject == null ? '' : oldObject.spec.?sourceVolumeMode.orValue('')" },
  ],
  validations: [
    {
      // On UPDATE an unchanged value passes, so contents made before the field existed keep working;
      // a removal is left to the next rule, which explains it better.
      expression: `variables.mode in ${modes} || (request.operation == 'UPDATE' && (variables.mode == variables.oldMode || variables.mode == ''))`,
      message: 'spec.sourceVolumeMode must be Filesystem or Block',
      messageExpression: "'VolumeSnapshotContent ' + object.metadata.name + ': spec.sourceVolumeMode must be Filesystem or Block, '"
        + " + (variables.mode == '' ? 'it is missing' : 'not \\'' + variables.mode + '\\'')"
        + " + '; without it csi-provisioner does not check the volume mode on restore. Set it to the volumeMode of the source PersistentVolume.'",
    },
    {
      expression: "variables.oldMode == '' || variables.mode == variables.oldMode",
      message: 'spec.sourceVolumeMode cannot be changed or removed once set',
      messageExpression: "'VolumeSnapshotContent ' + object.metadata.name + ': spec.sourceVolumeMode was ' + variables.oldMode"
        + " + ' and cannot be ' + (variables.mode == '' ? 'removed' : 'changed to ' + variables.mode)"
        + " + '; the mode records what the snapshot holds, create a new content instead.'",
    },
  ],
  cases: [
    { name: 'create with Filesystem', request: created, object: snapshotContent('snapcontent-fs'), expect: 'allowed' },
    { name: 'create with Block', request: created, object: snapshotContent('snapcontent-block', { sourceVolumeMode: 'Block' }), expect: 'allowed' },
    {
      name: 'create without sourceVolumeMode (imported content)', request: created,
      object: snapshotContent('imported-1', { sourceVolumeMode: null }), expect: 'denied',
      message: 'VolumeSnapshotContent imported-1: spec.sourceVolumeMode must be Filesystem or Block, it is missing; '
        + 'without it csi-provisioner does not check the volume mode on restore. Set it to the volumeMode of the source PersistentVolume.',
    },
    {
      name: 'create with wrong case block', request: created,
      object: snapshotContent('imported-2', { sourceVolumeMode: 'block' }), expect: 'denied', message: /must be Filesystem or Block, not 'block'/,
    },
    {
      name: 'create with an empty string', request: created,
      object: snapshotContent('imported-3', { sourceVolumeMode: '' }), expect: 'denied', message: /it is missing/,
    },
    {
      name: 'controller update of a legacy content without the field (finalizer change)', request: updated,
      oldObject: snapshotContent('legacy-1', { sourceVolumeMode: null }),
      object: snapshotContent('legacy-1', { sourceVolumeMode: null, annotations: { 'snapshot.storage.kubernetes.io/volumesnapshot-being-deleted': 'yes' } }),
      expect: 'allowed',
    },
    {
      name: 'admin adds Block to a legacy content', request: { operation: 'UPDATE' },
      oldObject: snapshotContent('legacy-2', { sourceVolumeMode: null }), object: snapshotContent('legacy-2', { sourceVolumeMode: 'Block' }),
      expect: 'allowed',
    },
    {
      name: 'admin adds a misspelled mode to a legacy content', request: { operation: 'UPDATE' },
      oldObject: snapshotContent('legacy-3', { sourceVolumeMode: null }), object: snapshotContent('legacy-3', { sourceVolumeMode: 'Raw' }),
      expect: 'denied', message: /not 'Raw'/,
    },
    {
      name: 'update changes Filesystem to Block', request: { operation: 'UPDATE' },
      oldObject: snapshotContent('snapcontent-4'), object: snapshotContent('snapcontent-4', { sourceVolumeMode: 'Block' }),
      expect: 'denied',
      message: 'VolumeSnapshotContent snapcontent-4: spec.sourceVolumeMode was Filesystem and cannot be changed to Block; '
        + 'the mode records what the snapshot holds, create a new content instead.',
      // This project's CRD makes the field immutable itself, and CRD validation runs first.
      serverMessage: /sourceVolumeMode is immutable/,
    },
    {
      name: 'update removes the field', request: { operation: 'UPDATE' },
      oldObject: snapshotContent('snapcontent-5', { sourceVolumeMode: 'Block' }), object: snapshotContent('snapcontent-5', { sourceVolumeMode: null }),
      expect: 'denied', message: /was Block and cannot be removed/,
      serverMessage: /sourceVolumeMode is required once set/,
    },
    {
      name: 'status update by csi-snapshotter is not matched', request: { ...updated, subResource: 'status' },
      oldObject: snapshotContent('legacy-4', { sourceVolumeMode: null }), object: snapshotContent('legacy-4', { sourceVolumeMode: null }),
      expect: 'not-matched',
    },
    { name: 'delete is not matched', request: { operation: 'DELETE' }, oldObject: snapshotContent('snapcontent-6'), object: null, expect: 'not-matched' },
  ],
};
