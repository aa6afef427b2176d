/**
 * Policy 7c (mutating): every VolumeSnapshotContent carries its source volume mode and the bucket
 * of its snapshot's name as labels, so that the restore policy's bindings can hand a restore only
 * the contents that can refuse it: another mode, and the bucket of the snapshot it names. The
 * labels are written from the spec on every CREATE and UPDATE, whatever a client sent, and only
 * when one differs.
 */
import { POLICY_NAMES, SNAPSHOT_NAME_BUCKET_LABEL, SOURCE_VOLUME_MODE_LABEL, UNKNOWN_SOURCE_VOLUME_MODE } from '../catalog';
import { celString, snapshotNameBucket } from './_cel';
import { snapshotContent, SNAPSHOT_CONTROLLER_USER } from './_fixtures';
import { SNAPSHOT_CONTENT_WRITES } from './_match';
import type { MutatingPolicyDefinition } from './types';

const MODE = celString(SOURCE_VOLUME_MODE_LABEL);
const BUCKET = celString(SNAPSHOT_NAME_BUCKET_LABEL);
/** The labels' values for the object as sent. Match conditions cannot read variables, so they are spelled out. */
const WANTED_MODE = `object.spec.?sourceVolumeMode.orValue('') == '' ? ${celString(UNKNOWN_SOURCE_VOLUME_MODE)} : string(object.spec.sourceVolumeMode)`;
const WANTED_BUCKET = snapshotNameBucket("object.spec.?volumeSnapshotRef.?name.orValue('')");

// db-snap ends in "ap": (10 + 25) % 4 = bucket 3 (SNAPSHOT_NAME_ALPHABET positions).
const withLabel = (o: Record<string, any>, value: string, bucket = '3') => ({
  ...o, metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), [SOURCE_VOLUME_MODE_LABEL]: value, [SNAPSHOT_NAME_BUCKET_LABEL]: bucket } },
});
const labelled = (value: string, bucket = '3') => ({ metadata: { labels: { [SOURCE_VOLUME_MODE_LABEL]: value, [SNAPSHOT_NAME_BUCKET_LABEL]: bucket } } });
const controller = { operation: 'UPDATE', userInfo: SNAPSHOT_CONTROLLER_USER } as const;

/** Keeps SOURCE_VOLUME_MODE_LABEL equal to spec.sourceVolumeMode (UNKNOWN_SOURCE_VOLUME_MODE when unset) and SNAPSHOT_NAME_BUCKET_LABEL to its snapshot's bucket. */
export const labelSnapshotContents: MutatingPolicyDefinition = {
  type: 'mutating',
  name: POLICY_NAMES.labelSnapshotContents,
  description: `Every VolumeSnapshotContent carries the label ${SOURCE_VOLUME_MODE_LABEL} with its spec.sourceVolumeMode (${UNKNOWN_SOURCE_VOLUME_MODE} `
    + `when it has none) and ${SNAPSHOT_NAME_BUCKET_LABEL} with the bucket of its snapshot's name, so that a restore is checked only against `
    + 'the contents of the other volume mode in the bucket of the snapshot it names.',
  minKubernetesMinor: 34,
  celLibraries: ['optionalTypes', 'stringsV2'],
  matchConstraints: SNAPSHOT_CONTENT_WRITES,
  matchConditions: [{
    name: 'labels-differ-from-spec',
    expression: `object.metadata.?labels[?${MODE}].orValue('') != (${WANTED_MODE}) || object.metadata.?labels[?${BUCKET}].orValue('') != (${WANTED_BUCKET})`,
  }],
  mutations: [{
    patchType: 'ApplyConfiguration',
    expression: `Object{metadata: Object.metadata{labels: {${MODE}: ${WANTED_MODE}, ${BUCKET}: ${WANTED_BUCKET}}}}`,
  }],
  // Another mutator could change the label after this one: run again so it still tells the truth.
  reinvocationPolicy: 'IfNeeded',
  failurePolicy: {
    action: 'Ignore',
    why: 'A content it could not label keeps no label, and the restore policy reads unlabelled contents for both modes: nothing goes unchecked, it only costs more.',
  },
  cases: [
    {
      name: 'a new Block content is labelled Block', request: { operation: 'CREATE', userInfo: SNAPSHOT_CONTROLLER_USER },
      object: snapshotContent('snapcontent-1', { sourceVolumeMode: 'Block' }), expect: 'mutated', expectObject: labelled('Block'),
    },
    {
      name: 'a label sent with another mode is corrected', request: { operation: 'CREATE' },
      object: withLabel(snapshotContent('snapcontent-1', { sourceVolumeMode: 'Filesystem' }), 'Block'), expect: 'mutated', expectObject: labelled('Filesystem'),
    },
    {
      name: 'an update that removes the label gets it back', request: controller,
      oldObject: withLabel(snapshotContent('snapcontent-1', { sourceVolumeMode: 'Block' }), 'Block'),
      object: snapshotContent('snapcontent-1', { sourceVolumeMode: 'Block' }), expect: 'mutated', expectObject: labelled('Block'),
    },
    {
      name: 'a legacy content without sourceVolumeMode is labelled Unknown', request: controller,
      oldObject: snapshotContent('snapcontent-legacy', { sourceVolumeMode: null }),
      object: snapshotContent('snapcontent-legacy', { sourceVolumeMode: null }), expect: 'mutated', expectObject: labelled(UNKNOWN_SOURCE_VOLUME_MODE),
    },
    {
      name: 'a backfilled mode replaces Unknown', request: controller,
      oldObject: withLabel(snapshotContent('snapcontent-legacy', { sourceVolumeMode: null }), UNKNOWN_SOURCE_VOLUME_MODE),
      object: withLabel(snapshotContent('snapcontent-legacy', { sourceVolumeMode: 'Filesystem' }), UNKNOWN_SOURCE_VOLUME_MODE), expect: 'mutated', expectObject: labelled('Filesystem'),
    },
    {
      // "28": (2 + 8) % 4 = 2.
      name: 'the bucket follows the last two characters of the snapshot name', request: { operation: 'CREATE', userInfo: SNAPSHOT_CONTROLLER_USER },
      object: snapshotContent('snapcontent-2', { sourceVolumeMode: 'Block', snapshot: 'nightly-20261128' }), expect: 'mutated', expectObject: labelled('Block', '2'),
    },
    {
      // "2z": (2 + 35) % 4 = 1.
      name: 'a wrong bucket is corrected', request: controller,
      oldObject: withLabel(snapshotContent('snapcontent-1', { sourceVolumeMode: 'Block', snapshot: 'backup-x7k2z' }), 'Block', '1'),
      object: withLabel(snapshotContent('snapcontent-1', { sourceVolumeMode: 'Block', snapshot: 'backup-x7k2z' }), 'Block', '0'), expect: 'mutated', expectObject: labelled('Block', '1'),
    },
    {
      name: 'a content already labelled right is left alone', request: controller,
      oldObject: withLabel(snapshotContent('snapcontent-1', { sourceVolumeMode: 'Block' }), 'Block'),
      object: withLabel(snapshotContent('snapcontent-1', { sourceVolumeMode: 'Block' }), 'Block'), expect: 'not-matched',
    },
  ],
};
