/**
 * `doctor backfill-source-volume-mode`: records the source volume mode on VolumeSnapshotContents
 * that lack it, from evidence only.
 *
 * Where the mode comes from, in order:
 * 1. Dynamic snapshots (`spec.source.volumeHandle`): the PersistentVolume with that CSI driver and
 *    volume handle. A PV's volumeMode is immutable, so it is the mode of the snapshotted volume.
 * 2. When that PV is gone: VolumeSnapshot (`spec.volumeSnapshotRef`, same uid) -> its source PVC.
 *    The PVC must be older than the content (a PVC re-created under the same name afterwards is a
 *    different volume) and, when still bound to a PV doctor can see, bound to the same handle.
 * A PV or PVC without `spec.volumeMode` counts as Filesystem: the core/v1 API defines an absent
 * value as Filesystem, and the API server writes that default on every create. Only an object that
 * exists gets this default; a missing PVC or PV is never assumed to have been Filesystem.
 * Anything else (pre-provisioned contents, deleted sources, conflicting evidence) is listed and
 * left alone: the field is set-once under the v8 CRDs, so a wrong value could not be taken back.
 */
import { DOCTOR_BACKFILL_CLUSTER_ROLE } from '../catalog/doctor-rbac';
import { DEFAULT_VOLUME_MODE, SNAPSHOT_GROUP, SNAPSHOT_RESOURCES, SNAPSHOT_VERSION, VOLUME_MODES, VolumeMode } from '../catalog/snapshot-api';
import { CONTENTS_REF } from './checks/contents';
import { CheckContext, listAll } from './checks/context';
import type { Cluster, KubeObject } from './kube';
import { KubeApiError } from './kube';

/** Field manager recorded in managedFields for the patches. */
export const BACKFILL_FIELD_MANAGER = 'csi-snapshot-guard-doctor';

/** Options of {@link runBackfill}. */
export interface BackfillOptions {
  /** Write the patches; otherwise report what would be written. @default false */
  readonly apply?: boolean;
  /** Items per list request. @default 500 */
  readonly pageSize?: number;
  /** Patch attempts per content when the server answers 409 Conflict. @default 3 */
  readonly conflictAttempts?: number;
  /** Progress lines for long scans. @default - none */
  readonly progress?: (message: string) => void;
}

/** What happened to one content that lacked the field. */
export interface BackfillEntry {
  readonly name: string;
  readonly outcome: 'would-patch' | 'patched' | 'undeterminable' | 'set-meanwhile' | 'gone' | 'failed';
  /** Mode found, when found. */
  readonly mode?: VolumeMode;
  /** Evidence for the mode, or why it could not be found, or the error. */
  readonly reason: string;
  /** The merge patch sent (apply) or that would be sent (dry-run). */
  readonly patch?: object;
  /** Patch requests made. */
  readonly attempts?: number;
}

/** Result of a backfill run. */
export interface BackfillReport {
  readonly server: string;
  readonly apply: boolean;
  readonly scanned: number;
  readonly entries: readonly BackfillEntry[];
  readonly counts: Readonly<Record<BackfillEntry['outcome'], number>>;
  /** 0 nothing left to do, 1 changes pending (dry-run) or contents left undetermined, 2 a patch or the scan failed. */
  readonly exitCode: 0 | 1 | 2;
}

const PV_REF = { group: '', version: 'v1', plural: 'persistentvolumes' } as const;
const PVC_REF = { group: '', version: 'v1', plural: 'persistentvolumeclaims' } as const;
const VS_REF = { group: SNAPSHOT_GROUP, version: SNAPSHOT_VERSION, plural: SNAPSHOT_RESOURCES.volumeSnapshots } as const;

type Resolution = { mode: VolumeMode; reason: string } | { mode?: undefined; reason: string };

/** CSI PVs indexed by driver + handle and by name; built once, only when a content needs it. */
interface PvIndex {
  byHandle: Map<string, { names: string[]; modes: Set<string> }>;
  handleByName: Map<string, string>;
}

/** Finds and (with apply) fills spec.sourceVolumeMode on every content that lacks it. */
export async function runBackfill(cluster: Cluster, opts: BackfillOptions = {}): Promise<BackfillReport> {
  const ctx: CheckContext = { cluster, pageSize: opts.pageSize ?? 500, listLimit: 0, progress: opts.progress };
  const apply = opts.apply ?? false;
  const entries: BackfillEntry[] = [];
  let scanned = 0;
  let pvIndex: PvIndex | undefined;
  const pvs = async () => (pvIndex ??= await indexPvs(ctx));
  let scanError: unknown;
  try {
    for await (const content of listAll(ctx, CONTENTS_REF, 'volumesnapshotcontents')) {
      scanned++;
      if (content.spec?.sourceVolumeMode) continue;
      const name = content.metadata!.name!;
      let found: Resolution;
      try {
        found = await resolve(cluster, content, pvs);
      } catch (e) {
        entries.push({ name, outcome: 'failed', reason: describeError(e) });
        continue;
      }
      if (!found.mode) {
        entries.push({ name, outcome: 'undeterminable', reason: found.reason });
        continue;
      }
      const patch = patchFor(content, found.mode);
      if (!apply) entries.push({ name, outcome: 'would-patch', mode: found.mode, reason: found.reason, patch });
      else entries.push(await patchWithRetry(cluster, name, found.mode, found.reason, patch, opts.conflictAttempts ?? 3));
    }
  } catch (e) {
    scanError = e;
  }
  const counts = { 'would-patch': 0, 'patched': 0, 'undeterminable': 0, 'set-meanwhile': 0, 'gone': 0, 'failed': 0 };
  for (const e of entries) counts[e.outcome]++;
  if (scanError) {
    entries.push({ name: '(scan)', outcome: 'failed', reason: describeError(scanError) });
    counts.failed++;
  }
  const exitCode = counts.failed > 0 ? 2 : counts.undeterminable > 0 || counts['would-patch'] > 0 ? 1 : 0;
  return { server: cluster.server, apply, scanned, entries, counts, exitCode };
}

/** The merge patch: the resourceVersion makes the server refuse it (409) if the content changed since it was read. */
function patchFor(content: KubeObject, mode: VolumeMode): object {
  return { metadata: { resourceVersion: content.metadata!.resourceVersion }, spec: { sourceVolumeMode: mode } };
}

async function patchWithRetry(cluster: Cluster, name: string, mode: VolumeMode, reason: string, first: object, attempts: number): Promise<BackfillEntry> {
  let patch = first;
  for (let attempt = 1; ; attempt++) {
    try {
      await cluster.mergePatch(CONTENTS_REF, name, patch, BACKFILL_FIELD_MANAGER);
      return { name, outcome: 'patched', mode, reason, patch, attempts: attempt };
    } catch (e) {
      if (!(e instanceof KubeApiError) || e.status !== 409 || attempt >= attempts) {
        const denied = e instanceof KubeApiError && e.status === 403 ? ` (bind ClusterRole ${DOCTOR_BACKFILL_CLUSTER_ROLE})` : '';
        return { name, outcome: 'failed', mode, reason: describeError(e) + denied, patch, attempts: attempt };
      }
      // Someone else wrote the content: read it again and only proceed if the field is still empty.
      const fresh = await cluster.get(CONTENTS_REF, name);
      if (!fresh) return { name, outcome: 'gone', mode, reason: 'deleted while backfilling', attempts: attempt };
      if (fresh.spec?.sourceVolumeMode) {
        return { name, outcome: 'set-meanwhile', mode, reason: `set to ${fresh.spec.sourceVolumeMode} by someone else`, attempts: attempt };
      }
      patch = patchFor(fresh, mode);
    }
  }
}

async function resolve(cluster: Cluster, content: KubeObject, pvs: () => Promise<PvIndex>): Promise<Resolution> {
  const driver = content.spec?.driver;
  const handle = content.spec?.source?.volumeHandle;
  let index: PvIndex | undefined;
  if (handle) {
    index = await pvs();
    const hit = index.byHandle.get(key(driver, handle));
    if (hit) {
      if (hit.modes.size > 1) return { reason: `PVs ${hit.names.join(', ')} share volume handle ${handle} with different modes` };
      const mode = [...hit.modes][0];
      return accept(mode, `PersistentVolume ${hit.names[0]} (driver ${driver}, volumeHandle ${handle})`);
    }
  }
  const ref = content.spec?.volumeSnapshotRef;
  if (!ref?.name || !ref?.namespace) return { reason: handle ? `no PV with volume handle ${handle}, and no volumeSnapshotRef` : 'no volume handle and no volumeSnapshotRef' };
  const vs = await cluster.get(VS_REF, ref.name, ref.namespace);
  const gonePv = handle ? `no PV with volume handle ${handle}; ` : 'pre-provisioned content; ';
  if (!vs) return { reason: `${gonePv}VolumeSnapshot ${ref.namespace}/${ref.name} not found` };
  if (ref.uid && vs.metadata?.uid !== ref.uid) return { reason: `${gonePv}VolumeSnapshot ${ref.namespace}/${ref.name} was re-created (uid ${vs.metadata?.uid}, content expects ${ref.uid})` };
  const pvcName = vs.spec?.source?.persistentVolumeClaimName;
  if (!pvcName) return { reason: `${gonePv}VolumeSnapshot ${ref.namespace}/${ref.name} has no source PVC: the volume lives outside the cluster; set the mode by hand` };
  const pvc = await cluster.get(PVC_REF, pvcName, ref.namespace);
  if (!pvc) return { reason: `${gonePv}source PVC ${ref.namespace}/${pvcName} not found` };
  const pvcAt = Date.parse(pvc.metadata?.creationTimestamp ?? '');
  const contentAt = Date.parse(content.metadata?.creationTimestamp ?? '');
  if (Number.isNaN(pvcAt) || Number.isNaN(contentAt) || pvcAt > contentAt) {
    return { reason: `${gonePv}PVC ${ref.namespace}/${pvcName} was created after the content (${pvc.metadata?.creationTimestamp} > ${content.metadata?.creationTimestamp}): not the snapshotted volume` };
  }
  const boundPv = pvc.spec?.volumeName;
  if (handle && boundPv) {
    index ??= await pvs();
    const boundHandle = index.handleByName.get(boundPv);
    if (boundHandle !== undefined && boundHandle !== key(driver, handle)) {
      return { reason: `${gonePv}PVC ${ref.namespace}/${pvcName} is bound to PV ${boundPv} with another volume handle` };
    }
  }
  return accept(pvc.spec?.volumeMode, `VolumeSnapshot ${ref.namespace}/${ref.name} -> PVC ${ref.namespace}/${pvcName}`);
}

function accept(mode: unknown, via: string): Resolution {
  if (mode === undefined || mode === null) return { mode: DEFAULT_VOLUME_MODE, reason: `${via}: volumeMode absent, which the API defines as ${DEFAULT_VOLUME_MODE}` };
  if (!(VOLUME_MODES as readonly unknown[]).includes(mode)) return { reason: `${via} has unknown volumeMode ${JSON.stringify(mode)}` };
  return { mode: mode as VolumeMode, reason: `${via}: volumeMode ${mode}` };
}

async function indexPvs(ctx: CheckContext): Promise<PvIndex> {
  const index: PvIndex = { byHandle: new Map(), handleByName: new Map() };
  for await (const pv of listAll(ctx, PV_REF, 'persistentvolumes')) {
    const csi = pv.spec?.csi;
    if (!csi?.volumeHandle) continue;
    const k = key(csi.driver, csi.volumeHandle);
    const name = pv.metadata!.name!;
    const entry = index.byHandle.get(k) ?? { names: [], modes: new Set<string>() };
    entry.names.push(name);
    entry.modes.add(pv.spec?.volumeMode ?? DEFAULT_VOLUME_MODE);
    index.byHandle.set(k, entry);
    index.handleByName.set(name, k);
  }
  return index;
}

function key(driver: unknown, handle: unknown): string {
  return `${driver}\u0000${handle}`;
}

function describeError(e: unknown): string {
  return e instanceof KubeApiError ? `${e.request}: ${e.status || e.reason} ${e.message}` : String((e as Error)?.message ?? e);
}
