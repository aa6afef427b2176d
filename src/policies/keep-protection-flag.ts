/**
 * Policy 3: where csi-provisioner or snapshot-controller runs, the volume mode protection stays on.
 * Images are recognised by repository name from any registry, with tag and/or digest, in containers
 * and init containers of Pods and of the apps/v1 workloads that template them.
 */
import { Component, parseTag, POLICY_NAMES, PREVENT_VOLUME_MODE_CONVERSION_FLAG, PROTECTION_FLOORS, ProtectionFloor } from '../catalog';
import { POLICY_POD_SPEC_LIMITS } from '../catalog/admission';
import { celString, parseBoolAlternation } from './_cel';
import {
  catalogImage, container, pod, podSpec, PROVISIONER_ARGS, SNAPSHOT_CONTROLLER_ARGS, workload,
} from './_fixtures';
import type { PolicyDefinition } from './types';

/** Components whose flag the policy guards, with their floors (from the catalog). */
export const GUARDED_COMPONENTS = Object.entries(PROTECTION_FLOORS) as [Component, ProtectionFloor][];

const FLAG = PREVENT_VOLUME_MODE_CONVERSION_FLAG.replace(/^-+/, '');
const names = GUARDED_COMPONENTS.map(([c]) => c);

/** `^(path/)*<name>(:tag)?(@digest)?$`: the image's last path segment is one of the names. */
function imageRegex(repoNames: readonly string[], tag = '(:[^/@]*)?'): string {
  return `^([^/@]+/)*(${repoNames.join('|')})${tag}(@.+)?$`;
}

/** Version number major*1000+minor that CEL compares against; floors must be x.y.0. */
function versionNumber(tag: string): number {
  const t = parseTag(tag);
  if (!t || t.patch !== 0 || t.minor >= 1000) throw new Error(`protection floor ${tag} must be a vX.Y.0 release`);
  return t.major * 1000 + t.minor;
}

// CEL fragments about one container `c` of the pod spec.
const args = "(c.?command.orValue([]) + c.?args.orValue([]))";
const isComponent = (name: string) => `c.image.matches(${celString(imageRegex([name]))})`;
const tagged = `c.image.matches(${celString(imageRegex(names, ':v[0-9]+[.][0-9]+[.][0-9]+([-+][0-9A-Za-z.+-]*)?'))})`;
// Once `tagged` holds, the text after the last ':v' before any digest is the X.Y.Z release.
const withoutDigest = "c.image.split('@')[0]";
const tagVersion = `${withoutDigest}.substring(${withoutDigest}.lastIndexOf(':') + 2)`;
const versionNum = `(int(${tagVersion}.split('.')[0]) * 1000 + int(${tagVersion}.split('.')[1]))`;
const floorOf = (field: keyof ProtectionFloor) => GUARDED_COMPONENTS.slice(0, -1).reduceRight(
  (rest, [name, floor]) => `(${isComponent(name)} ? ${versionNumber(floor[field])} : ${rest})`,
  String(versionNumber(GUARDED_COMPONENTS[GUARDED_COMPONENTS.length - 1][1][field])));
const flagArg = (value: string) => celString(`^--?${FLAG}${value}`);

/** CEL fragments about one container `c`, shared with the mutating policy that adds the flag. @internal */
export const PROTECTION_CEL = {
  args, tagged, versionNum, flagSince: floorOf('flagSince'), guardedImage: `c.image.matches(${celString(imageRegex(names))})`,
  mentionsFlag: `${args}.exists(a, a.matches(${flagArg('(=|$)')}))`,
} as const;

// Each guarded container is inspected once (variables.inspected); every rule then filters those
// records into a variable of its own, which both its expression and its messageExpression read.
const inspected = 'variables.guarded.map(c, {'
  + `'name': dyn(c.name), 'image': dyn(c.image), 'args': dyn(${args}), `
  + `'release': dyn(${tagged} ? ${versionNum} : -1), 'flagSince': dyn(${floorOf('flagSince')}), 'defaultOnSince': dyn(${floorOf('defaultOnSince')})})`;
const passesTrue = `c.args.exists(a, a.matches(${flagArg(`(=${parseBoolAlternation('true')})?$`)}))`;
const rules = {
  disabling: `variables.checked.filter(c, c.args.exists(a, a.matches(${flagArg(`=${parseBoolAlternation('false')}$`)})))`,
  // Go's flag package never reads the next argument as a bool flag's value: `--flag false` leaves the
  // flag true and stops parsing there, so every later flag is ignored. Refused as misleading.
  separated: `variables.checked.filter(c, c.args.join('\\n').matches(${celString(`(^|\n)--?${FLAG}\n${parseBoolAlternation('any')}(\n|$)`)}))`,
  unparsable: `variables.checked.filter(c, c.args.exists(a, a.matches(${flagArg('=')}) && !a.matches(${flagArg(`=${parseBoolAlternation('any')}$`)})))`,
  tooOld: 'variables.checked.filter(c, c.release >= 0 && c.release < c.flagSince)',
  offByDefault: `variables.checked.filter(c, c.release >= c.flagSince && c.release < c.defaultOnSince && !${passesTrue})`,
  untagged: `variables.checked.filter(c, c.release < 0 && !${passesTrue})`,
} as const;
type Rule = keyof typeof rules;

const floorsText = GUARDED_COMPONENTS.map(([n, f]) => `${n} >= ${f.flagSince}`).join(', ');
const defaultOnText = GUARDED_COMPONENTS.map(([n, f]) => `${n} >= ${f.defaultOnSince}`).join(', ');
const trueFlag = `${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=true`;

/** A validation refusing the containers of `rule`; the message names them and continues with `tail`. */
function refuse(rule: Rule, message: string, tail: string): PolicyDefinition['validations'][number] {
  return {
    expression: `size(variables.${rule}) == 0`,
    message,
    messageExpression: "request.kind.kind + ' ' + object.metadata.?name.orValue(object.metadata.?generateName.orValue('')) + ': ' + "
      + `variables.${rule}.map(c, 'container ' + c.name + ' (' + c.image + ')').join(', ') + ${celString(tail)}`,
  };
}

/** Refuses workloads that switch --prevent-volume-mode-conversion off or run a release where it is off. */
export const keepProtectionFlag: PolicyDefinition = {
  type: 'validating',
  name: POLICY_NAMES.keepProtectionFlag,
  description: `Pods, Deployments, StatefulSets and DaemonSets running ${names.join(' or ')} (any registry, tag or digest, `
    + `containers and init containers) may not pass ${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=false in any spelling Go's flag parser accepts. `
    + `Releases older than ${floorsText} cannot enforce it and are refused; releases where it is off by default, or whose version the tag does not tell, must pass ${trueFlag}.`,
  minKubernetesMinor: 30,
  celLibraries: ['optionalTypes', 'stringsV2'],
  matchConstraints: {
    resourceRules: [
      { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments', 'statefulsets', 'daemonsets'], operations: ['CREATE', 'UPDATE'] },
      { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE', 'UPDATE'] },
    ],
  },
  matchConditions: [{
    name: 'runs-a-guarded-image',
    // Cheap substring test; the exact repository match happens in the variables. A match condition
    // cannot read variables, so the one-element list names the pod spec once.
    expression: "[request.kind.kind == 'Pod' ? object.spec : object.spec.template.spec].exists(spec, "
      + `(spec.?initContainers.orValue([]) + spec.containers).exists(c, ${names.map((n) => `c.image.contains(${celString(n)})`).join(' || ')}))`,
  }],
  variables: [
    { name: 'podSpec', expression: "request.kind.kind == 'Pod' ? object.spec : object.spec.template.spec" },
    { name: 'containers', expression: 'variables.podSpec.?initContainers.orValue([]) + variables.podSpec.containers' },
    {
      name: 'guarded',
      expression: `size(variables.containers) <= ${POLICY_POD_SPEC_LIMITS.maxContainers} ? variables.containers.filter(c, ${PROTECTION_CEL.guardedImage}) : []`,
    },
    { name: 'inspected', expression: inspected },
    { name: 'checked', expression: `variables.inspected.filter(c, size(c.args) <= ${POLICY_POD_SPEC_LIMITS.maxArguments})` },
    ...Object.entries(rules).map(([name, expression]) => ({ name, expression })),
  ],
  validations: [
    {
      expression: `size(variables.containers) <= ${POLICY_POD_SPEC_LIMITS.maxContainers} && size(variables.checked) == size(variables.guarded)`,
      message: `the pod spec is too large to check: at most ${POLICY_POD_SPEC_LIMITS.maxContainers} containers and ${POLICY_POD_SPEC_LIMITS.maxArguments} arguments per ${names.join('/')} container`,
    },
    refuse('disabling', `a container passes ${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=false`,
      ` switches the volume mode protection off with ${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=<false>; remove that argument or write ${trueFlag}.`),
    refuse('separated', `a container passes ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} and its value as two arguments`,
      ` passes ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} and a value as two arguments; Go's flag parser does not read the value `
      + `(the flag stays true and every argument after it is ignored). Write ${trueFlag} as one argument.`),
    refuse('unparsable', `a container passes a value for ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} that is not a boolean`,
      ` passes a value for ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} that Go's flag parser rejects, so the container would not start; write ${trueFlag}.`),
    refuse('tooOld', 'a container runs a release that cannot refuse volume mode conversion',
      ` runs a release without ${PREVENT_VOLUME_MODE_CONVERSION_FLAG}, which cannot refuse volume mode conversion; upgrade to ${defaultOnText}.`),
    refuse('offByDefault', `a container runs a release where ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} is off by default without passing it`,
      ` runs a release where ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} is off by default; pass ${trueFlag} or upgrade to ${defaultOnText}.`),
    refuse('untagged', `a container's image has no release tag, so whether ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} is on cannot be told`,
      ` has no vX.Y.Z tag, so the policy cannot tell whether the protection is on by default; pass ${trueFlag} or add the release tag before the digest.`),
  ],
  cases: buildCases(),
};

function buildCases(): PolicyDefinition['cases'] {
  const P = Component.CSI_PROVISIONER;
  const S = Component.SNAPSHOT_CONTROLLER;
  const create = { operation: 'CREATE', userInfo: { username: 'system:serviceaccount:kube-system:deployer', groups: ['system:serviceaccounts'] } } as const;
  const provisioner = (args: string[], image = catalogImage(P)) => workload('Deployment', 'csi-hostpath-controller',
    podSpec([container('hostpath', 'registry.k8s.io/sig-storage/hostpathplugin:v1.17.1', ['--drivername=hostpath.csi.k8s.io']), container('csi-provisioner', image, args)]));
  const controller = (args: string[], image = catalogImage(S), kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' = 'Deployment') =>
    workload(kind, 'snapshot-controller', podSpec([container('snapshot-controller', image, args)]));
  const F = PREVENT_VOLUME_MODE_CONVERSION_FLAG;
  const digest = '@sha256:' + 'a'.repeat(64);
  const deniedFalse = (name: string, object: Record<string, unknown>): PolicyDefinition['cases'][number] =>
    ({ name, request: create, object, expect: 'denied', message: /switches the volume mode protection off/ });
  return [
    { name: 'provisioner v6.3.0 without the flag (on by default)', request: create, object: provisioner(PROVISIONER_ARGS), expect: 'allowed' },
    { name: 'provisioner with --flag=true', request: create, object: provisioner([...PROVISIONER_ARGS, `${F}=true`]), expect: 'allowed' },
    { name: 'provisioner with the bare flag', request: create, object: provisioner([...PROVISIONER_ARGS, F]), expect: 'allowed' },
    {
      name: 'provisioner with --flag=false', request: create, object: provisioner([...PROVISIONER_ARGS, `${F}=false`]), expect: 'denied',
      message: `Deployment csi-hostpath-controller: container csi-provisioner (${catalogImage(P)}) switches the volume mode protection off `
        + `with ${F}=<false>; remove that argument or write ${F}=true.`,
    },
    deniedFalse('provisioner with single-dash -flag=false', provisioner([...PROVISIONER_ARGS, `-${F.replace(/^-+/, '')}=false`])),
    deniedFalse('provisioner with --flag=0', provisioner([...PROVISIONER_ARGS, `${F}=0`])),
    deniedFalse('provisioner with --flag=f', provisioner([`${F}=f`, ...PROVISIONER_ARGS])),
    deniedFalse('provisioner with --flag=F', provisioner([...PROVISIONER_ARGS, `${F}=F`])),
    deniedFalse('provisioner with --flag=FALSE', provisioner([...PROVISIONER_ARGS, `${F}=FALSE`])),
    deniedFalse('snapshot-controller with --flag=False', controller([...SNAPSHOT_CONTROLLER_ARGS, `${F}=False`])),
    deniedFalse('flag in command instead of args', workload('Deployment', 'csi-hostpath-controller',
      podSpec([container('csi-provisioner', catalogImage(P), undefined, ['/csi-provisioner', `${F}=false`, ...PROVISIONER_ARGS])]))),
    deniedFalse('snapshot-controller from a mirror registry with a port', controller([`${F}=false`], 'mirror.example.com:5000/k8s/snapshot-controller:v8.6.0')),
    deniedFalse('provisioner referenced by digest only', provisioner([`${F}=false`], `quay.io/mirror/csi-provisioner${digest}`)),
    deniedFalse('snapshot-controller StatefulSet', controller([`${F}=false`], catalogImage(S), 'StatefulSet')),
    deniedFalse('snapshot-controller DaemonSet', controller([`${F}=false`], catalogImage(S), 'DaemonSet')),
    deniedFalse('init container running snapshot-controller', workload('Deployment', 'odd', podSpec(
      [container('app', 'docker.io/library/busybox:1.36', ['sleep', 'infinity'])],
      [container('prep', catalogImage(S), [`${F}=false`])]))),
    {
      name: 'bare Pod with --flag=false', request: create, object: pod('csi-provisioner-debug', podSpec([container('csi-provisioner', catalogImage(P), [`${F}=false`])])),
      expect: 'denied', message: /^Pod csi-provisioner-debug: container csi-provisioner .* switches the volume mode protection off/,
    },
    {
      name: 'flag and false as two arguments', request: create, object: provisioner([...PROVISIONER_ARGS, F, 'false']), expect: 'denied',
      message: /passes --prevent-volume-mode-conversion and a value as two arguments; Go's flag parser does not read the value/,
    },
    {
      name: 'flag and true as two arguments', request: create, object: provisioner([F, 'true', ...PROVISIONER_ARGS]), expect: 'denied',
      message: /as two arguments/,
    },
    {
      name: 'unparsable value yes', request: create, object: provisioner([...PROVISIONER_ARGS, `${F}=yes`]), expect: 'denied',
      message: /that Go's flag parser rejects, so the container would not start/,
    },
    {
      name: 'provisioner v3.6.4 (flag off by default) without the flag', request: create, object: provisioner(PROVISIONER_ARGS, catalogImage(P, 'v3.6.4')),
      expect: 'denied', message: new RegExp(`csi-provisioner:v3.6.4\\) runs a release where ${F} is off by default; pass ${F}=true`),
    },
    { name: 'provisioner v3.6.4 with --flag=true', request: create, object: provisioner([...PROVISIONER_ARGS, `${F}=true`], catalogImage(P, 'v3.6.4')), expect: 'allowed' },
    {
      name: 'provisioner v3.1.0 has no flag at all', request: create, object: provisioner([...PROVISIONER_ARGS, `${F}=true`], catalogImage(P, 'v3.1.0')),
      expect: 'denied', message: /runs a release without --prevent-volume-mode-conversion, which cannot refuse volume mode conversion; upgrade to csi-provisioner >= v4.0.0/,
    },
    {
      name: 'snapshot-controller v6.3.4 without the flag', request: create, object: controller(SNAPSHOT_CONTROLLER_ARGS, catalogImage(S, 'v6.3.4')),
      expect: 'denied', message: /is off by default/,
    },
    { name: 'snapshot-controller v6.3.4 with the bare -flag', request: create, object: controller([`-${F.replace(/^-+/, '')}`], catalogImage(S, 'v6.3.4')), expect: 'allowed' },
    { name: 'snapshot-controller tag and digest', request: create, object: controller(SNAPSHOT_CONTROLLER_ARGS, `${catalogImage(S)}${digest}`), expect: 'allowed' },
    {
      name: 'digest-only image without the flag', request: create, object: controller(SNAPSHOT_CONTROLLER_ARGS, `registry.k8s.io/sig-storage/snapshot-controller${digest}`),
      expect: 'denied', message: /has no vX.Y.Z tag/,
    },
    { name: 'digest-only image with --flag=true', request: create, object: controller([`${F}=true`], `registry.k8s.io/sig-storage/snapshot-controller${digest}`), expect: 'allowed' },
    {
      name: 'lookalike repository csi-provisioner-extras is not guarded', request: create,
      object: provisioner([`${F}=false`], 'example.com/csi-provisioner-extras:v1.0.0'), expect: 'allowed',
    },
    {
      name: 'unrelated Deployment is not matched', request: create,
      object: workload('Deployment', 'web', podSpec([container('nginx', 'docker.io/library/nginx:1.27', [])]), 'shop'), expect: 'not-matched',
    },
    {
      name: 'update that scales a compliant Deployment', request: { ...create, operation: 'UPDATE' },
      oldObject: provisioner(PROVISIONER_ARGS), object: provisioner(PROVISIONER_ARGS), expect: 'allowed',
    },
  ];
}
