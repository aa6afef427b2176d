/**
 * "At most one default StorageClass, and one default VolumeSnapshotClass per driver" across
 * everything an app renders: the job of the snapshot-validation-webhook that external-snapshotter
 * removed in v8.2.0 (FACTS §b5), done at synth instead. Scans every ApiObject by kind and
 * annotation, so classes rendered as L1 objects by other constructs are counted too.
 */
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { DEFAULT_CLASS_ANNOTATION_VALUE, STORAGE_CLASS_API, VOLUME_SNAPSHOT_CLASS_API } from '../../catalog/classes';
import { DEFAULT_SNAPSHOT_CLASS_ANNOTATION, DEFAULT_STORAGE_CLASS_ANNOTATIONS, SNAPSHOT_GROUP } from '../../catalog/snapshot-api';

/** One rendered class that claims to be a default. */
export interface DefaultClassObject {
  /** Construct path of the ApiObject. */
  readonly path: string;
  /** metadata.name of the class. */
  readonly name: string;
}

/** Two or more classes that are default for the same scope (the cluster, or one snapshot driver). */
export interface DefaultClassConflict {
  /** `StorageClass` or `VolumeSnapshotClass`. */
  readonly kind: string;
  /** The snapshot driver the classes share; undefined for StorageClasses (one default per cluster). */
  readonly driver?: string;
  /** The default classes, in construct-tree order. */
  readonly objects: readonly DefaultClassObject[];
}

/**
 * Id of the construct under the App that carries the check. cdk8s prefixes every validation error
 * with `[<construct path>] `; on the App itself that path is empty, so the check gets a child of its
 * own and its errors read `[DefaultClassCheck] isDefault true is set on ...`. It renders nothing.
 */
export const DEFAULT_CLASS_CHECK_ID = 'DefaultClassCheck';

const checkedRoots = new WeakSet<IConstruct>();

/**
 * Adds the default-class check once per App (the root of `scope`), where `App.synth()` and
 * `App.synthYaml()` run it over every chart. StorageClass and VolumeSnapshotClass call this
 * themselves; call it from a chart that renders classes only as L1 objects to get the same protection.
 */
export function registerDefaultClassCheck(scope: IConstruct): void {
  const root = scope.node.root;
  if (checkedRoots.has(root)) return;
  checkedRoots.add(root);
  const holder = new Construct(root, DEFAULT_CLASS_CHECK_ID);
  holder.node.addValidation({ validate: () => findDefaultClassConflicts(root).map(describeConflict) });
}

/** Every conflicting set of default classes under `scope` (normally the App). */
export function findDefaultClassConflicts(scope: IConstruct): DefaultClassConflict[] {
  const storage: DefaultClassObject[] = [];
  const snapshot = new Map<string, DefaultClassObject[]>();
  for (const c of scope.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    const isStorageClass = c.kind === STORAGE_CLASS_API.kind && c.apiVersion.startsWith('storage.k8s.io/');
    const isSnapshotClass = c.kind === VOLUME_SNAPSHOT_CLASS_API.kind && c.apiVersion.startsWith(`${SNAPSHOT_GROUP}/`);
    if (!isStorageClass && !isSnapshotClass) continue;
    const json = c.toJson();
    const annotations: Record<string, unknown> = json?.metadata?.annotations ?? {};
    const entry = { path: c.node.path, name: String(json?.metadata?.name ?? c.name) };
    if (isStorageClass && DEFAULT_STORAGE_CLASS_ANNOTATIONS.some((a) => annotations[a] === DEFAULT_CLASS_ANNOTATION_VALUE)) {
      storage.push(entry);
    }
    if (isSnapshotClass && annotations[DEFAULT_SNAPSHOT_CLASS_ANNOTATION] === DEFAULT_CLASS_ANNOTATION_VALUE) {
      const driver = String(json?.driver ?? '');
      snapshot.set(driver, [...(snapshot.get(driver) ?? []), entry]);
    }
  }
  const conflicts: DefaultClassConflict[] = [];
  if (storage.length > 1) conflicts.push({ kind: STORAGE_CLASS_API.kind, objects: storage });
  for (const driver of [...snapshot.keys()].sort()) {
    const objects = snapshot.get(driver)!;
    if (objects.length > 1) conflicts.push({ kind: VOLUME_SNAPSHOT_CLASS_API.kind, driver, objects });
  }
  return conflicts;
}

/**
 * Throws when `scope` (normally the App) renders more than one default StorageClass, or more than
 * one default VolumeSnapshotClass for a driver. For tests and callers that synthesize charts
 * without `App.synth()` (which runs the same check as a validation).
 */
export function checkDefaultClasses(scope: IConstruct): void {
  const problems = findDefaultClassConflicts(scope).map(describeConflict);
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/** The error text for one conflict: the prop, the objects (paths and names) and the fix. */
export function describeConflict(c: DefaultClassConflict): string {
  const list = c.objects.map((o) => `'${o.name}' (${o.path})`).join(' and ');
  if (c.driver === undefined) {
    return `isDefault true is set on ${c.objects.length} StorageClasses in this app: ${list}; ` +
      'a cluster needs at most one default StorageClass (with several, claims without storageClassName silently get the newest one); ' +
      `keep isDefault: true on one of them and set it to false on the others (for a class rendered another way, remove its ${DEFAULT_STORAGE_CLASS_ANNOTATIONS[0]} annotation)`;
  }
  return `isDefault true is set on ${c.objects.length} VolumeSnapshotClasses of driver '${c.driver}' in this app: ${list}; ` +
    'the snapshot-controller cannot choose between them and dynamic snapshots without volumeSnapshotClassName fail; ' +
    `keep isDefault: true on one of them and set it to false on the others (for a class rendered another way, remove its ${DEFAULT_SNAPSHOT_CLASS_ANNOTATION} annotation)`;
}
