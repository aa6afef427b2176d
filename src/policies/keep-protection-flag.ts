/**
 * Policy 3: where csi-provisioner or snapshot-controller runs, the volume mode protection stays on.
 * Images are recognised by repository name from any registry, with tag and/or digest, in containers
 * and init containers of Pods and of the apps/v1 workloads that template them.
 */
import {
  Component, GO_PARSE_BOOL, parseTag, POLICY_NAMES, PREVENT_VOLUME_MODE_CONVERSION_FLAG, PROTECTION_FLOORS, ProtectionFloor, WORKLOAD_CONTROLLER_USERS,
} from '../catalog';
import { POLICY_POD_SPEC_LIMITS } from '../catalog/admission';
import { celString, celStrings, PARSE_BOOL_WORDS } from './_cel';
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

// The flag's spellings as whole arguments. Go's flag parser takes `-flag` and `--flag`, bare or
// with `=value`. Rules compare arguments with these lists (`in`) and test prefixes with startsWith
// instead of running regexes: cel-go costs a regex match at (argument length) x (regex length), `in`
// at a constant, so the worst case the limits allow stays far below the per-call limit.
const spellings = ['-', '--'].map((dashes) => `${dashes}${FLAG}`);
const valued = (words: readonly string[]) => celStrings(spellings.flatMap((f) => words.map((w) => `${f}=${w}`)));
const BARE = celStrings(spellings);
const hasValue = (a: string) => spellings.map((f) => `${a}.startsWith(${celString(`${f}=`)})`).join(' || ');

const { maxContainers, maxArguments, maxArgumentLength } = POLICY_POD_SPEC_LIMITS;

/** CEL fragments about one container `c`, shared with the mutating policy that adds the flag. @internal */
export const PROTECTION_CEL = {
  args, tagged, versionNum, flagSince: floorOf('flagSince'), guardedImage: `c.image.matches(${celString(imageRegex(names))})`,
  mentionsFlag: `${args}.exists(a, a in ${BARE} || ${hasValue('a')})`,
  /** The container's arguments are within the limits whose cost the policies were measured at. */
  withinLimits: `size(${args}) <= ${maxArguments} && ${args}.all(a, size(a) <= ${maxArgumentLength})`,
} as const;

/**
 * Match conditions both protection policies share. An UPDATE is judged only when it changes the pod
 * spec: a workload that predates the policy must still take metadata-only writes (labels, owner
 * references, the garbage collector removing finalizers) and scaling. Objects being deleted are
 * never judged, so a foreground delete always completes. Comparing the two specs with `!=` costs
 * little (cel-go charges equality of lists and maps a constant, measured with celeval --cost).
 * @internal
 */
export const protectionUpdateConditions = (podSpecOf: (o: 'object' | 'oldObject') => string): { name: string; expression: string }[] => [
  { name: 'not-being-deleted', expression: '!has(object.metadata.deletionTimestamp)' },
  { name: 'creates-or-changes-the-pod-spec', expression: `request.operation != 'UPDATE' || ${podSpecOf('object')} != ${podSpecOf('oldObject')}` },
];

// Each guarded container is inspected once (variables.inspected); every rule then filters those
// records into a variable of its own, which both its expression and its messageExpression read.
const inspected = 'variables.guarded.map(c, {'
  + `'name': dyn(c.name), 'image': dyn(c.image), 'args': dyn(${args}), `
  + `'release': dyn(${tagged} ? ${versionNum} : -1), 'flagSince': dyn(${floorOf('flagSince')}), 'defaultOnSince': dyn(${floorOf('defaultOnSince')})})`;
const passesTrue = `c.args.exists(a, a in ${BARE} || a in ${valued(GO_PARSE_BOOL.true)})`;
const rules = {
  disabling: `variables.checked.filter(c, c.args.exists(a, a in ${valued(GO_PARSE_BOOL.false)}))`,
  // Go's flag package never reads the next argument as a bool flag's value: `--flag false` leaves the
  // flag true and stops parsing there, so every later flag is ignored. Refused as misleading. Each
  // argument becomes one letter (B: the bare flag, W: a ParseBool word, '.': anything else), so the
  // pair shows up as 'BW' in a string of at most maxArguments letters.
  separated: `variables.checked.filter(c, c.args.map(a, a in ${BARE} ? 'B' : (a in ${celStrings(PARSE_BOOL_WORDS)} ? 'W' : '.')).join('').contains('BW'))`,
  unparsable: `variables.checked.filter(c, c.args.exists(a, (${hasValue('a')}) && !(a in ${valued(PARSE_BOOL_WORDS)})))`,
  tooOld: 'variables.checked.filter(c, c.release >= 0 && c.release < c.flagSince)',
  offByDefault: `variables.checked.filter(c, c.release >= c.flagSince && c.release < c.defaultOnSince && !${passesTrue})`,
  untagged: `variables.checked.filter(c, c.release < 0 && !${passesTrue})`,
} as const;
type Rule = keyof typeof rules;

const floorsText = GUARDED_COMPONENTS.map(([n, f]) => `${n} >= ${f.flagSince}`).join(', ');
const flagFloorsText = GUARDED_COMPONENTS.map(([n, f]) => `${n} needs >= ${f.flagSince}`).join(', ');
const defaultOnText = GUARDED_COMPONENTS.map(([n, f]) => `${n} >= ${f.defaultOnSince}`).join(', ');
const trueFlag = `${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=true`;
// Static: the limits are the same for every request, and a messageExpression would cost as much as the check.
const tooLargeMessage = `the pod spec is too large to check: at most ${maxContainers} containers and init containers, and per ${names.join('/')} container `
  + `at most ${maxArguments} command and args entries of at most ${maxArgumentLength} characters each; split the pod or shorten the arguments`;

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
  matchConditions: [...protectionUpdateConditions((o) => `(request.kind.kind == 'Pod' ? ${o}.spec : ${o}.spec.template.spec)`), {
    // A Pod a workload controller makes from its template: the workload was judged when it was
    // written. Refusing the Pod would keep a driver that predates the guard down after a drain.
    name: 'not-made-from-a-workload-template',
    expression: "!(request.kind.kind == 'Pod' && request.operation == 'CREATE'"
      + ` && request.userInfo.username in ${celStrings(WORKLOAD_CONTROLLER_USERS)}`
      + " && object.metadata.?ownerReferences.orValue([]).exists(r, r.?controller.orValue(false)))",
  }, {
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
      expression: `size(variables.containers) <= ${maxContainers} ? variables.containers.filter(c, ${PROTECTION_CEL.guardedImage}) : []`,
    },
    { name: 'inspected', expression: inspected },
    { name: 'checked', expression: `variables.inspected.filter(c, size(c.args) <= ${maxArguments} && c.args.all(a, size(a) <= ${maxArgumentLength}))` },
    ...Object.entries(rules).map(([name, expression]) => ({ name, expression })),
  ],
  validations: [
    {
      expression: `size(variables.containers) <= ${maxContainers} && size(variables.checked) == size(variables.guarded)`,
      message: tooLargeMessage,
    },
    refuse('disabling', `a container passes ${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=false`,
      ` switches the volume mode protection off with ${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=<false>; remove that argument or write ${trueFlag}.`),
    refuse('separated', `a container passes ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} and its value as two arguments`,
      ` passes ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} and a value as two arguments; Go's flag parser does not read the value `
      + `(the flag stays true and every argument after it is ignored). Write ${trueFlag} as one argument.`),
    refuse('unparsable', `a container passes a value for ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} that is not a boolean`,
      ` passes a value for ${PREVENT_VOLUME_MODE_CONVERSION_FLAG} that Go's flag parser rejects, so the container would not start; write ${trueFlag}.`),
    refuse('tooOld', 'a container runs a release that cannot refuse volume mode conversion reliably',
      ` runs a release that cannot refuse volume mode conversion reliably (${flagFloorsText}); upgrade to ${defaultOnText}.`),
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
  const update = { ...create, operation: 'UPDATE' } as const;
  const gcUpdate = { operation: 'UPDATE', userInfo: { username: 'system:serviceaccount:kube-system:generic-garbage-collector', groups: ['system:serviceaccounts'] } } as const;
  const limit = POLICY_POD_SPEC_LIMITS;
  const preexisting = provisioner([...PROVISIONER_ARGS, `${F}=false`]);
  const withMetadata = (o: Record<string, unknown>, extra: Record<string, unknown>) => ({ ...o, metadata: { ...(o.metadata as object), ...extra } });
  const withReplicas = (o: Record<string, unknown>, replicas: number) => ({ ...o, spec: { ...(o.spec as object), replicas } });
  const podFrom = (username: string) => ({ operation: 'CREATE', userInfo: { username, groups: username.startsWith('system:serviceaccount:') ? ['system:serviceaccounts', 'system:serviceaccounts:kube-system'] : [] } }) as const;
  const ownedPod = (controllerRef: boolean) => withMetadata(pod('csi-hostpath-controller-5d8f7-x2x9q', podSpec([container('csi-provisioner', catalogImage(P), [`${F}=false`])])), {
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'csi-hostpath-controller-5d8f7', uid: '6f1c2a7e-2b1d-4c39-9f7e-0d5a8b3c4e21', ...(controllerRef ? { controller: true } : {}) }],
  });
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
    // A driver whose Deployment predates the guard must come back after a node drain: its ReplicaSet's
    // Pods are created by the controller, from a template the policy cannot change any more.
    {
      name: 'ReplicaSet controller recreates a Pod of a workload that predates the guard', request: podFrom('system:serviceaccount:kube-system:replicaset-controller'),
      object: ownedPod(true), expect: 'not-matched',
    },
    {
      name: 'kube-controller-manager without per-controller credentials recreates it', request: podFrom('system:kube-controller-manager'),
      object: ownedPod(true), expect: 'not-matched',
    },
    {
      name: 'a user cannot pass a Pod off as a controller\'s by writing an owner reference', request: create, object: ownedPod(true),
      expect: 'denied', message: /^Pod csi-hostpath-controller-5d8f7-x2x9q: container csi-provisioner .* switches the volume mode protection off/,
    },
    {
      name: 'a controller-created Pod without a controller owner reference is judged', request: podFrom('system:serviceaccount:kube-system:replicaset-controller'),
      object: ownedPod(false), expect: 'denied', message: /switches the volume mode protection off/,
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
      expect: 'denied', message: /runs a release that cannot refuse volume mode conversion reliably .*; upgrade to csi-provisioner >= v4.0.0/,
    },
    {
      // v3.2/v3.3 accept the flag but read an older annotation name and compare wrongly (FACTS §b4.5).
      name: 'provisioner v3.3.0 has the flag but cannot be relied on', request: create, object: provisioner([...PROVISIONER_ARGS, `${F}=true`], catalogImage(P, 'v3.3.0')),
      expect: 'denied',
      message: `Deployment csi-hostpath-controller: container csi-provisioner (${catalogImage(P, 'v3.3.0')}) runs a release that cannot refuse volume mode conversion reliably `
        + '(csi-provisioner needs >= v3.4.0, snapshot-controller needs >= v6.0.0); upgrade to csi-provisioner >= v4.0.0, snapshot-controller >= v7.0.0.',
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
      name: 'update that scales a compliant Deployment (pod spec unchanged)', request: update,
      oldObject: provisioner(PROVISIONER_ARGS), object: withReplicas(provisioner(PROVISIONER_ARGS), 3), expect: 'not-matched',
    },
    {
      name: 'update that changes the pod spec of a compliant Deployment', request: update,
      oldObject: provisioner(PROVISIONER_ARGS), object: provisioner([...PROVISIONER_ARGS, `${F}=true`]), expect: 'allowed',
    },
    // A workload that predates the policy (it passes --flag=false) must not block writes that leave its pod spec alone.
    {
      name: 'label patch on a pre-existing non-compliant Deployment', request: update,
      oldObject: preexisting, object: withMetadata(preexisting, { labels: { 'app.kubernetes.io/name': 'csi-hostpath-controller', team: 'storage' } }), expect: 'not-matched',
    },
    {
      name: 'owner reference added to a pre-existing non-compliant Deployment', request: update,
      oldObject: preexisting,
      object: withMetadata(preexisting, { ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'CsiStack', name: 'hostpath', uid: '5f0c3d6e-1b2a-4c8d-9e7f-0a1b2c3d4e5f' }] }),
      expect: 'not-matched',
    },
    {
      name: 'scaling a pre-existing non-compliant Deployment', request: update, oldObject: preexisting, object: withReplicas(preexisting, 0), expect: 'not-matched',
    },
    {
      name: 'garbage collector removes the finalizer of a non-compliant Deployment being deleted', request: gcUpdate,
      oldObject: withMetadata(preexisting, { deletionTimestamp: '2025-06-01T10:00:00Z', finalizers: ['foregroundDeletion'] }),
      object: withMetadata(preexisting, { deletionTimestamp: '2025-06-01T10:00:00Z', finalizers: [] }), expect: 'not-matched',
    },
    {
      name: 'pod spec change on an object being deleted is not judged', request: update,
      oldObject: withMetadata(preexisting, { deletionTimestamp: '2025-06-01T10:00:00Z', finalizers: ['foregroundDeletion'] }),
      object: withMetadata(provisioner([`${F}=0`]), { deletionTimestamp: '2025-06-01T10:00:00Z', finalizers: ['foregroundDeletion'] }), expect: 'not-matched',
    },
    {
      name: 'pod spec change that keeps a pre-existing Deployment non-compliant', request: update,
      oldObject: preexisting, object: provisioner([...PROVISIONER_ARGS, `${F}=false`, '--timeout=60s']), expect: 'denied', message: /switches the volume mode protection off/,
    },
    {
      name: 'update that switches the protection off', request: update,
      oldObject: provisioner(PROVISIONER_ARGS), object: provisioner([...PROVISIONER_ARGS, `${F}=false`]), expect: 'denied', message: /switches the volume mode protection off/,
    },
    {
      name: 'Pod image changed to a release without the protection', request: update,
      oldObject: pod('csi-provisioner-debug', podSpec([container('csi-provisioner', catalogImage(P), PROVISIONER_ARGS)])),
      object: pod('csi-provisioner-debug', podSpec([container('csi-provisioner', catalogImage(P, 'v3.1.0'), PROVISIONER_ARGS)])),
      expect: 'denied', message: /^Pod csi-provisioner-debug: .* cannot refuse volume mode conversion reliably/,
    },
    {
      name: `${limit.maxContainers + 1} containers are too large to check`, request: create,
      object: workload('Deployment', 'wide', podSpec(Array.from({ length: limit.maxContainers + 1 }, (_, i) => container(`c${i}`, catalogImage(P), PROVISIONER_ARGS)))),
      expect: 'denied', message: /^the pod spec is too large to check: at most 32 containers and init containers/,
    },
    {
      name: `${limit.maxArguments + 1} arguments are too large to check`, request: create,
      object: provisioner(Array.from({ length: limit.maxArguments + 1 }, (_, i) => `--opt${i}=x`)), expect: 'denied', message: /too large to check.*at most 128 command and args entries/,
    },
    {
      name: `an argument of ${limit.maxArgumentLength + 1} characters is too large to check`, request: create,
      object: provisioner([...PROVISIONER_ARGS, `--extra-create-metadata=${'x'.repeat(limit.maxArgumentLength + 1 - '--extra-create-metadata='.length)}`]),
      expect: 'denied', message: /too large to check.*of at most 256 characters each/,
    },
    {
      name: `arguments of exactly ${limit.maxArgumentLength} characters are checked`, request: create,
      object: provisioner([...PROVISIONER_ARGS, `--extra-create-metadata=${'x'.repeat(limit.maxArgumentLength - '--extra-create-metadata='.length)}`]), expect: 'allowed',
    },
    {
      name: 'long arguments of an unguarded container do not count', request: create,
      object: workload('Deployment', 'csi-hostpath-controller', podSpec([
        container('hostpath', 'registry.k8s.io/sig-storage/hostpathplugin:v1.17.1', [`--nodeid=${'n'.repeat(limit.maxArgumentLength * 4)}`]),
        container('csi-provisioner', catalogImage(P), PROVISIONER_ARGS)])), expect: 'allowed',
    },
  ];
}
