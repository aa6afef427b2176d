/**
 * Policy 7b (mutating): every PersistentVolumeClaim that restores a VolumeSnapshot gets a label, and
 * the restore policy's binding selects claims by it. The restore policy runs once per
 * VolumeSnapshotContent; without this, every claim in the cluster, restoring or not, would pay that
 * cost (measured: +38 ms p50 per PVC create at 1,000 contents, bench/admission-scale.ts).
 */
import { POLICY_NAMES, RESTORES_SNAPSHOT_LABEL } from '../catalog';
import { celString } from './_cel';
import { pvc, RESTORES_A_VOLUME_SNAPSHOT } from './restore-keeps-volume-mode';
import type { MutatingPolicyDefinition } from './types';

const create = { operation: 'CREATE', namespace: 'team-a' } as const;
const labelled = { metadata: { labels: { [RESTORES_SNAPSHOT_LABEL]: 'true' } } };
const withLabel = (o: Record<string, any>, value: string) => ({ ...o, metadata: { ...o.metadata, labels: { [RESTORES_SNAPSHOT_LABEL]: value } } });

/** Labels PVCs that restore a VolumeSnapshot with RESTORES_SNAPSHOT_LABEL=true. */
export const markSnapshotRestores: MutatingPolicyDefinition = {
  type: 'mutating',
  name: POLICY_NAMES.markSnapshotRestores,
  description: `A PersistentVolumeClaim that restores a VolumeSnapshot gets the label ${RESTORES_SNAPSHOT_LABEL}: "true" (whatever value it was sent with), `
    + 'so that only such claims meet the restore policy, whose cost grows with the number of VolumeSnapshotContents.',
  minKubernetesMinor: 34,
  celLibraries: ['optionalTypes'],
  matchConstraints: {
    resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['persistentvolumeclaims'], operations: ['CREATE'] }],
  },
  matchConditions: [RESTORES_A_VOLUME_SNAPSHOT],
  mutations: [{
    patchType: 'ApplyConfiguration',
    expression: `Object{metadata: Object.metadata{labels: {${celString(RESTORES_SNAPSHOT_LABEL)}: 'true'}}}`,
  }],
  // Another mutator could drop the label after this one: run again so the restore policy still sees the claim.
  reinvocationPolicy: 'IfNeeded',
  failurePolicy: {
    action: 'Ignore',
    why: 'It matches every PersistentVolumeClaim CREATE. Should it ever fail, the claim is only not checked early; csi-provisioner still refuses a mode change.',
  },
  cases: [
    { name: 'restore through dataSource and dataSourceRef is labelled', request: create, object: pvc('db-restore', { volumeMode: 'Block' }), expect: 'mutated', expectObject: labelled },
    { name: 'restore through dataSourceRef only is labelled', request: create, object: pvc('db-restore', { via: 'dataSourceRef' }), expect: 'mutated', expectObject: labelled },
    { name: 'a label sent as false is set to true', request: create, object: withLabel(pvc('db-restore', { via: 'dataSource' }), 'false'), expect: 'mutated', expectObject: labelled },
    { name: 'a clone from a PVC is not labelled', request: create, object: pvc('db-clone', { pvcSource: true }), expect: 'not-matched' },
    {
      name: 'an empty claim is not labelled', request: create, expect: 'not-matched',
      object: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'scratch', namespace: 'team-a' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    },
  ],
};
