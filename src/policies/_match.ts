/**
 * Resource rules several policies share, so that their scope is written once.
 */
import { SNAPSHOT_GROUP, SNAPSHOT_RESOURCES } from '../catalog/snapshot-api';
import type { ResourceRule } from './types';

/** CREATE and UPDATE of VolumeSnapshotContents, any served version, not their status. */
export const SNAPSHOT_CONTENT_WRITES: { readonly resourceRules: readonly ResourceRule[] } = {
  resourceRules: [{
    apiGroups: [SNAPSHOT_GROUP], apiVersions: ['*'],
    resources: [SNAPSHOT_RESOURCES.volumeSnapshotContents], operations: ['CREATE', 'UPDATE'],
  }],
};
