/**
 * Policy 7b (mutating): every PersistentVolumeClaim that restores a VolumeSnapshot gets a label with
 * its volume mode, and the restore policy's bindings select claims by it: one binding per mode,
 * each reading only the VolumeSnapshotContents of the other modes (policy 7c labels them). The
 * restore policy runs once per content it reads; without this label every claim in the cluster,
 * restoring or not, would pay that cost (measured: +38 ms p50 per PVC create at 1,000 contents,
 * bench/admission-scale.ts).
 */
import { POLICY_NAMES, RESTORES_SNAPSHOT_LABEL, SNAPSHOT_NAME_BUCKET_LABEL } from '../catalog';
import { DEFAULT_VOLUME_MODE } from '../catalog/snapshot-api';
import { celString, snapshotNameBucket } from './_cel';
import { pvc, RESTORES_A_VOLUME_SNAPSHOT, SNAPSHOT_SOURCE } from './restore-keeps-volume-mode';
import type { MutatingPolicyDefinition } from './types';

const create = { operation: 'CREATE', namespace: 'team-a' } as const;
// db-snap ends in "ap": (10 + 25) % 4 = bucket 3 (SNAPSHOT_NAME_ALPHABET positions).
const labelled = (mode: string, bucket = '3') => ({ metadata: { labels: { [RESTORES_SNAPSHOT_LABEL]: mode, [SNAPSHOT_NAME_BUCKET_LABEL]: bucket } } });
const withLabel = (o: Record<string, any>, value: string) => ({ ...o, metadata: { ...o.metadata, labels: { [RESTORES_SNAPSHOT_LABEL]: value } } });

/** Labels PVCs that restore a VolumeSnapshot with RESTORES_SNAPSHOT_LABEL=<their volumeMode> and the bucket of the snapshot's name. */
export const markSnapshotRestores: MutatingPolicyDefinition = {
  type: 'mutating',
  name: POLICY_NAMES.markSnapshotRestores,
  description: `A PersistentVolumeClaim that restores a VolumeSnapshot gets the label ${RESTORES_SNAPSHOT_LABEL} with its volumeMode and `
    + `${SNAPSHOT_NAME_BUCKET_LABEL} with the bucket of the snapshot's name (whatever values it was sent with), so that only such claims `
    + 'meet the restore policy, and each only the binding for its mode and bucket.',
  minKubernetesMinor: 34,
  celLibraries: ['optionalTypes', 'stringsV2'],
  matchConstraints: {
    resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['persistentvolumeclaims'], operations: ['CREATE'] }],
  },
  matchConditions: [RESTORES_A_VOLUME_SNAPSHOT],
  mutations: [{
    patchType: 'ApplyConfiguration',
    expression: `Object{metadata: Object.metadata{labels: {${celString(RESTORES_SNAPSHOT_LABEL)}: string(object.spec.?volumeMode.orValue(${celString(DEFAULT_VOLUME_MODE)})), `
      + `${celString(SNAPSHOT_NAME_BUCKET_LABEL)}: ${snapshotNameBucket(`(${SNAPSHOT_SOURCE}).name`)}}}}`,
  }],
  // Another mutator could drop the label after this one: run again so the restore policy still sees the claim.
  reinvocationPolicy: 'IfNeeded',
  failurePolicy: {
    action: 'Ignore',
    why: 'It matches every PersistentVolumeClaim CREATE. Should it ever fail, the claim is only not checked early; csi-provisioner still refuses a mode change.',
  },
  cases: [
    { name: 'a Block restore through dataSource and dataSourceRef is labelled Block', request: create, object: pvc('db-restore', { volumeMode: 'Block' }), expect: 'mutated', expectObject: labelled('Block') },
    { name: 'a Filesystem restore through dataSourceRef only is labelled Filesystem', request: create, object: pvc('db-restore', { via: 'dataSourceRef', volumeMode: 'Filesystem' }), expect: 'mutated', expectObject: labelled('Filesystem') },
    { name: 'a label sent with another mode is set to the claim\'s', request: create, object: withLabel(pvc('db-restore', { via: 'dataSource', volumeMode: 'Filesystem' }), 'Block'), expect: 'mutated', expectObject: labelled('Filesystem') },
    // "10": (1 + 0) % 4 = 1.
    { name: 'the bucket follows the last two characters of the snapshot name', request: create, object: pvc('db-restore', { volumeMode: 'Filesystem', snapshot: 'nightly-10' }), expect: 'mutated', expectObject: labelled('Filesystem', '1') },
    { name: 'a clone from a PVC is not labelled', request: create, object: pvc('db-clone', { pvcSource: true }), expect: 'not-matched' },
    {
      name: 'an empty claim is not labelled', request: create, expect: 'not-matched',
      object: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'scratch', namespace: 'team-a' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    },
  ],
};
