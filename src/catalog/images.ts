/**
 * Pinned images of every component, newest release first, each with the oldest Kubernetes minor it
 * fully works on. Source: ../shared/reference/FACTS.md §0.2 (the late-2026 releases) and §a (the
 * floors, Aug 2026). The release tags themselves could not be read here (the kubernetes-csi
 * mirrors end before them); the release notes FACTS cites are the source of what changed.
 */

/** Where an image comes from. */
export interface ImageRef {
  /** Registry host, e.g. `registry.k8s.io`. */
  readonly registry: string;
  /** Repository path in the registry, e.g. `sig-storage/csi-provisioner`. */
  readonly repository: string;
  /** Release tag, e.g. `v6.3.0`. Floating tags (`latest`) are refused. */
  readonly tag: string;
  /** Optional content digest `sha256:<64 hex>`; when set the image is pulled by digest. */
  readonly digest?: string;
}

/** Every image the project renders. */
export enum Component {
  SNAPSHOT_CONTROLLER = 'snapshot-controller',
  CSI_SNAPSHOTTER = 'csi-snapshotter',
  CSI_PROVISIONER = 'csi-provisioner',
  CSI_ATTACHER = 'csi-attacher',
  CSI_RESIZER = 'csi-resizer',
  CSI_NODE_DRIVER_REGISTRAR = 'csi-node-driver-registrar',
  LIVENESS_PROBE = 'livenessprobe',
  CSI_EXTERNAL_HEALTH_MONITOR_CONTROLLER = 'csi-external-health-monitor-controller',
  HOSTPATH_PLUGIN = 'hostpathplugin',
}

/** One release of a component. */
export interface ComponentRelease {
  readonly tag: string;
  /** Oldest Kubernetes minor on which every feature the project turns on works. */
  readonly minKubernetes: number;
  /** Why the floor is what it is, and where that is written down. */
  readonly source: string;
}

/** Registry all kubernetes-csi images are published to. */
export const SIG_STORAGE_REGISTRY = 'registry.k8s.io';

/** Releases per component, newest first; the first one compatible with the target is the default. */
export const COMPONENT_RELEASES: Readonly<Record<Component, readonly ComponentRelease[]>> = {
  [Component.SNAPSHOT_CONTROLLER]: [
    {
      tag: 'v8.7.0', minKubernetes: 25,
      source: 'FACTS §0.2: group snapshots GA and on by default, no CRD or RBAC change from v8.6.0; §a: CRD CEL rules need 1.25',
    },
    { tag: 'v8.6.0', minKubernetes: 25, source: 'FACTS §a: CRD CEL rules need 1.25' },
  ],
  [Component.CSI_SNAPSHOTTER]: [
    { tag: 'v8.7.0', minKubernetes: 25, source: 'FACTS §0.2 (as snapshot-controller v8.7.0)' },
    { tag: 'v8.6.0', minKubernetes: 25, source: 'FACTS §a: CRD CEL rules need 1.25' },
  ],
  [Component.CSI_PROVISIONER]: [
    {
      tag: 'v6.4.0', minKubernetes: 34,
      source: 'FACTS §0.2: v1 CSIStorageCapacity only (1.24+), CSI spec 1.13; §a: v6 reads VolumeAttributesClass v1, served from 1.34',
    },
    {
      tag: 'v5.3.0', minKubernetes: 20,
      source: 'kubernetes-csi/external-provisioner CHANGELOG/CHANGELOG-5.3.md (release notes for 5.3.0) and CHANGELOG-6.0.md '
        + '("Changelog since 5.3.0"; only v6 needs 1.34 for VolumeAttributesClass v1); README minimum 1.20 (FACTS §a)',
    },
  ],
  [Component.CSI_ATTACHER]: [
    { tag: 'v4.12.0', minKubernetes: 22, source: 'FACTS §a: recommended 1.22; §0.2: still the newest release' },
  ],
  [Component.CSI_RESIZER]: [
    {
      tag: 'v2.3.0', minKubernetes: 34,
      source: 'FACTS §0.2: adds --resize-timeout and --modify-timeout, removes the RecoverVolumeExpansionFailure gate; '
        + '§a: VolumeAttributesClass modify needs 1.34',
    },
    {
      tag: 'v1.14.0', minKubernetes: 16,
      source: 'kubernetes-csi/external-resizer CHANGELOG/CHANGELOG-1.14.md (release notes for 1.14.0) and CHANGELOG-2.0.md '
        + '("Changelog since 1.14.0"; only v2 needs 1.34 for VolumeAttributesClass v1); README minimum 1.16 (FACTS §a)',
    },
  ],
  [Component.CSI_NODE_DRIVER_REGISTRAR]: [
    { tag: 'v2.17.0', minKubernetes: 13, source: 'FACTS §a; §0.2: still the newest release' },
  ],
  [Component.LIVENESS_PROBE]: [
    { tag: 'v2.20.0', minKubernetes: 13, source: 'FACTS §0.2: dependency updates only' },
  ],
  [Component.CSI_EXTERNAL_HEALTH_MONITOR_CONTROLLER]: [
    {
      tag: 'v0.19.0', minKubernetes: 37,
      source: 'FACTS §0.2: writes volume health to PVC status.healthStatus, a field the API has from 1.37 (checked on a real '
        + '1.37.2 API server: test/e2e/07-kubernetes-release.e2e.ts); older servers drop it, so they keep v0.18.0 and its events',
    },
    { tag: 'v0.18.0', minKubernetes: 21, source: 'FACTS §a' },
  ],
  [Component.HOSTPATH_PLUGIN]: [
    { tag: 'v1.17.1', minKubernetes: 21, source: 'FACTS §a, §0.2: csi-driver-host-path v1.18.0 deploy YAML pins v1.17.1; a v1.18.0 image is unconfirmed' },
  ],
};

/** Repository path of a component's image in the sig-storage registry. */
export function componentRepository(component: Component): string {
  return `sig-storage/${component}`;
}

/**
 * The newest release of a component that works on the target minor, or undefined when none does.
 */
export function defaultRelease(component: Component, kubernetesMinor: number): ComponentRelease | undefined {
  return COMPONENT_RELEASES[component].find((r) => r.minKubernetes <= kubernetesMinor);
}

/** Renders an image reference as a pullable string (digest wins over tag when both are set). */
export function imageString(ref: ImageRef): string {
  const base = `${ref.registry}/${ref.repository}`;
  return ref.digest ? `${base}:${ref.tag}@${ref.digest}` : `${base}:${ref.tag}`;
}
