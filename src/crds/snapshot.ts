/**
 * snapshot.storage.k8s.io: VolumeSnapshotClass, VolumeSnapshot, VolumeSnapshotContent, matching
 * the CRDs of the external-snapshotter release the catalog pins for snapshot-controller.
 *
 * v1 is the only served and stored version. v1beta1 stays listed (not served) so that clusters
 * whose `status.storedVersions` still contain it can apply these CRDs; its schema is the older one,
 * without CEL rules.
 */
import {
  AGE_COLUMN, bool, dateTime, deletionPolicy, exactlyOneOf, immutable, int64, namespacedRef, nonEmptyWhenSet, obj,
  objectReference, requiredOnceSet, resource, statusError, str, stringMap,
} from './_schema';
import { CelRule, CrdDefinition, CrdVersion, OpenApiSchema, PrinterColumn } from './types';

/** API group of the single-volume snapshot kinds. */
import { SNAPSHOT_GROUP } from '../catalog/snapshot-api';

/** Schema generation: `v1` has CEL rules and the fields added since v6; `v1beta1` is frozen. */
type Generation = 'v1' | 'v1beta1';

/** Kubernetes resource.Quantity as a string or integer. */
const QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** CEL rules arrived with v1 in external-snapshotter v8; the frozen v1beta1 schema has none. */
function rulesIf(gen: Generation, ...rules: CelRule[]): CelRule[] {
  return gen === 'v1' ? rules : [];
}

/** v1 served and stored; v1beta1 kept only as a non-served, deprecated entry. */
function versions(kind: string, statusSubresource: boolean, printerColumns: readonly PrinterColumn[],
  schema: (gen: Generation) => OpenApiSchema): CrdVersion[] {
  return [
    { name: 'v1', served: true, storage: true, statusSubresource, printerColumns, schema: schema('v1') },
    {
      name: 'v1beta1', served: false, storage: false, deprecated: true,
      deprecationWarning: `${SNAPSHOT_GROUP}/v1beta1 ${kind} is deprecated; use ${SNAPSHOT_GROUP}/v1 ${kind}`,
      statusSubresource, printerColumns, schema: schema('v1beta1'),
    },
  ];
}

const readyColumn: PrinterColumn = {
  name: 'ReadyToUse', type: 'boolean', jsonPath: '.status.readyToUse',
  description: 'Whether a volume can be restored from the snapshot yet.',
};

function volumeSnapshotClassSchema(gen: Generation): OpenApiSchema {
  return resource(
    'Cluster-wide settings for snapshots taken by one CSI driver. A VolumeSnapshot picks a class by name.',
    {
      deletionPolicy: deletionPolicy(
        'What happens to a VolumeSnapshotContent made through this class, and to its storage-side snapshot, ' +
        'when the bound VolumeSnapshot is deleted: Retain keeps both, Delete removes both. Required.'),
      driver: str('Name of the CSI driver that takes snapshots of this class. Required.'),
      parameters: stringMap('Driver-specific settings handed to the driver when it creates a snapshot; Kubernetes does not read them.'),
    },
    { required: ['deletionPolicy', 'driver'], metadata: gen === 'v1' },
  );
}

function volumeSnapshotSchema(gen: Generation): OpenApiSchema {
  const v1 = gen === 'v1';
  return resource(
    'A request to snapshot a PersistentVolumeClaim, or to expose an existing snapshot in a namespace.',
    {
      spec: obj('What the user asks for. Required.', {
        source: obj(
          'Where the snapshot comes from: a PVC to snapshot now, or an existing VolumeSnapshotContent. ' +
          'Cannot change after creation. Required.',
          {
            persistentVolumeClaimName: str(
              'PVC in this namespace to take a new snapshot of. Immutable.',
              { rules: rulesIf(gen, immutable('persistentVolumeClaimName')) }),
            volumeSnapshotContentName: str(
              'VolumeSnapshotContent of a snapshot that already exists, to bind to instead of taking a new one. Immutable.',
              { rules: rulesIf(gen, immutable('volumeSnapshotContentName')) }),
          },
          {
            rules: rulesIf(gen,
              requiredOnceSet('persistentVolumeClaimName'),
              requiredOnceSet('volumeSnapshotContentName'),
              exactlyOneOf('volumeSnapshotContentName', 'persistentVolumeClaimName')),
          }),
        volumeSnapshotClassName: str(
          'VolumeSnapshotClass to use. Unset means the default class of the source volume\'s driver; ' +
          'creation fails if that driver has more than one default. Never the empty string.',
          { rules: rulesIf(gen, nonEmptyWhenSet('volumeSnapshotClassName')) }),
      }, { required: ['source'] }),
      status: obj(
        'Observed state. Before trusting it, check that this snapshot and its VolumeSnapshotContent name each other.',
        {
          boundVolumeSnapshotContentName: str(
            'VolumeSnapshotContent this snapshot is bound to; unset until binding. ' +
            'Only trust it once that content points back at this snapshot.'),
          creationTime: dateTime('When the storage system cut the snapshot, as the CSI driver reported it; unset if unknown.'),
          error: statusError('Latest error while creating the snapshot. The controller keeps retrying and clears it on success.'),
          readyToUse: bool('True once a volume can be restored from the snapshot; unset if unknown.'),
          restoreSize: {
            type: 'string',
            description: 'Smallest volume a restore from this snapshot needs; smaller restores fail. Unset if unknown.',
            pattern: QUANTITY_PATTERN,
            'x-kubernetes-int-or-string': true,
          },
          ...(v1 ? { volumeGroupSnapshotName: str('VolumeGroupSnapshot this snapshot was taken as part of, if any.') } : {}),
        }),
    },
    { required: ['spec'], metadata: v1 },
  );
}

function volumeSnapshotContentSchema(gen: Generation): OpenApiSchema {
  const v1 = gen === 'v1';
  return resource(
    'Cluster-wide record of one snapshot that exists, or is being made, on the storage system.',
    {
      spec: obj('Where the snapshot lives and which VolumeSnapshot it belongs to. Required.', {
        deletionPolicy: deletionPolicy(
          'What happens to the storage-side snapshot when the bound VolumeSnapshot is deleted: Retain keeps it, ' +
          'Delete removes it. Filled from the class for new snapshots; must be given for existing ones. Required.'),
        driver: str('CSI driver that owns the snapshot, spelled as the driver reports its own name. Required.'),
        source: obj(
          'Either the volume to snapshot now or the handle of a snapshot that already exists. ' +
          'Cannot change after creation. Required.',
          {
            snapshotHandle: str('CSI ID of an existing snapshot to represent. Immutable.',
              { rules: rulesIf(gen, immutable('snapshotHandle')) }),
            volumeHandle: str('CSI ID of the volume to take a new snapshot of. Immutable.',
              { rules: rulesIf(gen, immutable('volumeHandle')) }),
          },
          {
            rules: rulesIf(gen,
              requiredOnceSet('volumeHandle'),
              requiredOnceSet('snapshotHandle'),
              exactlyOneOf('volumeHandle', 'snapshotHandle')),
          }),
        ...(v1 ? {
          sourceVolumeMode: str(
            'Volume mode (Filesystem or Block) of the volume the snapshot was taken from; unset means unknown. ' +
            'Immutable and cannot be removed once set. Protected provisioners refuse restores into another mode ' +
            'unless the content is annotated to allow it.',
            { rules: [immutable('sourceVolumeMode')] }),
        } : {}),
        volumeSnapshotClassName: str(
          'VolumeSnapshotClass the snapshot was made with. The class may later change or disappear, so do not rely on it afterwards.'),
        volumeSnapshotRef: objectReference(
          'The VolumeSnapshot this content is bound to; that snapshot must name this content for the binding to hold. ' +
          'Name and namespace are required. Cannot change after creation. Required.',
          { atomic: v1, rules: rulesIf(gen, namespacedRef('spec.volumeSnapshotRef')) }),
      }, {
        required: ['deletionPolicy', 'driver', 'source', 'volumeSnapshotRef'],
        rules: rulesIf(gen, requiredOnceSet('sourceVolumeMode')),
      }),
      status: obj('Observed state of the snapshot on the storage system.', {
        creationTime: int64('When the storage system cut the snapshot, in nanoseconds since the Unix epoch; unset if unknown.'),
        error: statusError('Latest error while creating the snapshot; cleared after a successful retry.'),
        readyToUse: bool('True once a volume can be restored from the snapshot; unset if unknown.'),
        restoreSize: int64('Snapshot size in bytes; a restored volume must be at least this large. Unset if unknown.', { minimum: 0 }),
        snapshotHandle: str('CSI ID of the snapshot; unset while creation is still running or has failed.'),
        ...(v1 ? { volumeGroupSnapshotHandle: str('CSI ID of the group snapshot this snapshot was taken in, if any.') } : {}),
      }),
    },
    { required: ['spec'], metadata: v1 },
  );
}

/** VolumeSnapshotClass: cluster-scoped, no status. */
export const VOLUME_SNAPSHOT_CLASS_CRD: CrdDefinition = {
  group: SNAPSHOT_GROUP,
  kind: 'VolumeSnapshotClass',
  listKind: 'VolumeSnapshotClassList',
  plural: 'volumesnapshotclasses',
  singular: 'volumesnapshotclass',
  shortNames: ['vsclass', 'vsclasses'],
  scope: 'Cluster',
  apiApproval: 'https://github.com/kubernetes-csi/external-snapshotter/pull/814',
  versions: versions('VolumeSnapshotClass', false, [
    { name: 'Driver', type: 'string', jsonPath: '.driver', description: 'CSI driver of the class.' },
    { name: 'DeletionPolicy', type: 'string', jsonPath: '.deletionPolicy', description: 'Retain or Delete for contents made through the class.' },
    AGE_COLUMN,
  ], volumeSnapshotClassSchema),
};

/** VolumeSnapshot: namespaced user request. */
export const VOLUME_SNAPSHOT_CRD: CrdDefinition = {
  group: SNAPSHOT_GROUP,
  kind: 'VolumeSnapshot',
  listKind: 'VolumeSnapshotList',
  plural: 'volumesnapshots',
  singular: 'volumesnapshot',
  shortNames: ['vs'],
  scope: 'Namespaced',
  apiApproval: 'https://github.com/kubernetes-csi/external-snapshotter/pull/814',
  versions: versions('VolumeSnapshot', true, [
    readyColumn,
    { name: 'SourcePVC', type: 'string', jsonPath: '.spec.source.persistentVolumeClaimName', description: 'PVC the snapshot is taken of.' },
    { name: 'SourceSnapshotContent', type: 'string', jsonPath: '.spec.source.volumeSnapshotContentName', description: 'Existing content the snapshot binds to.' },
    { name: 'RestoreSize', type: 'string', jsonPath: '.status.restoreSize', description: 'Smallest volume a restore needs.' },
    { name: 'SnapshotClass', type: 'string', jsonPath: '.spec.volumeSnapshotClassName', description: 'Requested VolumeSnapshotClass.' },
    { name: 'SnapshotContent', type: 'string', jsonPath: '.status.boundVolumeSnapshotContentName', description: 'Bound VolumeSnapshotContent (verify it points back).' },
    { name: 'CreationTime', type: 'date', jsonPath: '.status.creationTime', description: 'When the storage system cut the snapshot.' },
    AGE_COLUMN,
  ], volumeSnapshotSchema),
};

/** VolumeSnapshotContent: cluster-scoped, carries spec.sourceVolumeMode. */
export const VOLUME_SNAPSHOT_CONTENT_CRD: CrdDefinition = {
  group: SNAPSHOT_GROUP,
  kind: 'VolumeSnapshotContent',
  listKind: 'VolumeSnapshotContentList',
  plural: 'volumesnapshotcontents',
  singular: 'volumesnapshotcontent',
  shortNames: ['vsc', 'vscs'],
  scope: 'Cluster',
  apiApproval: 'https://github.com/kubernetes-csi/external-snapshotter/pull/955',
  versions: versions('VolumeSnapshotContent', true, [
    readyColumn,
    { name: 'RestoreSize', type: 'integer', jsonPath: '.status.restoreSize', description: 'Snapshot size in bytes.' },
    { name: 'DeletionPolicy', type: 'string', jsonPath: '.spec.deletionPolicy', description: 'Retain or Delete when the VolumeSnapshot goes.' },
    { name: 'Driver', type: 'string', jsonPath: '.spec.driver', description: 'CSI driver that owns the snapshot.' },
    { name: 'VolumeSnapshotClass', type: 'string', jsonPath: '.spec.volumeSnapshotClassName', description: 'Class the snapshot was made with.' },
    { name: 'VolumeSnapshot', type: 'string', jsonPath: '.spec.volumeSnapshotRef.name', description: 'Bound VolumeSnapshot.' },
    { name: 'VolumeSnapshotNamespace', type: 'string', jsonPath: '.spec.volumeSnapshotRef.namespace', description: 'Namespace of the bound VolumeSnapshot.' },
    AGE_COLUMN,
  ], volumeSnapshotContentSchema),
};

/** The three snapshot CRDs, in install order. */
export const SNAPSHOT_CRDS: readonly CrdDefinition[] = [VOLUME_SNAPSHOT_CLASS_CRD, VOLUME_SNAPSHOT_CONTENT_CRD, VOLUME_SNAPSHOT_CRD];
