/**
 * The snapshot CRDs as typed data, plus lookups for tests and tools that validate custom resources
 * against exactly the schemas this project installs.
 */
import { GROUP_SNAPSHOT_CRDS } from './group-snapshot';
import { SNAPSHOT_CRDS } from './snapshot';
import { CrdDefinition, OpenApiSchema } from './types';

export * from './types';
export {
  SNAPSHOT_CRDS, VOLUME_SNAPSHOT_CLASS_CRD, VOLUME_SNAPSHOT_CONTENT_CRD, VOLUME_SNAPSHOT_CRD,
} from './snapshot';
export {
  GROUP_SNAPSHOT_CRDS, VOLUME_GROUP_SNAPSHOT_CLASS_CRD, VOLUME_GROUP_SNAPSHOT_CONTENT_CRD,
  VOLUME_GROUP_SNAPSHOT_CRD,
} from './group-snapshot';

/** Kinds defined by the snapshot and group snapshot CRDs. */
export type SnapshotCrdKind =
  | 'VolumeSnapshotClass' | 'VolumeSnapshot' | 'VolumeSnapshotContent'
  | 'VolumeGroupSnapshotClass' | 'VolumeGroupSnapshot' | 'VolumeGroupSnapshotContent';

/** Every CRD this project can install: the snapshot ones, then the group snapshot ones. */
export const ALL_SNAPSHOT_CRDS: readonly CrdDefinition[] = [...SNAPSHOT_CRDS, ...GROUP_SNAPSHOT_CRDS];

/** `<plural>.<group>`: the metadata.name the API server requires for a CRD. */
export function crdName(crd: CrdDefinition): string {
  return `${crd.plural}.${crd.group}`;
}

/** The CRD definition of a kind. Throws for a kind this project does not define. */
export function crdDefinition(kind: SnapshotCrdKind): CrdDefinition {
  const crd = ALL_SNAPSHOT_CRDS.find((c) => c.kind === kind);
  if (!crd) {
    throw new Error(`kind '${kind}' is not a snapshot CRD kind; use one of ${ALL_SNAPSHOT_CRDS.map((c) => c.kind).join(', ')}`);
  }
  return crd;
}

/**
 * The openAPIV3Schema of one version of a kind, in wire form (keys as the API server spells them),
 * as a fresh copy the caller may modify. Throws for an unknown kind or version.
 * @param kind e.g. `'VolumeSnapshotContent'`
 * @param version @default 'v1'
 */
export function crdSchema(kind: SnapshotCrdKind, version = 'v1'): OpenApiSchema {
  const crd = crdDefinition(kind);
  const found = crd.versions.find((v) => v.name === version);
  if (!found) {
    throw new Error(`${kind} has no version '${version}'; use one of ${crd.versions.map((v) => v.name).join(', ')}`);
  }
  return structuredClone(found.schema);
}
