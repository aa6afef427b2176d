import { mutatingAdmissionPolicyApi, SNAPSHOT_STACK_KUBERNETES } from '../../catalog/kubernetes';
import type { Finding } from '../findings';
import type { CheckContext } from './context';

const ADMISSION_GROUP = 'admissionregistration.k8s.io';

/** Check 1: server version against the supported range, and the admission APIs served. */
export async function checkServer(ctx: CheckContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  const v = await ctx.cluster.version();
  // Managed clusters report minors like "30+".
  const minor = Number.parseInt(v.minor, 10);
  const range = `1.${SNAPSHOT_STACK_KUBERNETES.min}-1.${SNAPSHOT_STACK_KUBERNETES.max}`;
  if (v.major !== '1' || Number.isNaN(minor)) {
    findings.push({ check: 'server', id: 'server.version', status: 'warn', summary: `cannot read the minor version from ${v.gitVersion}`,
      evidence: [`major=${v.major} minor=${v.minor}`], fix: `make sure the cluster runs Kubernetes ${range}` });
  } else {
    ctx.minor = minor;
    const evidence = [`gitVersion ${v.gitVersion} (minor ${minor}); supported ${range}`];
    if (minor < SNAPSHOT_STACK_KUBERNETES.min) {
      findings.push({ check: 'server', id: 'server.version', status: 'fail', summary: `Kubernetes 1.${minor} is older than the supported range`, evidence,
        fix: `upgrade to 1.${SNAPSHOT_STACK_KUBERNETES.min} or newer (ValidatingAdmissionPolicy v1 and the v8 snapshot CRDs need it)` });
    } else if (minor > SNAPSHOT_STACK_KUBERNETES.max) {
      findings.push({ check: 'server', id: 'server.version', status: 'warn', summary: `Kubernetes 1.${minor} is newer than the catalog was checked against`, evidence,
        fix: 'upgrade csi-snapshot-guard, or review the release notes of the snapshot stack for this minor' });
    } else {
      findings.push({ check: 'server', id: 'server.version', status: 'pass', summary: `Kubernetes 1.${minor} is supported`, evidence });
    }
  }

  const versions = (await ctx.cluster.groupVersions(ADMISSION_GROUP)) ?? [];
  const serving: Record<string, string[]> = {};
  for (const version of [...versions].sort()) {
    serving[version] = ((await ctx.cluster.resourcesOf(ADMISSION_GROUP, version)) ?? [])
      .filter((r) => r === 'validatingadmissionpolicies' || r === 'mutatingadmissionpolicies');
  }
  ctx.vapServed = serving.v1?.includes('validatingadmissionpolicies') ?? false;
  ctx.mapVersion = ['v1', 'v1beta1', 'v1alpha1'].find((ver) => serving[ver]?.includes('mutatingadmissionpolicies'));
  const evidence = [
    `${ADMISSION_GROUP} serves ${versions.length ? [...versions].sort().join(', ') : 'nothing'}`,
    ...Object.entries(serving).map(([ver, res]) => `${ver}: ${res.length ? res.join(', ') : 'no admission policy resources'}`),
  ];
  if (!ctx.vapServed) {
    findings.push({ check: 'server', id: 'server.admission-apis', status: 'fail', summary: 'ValidatingAdmissionPolicy v1 is not served', evidence,
      fix: 'the guard policies need admissionregistration.k8s.io/v1 validatingadmissionpolicies (Kubernetes >= 1.30)' });
  } else {
    const expectedMap = ctx.minor !== undefined ? mutatingAdmissionPolicyApi(ctx.minor) : undefined;
    if (!ctx.mapVersion && expectedMap && !expectedMap.needsOptIn) {
      findings.push({ check: 'server', id: 'server.admission-apis', status: 'warn', summary: `MutatingAdmissionPolicy ${expectedMap.version} should be served on 1.${ctx.minor} but is not`, evidence,
        fix: 'check kube-apiserver --runtime-config and --feature-gates=MutatingAdmissionPolicy' });
    } else {
      findings.push({ check: 'server', id: 'server.admission-apis', status: 'pass',
        summary: `ValidatingAdmissionPolicy v1 served; MutatingAdmissionPolicy ${ctx.mapVersion ?? 'not served (mutating policies will not be installed)'}`, evidence });
    }
  }
  return findings;
}
