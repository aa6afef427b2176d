/**
 * Checks across the constructs of one app, run at synth (construct validations): each construct is
 * fine on its own, but together they would fail on the cluster. @internal
 * - two objects of one kind with the same name and namespace (the second apply overwrites the first);
 * - a workload that writes `--prevent-volume-mode-conversion=false` next to the guard's policy that
 *   refuses exactly that (the apply would be denied);
 * - a privileged or host-access workload in a namespace of the app whose Pod Security label
 *   (`enforce`) is baseline or restricted (its Pods would be refused).
 */
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { POD_SECURITY_LABELS, PodSecurityLevel } from '../../catalog/pod-security';
import { POLICY_NAMES } from '../../catalog/policy-names';
import { PREVENT_VOLUME_MODE_CONVERSION_FLAG } from '../../catalog/protection';

const checkedRoots = new WeakSet<IConstruct>();

/** Registers the app checks once per construct tree. */
export function registerAppChecks(scope: IConstruct): void {
  const root = scope.node.root;
  if (checkedRoots.has(root)) return;
  checkedRoots.add(root);
  new Construct(root, 'CsiSnapshotGuardAppChecks').node.addValidation({ validate: () => appProblems(root) });
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

interface Rendered {
  readonly path: string;
  readonly json: any;
}

/** Every problem the app's objects have together, as messages naming paths and the fix. */
export function appProblems(root: IConstruct): string[] {
  // Rendering every object is the costly part; only the kinds the checks read in depth are rendered.
  const deep = new Set([...WORKLOAD_KINDS, 'Namespace', 'ValidatingAdmissionPolicy']);
  const objects: Rendered[] = root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)
    .map((o) => ({
      path: o.node.path,
      json: deep.has(o.kind) ? o.toJson() : { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name, namespace: o.metadata.namespace } },
    }));
  return [...duplicateNames(objects), ...protectionAgainstGuard(objects), ...podSecurityConflicts(objects)];
}

function duplicateNames(objects: readonly Rendered[]): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const o of objects) {
    const group = String(o.json.apiVersion ?? '').includes('/') ? String(o.json.apiVersion).split('/')[0] : '';
    const key = `${group}/${o.json.kind}/${o.json.metadata?.namespace ?? ''}/${o.json.metadata?.name}`;
    const first = seen.get(key);
    if (first === undefined) { seen.set(key, o.path); continue; }
    const where = o.json.metadata?.namespace ? ` in namespace ${o.json.metadata.namespace}` : '';
    out.push(`${o.path}: ${o.json.kind} '${o.json.metadata?.name}'${where} is also rendered by ${first}; `
      + 'the second apply would overwrite the first: give one of them another name (its `name` prop) or drop one');
  }
  return out;
}

function containersOf(o: Rendered): any[] {
  const spec = o.json.spec?.template?.spec ?? {};
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

function protectionAgainstGuard(objects: readonly Rendered[]): string[] {
  const guard = objects.find((o) => o.json.kind === 'ValidatingAdmissionPolicy' && o.json.metadata?.name === POLICY_NAMES.keepProtectionFlag);
  if (!guard) return [];
  const off = `${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=false`;
  return objects.filter((o) => WORKLOAD_KINDS.has(o.json.kind) && containersOf(o).some((c) => (c.args ?? []).includes(off)))
    .map((o) => `${o.path}: ${o.json.kind} '${o.json.metadata?.name}' writes ${off}, which the policy ${POLICY_NAMES.keepProtectionFlag} `
      + `(${guard.path}) refuses, so applying it would be denied; turn preventVolumeModeConversion back on, or leave that policy out `
      + "with VolumeModeGuard's `exclude: ['keepProtectionFlag']`");
}

/** Why a Pod spec needs more than the given Pod Security level, or undefined when it does not. */
function needsMoreThan(level: string, podSpec: any): string | undefined {
  const containers = [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])];
  const privileged = containers.find((c) => c.securityContext?.privileged === true);
  if (privileged) return `container ${privileged.name} is privileged`;
  const hostPath = (podSpec.volumes ?? []).find((v: any) => v.hostPath);
  if (hostPath) return `volume ${hostPath.name} is a hostPath`;
  if (podSpec.hostNetwork || podSpec.hostPID || podSpec.hostIPC) return 'it uses the host network or process namespaces';
  if (level === PodSecurityLevel.RESTRICTED) {
    const asRoot = containers.find((c) => c.securityContext?.runAsNonRoot !== true && podSpec.securityContext?.runAsNonRoot !== true);
    if (asRoot) return `container ${asRoot.name} may run as root`;
  }
  return undefined;
}

function podSecurityConflicts(objects: readonly Rendered[]): string[] {
  const levels = new Map<string, { level: string; path: string }>();
  for (const o of objects) {
    const level = o.json.kind === 'Namespace' ? o.json.metadata?.labels?.[POD_SECURITY_LABELS.enforce] : undefined;
    if (level === PodSecurityLevel.BASELINE || level === PodSecurityLevel.RESTRICTED) levels.set(o.json.metadata.name, { level, path: o.path });
  }
  const out: string[] = [];
  for (const o of objects) {
    const ns = levels.get(o.json.metadata?.namespace);
    if (!ns || !WORKLOAD_KINDS.has(o.json.kind)) continue;
    const why = needsMoreThan(ns.level, o.json.spec?.template?.spec ?? {});
    if (why === undefined) continue;
    out.push(`${o.path}: ${o.json.kind} '${o.json.metadata.name}' cannot run in namespace ${o.json.metadata.namespace}, whose Pod Security `
      + `level is ${ns.level} (${ns.path}): ${why}; put it in a namespace of its own labelled ${POD_SECURITY_LABELS.enforce}=privileged `
      + '(a CSI node plugin needs that), or change the namespace label');
  }
  return out;
}
