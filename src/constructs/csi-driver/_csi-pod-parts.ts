/**
 * Parts of a CSI driver's Pods: env, tolerations, socket paths and the controller sidecar containers,
 * each checked as it is built. @internal
 */
import * as path from 'node:path';
import { Construct } from 'constructs';
import {
  CAPACITY_OWNER_ENV, compareTags, ControllerSidecar, ControllerSidecarSpec, CSI_COMMON_FLAGS as F, CSI_CONTAINER_REQUESTS,
  CSI_ENDPOINT_ENV, CSI_PATHS, HEALTH_MONITOR_FLAGS, ImageRef, imageString, LEADER_ELECTION_HEALTH_PATH, looksLikeCredentialKey,
  NODE_NAME_ENV, PREVENT_VOLUME_MODE_CONVERSION_FLAG, PROVISIONER_FLAGS, RESIZER_FLAGS, SIDECAR_LIVENESS_PROBE,
} from '../../catalog';
import { Container, ContainerPort, EnvVar, IntOrString, Probe, SecurityContext, Toleration, VolumeMount } from '../../imports/k8s';
import { checkComponentGates, checkDuration, renderArgs, renderFeatureGates, toResourceRequirements } from './_csi-containers';
import { checkDnsSubdomain, checkInteger, PropError } from '../common/_validation';
import {
  AnySidecarOptions, CsiDriverProps, CsiEnvFromSecret, CsiEnvValue, CsiLeaderElectionTimings, CsiResizerOptions, CsiSecretKeyRef,
  CsiToleration, SIDECAR_PROP,
} from './csi-driver-props';

/** Every name in nonSecretEnvNames must be set somewhere, so the list cannot go stale silently. */
export function checkNonSecretEnvNames(scope: Construct, names: readonly string[], envProps: Readonly<Record<string, Readonly<Record<string, CsiEnvValue>> | undefined>>): Set<string> {
  const given = new Set(Object.values(envProps).flatMap((env) => Object.keys(env ?? {})));
  for (const n of names) {
    if (!given.has(n)) {
      throw new PropError(scope, 'nonSecretEnvNames', n, 'names no variable of driverEnv, controllerDriverEnv or nodeDriverEnv',
        'list only env names you set and have checked hold no credential');
    }
  }
  return new Set(names);
}

/**
 * One env prop as EnvVars by name. Literal values must not be credentials (the same heuristic the
 * classes apply to their parameters); credentials come from a Secret key.
 */
export function checkEnv(scope: Construct, prop: string, env: Readonly<Record<string, CsiEnvValue>>, nonSecret: ReadonlySet<string>): Record<string, EnvVar> {
  const out: Record<string, EnvVar> = {};
  for (const [name, value] of Object.entries(env)) {
    const at = `${prop}.${name}`;
    if (name === CSI_ENDPOINT_ENV || name === NODE_NAME_ENV) {
      throw new PropError(scope, prop, name, 'is set by the construct (derived from socketPath / the node name)', `drop '${name}' from '${prop}'`);
    }
    const fromSecret = `set ${at}: { secretKeyRef: { name: '<secret>', key: '<key>' } } to read it from a Secret in the driver's namespace`;
    if (typeof value === 'string') {
      if (!nonSecret.has(name) && looksLikeCredentialKey(name)) {
        throw new PropError(scope, at, '(value hidden)', 'looks like a credential, and a literal env value is readable by anyone who can read the workload',
          `${fromSecret}; if '${name}' holds no credential (a path, an ID), list it in nonSecretEnvNames`);
      }
      if (value.includes('-----BEGIN')) {
        throw new PropError(scope, at, '(PEM block, hidden)', 'holds key or certificate material', `put it in a Secret and ${fromSecret}`);
      }
      out[name] = { name, value };
      continue;
    }
    const ref = (typeof value === 'object' && value !== null ? (value as Partial<CsiEnvFromSecret>).secretKeyRef : undefined) as Partial<CsiSecretKeyRef> | undefined;
    if (typeof ref !== 'object' || ref === null) {
      throw new PropError(scope, at, value, 'is neither a string nor { secretKeyRef: { name, key } }', `write a literal string, or ${fromSecret}`);
    }
    checkDnsSubdomain(scope, `${at}.secretKeyRef.name`, ref.name!);
    if (typeof ref.key !== 'string' || ref.key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(ref.key)) {
      throw new PropError(scope, `${at}.secretKeyRef.key`, ref.key, 'is not a Secret data key',
        'use the key as it appears under the Secret\'s data: letters, digits, "-", "_" and "."');
    }
    out[name] = { name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } };
  }
  return out;
}

/** Tolerations the API server accepts: Exists takes no value, tolerationSeconds only with NoExecute. */
export function checkTolerations(scope: Construct, tolerations: readonly CsiToleration[]): Toleration[] {
  return tolerations.map((t, i) => {
    const prop = `nodeTolerations[${i}]`;
    if (t.operator !== 'Exists' && t.operator !== 'Equal') {
      throw new PropError(scope, `${prop}.operator`, t.operator, "is not 'Exists' or 'Equal'", "use 'Exists' (any value) or 'Equal' with a value");
    }
    if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') {
      throw new PropError(scope, `${prop}.value`, t.value, "is set with operator 'Exists', which matches any value", "drop 'value' or use operator 'Equal'");
    }
    if (t.operator === 'Equal' && !t.key) {
      throw new PropError(scope, `${prop}.key`, t.key, "is empty with operator 'Equal'", "name the taint key, or use operator 'Exists' to match every taint");
    }
    if (t.tolerationSeconds !== undefined) {
      if (t.effect !== 'NoExecute') {
        throw new PropError(scope, `${prop}.tolerationSeconds`, t.tolerationSeconds, `only applies to effect 'NoExecute', not ${t.effect ?? 'every effect'}`,
          "set effect 'NoExecute' or drop tolerationSeconds");
      }
      checkInteger(scope, `${prop}.tolerationSeconds`, t.tolerationSeconds, 0);
    }
    return {
      ...(t.key !== undefined ? { key: t.key } : {}), operator: t.operator, ...(t.value !== undefined ? { value: t.value } : {}),
      ...(t.effect !== undefined ? { effect: t.effect } : {}), ...(t.tolerationSeconds !== undefined ? { tolerationSeconds: t.tolerationSeconds } : {}),
    };
  });
}

export function checkAbsolute(scope: Construct, prop: string, value: string): string {
  if (typeof value !== 'string' || !path.posix.isAbsolute(value) || path.posix.normalize(value) !== value
    || (value.length > 1 && value.endsWith('/'))) {
    throw new PropError(scope, prop, value, 'is not a normalised absolute path', `write it like '${CSI_PATHS.kubeletDir}' (no trailing slash, no '..')`);
  }
  return value;
}

export function checkSocketPath(scope: Construct, props: CsiDriverProps): string {
  const given: Array<[string, string]> = [];
  if (props.socketPath !== undefined) given.push(['socketPath', props.socketPath]);
  if (props.controller?.socketPath !== undefined) given.push(['controller.socketPath', props.controller.socketPath]);
  if (props.node?.socketPath !== undefined) given.push(['node.socketPath', props.node.socketPath]);
  const first = given[0];
  for (const [prop, value] of given.slice(1)) {
    if (value !== first[1]) {
      throw new PropError(scope, prop, value, `differs from ${first[0]} '${first[1]}': controller and node would talk to different sockets`,
        `set the driver-level 'socketPath' once and drop '${prop}' (every container derives its path from it)`);
    }
  }
  const socketPath = checkAbsolute(scope, first?.[0] ?? 'socketPath', first?.[1] ?? CSI_PATHS.socketPath);
  if (path.posix.dirname(socketPath) === '/') {
    throw new PropError(scope, first?.[0] ?? 'socketPath', socketPath, 'sits in the root directory, which cannot be a shared volume mount',
      `put it in its own directory, e.g. '${CSI_PATHS.socketPath}'`);
  }
  return socketPath;
}

export function controllerSidecarContainer(scope: Construct, spec: ControllerSidecarSpec, o: AnySidecarOptions, c: {
  image: ImageRef; socketPath: string; socketMount: VolumeMount; verbosity: number; leaderElection: boolean;
  httpEndpoints: boolean; timings: CsiLeaderElectionTimings; context: SecurityContext;
  protection: boolean; storageCapacity: boolean; ownerLevel: number;
}): Container {
  const prop = SIDECAR_PROP[spec.sidecar];
  const flags: Record<string, string | number | boolean> = {
    [F.verbosity]: c.verbosity,
    [F.csiAddress]: c.socketPath,
  };
  if (c.leaderElection) {
    flags[F.leaderElection] = true;
    if (c.timings.leaseDuration) flags[F.leaderElectionLeaseDuration] = checkDuration(scope, 'leaderElectionTimings.leaseDuration', c.timings.leaseDuration);
    if (c.timings.renewDeadline) flags[F.leaderElectionRenewDeadline] = checkDuration(scope, 'leaderElectionTimings.renewDeadline', c.timings.renewDeadline);
    if (c.timings.retryPeriod) flags[F.leaderElectionRetryPeriod] = checkDuration(scope, 'leaderElectionTimings.retryPeriod', c.timings.retryPeriod);
  }
  if (c.httpEndpoints) flags[F.httpEndpoint] = `:${spec.httpPort}`;
  if (o.timeout !== undefined) flags[F.timeout] = checkDuration(scope, `${prop}.timeout`, o.timeout);
  if (o.workers !== undefined) flags[spec.workersFlag] = checkInteger(scope, `${prop}.workers`, o.workers, 1);
  const gates = renderFeatureGates(checkComponentGates(scope, `${prop}.featureGates`, spec.component, c.image.tag, o.featureGates));
  if (gates) flags[F.featureGates] = gates;
  if (spec.sidecar === ControllerSidecar.RESIZER) {
    for (const [key, { flag, since }] of Object.entries(RESIZER_FLAGS)) {
      const value = (o as CsiResizerOptions)[key as keyof typeof RESIZER_FLAGS];
      if (value === undefined) continue;
      if (compareTags(c.image.tag, since) < 0) {
        throw new PropError(scope, `resizer.${key}`, value, `needs csi-resizer ${since} or newer (${flag}); the image is ${c.image.tag}`,
          `drop resizer.${key}, or target Kubernetes 1.34+ where the catalog pins csi-resizer ${since} or newer`);
      }
      flags[flag] = checkDuration(scope, `resizer.${key}`, value);
    }
  }
  if (spec.extraMetadataFlag && o.extraCreateMetadata) flags[spec.extraMetadataFlag] = true;
  const env: EnvVar[] = [];
  if (spec.sidecar === ControllerSidecar.PROVISIONER) {
    // Always explicit, so a reviewer (and the admission policy) sees it without knowing defaults.
    flags[PREVENT_VOLUME_MODE_CONVERSION_FLAG] = c.protection;
    if (o.defaultFsType !== undefined) {
      if (typeof o.defaultFsType !== 'string' || !/^[a-z0-9]+$/.test(o.defaultFsType)) {
        throw new PropError(scope, 'provisioner.defaultFsType', o.defaultFsType, 'is not a filesystem type name', "write it like 'ext4' or 'xfs'");
      }
      flags[PROVISIONER_FLAGS.defaultFstype] = o.defaultFsType;
    }
    if (c.storageCapacity) {
      flags[PROVISIONER_FLAGS.enableCapacity] = true;
      flags[PROVISIONER_FLAGS.capacityOwnerrefLevel] = c.ownerLevel;
      env.push(
        { name: CAPACITY_OWNER_ENV.namespace, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
        { name: CAPACITY_OWNER_ENV.podName, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      );
    }
  }
  if (spec.sidecar === ControllerSidecar.HEALTH_MONITOR) {
    if (o.enableNodeWatcher) flags[HEALTH_MONITOR_FLAGS.enableNodeWatcher] = true;
    if (o.monitorInterval) flags[HEALTH_MONITOR_FLAGS.monitorInterval] = checkDuration(scope, 'healthMonitor.monitorInterval', o.monitorInterval);
    if (o.listVolumesInterval) flags[HEALTH_MONITOR_FLAGS.listVolumesInterval] = checkDuration(scope, 'healthMonitor.listVolumesInterval', o.listVolumesInterval);
  }
  const ports: ContainerPort[] = c.httpEndpoints ? [{ name: spec.portName, containerPort: spec.httpPort, protocol: 'TCP' }] : [];
  // /healthz/leader-election only exists when leader election runs.
  const livenessProbe: Probe | undefined = c.httpEndpoints && c.leaderElection
    ? { httpGet: { path: LEADER_ELECTION_HEALTH_PATH, port: IntOrString.fromString(spec.portName) }, ...SIDECAR_LIVENESS_PROBE }
    : undefined;
  return {
    name: spec.containerName,
    image: imageString(c.image),
    imagePullPolicy: 'IfNotPresent',
    args: renderArgs(flags),
    ...(env.length ? { env } : {}),
    ...(ports.length ? { ports } : {}),
    ...(livenessProbe ? { livenessProbe } : {}),
    resources: toResourceRequirements(scope, `${prop}.resources`, o.resources, CSI_CONTAINER_REQUESTS.sidecar),
    securityContext: c.context,
    volumeMounts: [c.socketMount],
  };
}
