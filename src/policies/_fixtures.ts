/**
 * Realistic objects the policy cases start from; each case changes only what it is about.
 * Shapes follow the v8 snapshot CRDs and core/apps v1 (../shared/reference/upstream).
 */
import { Component, componentRepository, COMPONENT_RELEASES, SIG_STORAGE_REGISTRY } from '../catalog';
import { SNAPSHOT_GROUP } from '../catalog/snapshot-api';

type Obj = Record<string, unknown>;

/** A VolumeSnapshotContent bound to `snapshot` in `namespace`, as the snapshot-controller creates it. */
export function snapshotContent(name: string, opts: {
  sourceVolumeMode?: string | null; annotations?: Record<string, string>; snapshot?: string; namespace?: string;
} = {}): Obj {
  const spec: Obj = {
    deletionPolicy: 'Delete',
    driver: 'hostpath.csi.k8s.io',
    source: { volumeHandle: '8b7c6e0a-6f3a-11ef-9f1e-0242ac110002' },
    volumeSnapshotClassName: 'csi-hostpath-snapclass',
    volumeSnapshotRef: {
      apiVersion: `${SNAPSHOT_GROUP}/v1`, kind: 'VolumeSnapshot',
      name: opts.snapshot ?? 'db-snap', namespace: opts.namespace ?? 'team-a', uid: '0d4f8a51-3b7e-4c55-9a43-1f0c8e2b6d10',
    },
  };
  if (opts.sourceVolumeMode !== null) spec.sourceVolumeMode = opts.sourceVolumeMode ?? 'Filesystem';
  return {
    apiVersion: `${SNAPSHOT_GROUP}/v1`, kind: 'VolumeSnapshotContent',
    metadata: {
      name,
      finalizers: ['snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection'],
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec,
  };
}

/** Image of a component from the catalog's registry at `tag`. */
export function catalogImage(component: Component, tag?: string): string {
  return `${SIG_STORAGE_REGISTRY}/${componentRepository(component)}:${tag ?? COMPONENT_RELEASES[component][0].tag}`;
}

/** A container running `image` with `args`. */
export function container(name: string, image: string, args?: string[], command?: string[]): Obj {
  return {
    name, image,
    ...(command ? { command } : {}),
    ...(args ? { args } : {}),
    imagePullPolicy: 'IfNotPresent',
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    volumeMounts: [{ name: 'socket-dir', mountPath: '/csi' }],
  };
}

/** A pod spec with the given containers (and init containers). */
export function podSpec(containers: Obj[], initContainers?: Obj[]): Obj {
  return {
    serviceAccountName: 'csi-hostpath-controller',
    ...(initContainers ? { initContainers } : {}),
    containers,
    volumes: [{ name: 'socket-dir', emptyDir: {} }],
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  };
}

/** An apps/v1 workload (Deployment, StatefulSet, DaemonSet) wrapping a pod spec. */
export function workload(kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', name: string, spec: Obj, namespace = 'kube-system'): Obj {
  return {
    apiVersion: 'apps/v1', kind,
    metadata: { name, namespace, labels: { 'app.kubernetes.io/name': name } },
    spec: {
      ...(kind === 'DaemonSet' ? {} : { replicas: 2 }),
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: { metadata: { labels: { 'app.kubernetes.io/name': name } }, spec },
    },
  };
}

/** A bare Pod. */
export function pod(name: string, spec: Obj, namespace = 'kube-system'): Obj {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec };
}

/** The usual controller arguments of csi-provisioner, without the protection flag. */
export const PROVISIONER_ARGS = ['--csi-address=/csi/csi.sock', '--leader-election', '--feature-gates=Topology=true', '--v=2'];

/** The usual arguments of snapshot-controller, without the protection flag. */
export const SNAPSHOT_CONTROLLER_ARGS = ['--leader-election=true', '--v=2'];

/** The snapshot-controller's service account, whose own updates the policies must let through. */
export const SNAPSHOT_CONTROLLER_USER = { username: 'system:serviceaccount:kube-system:snapshot-controller', groups: ['system:serviceaccounts'] };

/** A backup tool's service account, the usual holder of the approve verb. */
export const BACKUP_TOOL_USER = { username: 'system:serviceaccount:velero:velero', groups: ['system:serviceaccounts'] };
