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
    const stored: string[] = crd.status?.storedVersions ?? [];
    if (stored.some((v) => v !== SNAPSHOT_VERSION)) {
      // The API server refuses a CRD update that drops a version still listed here: the next CRD
      // upgrade (one without v1beta1) fails until the objects are rewritten and the list trimmed.
      findings.push({ check: 'crds', id: `crds.${plural}.stored-versions`, status: 'warn', subject,
        summary: `status.storedVersions still lists ${stored.filter((v) => v !== SNAPSHOT_VERSION).join(', ')}: a CRD upgrade that drops it will be refused`,
        evidence: [`status.storedVersions: ${stored.join(', ')}`],
        fix: `rewrite every object in ${SNAPSHOT_VERSION} (\`kubectl get ${plural} -A -o json | kubectl replace -f -\`), then `
          + `\`kubectl patch crd ${name} --subresource=status --type=merge -p '{"status":{"storedVersions":["${SNAPSHOT_VERSION}"]}}'\`` });
    }
    const owner = managedBy(crd);
    if (owner) {
      findings.push({ check: 'crds', id: `crds.${plural}.managed`, status: 'warn', subject,
        summary: `the CRD is managed by ${owner.by}: it will put its own version back over any other`,
        evidence: [owner.evidence],
        fix: 'leave the CRDs to it: install this project\'s platform with crds: false (and controller: false if it also runs snapshot-controller)' });
    }
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

/** Who else keeps this CRD in place, from the marks cluster add-on managers leave. */
function managedBy(crd: KubeObject): { by: string; evidence: string } | undefined {
  const labels = crd.metadata?.labels ?? {};
  const annotations = crd.metadata?.annotations ?? {};
  if (labels['addonmanager.kubernetes.io/mode']) {
    return { by: 'the cluster add-on manager', evidence: `label addonmanager.kubernetes.io/mode=${labels['addonmanager.kubernetes.io/mode']}` };
  }
  const openshift = Object.keys(annotations).find((k) => k.startsWith('include.release.openshift.io/'));
  if (openshift) return { by: 'the OpenShift cluster version operator', evidence: `annotation ${openshift}` };
  const managed = labels['app.kubernetes.io/managed-by'];
  if (managed && managed !== 'csi-snapshot-guard' && managed !== 'cdk8s') {
    return { by: managed, evidence: `label app.kubernetes.io/managed-by=${managed}` };
  }
  return undefined;
}

function normalize(rule: string): string {
  return rule.replace(/\s+/g, '');
}
