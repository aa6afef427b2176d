import { inTreePlugin } from '../../catalog/kubernetes';
import {
  DEFAULT_SNAPSHOT_CLASS_ANNOTATION, DEFAULT_STORAGE_CLASS_ANNOTATIONS, SNAPSHOT_GROUP, SNAPSHOT_RESOURCES, SNAPSHOT_VERSION,
} from '../../catalog/snapshot-api';
import type { Finding } from '../findings';
import { CheckContext, listAll } from './context';

const STORAGE = { group: 'storage.k8s.io', version: 'v1' } as const;

/** Check 6: default classes and in-tree provisioners on releases that removed them. */
export async function checkClasses(ctx: CheckContext): Promise<Finding[]> {
  const findings: Finding[] = [];

  if (!ctx.snapshotCrds || ctx.snapshotCrds.has(SNAPSHOT_RESOURCES.volumeSnapshotClasses)) {
    const defaults = new Map<string, string[]>();
    for await (const c of listAll(ctx, { group: SNAPSHOT_GROUP, version: SNAPSHOT_VERSION, plural: SNAPSHOT_RESOURCES.volumeSnapshotClasses })) {
      if (c.metadata?.annotations?.[DEFAULT_SNAPSHOT_CLASS_ANNOTATION] !== 'true') continue;
      const driver = String(c.driver ?? '?');
      defaults.set(driver, [...(defaults.get(driver) ?? []), c.metadata!.name!]);
    }
    const multi = [...defaults.entries()].filter(([, names]) => names.length > 1).sort(([a], [b]) => a.localeCompare(b));
    for (const [driver, names] of multi) {
      findings.push({ check: 'classes', id: 'classes.default-snapshot-class', status: 'fail', subject: `driver ${driver}`,
        summary: `${names.length} default VolumeSnapshotClasses for one driver: snapshots without a class fail`,
        evidence: [`${DEFAULT_SNAPSHOT_CLASS_ANNOTATION}=true on ${names.sort().join(', ')}`],
        fix: 'keep the annotation on one class per driver' });
    }
    if (multi.length === 0) {
      findings.push({ check: 'classes', id: 'classes.default-snapshot-class', status: 'pass', summary: 'at most one default VolumeSnapshotClass per driver',
        evidence: [...defaults.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([d, n]) => `${d}: ${n[0]}`) });
    }
  }

  const csiDrivers = new Set<string>();
  for await (const d of listAll(ctx, { ...STORAGE, plural: 'csidrivers' })) csiDrivers.add(d.metadata?.name ?? '');
  const defaultStorage: string[] = [];
  const inTree: Finding[] = [];
  for await (const sc of listAll(ctx, { ...STORAGE, plural: 'storageclasses' })) {
    const name = sc.metadata?.name ?? '?';
    const annotations = sc.metadata?.annotations ?? {};
    if (DEFAULT_STORAGE_CLASS_ANNOTATIONS.some((a) => annotations[a] === 'true')) defaultStorage.push(name);
    const plugin = inTreePlugin(String(sc.provisioner ?? ''));
    if (!plugin || ctx.minor === undefined || ctx.minor < plugin.removedIn) continue;
    const migrated = plugin.csiDriver !== undefined && csiDrivers.has(plugin.csiDriver);
    inTree.push({ check: 'classes', id: 'classes.in-tree-provisioner', status: migrated ? 'warn' : 'fail', subject: `StorageClass ${name}`,
      summary: migrated
        ? `in-tree ${plugin.provisioner} is gone since 1.${plugin.removedIn}; ${plugin.csiDriver} serves it through CSI migration`
        : `in-tree ${plugin.provisioner} is gone since 1.${plugin.removedIn}; volumes of this class cannot be provisioned`,
      evidence: [`provisioner ${plugin.provisioner} on 1.${ctx.minor}`, plugin.csiDriver ? `CSIDriver ${plugin.csiDriver}: ${migrated ? 'installed' : 'not installed'}` : 'no CSI replacement'],
      fix: plugin.csiDriver ? `create a StorageClass with provisioner ${plugin.csiDriver} and move the default to it` : 'move the data to a CSI driver; this plugin has no migration path' });
  }
  defaultStorage.sort();
  findings.push(defaultStorage.length > 1
    ? { check: 'classes', id: 'classes.default-storage-class', status: 'warn', summary: `${defaultStorage.length} default StorageClasses: PVCs without a class get the newest one`,
      evidence: [defaultStorage.join(', ')], fix: 'keep storageclass.kubernetes.io/is-default-class=true on one class' }
    : { check: 'classes', id: 'classes.default-storage-class', status: 'pass', summary: `${defaultStorage.length} default StorageClass`, evidence: defaultStorage });
  findings.push(...inTree);
  return findings;
}
