/**
 * groupsnapshot.storage.k8s.io: VolumeGroupSnapshotClass, VolumeGroupSnapshot,
 * VolumeGroupSnapshotContent, matching the same external-snapshotter release as ./snapshot.
 *
 * All three versions are served. v1 and v1beta2 share one schema; v1beta2 is still the storage
 * version while the API moves to v1. v1beta1 is deprecated and has fewer CEL rules; its content
 * status uses the older `volumeSnapshotHandlePairList`.
 */
import {
  AGE_COLUMN, bool, dateTime, deletionPolicy, exactlyOneOf, immutable, immutableOnceSet, int64, labelSelector,
  namespacedRef, nonEmptyWhenSet, obj, objectReference, requiredOnceSet, resource, statusError, str, stringList,
  stringMap,
} from './_schema';
import { CelRule, CrdDefinition, CrdVersion, OpenApiSchema, PrinterColumn } from './types';

/** API group of the group snapshot kinds. */
import { GROUP_SNAPSHOT_GROUP } from '../catalog/snapshot-api';

/** The upstream API review that approved the group snapshot kinds. */
const GROUP_API_APPROVAL = 'https://github.com/kubernetes-csi/external-snapshotter/pull/1337';

/** `current` is the v1 / v1beta2 schema; `v1beta1` lacks the later immutability rules. */
type Generation = 'current' | 'v1beta1';

/** Rules that only the current schema has. */
function currentOnly(gen: Generation, ...rules: CelRule[]): CelRule[] {
  return gen === 'current' ? rules : [];
}

/** v1, v1beta1 (deprecated), v1beta2 (storage), all served, in upstream order. */
function versions(statusSubresource: boolean, printerColumns: readonly PrinterColumn[],
  schema: (gen: Generation) => OpenApiSchema): CrdVersion[] {
  return [
    { name: 'v1', served: true, storage: false, statusSubresource, printerColumns, schema: schema('current') },
    { name: 'v1beta1', served: true, storage: false, deprecated: true, statusSubresource, printerColumns, schema: schema('v1beta1') },
    { name: 'v1beta2', served: true, storage: true, statusSubresource, printerColumns, schema: schema('current') },
  ];
}

const readyColumn: PrinterColumn = {
  name: 'ReadyToUse', type: 'boolean', jsonPath: '.status.readyToUse',
  description: 'Whether every snapshot of the group can be restored from yet.',
};

function volumeGroupSnapshotClassSchema(gen: Generation): OpenApiSchema {
  return resource(
    'Cluster-wide settings for group snapshots taken by one CSI driver. A VolumeGroupSnapshot picks a class by name.',
    {
      deletionPolicy: deletionPolicy(
        'What happens to a VolumeGroupSnapshotContent made through this class, and to its storage-side group snapshot, ' +
        'when the bound VolumeGroupSnapshot is deleted: Retain keeps both, Delete removes both. Required.',
        { rules: currentOnly(gen, immutableOnceSet('deletionPolicy')) }),
      driver: str('Name of the CSI driver that takes group snapshots of this class. Required.',
        { rules: currentOnly(gen, immutableOnceSet('driver')) }),
      parameters: stringMap('Driver-specific settings handed to the driver when it creates a group snapshot; Kubernetes does not read them.',
        { rules: currentOnly(gen, { rule: 'self == oldSelf', message: 'parameters are immutable once set' }) }),
    },
    { required: ['deletionPolicy', 'driver'], metadata: true },
  );
}

function volumeGroupSnapshotSchema(gen: Generation): OpenApiSchema {
  return resource(
    'A request to snapshot a set of PVCs together, or to expose an existing group snapshot in a namespace.',
    {
      spec: obj('What the user asks for. Required.', {
        source: obj(
          'Which PVCs to snapshot (by label), or an existing VolumeGroupSnapshotContent. Cannot change after creation. Required.',
          {
            selector: labelSelector(
              'Selects the PVCs in this namespace to snapshot together. Evaluated once: relabelling PVCs later ' +
              'does not change existing group snapshots. Immutable.',
              { rules: [immutable('selector')] }),
            volumeGroupSnapshotContentName: str(
              'VolumeGroupSnapshotContent of a group snapshot that already exists, to bind to. Immutable.',
              { rules: [immutable('volumeGroupSnapshotContentName')] }),
          },
          {
            rules: [
              requiredOnceSet('selector'),
              requiredOnceSet('volumeGroupSnapshotContentName'),
              exactlyOneOf('selector', 'volumeGroupSnapshotContentName'),
            ],
          }),
        volumeGroupSnapshotClassName: str(
          'VolumeGroupSnapshotClass to use; unset means the default class. Never the empty string.',
          { rules: [nonEmptyWhenSet('volumeGroupSnapshotClassName')] }),
      }, { required: ['source'] }),
      status: obj(
        'Observed state. Before trusting it, check that this group snapshot and its content name each other.',
        {
          boundVolumeGroupSnapshotContentName: str(
            'VolumeGroupSnapshotContent this group snapshot is bound to; unset until binding. ' +
            'Only trust it once that content points back.',
            { rules: currentOnly(gen, immutableOnceSet('boundVolumeGroupSnapshotContentName')) }),
          creationTime: dateTime('When the storage system cut the group snapshot, copied from the content; unset if unknown.'),
          error: statusError('Latest error while creating the group snapshot. The controller keeps retrying and clears it on success.'),
          readyToUse: bool('True once every snapshot in the group is ready; unset if unknown.'),
        }),
    },
    { required: ['spec'], metadata: true },
  );
}

function snapshotListOf(gen: Generation): Record<string, OpenApiSchema> {
  if (gen === 'v1beta1') {
    return {
      volumeSnapshotHandlePairList: {
        type: 'array',
        description: 'Volume and snapshot CSI IDs of each member (replaced by volumeSnapshotInfoList in later versions).',
        items: obj('One member of the group.', {
          snapshotHandle: str('CSI ID of the member snapshot.'),
          volumeHandle: str('CSI ID of the member volume.'),
        }, { required: ['snapshotHandle', 'volumeHandle'] }),
      },
    };
  }
  return {
    volumeSnapshotInfoList: {
      type: 'array',
      description: 'What the CSI driver reported for each member snapshot.',
      items: obj('One member of the group.', {
        creationTime: int64('When the member snapshot was cut, in nanoseconds since the Unix epoch.'),
        readyToUse: bool('True once a volume can be restored from the member snapshot.'),
        restoreSize: int64('Smallest volume, in bytes, a restore from the member snapshot needs.'),
        snapshotHandle: str('CSI ID of the member snapshot.'),
        volumeHandle: str('CSI ID of the volume the member snapshot was taken of.'),
      }),
    },
  };
}

function volumeGroupSnapshotContentSchema(gen: Generation): OpenApiSchema {
  return resource(
    'Cluster-wide record of one group snapshot that exists, or is being made, on the storage system.',
    {
      spec: obj('Where the group snapshot lives and which VolumeGroupSnapshot it belongs to. Required.', {
        deletionPolicy: deletionPolicy(
          'What happens to the storage-side group snapshot when the bound VolumeGroupSnapshot is deleted: Retain keeps it, ' +
          'Delete removes it. Filled from the class for new group snapshots; must be given for existing ones. Required.'),
        driver: str('CSI driver that owns the group snapshot, spelled as the driver reports its own name. Required.',
          { rules: currentOnly(gen, immutableOnceSet('driver')) }),
        source: obj(
          'Either the volumes to snapshot now or the handles of a group snapshot that already exists. ' +
          'Cannot change after creation. Required.',
          {
            groupSnapshotHandles: obj('CSI IDs of an existing group snapshot and of its member snapshots. Immutable.', {
              volumeGroupSnapshotHandle: str('CSI ID of the existing group snapshot. Required.'),
              volumeSnapshotHandles: stringList('CSI IDs of the existing member snapshots. Required.'),
            }, { required: ['volumeGroupSnapshotHandle', 'volumeSnapshotHandles'], rules: [immutable('groupSnapshotHandles')] }),
            volumeHandles: stringList('CSI IDs of the volumes to snapshot together. Immutable.',
              { rules: [immutable('volumeHandles')] }),
          },
          {
            rules: [
              requiredOnceSet('volumeHandles'),
              requiredOnceSet('groupSnapshotHandles'),
              exactlyOneOf('volumeHandles', 'groupSnapshotHandles'),
            ],
          }),
        volumeGroupSnapshotClassName: str(
          'VolumeGroupSnapshotClass the group snapshot was made with; required for new group snapshots, optional for existing ones. ' +
          'The class may later change or disappear.',
          { rules: currentOnly(gen, immutableOnceSet('volumeGroupSnapshotClassName')) }),
        volumeGroupSnapshotRef: objectReference(
          'The VolumeGroupSnapshot this content is bound to; it must name this content for the binding to hold. ' +
          'Name and namespace are required. Cannot change after creation. Required.',
          {
            atomic: true,
            rules: [
              namespacedRef('volumeGroupSnapshotRef'),
              ...currentOnly(gen,
                {
                  rule: 'self.name == oldSelf.name && self.__namespace__ == oldSelf.__namespace__',
                  message: 'volumeGroupSnapshotRef.name and volumeGroupSnapshotRef.namespace are immutable',
                },
                {
                  rule: '!has(oldSelf.uid) || (has(self.uid) && self.uid == oldSelf.uid)',
                  message: 'volumeGroupSnapshotRef.uid is immutable once set',
                }),
            ],
          }),
      }, { required: ['deletionPolicy', 'driver', 'source', 'volumeGroupSnapshotRef'] }),
      status: obj('Observed state of the group snapshot on the storage system.', {
        creationTime: dateTime('When the storage system cut the group snapshot; unset if unknown.'),
        error: statusError('Latest error while creating the group snapshot; cleared after a successful retry.'),
        readyToUse: bool('True once every member snapshot is ready.'),
        volumeGroupSnapshotHandle: str('CSI ID of the group snapshot (or its name, for drivers without group IDs).',
          { rules: currentOnly(gen, immutableOnceSet('volumeGroupSnapshotHandle')) }),
        ...snapshotListOf(gen),
      }),
    },
    { required: ['spec'], metadata: true },
  );
}

/** VolumeGroupSnapshotClass: cluster-scoped, no status. */
export const VOLUME_GROUP_SNAPSHOT_CLASS_CRD: CrdDefinition = {
  group: GROUP_SNAPSHOT_GROUP,
  kind: 'VolumeGroupSnapshotClass',
  listKind: 'VolumeGroupSnapshotClassList',
  plural: 'volumegroupsnapshotclasses',
  singular: 'volumegroupsnapshotclass',
  shortNames: ['vgsclass', 'vgsclasses'],
  scope: 'Cluster',
  apiApproval: GROUP_API_APPROVAL,
  versions: versions(false, [
    { name: 'Driver', type: 'string', jsonPath: '.driver', description: 'CSI driver of the class.' },
    { name: 'DeletionPolicy', type: 'string', jsonPath: '.deletionPolicy', description: 'Retain or Delete for contents made through the class.' },
    AGE_COLUMN,
  ], volumeGroupSnapshotClassSchema),
};

/** VolumeGroupSnapshot: namespaced user request. */
export const VOLUME_GROUP_SNAPSHOT_CRD: CrdDefinition = {
  group: GROUP_SNAPSHOT_GROUP,
  kind: 'VolumeGroupSnapshot',
  listKind: 'VolumeGroupSnapshotList',
  plural: 'volumegroupsnapshots',
  singular: 'volumegroupsnapshot',
  shortNames: ['vgs'],
  scope: 'Namespaced',
  apiApproval: GROUP_API_APPROVAL,
  versions: versions(true, [
    readyColumn,
    { name: 'VolumeGroupSnapshotClass', type: 'string', jsonPath: '.spec.volumeGroupSnapshotClassName', description: 'Requested class.' },
    { name: 'VolumeGroupSnapshotContent', type: 'string', jsonPath: '.status.boundVolumeGroupSnapshotContentName', description: 'Bound content (verify it points back).' },
    { name: 'CreationTime', type: 'date', jsonPath: '.status.creationTime', description: 'When the storage system cut the group snapshot.' },
    AGE_COLUMN,
  ], volumeGroupSnapshotSchema),
};

/** VolumeGroupSnapshotContent: cluster-scoped record of a group snapshot. */
export const VOLUME_GROUP_SNAPSHOT_CONTENT_CRD: CrdDefinition = {
  group: GROUP_SNAPSHOT_GROUP,
  kind: 'VolumeGroupSnapshotContent',
  listKind: 'VolumeGroupSnapshotContentList',
  plural: 'volumegroupsnapshotcontents',
  singular: 'volumegroupsnapshotcontent',
  shortNames: ['vgsc', 'vgscs'],
  scope: 'Cluster',
  apiApproval: GROUP_API_APPROVAL,
  versions: versions(true, [
    readyColumn,
    { name: 'DeletionPolicy', type: 'string', jsonPath: '.spec.deletionPolicy', description: 'Retain or Delete when the VolumeGroupSnapshot goes.' },
    { name: 'Driver', type: 'string', jsonPath: '.spec.driver', description: 'CSI driver that owns the group snapshot.' },
    { name: 'VolumeGroupSnapshotClass', type: 'string', jsonPath: '.spec.volumeGroupSnapshotClassName', description: 'Class the group snapshot was made with.' },
    { name: 'VolumeGroupSnapshotNamespace', type: 'string', jsonPath: '.spec.volumeGroupSnapshotRef.namespace', description: 'Namespace of the bound VolumeGroupSnapshot.' },
    { name: 'VolumeGroupSnapshot', type: 'string', jsonPath: '.spec.volumeGroupSnapshotRef.name', description: 'Bound VolumeGroupSnapshot.' },
    AGE_COLUMN,
  ], volumeGroupSnapshotContentSchema),
};

/** The three group snapshot CRDs, in install order. */
export const GROUP_SNAPSHOT_CRDS: readonly CrdDefinition[] = [
  VOLUME_GROUP_SNAPSHOT_CLASS_CRD, VOLUME_GROUP_SNAPSHOT_CONTENT_CRD, VOLUME_GROUP_SNAPSHOT_CRD,
];
