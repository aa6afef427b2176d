/**
 * Policy 4: the VolumeSnapshotContent CRD cannot be replaced by one without spec.sourceVolumeMode.
 * Old add-ons ship pre-v6 CRDs; installing one silently drops the field, and with it the protection
 * (SCENARIOS.md §1, trap a).
 */
import { POLICY_NAMES } from '../catalog';
import { SNAPSHOT_GROUP, SNAPSHOT_RESOURCES, SNAPSHOT_VERSION } from '../catalog/snapshot-api';
import { crdName, CrdDefinition, VOLUME_SNAPSHOT_CONTENT_CRD, VOLUME_SNAPSHOT_CRD } from '../crds';
import { celString } from './_cel';
import type { PolicyDefinition } from './types';

const CRD_NAME = `${SNAPSHOT_RESOURCES.volumeSnapshotContents}.${SNAPSHOT_GROUP}`;
// dyn(): the server's type checker cuts JSONSchemaProps' recursion, so a typed walk into
// `properties` draws an "undefined field" warning (seen in status.typeChecking on 1.30-1.36).
const hasField = "dyn(v).?schema.?openAPIV3Schema.?properties.?spec.?properties.?sourceVolumeMode.hasValue()";

/**
 * A VolumeSnapshotContent CRD shaped like the upstream one, with or without the field. Valid as the
 * API server requires: a `*.k8s.io` group needs the API-approval annotation, the name is plural.group.
 */
function crd(opts: { sourceVolumeMode: boolean; v1Served?: boolean; crd?: CrdDefinition }): Record<string, unknown> {
  const def = opts.crd ?? VOLUME_SNAPSHOT_CONTENT_CRD;
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
    metadata: { name: crdName(def), annotations: { 'api-approved.kubernetes.io': def.apiApproval } },
    spec: {
      group: def.group, scope: def.scope,
      names: { kind: def.kind, plural: def.plural, singular: def.singular, listKind: def.listKind },
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
      object: crd({ sourceVolumeMode: false, crd: VOLUME_SNAPSHOT_CRD }), expect: 'not-matched',
    },
  ],
};
