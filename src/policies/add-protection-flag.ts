/**
 * Policy 5a (mutating): csi-provisioner and snapshot-controller containers that run a release with
 * --prevent-volume-mode-conversion but do not pass it get `--prevent-volume-mode-conversion=true`.
 * Only apps/v1 workloads are mutated; bare Pods are left to the validating policy.
 */
import { Component, POLICY_NAMES, PREVENT_VOLUME_MODE_CONVERSION_FLAG } from '../catalog';
import { celString } from './_cel';
import { catalogImage, container, podSpec, PROVISIONER_ARGS, SNAPSHOT_CONTROLLER_ARGS, workload } from './_fixtures';
import { PROTECTION_CEL as C } from './keep-protection-flag';
import type { MutatingPolicyDefinition } from './types';

const needsFlag = `${C.guardedImage} && ${C.tagged} && ${C.versionNum} >= ${C.flagSince} && !${C.mentionsFlag}`;
const TRUE_FLAG = `${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=true`;

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
  matchConditions: [{
    name: 'a-container-lacks-the-flag',
    expression: `object.spec.template.spec.containers.exists(c, ${needsFlag})`,
  }],
  // Server-side-apply merge: containers merge by name, and args (an atomic list) is replaced whole.
  mutations: [{
    patchType: 'ApplyConfiguration',
    expression: 'Object{spec: Object.spec{template: Object.spec.template{spec: Object.spec.template.spec{containers: '
      + `object.spec.template.spec.containers.filter(c, ${needsFlag}).map(c, Object.spec.template.spec.containers{name: c.name, args: c.?args.orValue([]) + [${celString(TRUE_FLAG)}]})`
      + '}}}}',
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
    { name: 'flag already passed', request: create, object: deploy(driver, container('csi-provisioner', catalogImage(P), [...PROVISIONER_ARGS, TRUE_FLAG])), expect: 'not-matched' },
    { name: 'flag passed as =false is left to the validating policy', request: create, object: deploy(container('csi-provisioner', catalogImage(P), [`${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=false`])), expect: 'not-matched' },
    { name: 'release without the flag is not touched', request: create, object: deploy(container('csi-provisioner', catalogImage(P, 'v3.1.0'), PROVISIONER_ARGS)), expect: 'not-matched' },
    { name: 'digest-only image is not touched', request: create, object: deploy(container('csi-provisioner', `registry.k8s.io/sig-storage/csi-provisioner@sha256:${'b'.repeat(64)}`, PROVISIONER_ARGS)), expect: 'not-matched' },
    { name: 'unrelated workload', request: create, object: deploy(container('nginx', 'docker.io/library/nginx:1.27')), expect: 'not-matched' },
  ];
}
