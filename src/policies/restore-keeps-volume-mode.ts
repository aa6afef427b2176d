/**
 * Policy 7: a PVC that restores a VolumeSnapshot into the other volume mode is refused at creation,
 * instead of hanging in Pending with a ProvisioningFailed event. The binding hands the policy every
 * VolumeSnapshotContent as a param; only the one bound to the named snapshot can refuse.
 */
import {
  ALLOW_VOLUME_MODE_CHANGE_ANNOTATION, APPROVE_MODE_CHANGE_VERB, GO_PARSE_BOOL, MODE_CHANGE_APPROVER_CLUSTER_ROLE, POLICY_NAMES,
  SNAPSHOT_BEING_DELETED_ANNOTATION,
} from '../catalog';
import { DEFAULT_VOLUME_MODE, SNAPSHOT_GROUP, SNAPSHOT_VERSION } from '../catalog/snapshot-api';
import { annotationOf, celString, celStrings } from './_cel';
import { snapshotContent } from './_fixtures';
import type { PolicyDefinition } from './types';

const GROUP = celString(SNAPSHOT_GROUP);
const isSnapshotRef = (field: 'dataSource' | 'dataSourceRef') =>
  `object.spec.?${field}.?kind.orValue('') == 'VolumeSnapshot' && object.spec.?${field}.?apiGroup.orValue('') == ${GROUP}`;
/** The match condition shared with the policy that labels such claims. @internal */
export const RESTORES_A_VOLUME_SNAPSHOT = { name: 'restores-a-volume-snapshot', expression: `(${isSnapshotRef('dataSourceRef')}) || (${isSnapshotRef('dataSource')})` };

/** The reference to the snapshot a claim restores; dataSourceRef wins over dataSource when both name one (the API server keeps them equal). @internal */
export const SNAPSHOT_SOURCE = `${isSnapshotRef('dataSourceRef')} ? object.spec.dataSourceRef : object.spec.dataSource`;

/** A claim in team-a restoring `snapshot`, or cloning a PVC; exported for the policy that labels restores. @internal */
export function pvc(name: string, opts: { volumeMode?: string; snapshot?: string; via?: 'dataSource' | 'dataSourceRef' | 'both'; sourceNamespace?: string; pvcSource?: boolean } = {}): Record<string, unknown> {
  const ref = opts.pvcSource ? { kind: 'PersistentVolumeClaim', name: 'db-data' } : { apiGroup: SNAPSHOT_GROUP, kind: 'VolumeSnapshot', name: opts.snapshot ?? 'db-snap' };
  const via = opts.via ?? 'both';
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'team-a' },
    spec: {
      accessModes: ['ReadWriteOnce'], storageClassName: 'csi-hostpath-sc',
      resources: { requests: { storage: '10Gi' } },
      ...(opts.volumeMode === undefined ? {} : { volumeMode: opts.volumeMode }),
      ...(via !== 'dataSourceRef' ? { dataSource: ref } : {}),
      ...(via !== 'dataSource' ? { dataSourceRef: { ...ref, ...(opts.sourceNamespace ? { namespace: opts.sourceNamespace } : {}) } } : {}),
    },
  };
}

const create = { operation: 'CREATE', namespace: 'team-a' } as const;
const fsContent = snapshotContent('snapcontent-db', { sourceVolumeMode: 'Filesystem', snapshot: 'db-snap', namespace: 'team-a' });
const otherContents = [
  snapshotContent('snapcontent-other-ns', { sourceVolumeMode: 'Filesystem', snapshot: 'db-snap', namespace: 'team-b' }),
  snapshotContent('snapcontent-logs', { sourceVolumeMode: 'Block', snapshot: 'logs-snap', namespace: 'team-a' }),
];
// The content of an earlier db-snap, kept with Retain after that snapshot was deleted.
const blockContent = snapshotContent('snapcontent-db-old', { sourceVolumeMode: 'Block', snapshot: 'db-snap', namespace: 'team-a' });
const staleBlockContent = { ...blockContent, metadata: { ...(blockContent.metadata as object), annotations: { [SNAPSHOT_BEING_DELETED_ANNOTATION]: 'yes' } } };
const allowed = (value: string) => snapshotContent('snapcontent-db', {
  sourceVolumeMode: 'Filesystem', snapshot: 'db-snap', namespace: 'team-a', annotations: { [ALLOW_VOLUME_MODE_CHANGE_ANNOTATION]: value },
});

/** PVC CREATE from a VolumeSnapshot: the content's sourceVolumeMode must equal the PVC's volumeMode unless the content allows a change. */
export const restoreKeepsVolumeMode: PolicyDefinition = {
  type: 'validating',
  name: POLICY_NAMES.restoreKeepsVolumeMode,
  description: 'A PersistentVolumeClaim restoring a VolumeSnapshot is refused at creation when the bound VolumeSnapshotContent recorded another '
    + `volume mode and does not carry ${ALLOW_VOLUME_MODE_CHANGE_ANNOTATION}: "true". The user sees why at once, instead of a PVC stuck in Pending; `
    + 'claims without a snapshot source are skipped by a match condition.',
  minKubernetesMinor: 30,
  celLibraries: ['optionalTypes'],
  matchConstraints: {
    resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['persistentvolumeclaims'], operations: ['CREATE'] }],
  },
  // The second condition reads params: the API server evaluates match conditions once per param
  // and, where one is false, builds none of the validation's inputs for that content. Every
  // content but those of the named snapshot stops there, about a third of the per-content cost.
  matchConditions: [RESTORES_A_VOLUME_SNAPSHOT, {
    name: 'content-of-the-named-snapshot',
    expression: `params.spec.?volumeSnapshotRef.?name.orValue('') == (${SNAPSHOT_SOURCE}).name`,
  }],
  params: { kind: { apiVersion: `${SNAPSHOT_GROUP}/${SNAPSHOT_VERSION}`, kind: 'VolumeSnapshotContent' }, selector: {}, parameterNotFoundAction: 'Allow' },
  failurePolicy: {
    action: 'Ignore',
    why: 'It matches every PersistentVolumeClaim CREATE, and an API server that has not seen the snapshot CRDs (installed after the guard, '
      + 'or being reinstalled) treats its param kind as a configuration error that refuses them all. csi-provisioner refuses the restore '
      + 'itself (--prevent-volume-mode-conversion); this policy only says so earlier.',
  },
  variables: [
    { name: 'source', expression: SNAPSHOT_SOURCE },
    { name: 'snapshotName', expression: 'variables.source.name' },
    {
      // dataSourceRef may name another namespace (CrossNamespaceVolumeDataSource); dataSource never does.
      name: 'snapshotNamespace',
      expression: 'variables.source.?namespace.orValue(request.namespace)',
    },
    {
      // Contents of the named snapshot, except stale ones: one being deleted, or one kept (Retain)
      // from an earlier snapshot of the same name, which the controller marked when that was deleted.
      name: 'boundHere',
      expression: "params.spec.?volumeSnapshotRef.?name.orValue('') == variables.snapshotName && params.spec.?volumeSnapshotRef.?namespace.orValue('') == variables.snapshotNamespace"
        + ` && !params.metadata.?deletionTimestamp.hasValue() && !(${annotationOf('params', SNAPSHOT_BEING_DELETED_ANNOTATION)}.hasValue())`,
    },
    { name: 'sourceMode', expression: "params.spec.?sourceVolumeMode.orValue('')" },
    { name: 'claimMode', expression: `object.spec.?volumeMode.orValue(${celString(DEFAULT_VOLUME_MODE)})` },
    // params is read in variables only: the 1.30 type checker does not declare `params` for
    // validations of a policy whose paramKind is a custom resource, and warns on each use there.
    { name: 'modeChangeAllowed', expression: `${annotationOf('params', ALLOW_VOLUME_MODE_CHANGE_ANNOTATION)}.orValue('') in ${celStrings(GO_PARSE_BOOL.true)}` },
    { name: 'contentName', expression: 'params.metadata.name' },
  ],
  validations: [{
    // An empty sourceVolumeMode is skipped by csi-provisioner too; policy 1 keeps new contents from lacking it.
    expression: "!variables.boundHere || variables.sourceMode == '' || variables.sourceMode == variables.claimMode || variables.modeChangeAllowed",
    message: 'the restore would change the volume mode without approval',
    messageExpression: "'PersistentVolumeClaim ' + object.metadata.?name.orValue(object.metadata.?generateName.orValue('')) + ' restores VolumeSnapshot '"
      + " + variables.snapshotNamespace + '/' + variables.snapshotName + ' (content ' + variables.contentName + ') whose source volume was '"
      + " + variables.sourceMode + ' as ' + variables.claimMode + '. Restore with volumeMode: ' + variables.sourceMode"
      + ` + ', or have a principal with the RBAC verb ${APPROVE_MODE_CHANGE_VERB} (ClusterRole ${MODE_CHANGE_APPROVER_CLUSTER_ROLE}) `
      + `annotate the VolumeSnapshotContent with ${ALLOW_VOLUME_MODE_CHANGE_ANNOTATION}: "true".'`,
    reason: 'Forbidden',
  }],
  cases: [
    { name: 'Filesystem snapshot restored as Filesystem', request: create, object: pvc('db-restore', { volumeMode: 'Filesystem' }), params: [fsContent, ...otherContents], expect: 'allowed' },
    { name: 'volumeMode left to the default', request: create, object: pvc('db-restore'), params: [fsContent], expect: 'allowed' },
    {
      name: 'Filesystem snapshot restored as Block', request: create, object: pvc('db-raw', { volumeMode: 'Block' }), params: [...otherContents, fsContent], expect: 'denied',
      message: 'PersistentVolumeClaim db-raw restores VolumeSnapshot team-a/db-snap (content snapcontent-db) whose source volume was Filesystem as Block. '
        + `Restore with volumeMode: Filesystem, or have a principal with the RBAC verb ${APPROVE_MODE_CHANGE_VERB} (ClusterRole ${MODE_CHANGE_APPROVER_CLUSTER_ROLE}) `
        + `annotate the VolumeSnapshotContent with ${ALLOW_VOLUME_MODE_CHANGE_ANNOTATION}: "true".`,
    },
    {
      name: 'Block snapshot restored as Filesystem (default mode)', request: create, object: pvc('logs-restore', { snapshot: 'logs-snap', via: 'dataSource' }),
      params: otherContents, expect: 'denied', message: /VolumeSnapshot team-a\/logs-snap \(content snapcontent-logs\) whose source volume was Block as Filesystem/,
    },
    { name: 'mismatch with allow annotation true', request: create, object: pvc('db-raw', { volumeMode: 'Block' }), params: [allowed('true')], expect: 'allowed' },
    { name: 'mismatch with allow annotation T', request: create, object: pvc('db-raw', { volumeMode: 'Block' }), params: [allowed('T')], expect: 'allowed' },
    { name: 'mismatch with allow annotation false', request: create, object: pvc('db-raw', { volumeMode: 'Block' }), params: [allowed('false')], expect: 'denied', message: /whose source volume was Filesystem as Block/ },
    { name: 'mismatch with an unparsable allow annotation', request: create, object: pvc('db-raw', { volumeMode: 'Block' }), params: [allowed('yes')], expect: 'denied', message: /as Block/ },
    {
      name: 'same snapshot name in another namespace does not count', request: create, object: pvc('db-raw', { volumeMode: 'Block' }),
      params: [otherContents[0]], expect: 'allowed',
    },
    {
      name: 'contents of other snapshots stop at the match condition', request: create, object: pvc('db-raw', { volumeMode: 'Block' }),
      params: [otherContents[1]], expect: 'not-matched',
    },
    {
      name: 'dataSourceRef naming another namespace', request: create, object: pvc('db-raw', { volumeMode: 'Block', via: 'dataSourceRef', sourceNamespace: 'team-b' }),
      params: [fsContent, ...otherContents], expect: 'denied', message: /VolumeSnapshot team-b\/db-snap \(content snapcontent-other-ns\)/,
    },
    {
      name: 'legacy content without sourceVolumeMode', request: create, object: pvc('db-raw', { volumeMode: 'Block' }),
      params: [snapshotContent('snapcontent-db', { sourceVolumeMode: null, snapshot: 'db-snap', namespace: 'team-a' })], expect: 'allowed',
    },
    {
      name: 'a content kept (Retain) from an earlier snapshot of the same name does not count', request: create, object: pvc('db-restore', { volumeMode: 'Filesystem' }),
      params: [staleBlockContent, fsContent], expect: 'allowed',
    },
    {
      name: 'a content being deleted does not count', request: create, object: pvc('db-restore', { volumeMode: 'Filesystem' }),
      params: [{ ...blockContent, metadata: { ...(blockContent.metadata as object), deletionTimestamp: '2025-06-01T10:00:00Z' } }, fsContent], expect: 'allowed',
    },
    {
      name: 'beside a stale content the current one still refuses', request: create, object: pvc('db-raw', { volumeMode: 'Block' }),
      params: [staleBlockContent, fsContent], expect: 'denied', message: /\(content snapcontent-db\) whose source volume was Filesystem as Block/,
    },
    { name: 'snapshot not bound yet (no contents)', request: create, object: pvc('db-raw', { volumeMode: 'Block' }), params: [], expect: 'allowed' },
    { name: 'clone from a PVC is not matched', request: create, object: pvc('db-clone', { volumeMode: 'Block', pvcSource: true }), params: [fsContent], expect: 'not-matched' },
    {
      name: 'empty PVC is not matched', request: create, params: [fsContent], expect: 'not-matched',
      object: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'scratch', namespace: 'team-a' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    },
  ],
};
