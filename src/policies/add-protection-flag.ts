/**
 * Policy 5a (mutating): csi-provisioner and snapshot-controller containers that run a release with
 * --prevent-volume-mode-conversion but do not pass it get `--prevent-volume-mode-conversion=true`.
 * Only apps/v1 workloads are mutated; bare Pods are left to the validating policy.
 */
import { Component, POLICY_NAMES, PREVENT_VOLUME_MODE_CONVERSION_FLAG } from '../catalog';
import { POLICY_POD_SPEC_LIMITS } from '../catalog/admission';
import { celString } from './_cel';
import { catalogImage, container, podSpec, PROVISIONER_ARGS, SNAPSHOT_CONTROLLER_ARGS, workload } from './_fixtures';
import { PROTECTION_CEL as C, protectionUpdateConditions } from './keep-protection-flag';
import type { MutatingPolicyDefinition } from './types';

const { maxContainers } = POLICY_POD_SPEC_LIMITS;
const needsFlag = `${C.guardedImage} && ${C.tagged} && ${C.versionNum} >= ${C.flagSince} && ${C.withinLimits} && !${C.mentionsFlag}`;
const TRUE_FLAG = `${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=true`;
const spec = 'object.spec.template.spec';
// Pod specs the validating policy refuses as too large to check are left to it, with its message.
const withinContainerLimit = `size(${spec}.?initContainers.orValue([])) + size(${spec}.containers) <= ${maxContainers}`;
// A literal index list instead of a two-variable comprehension, so the policy needs nothing newer than 1.34 offers.
const indices = `[${Array.from({ length: maxContainers }, (_, i) => i).join(', ')}]`;
const containerPath = `'/spec/template/spec/containers/' + string(i) + '/args'`;

/** Adds --prevent-volume-mode-conversion=true where a capable release runs without it. */
export const addProtectionFlag: MutatingPolicyDefinition = {
  type: 'mutating',
  name: POLICY_NAMES.addProtectionFlag,
  description: `Deployments, StatefulSets and DaemonSets whose csi-provisioner or snapshot-controller container runs a release that knows ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} `
    + `but does not pass it get ${TRUE_FLAG} appended to the container's args. Releases where the flag is off by default are thereby protected too, `
    + 'and the flag shows up in the manifest instead of hiding in a default.',
  minKubernetesMinor: 34,
  celLibraries: ['optionalTypes', 'stringsV2'],
  matchConstraints: {
    resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments', 'statefulsets', 'daemonsets'], operations: ['CREATE', 'UPDATE'] }],
  },
  // Like the validating policy: an update that leaves the pod spec alone (labels, scaling, the
  // garbage collector's finalizer removal) and an object being deleted are not touched, so such a
  // write never rolls the workload out.
  matchConditions: [
    ...protectionUpdateConditions((o) => `${o}.spec.template.spec`),
    { name: 'a-container-lacks-the-flag', expression: `${withinContainerLimit} && ${spec}.containers.exists(c, ${needsFlag})` },
  ],
  variables: [
    { name: 'containers', expression: `${spec}.containers` },
    { name: 'lacking', expression: `${indices}.filter(i, i < size(variables.containers) && [variables.containers[i]].exists(c, ${needsFlag}))` },
  ],
  // JSONPatch, not ApplyConfiguration: a container's args is an atomic list, and the API server
  // refuses an apply configuration that sets one. `add` at `/args/-` appends and keeps the other
  // arguments; a container without args gets a one-element list.
  mutations: [{
    patchType: 'JSONPatch',
    expression: 'variables.lacking.map(i, variables.containers[i].?args.hasValue()'
      + ` ? JSONPatch{op: 'add', path: ${containerPath} + '/-', value: ${celString(TRUE_FLAG)}}`
      + ` : JSONPatch{op: 'add', path: ${containerPath}, value: [${celString(TRUE_FLAG)}]})`,
  }],
  reinvocationPolicy: 'IfNeeded',
  cases: buildCases(),
};

function buildCases(): MutatingPolicyDefinition['cases'] {
  const P = Component.CSI_PROVISIONER;
  const S = Component.SNAPSHOT_CONTROLLER;
  const create = { operation: 'CREATE' } as const;
  const driver = container('hostpath', 'registry.k8s.io/sig-storage/hostpathplugin:v1.17.1', ['--drivername=hostpath.csi.k8s.io']);
  const deploy = (...containers: Record<string, unknown>[]) => workload('Deployment', 'csi-hostpath-controller', podSpec(containers));
  const update = { operation: 'UPDATE' } as const;
  const lacking = deploy(driver, container('csi-provisioner', catalogImage(P), PROVISIONER_ARGS));
  return [
    {
      name: 'provisioner v6.3.0 without the flag gets it', request: create,
      object: deploy(driver, container('csi-provisioner', catalogImage(P), PROVISIONER_ARGS)), expect: 'mutated',
      expectObject: { spec: { template: { spec: { containers: [driver, container('csi-provisioner', catalogImage(P), [...PROVISIONER_ARGS, TRUE_FLAG])] } } } },
    },
    {
      name: 'snapshot-controller v6.3.4 (off by default) gets it', request: create,
      object: workload('Deployment', 'snapshot-controller', podSpec([container('snapshot-controller', catalogImage(S, 'v6.3.4'), SNAPSHOT_CONTROLLER_ARGS)])), expect: 'mutated',
      expectObject: { spec: { template: { spec: { containers: [container('snapshot-controller', catalogImage(S, 'v6.3.4'), [...SNAPSHOT_CONTROLLER_ARGS, TRUE_FLAG])] } } } },
    },
    {
      name: 'container without args gets an args list', request: create,
      object: workload('DaemonSet', 'snapshot-controller', podSpec([container('snapshot-controller', catalogImage(S))])), expect: 'mutated',
      expectObject: { spec: { template: { spec: { containers: [container('snapshot-controller', catalogImage(S), [TRUE_FLAG])] } } } },
    },
    {
      name: 'two containers lacking the flag: each gets it, other arguments kept', request: create,
      object: deploy(container('csi-provisioner', catalogImage(P), PROVISIONER_ARGS), driver, container('snapshot-controller', catalogImage(S), [])), expect: 'mutated',
      expectObject: { spec: { template: { spec: { containers: [
        container('csi-provisioner', catalogImage(P), [...PROVISIONER_ARGS, TRUE_FLAG]), driver, container('snapshot-controller', catalogImage(S), [TRUE_FLAG]),
      ] } } } },
    },
    {
      name: 'flag in command counts as passed', request: create,
      object: deploy(container('csi-provisioner', catalogImage(P), PROVISIONER_ARGS, ['/csi-provisioner', TRUE_FLAG])), expect: 'not-matched',
    },
    {
      name: 'update that changes the pod spec adds the flag', request: update,
      oldObject: deploy(driver, container('csi-provisioner', catalogImage(P, 'v5.3.0'), PROVISIONER_ARGS)),
      object: deploy(driver, container('csi-provisioner', catalogImage(P), PROVISIONER_ARGS)), expect: 'mutated',
      expectObject: { spec: { template: { spec: { containers: [driver, container('csi-provisioner', catalogImage(P), [...PROVISIONER_ARGS, TRUE_FLAG])] } } } },
    },
    {
      name: 'label-only update does not roll the workload out', request: update,
      oldObject: lacking, object: { ...lacking, metadata: { ...(lacking.metadata as object), labels: { team: 'storage' } } }, expect: 'not-matched',
    },
    {
      name: 'object being deleted is not touched', request: update,
      oldObject: { ...lacking, metadata: { ...(lacking.metadata as object), deletionTimestamp: '2025-06-01T10:00:00Z', finalizers: ['foregroundDeletion'] } },
      object: { ...lacking, metadata: { ...(lacking.metadata as object), deletionTimestamp: '2025-06-01T10:00:00Z', finalizers: [] } }, expect: 'not-matched',
    },
    {
      name: 'pod spec too large to check is left to the validating policy', request: create,
      object: deploy(...Array.from({ length: POLICY_POD_SPEC_LIMITS.maxContainers + 1 }, (_, i) => container(`p${i}`, catalogImage(P), PROVISIONER_ARGS))), expect: 'not-matched',
    },
    {
      name: 'argument too long to check is left to the validating policy', request: create,
      object: deploy(container('csi-provisioner', catalogImage(P), [...PROVISIONER_ARGS, `--extra-create-metadata=${'x'.repeat(POLICY_POD_SPEC_LIMITS.maxArgumentLength)}`])),
      expect: 'not-matched',
    },
    { name: 'flag already passed', request: create, object: deploy(driver, container('csi-provisioner', catalogImage(P), [...PROVISIONER_ARGS, TRUE_FLAG])), expect: 'not-matched' },
    { name: 'flag passed as =false is left to the validating policy', request: create, object: deploy(container('csi-provisioner', catalogImage(P), [`${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=false`])), expect: 'not-matched' },
    { name: 'release without the flag is not touched', request: create, object: deploy(container('csi-provisioner', catalogImage(P, 'v3.1.0'), PROVISIONER_ARGS)), expect: 'not-matched' },
    { name: 'digest-only image is not touched', request: create, object: deploy(container('csi-provisioner', `registry.k8s.io/sig-storage/csi-provisioner@sha256:${'b'.repeat(64)}`, PROVISIONER_ARGS)), expect: 'not-matched' },
    { name: 'unrelated workload', request: create, object: deploy(container('nginx', 'docker.io/library/nginx:1.27')), expect: 'not-matched' },
  ];
}
