import { POLICY_NAMES, RELABEL_CONTENTS_COMMAND, SNAPSHOT_NAME_BUCKET_LABEL, SOURCE_VOLUME_MODE_LABEL } from '../../catalog/policy-names';
import { ALLOW_VOLUME_MODE_CHANGE_ANNOTATION } from '../../catalog/protection';
import { SNAPSHOT_GROUP, SNAPSHOT_RESOURCES, SNAPSHOT_VERSION, VOLUME_MODES } from '../../catalog/snapshot-api';
import type { Finding } from '../findings';
import { parseGoBool } from '../go-flags';
import { CheckContext, cutList, listAll } from './context';

/** REST coordinates of VolumeSnapshotContents. */
export const CONTENTS_REF = { group: SNAPSHOT_GROUP, version: SNAPSHOT_VERSION, plural: SNAPSHOT_RESOURCES.volumeSnapshotContents } as const;

/** Check 5: contents without (or with a bad) spec.sourceVolumeMode, contents allowed to change mode, contents the restore bindings cannot sort. */
export async function checkContents(ctx: CheckContext): Promise<Finding[]> {
  if (ctx.snapshotCrds && !ctx.snapshotCrds.has(SNAPSHOT_RESOURCES.volumeSnapshotContents)) {
    return [{ check: 'contents', id: 'contents.source-volume-mode', status: 'skip', summary: 'VolumeSnapshotContent CRD is not installed (see crds)', evidence: [] }];
  }
  let total = 0;
  const missing = new Tally(ctx.listLimit);
  const invalid = new Tally(ctx.listLimit);
  const allowed = new Tally(ctx.listLimit);
  const unlabelled = new Tally(ctx.listLimit);
  for await (const c of listAll(ctx, CONTENTS_REF, 'volumesnapshotcontents')) {
    total++;
    const name = c.metadata?.name ?? '?';
    const mode = c.spec?.sourceVolumeMode;
    if (mode === undefined || mode === null || mode === '') missing.add(name);
    else if (!(VOLUME_MODES as readonly string[]).includes(mode)) invalid.add(`${name} (${JSON.stringify(mode)})`);
    const labels = c.metadata?.labels ?? {};
    if (labels[SOURCE_VOLUME_MODE_LABEL] === undefined || labels[SNAPSHOT_NAME_BUCKET_LABEL] === undefined) unlabelled.add(name);
    const annotation = c.metadata?.annotations?.[ALLOW_VOLUME_MODE_CHANGE_ANNOTATION];
    if (annotation !== undefined) {
      const parsed = parseGoBool(annotation);
      allowed.add(`${name}=${JSON.stringify(annotation)}${parsed === undefined ? ' (not a Go boolean: restores are refused)' : parsed ? ' (mode change allowed)' : ' (mode change refused)'}`);
    }
  }
  const findings: Finding[] = [];
  const scanned = `${total} VolumeSnapshotContents scanned`;
  findings.push(missing.count === 0
    ? { check: 'contents', id: 'contents.source-volume-mode', status: 'pass', summary: 'every VolumeSnapshotContent records its source volume mode', evidence: [scanned] }
    : { check: 'contents', id: 'contents.source-volume-mode', status: 'fail',
      summary: `${missing.count} VolumeSnapshotContent(s) without spec.sourceVolumeMode: restores from them are never checked`,
      evidence: [scanned, cutList(missing.names, missing.count)],
      fix: 'run `doctor backfill-source-volume-mode` (dry-run), then again with --apply; set the rest by hand' });
  if (invalid.count > 0) {
    findings.push({ check: 'contents', id: 'contents.invalid-source-volume-mode', status: 'fail',
      summary: `${invalid.count} VolumeSnapshotContent(s) with a sourceVolumeMode other than ${VOLUME_MODES.join(' or ')}`,
      evidence: [cutList(invalid.names, invalid.count)],
      fix: 'the field is set-once: re-import those snapshots into new contents with the right mode' });
  }
  findings.push(allowed.count === 0
    ? { check: 'contents', id: 'contents.allow-volume-mode-change', status: 'pass', summary: `no content carries ${ALLOW_VOLUME_MODE_CHANGE_ANNOTATION}`, evidence: [scanned] }
    : { check: 'contents', id: 'contents.allow-volume-mode-change', status: 'warn',
      summary: `${allowed.count} VolumeSnapshotContent(s) carry ${ALLOW_VOLUME_MODE_CHANGE_ANNOTATION}; review them`,
      evidence: [cutList(allowed.names, allowed.count)],
      fix: 'keep the annotation only on contents a trusted backup tool restores across modes; remove it elsewhere' });
  // The labels come from a MutatingAdmissionPolicy: without that API they are never expected.
  if (!ctx.mapVersion) {
    findings.push({ check: 'contents', id: 'contents.restore-labels', status: 'skip',
      summary: `MutatingAdmissionPolicy is not served, so ${POLICY_NAMES.labelSnapshotContents} cannot label contents`, evidence: [] });
  } else {
    findings.push(unlabelled.count === 0
      ? { check: 'contents', id: 'contents.restore-labels', status: 'pass', summary: 'every VolumeSnapshotContent carries the labels the restore bindings select by', evidence: [scanned] }
      : { check: 'contents', id: 'contents.restore-labels', status: 'warn',
        summary: `${unlabelled.count} VolumeSnapshotContent(s) without ${SOURCE_VOLUME_MODE_LABEL} or ${SNAPSHOT_NAME_BUCKET_LABEL}: every restore reads them (slower) until their next write`,
        evidence: [scanned, cutList(unlabelled.names, unlabelled.count)],
        fix: `with ${POLICY_NAMES.labelSnapshotContents} installed (see policies), run: ${RELABEL_CONTENTS_COMMAND}` });
  }
  return findings;
}

/** Counts everything, remembers only the first `limit` names: memory stays flat on big clusters. */
class Tally {
  count = 0;
  readonly names: string[] = [];
  constructor(private readonly limit: number) {}
  add(name: string) {
    this.count++;
    if (this.names.length < this.limit) this.names.push(name);
  }
}
