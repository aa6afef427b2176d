import { SNAPSHOT_GROUP, SNAPSHOT_RESOURCES, SNAPSHOT_VERSION, SOURCE_VOLUME_MODE_RULES } from '../../catalog/snapshot-api';
import type { Finding } from '../findings';
import type { KubeObject } from '../kube';
import type { CheckContext } from './context';

const CRD_REF = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' } as const;

/** Check 2: the three snapshot CRDs, v1 served and stored, and spec.sourceVolumeMode with its rules. */
export async function checkCrds(ctx: CheckContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  // Published only when every CRD could be read, so a 403 here does not read as "not installed" later.
  const present = new Set<string>();
  let contentCrd: KubeObject | undefined;
  for (const plural of Object.values(SNAPSHOT_RESOURCES).sort()) {
    const name = `${plural}.${SNAPSHOT_GROUP}`;
    const crd = await ctx.cluster.get(CRD_REF, name);
    const subject = `CustomResourceDefinition ${name}`;
    if (!crd) {
      findings.push({ check: 'crds', id: `crds.${plural}`, status: 'fail', subject, summary: 'CRD is not installed', evidence: [`GET ${name}: 404`],
        fix: 'install the snapshot CRDs (SnapshotCrds construct, or external-snapshotter v8 client/config/crd)' });
      continue;
    }
    present.add(plural);
    if (plural === SNAPSHOT_RESOURCES.volumeSnapshotContents) contentCrd = crd;
    const versions: any[] = crd.spec?.versions ?? [];
    const v1 = versions.find((v) => v.name === SNAPSHOT_VERSION);
    const evidence = versions.map((v) => `${v.name}: served=${Boolean(v.served)} storage=${Boolean(v.storage)}`);
    if (!v1?.served || !v1?.storage) {
      findings.push({ check: 'crds', id: `crds.${plural}`, status: 'fail', subject, summary: `${SNAPSHOT_VERSION} is not both served and the storage version`, evidence,
        fix: 'install the external-snapshotter v8 CRDs, which serve and store v1' });
    } else {
      findings.push({ check: 'crds', id: `crds.${plural}`, status: 'pass', subject, summary: `${SNAPSHOT_VERSION} served and stored`, evidence });
    }
  }
  if (contentCrd) findings.push(sourceVolumeModeFinding(contentCrd));
  ctx.snapshotCrds = present;
  return findings;
}

function sourceVolumeModeFinding(crd: KubeObject): Finding {
  const subject = `CustomResourceDefinition ${crd.metadata?.name}`;
  const v1 = (crd.spec?.versions ?? []).find((v: any) => v.name === SNAPSHOT_VERSION);
  const spec = v1?.schema?.openAPIV3Schema?.properties?.spec;
  const field = spec?.properties?.sourceVolumeMode;
  if (!field) {
    return { check: 'crds', id: 'crds.source-volume-mode', status: 'fail', subject,
      summary: 'the v1 schema has no spec.sourceVolumeMode: no restore is checked for a volume mode change',
      evidence: [`spec properties: ${Object.keys(spec?.properties ?? {}).sort().join(', ') || 'none'}`],
      fix: 'replace the CRDs with external-snapshotter v8 ones (an add-on may have installed pre-v6 CRDs), then run `doctor backfill-source-volume-mode`' };
  }
  const rulesOf = (node: any): string[] => (node?.['x-kubernetes-validations'] ?? []).map((r: any) => normalize(String(r.rule)));
  const hasField = rulesOf(field).includes(normalize(SOURCE_VOLUME_MODE_RULES.field));
  const hasSpec = rulesOf(spec).includes(normalize(SOURCE_VOLUME_MODE_RULES.spec));
  const evidence = [
    `spec.sourceVolumeMode: type ${field.type ?? 'unset'}`,
    `immutable rule (${SOURCE_VOLUME_MODE_RULES.field}) on the field: ${hasField ? 'present' : 'missing'}`,
    `required-once-set rule (${SOURCE_VOLUME_MODE_RULES.spec}) on spec: ${hasSpec ? 'present' : 'missing'}`,
  ];
  if (!hasField || !hasSpec) {
    return { check: 'crds', id: 'crds.source-volume-mode', status: 'warn', subject,
      summary: 'spec.sourceVolumeMode exists but may be changed or removed (CRDs older than external-snapshotter v8)', evidence,
      fix: 'upgrade the snapshot CRDs to external-snapshotter v8, whose CEL rules make the field set-once' };
  }
  return { check: 'crds', id: 'crds.source-volume-mode', status: 'pass', subject, summary: 'spec.sourceVolumeMode is present and set-once', evidence };
}

function normalize(rule: string): string {
  return rule.replace(/\s+/g, '');
}
