import { Component, COMPONENT_RELEASES } from '../../catalog/images';
import { PREVENT_VOLUME_MODE_CONVERSION_FLAG, PROTECTION_FLOORS, ProtectionFloor } from '../../catalog/protection';
import { compareTags, parseTag } from '../../catalog/semver';
import type { Finding, FindingStatus } from '../findings';
import { worse } from '../findings';
import { containerArgv, readGoBoolFlag } from '../go-flags';
import { parseImage } from '../image';
import type { KubeObject } from '../kube';
import { CheckContext, describe, listAll } from './context';

const PROTECTION_FLAG = PREVENT_VOLUME_MODE_CONVERSION_FLAG.replace(/^-+/, '');
const LEADER_ELECTION = 'leader-election';
/** csi-provisioner on every node (distributed provisioning) needs no leader election. */
const NODE_DEPLOYMENT = 'node-deployment';
/** Boolean flags of both binaries that may precede the protection flag without a value. */
const BOOL_FLAGS = [PROTECTION_FLAG, LEADER_ELECTION, NODE_DEPLOYMENT, 'enable-capacity', 'enable-pprof', 'extra-create-metadata',
  'strict-topology', 'immediate-topology', 'capacity-for-immediate-binding', 'controller-publish-readonly',
  'enable-distributed-snapshotting', 'automaxprocs', 'version', 'node-deployment-immediate-binding'];

const KINDS = [
  { kind: 'Deployment', plural: 'deployments' },
  { kind: 'StatefulSet', plural: 'statefulsets' },
  { kind: 'DaemonSet', plural: 'daemonsets' },
] as const;

/** Check 3: every workload running snapshot-controller or csi-provisioner. */
export async function checkWorkloads(ctx: CheckContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  const components = (Object.keys(PROTECTION_FLOORS) as Component[]).sort();
  const found = new Set<Component>();
  const snapshotControllers: string[] = [];
  for (const { kind, plural } of KINDS) {
    for await (const workload of listAll(ctx, { group: 'apps', version: 'v1', plural }, `${plural}`)) {
      for (const container of workload.spec?.template?.spec?.containers ?? []) {
        const image = parseImage(String(container.image ?? ''));
        const component = components.find((c) => c === image.name);
        if (!component) continue;
        found.add(component);
        if (component === Component.SNAPSHOT_CONTROLLER) snapshotControllers.push(describe(kind, workload));
        findings.push(auditContainer(kind, workload, container, component, PROTECTION_FLOORS[component]!, image.tag, image.digest));
      }
    }
  }
  if (snapshotControllers.length > 1) {
    // Each holds its own leader lease (leases are per namespace), so both act on every snapshot.
    findings.push({ check: 'workloads', id: 'workloads.snapshot-controller.several', status: 'fail', subject: 'snapshot-controller',
      summary: `${snapshotControllers.length} workloads run snapshot-controller: each elects its own leader, and both act on every snapshot`,
      evidence: snapshotControllers,
      fix: 'keep one. If the cluster (a cloud add-on, OpenShift, an earlier install in kube-system) already runs one, install this project\'s '
        + 'platform without its controller and CRDs (SnapshotPlatformChart controller: false, crds: false): the guard, user roles and doctor RBAC work with any controller' });
  }
  for (const component of components) {
    if (found.has(component)) continue;
    findings.push({ check: 'workloads', id: `workloads.${component}.absent`, status: 'warn', subject: component,
      summary: `no Deployment, StatefulSet or DaemonSet runs ${component}`,
      evidence: [`no container image whose repository ends in /${component}`],
      fix: `deploy ${component}; if the provider runs it outside the cluster, confirm with them that ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} is on` });
  }
  return findings;
}

function auditContainer(kind: string, workload: KubeObject, container: any, component: Component, floor: ProtectionFloor,
  tag: string | undefined, digest: string | undefined): Finding {
  const subject = `${describe(kind, workload)} container ${container.name}`;
  const argv = containerArgv(container);
  const evidence: string[] = [`image ${container.image}`];
  const fixes: string[] = [];
  let status: FindingStatus = 'pass';
  const flag = (s: FindingStatus, line: string, fix?: string) => {
    status = worse(status, s);
    evidence.push(line);
    if (fix) fixes.push(fix);
  };
  const pinned = COMPONENT_RELEASES[component][0].tag;
  const version = tag && parseTag(tag) ? tag : undefined;
  if (!version) {
    flag('warn', `release unknown: ${tag ? `tag '${tag}' is not a release version` : `pulled by digest ${digest ?? '(none)'} only`}`,
      `pin a release tag (catalog: ${pinned}) so the version can be audited`);
  } else if (compareTags(version, floor.flagSince) < 0) {
    flag('fail', `${version} predates ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} (needs >= ${floor.flagSince})`, `upgrade to ${pinned}`);
  } else {
    evidence.push(`${version}: flag since ${floor.flagSince}, on by default since ${floor.defaultOnSince}; catalog pins ${pinned}`);
  }

  const protection = readGoBoolFlag(argv, PROTECTION_FLAG, BOOL_FLAGS);
  const explicitOn = `add ${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=true to the container args`;
  switch (protection.state) {
    case 'set':
      if (protection.value) evidence.push(`${protection.raw}: protection on`);
      else flag('fail', `${protection.raw}: protection switched off`, `remove it or set ${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=true`);
      break;
    case 'invalid':
      flag('fail', `${protection.raw}: not a Go boolean; the binary refuses to start`, explicitOn);
      break;
    case 'unresolved':
      flag('warn', `${protection.raw}: depends on an environment variable`, explicitOn);
      break;
    case 'absent':
      if (!version) flag('warn', `${PREVENT_VOLUME_MODE_CONVERSION_FLAG} not set and the release is unknown, so its default is unknown`, explicitOn);
      else if (compareTags(version, floor.defaultOnSince) < 0) flag('fail', `${PREVENT_VOLUME_MODE_CONVERSION_FLAG} not set; off by default before ${floor.defaultOnSince}`, explicitOn);
      else evidence.push(`${PREVENT_VOLUME_MODE_CONVERSION_FLAG} not set; on by default in ${version}`);
      break;
  }

  const leader = readGoBoolFlag(argv, LEADER_ELECTION, BOOL_FLAGS);
  const leaderOn = leader.state === 'set' && leader.value;
  if (kind === 'DaemonSet') {
    const nodeDeployment = readGoBoolFlag(argv, NODE_DEPLOYMENT, BOOL_FLAGS);
    if (component === Component.CSI_PROVISIONER && nodeDeployment.state === 'set' && nodeDeployment.value) {
      evidence.push('DaemonSet with --node-deployment: each node provisions its own volumes');
    } else if (!leaderOn) {
      flag('fail', 'DaemonSet without leader election: every node runs an active controller', `add --${LEADER_ELECTION}=true or run it as a Deployment`);
    } else {
      evidence.push('DaemonSet with leader election');
    }
  } else {
    const replicas = workload.spec?.replicas ?? 1;
    if (replicas === 0) flag('warn', 'scaled to 0 replicas: nothing enforces the protection', 'scale it up');
    else if (replicas > 1 && !leaderOn) flag('fail', `${replicas} replicas without --${LEADER_ELECTION}: controllers race on the same objects`, `add --${LEADER_ELECTION}=true`);
    else evidence.push(`${replicas} replica(s), leader election ${leaderOn ? 'on' : 'off'}`);
  }
  const summary = status === 'pass' ? 'protection on' : status === 'warn' ? 'protection cannot be confirmed' : 'protection is off or the workload is unsafe';
  return { check: 'workloads', id: `workloads.${component}`, status, subject, summary, evidence, fix: fixes.length ? fixes.join('; ') : undefined };
}
