/**
 * Policy 4: the VolumeSnapshotContent CRD cannot be replaced by one without spec.sourceVolumeMode.
 * Old add-ons ship pre-v6 CRDs; installing one silently drops the field, and with it the protection
 * (SCENARIOS.md §1, trap a).
 */
import { POLICY_NAMES } from '../catalog';
import { SNAPSHOT_GROUP, SNAPSHOT_RESOURCES, SNAPSHOT_VERSION } from '../catalog/snapshot-api';
import { celString } from './_cel';
import type { PolicyDefinition } from './types';

const CRD_NAME = `${SNAPSHOT_RESOURCES.volumeSnapshotContents}.${SNAPSHOT_GROUP}`;
const hasField = "v.?schema.?openAPIV3Schema.?properties.?spec.?properties.?sourceVolumeMode.hasValue()";

/** A VolumeSnapshotContent CRD shaped like the upstream one, with or without the field. */
function crd(opts: { sourceVolumeMode: boolean; v1Served?: boolean; name?: string }): Record<string, unknown> {
  const specProps: Record<string, unknown> = {
    deletionPolicy: { type: 'string', enum: ['Delete', 'Retain'] },
    driver: { type: 'string' },
    source: { type: 'object', properties: { snapshotHandle: { type: 'string' }, volumeHandle: { type: 'string' } } },
    volumeSnapshotClassName: { type: 'string' },
    volumeSnapshotRef: { type: 'object', properties: { name: { type: 'string' }, namespace: { type: 'string' } } },
  };
  if (opts.sourceVolumeMode) specProps.sourceVolumeMode = { type: 'string' };
  const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', required: ['deletionPolicy', 'driver', 'source', 'volumeSnapshotRef'], properties: specProps } } } };
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: opts.name ?? CRD_NAME },
    spec: {
      group: SNAPSHOT_GROUP, scope: 'Cluster',
      names: { kind: 'VolumeSnapshotContent', plural: SNAPSHOT_RESOURCES.volumeSnapshotContents, singular: 'volumesnapshotcontent', listKind: 'VolumeSnapshotContentList' },
      versions: [
        { name: SNAPSHOT_VERSION, served: opts.v1Served ?? true, storage: true, schema, subresources: { status: {} } },
        { name: 'v1beta1', served: false, storage: false, deprecated: true, schema },
      ],
    },
  };
}

/** CREATE/UPDATE of the VolumeSnapshotContent CRD must keep spec.sourceVolumeMode in the served v1 schema. */
export const crdKeepsSourceVolumeMode: PolicyDefinition = {
  type: 'validating',
  name: POLICY_NAMES.crdKeepsSourceVolumeMode,
  description: `The CRD ${CRD_NAME} may only be created or updated when its served ${SNAPSHOT_VERSION} schema has spec.sourceVolumeMode. `
    + 'This stops an old add-on from installing pre-v6 snapshot CRDs over current ones and so switching the protection off without a word.',
  minKubernetesMinor: 30,
  celLibraries: ['optionalTypes'],
  matchConstraints: {
    resourceRules: [{ apiGroups: ['apiextensions.k8s.io'], apiVersions: ['v1'], resources: ['customresourcedefinitions'], operations: ['CREATE', 'UPDATE'] }],
  },
  matchConditions: [{ name: 'is-the-content-crd', expression: `object.metadata.name == ${celString(CRD_NAME)}` }],
  validations: [{
    expression: `object.spec.versions.exists(v, v.name == ${celString(SNAPSHOT_VERSION)} && v.served && ${hasField})`,
    message: `CRD ${CRD_NAME} must serve ${SNAPSHOT_VERSION} with spec.sourceVolumeMode`,
    messageExpression: `'CRD ${CRD_NAME} ' + (object.spec.versions.exists(v, v.name == ${celString(SNAPSHOT_VERSION)} && v.served) ? `
      + `'serves ${SNAPSHOT_VERSION} without spec.sourceVolumeMode' : 'does not serve ${SNAPSHOT_VERSION}')`
      + ` + ': this looks like the CRD of an external-snapshotter older than v6.0.0, which would switch the volume mode protection off. Install the CRDs of the snapshot-controller release you run (v8.x).'`,
  }],
  cases: [
    { name: 'install the current CRD', request: { operation: 'CREATE' }, object: crd({ sourceVolumeMode: true }), expect: 'allowed' },
    {
      name: 'update to the current CRD', request: { operation: 'UPDATE' },
      oldObject: crd({ sourceVolumeMode: true }), object: crd({ sourceVolumeMode: true }), expect: 'allowed',
    },
    {
      name: 'add-on downgrades to a CRD without the field', request: { operation: 'UPDATE', userInfo: { username: 'system:serviceaccount:kube-system:addon-manager' } },
      oldObject: crd({ sourceVolumeMode: true }), object: crd({ sourceVolumeMode: false }), expect: 'denied',
      message: `CRD ${CRD_NAME} serves v1 without spec.sourceVolumeMode: this looks like the CRD of an external-snapshotter older than v6.0.0, `
        + 'which would switch the volume mode protection off. Install the CRDs of the snapshot-controller release you run (v8.x).',
    },
    { name: 'create an old CRD without the field', request: { operation: 'CREATE' }, object: crd({ sourceVolumeMode: false }), expect: 'denied', message: /serves v1 without spec.sourceVolumeMode/ },
    { name: 'CRD that does not serve v1', request: { operation: 'CREATE' }, object: crd({ sourceVolumeMode: true, v1Served: false }), expect: 'denied', message: /does not serve v1:/ },
    {
      name: 'another CRD is not matched', request: { operation: 'CREATE' },
      object: crd({ sourceVolumeMode: false, name: `${SNAPSHOT_RESOURCES.volumeSnapshots}.${SNAPSHOT_GROUP}` }), expect: 'not-matched',
    },
  ],
};
