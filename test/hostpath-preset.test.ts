/**
 * The hostpath preset against upstream csi-driver-host-path v1.18.0 deploy/kubernetes-1.34:
 * images, args, mounts, volumes, probes, CSIDriver, VolumeSnapshotClass and RBAC are equal except
 * for the deviations listed here (each one deliberate; the README lists them too).
 */
import * as fs from 'node:fs';
import { Testing } from 'cdk8s';
import { expect, it } from 'vitest';
import * as YAML from 'yaml';
import { HostpathDriverChart } from '../src/charts/hostpath';
import { compareTags, Component, defaultRelease } from '../src/catalog';
import { describeWithShared, sharedPath } from './support/shared';

type Json = any;

const UPSTREAM = ['reference', 'upstream', 'csi-driver-host-path-v1.18.0', 'kubernetes-1.34', 'hostpath'];
const SIDECAR_RBAC: Record<string, string> = {
  'external-attacher-runner': 'external-attacher-v4.12.0/rbac.yaml',
  'external-provisioner-runner': 'external-provisioner-v6.3.0/rbac.yaml',
  'external-resizer-runner': 'external-resizer-v2.2.1/rbac.yaml',
  'external-snapshotter-runner': 'external-snapshotter-v8.6.0/rbac-csi-snapshotter.yaml',
  'external-health-monitor-controller-runner': 'external-health-monitor-v0.18.0/rbac.yaml',
};

/** Deliberate differences per container: args added / removed, mounts removed. */
const DEVIATIONS: Record<string, { addedArgs: string[]; removedArgs: string[]; removedMounts?: string[] }> = {
  hostpath: { addedArgs: [], removedArgs: [] },
  // Explicit protection flag; metrics endpoint.
  'csi-provisioner': { addedArgs: ['--http-endpoint=:8080', '--prevent-volume-mode-conversion=true'], removedArgs: [] },
  'csi-attacher': { addedArgs: ['--http-endpoint=:8081'], removedArgs: [] },
  'csi-snapshotter': { addedArgs: ['--http-endpoint=:8082'], removedArgs: [] },
  'csi-resizer': { addedArgs: ['--http-endpoint=:8083'], removedArgs: [] },
  // One replica in a StatefulSet never runs twice, so no leader election (and no lease RBAC).
  'csi-external-health-monitor-controller': { addedArgs: ['--http-endpoint=:8084'], removedArgs: ['--leader-election'] },
  // The registrar never reads the data directory.
  'node-driver-registrar': { addedArgs: [], removedArgs: [], removedMounts: ['csi-data-dir:/csi-data-dir'] },
  // --health-port is deprecated in favour of --http-endpoint (FACTS §c9); verbosity like the others.
  'liveness-probe': { addedArgs: ['--http-endpoint=:9898', '--v=5'], removedArgs: ['--health-port=9898'] },
};

function loadDocs(file: string): Json[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJSON()).filter(Boolean);
}

/** `-v=5` and `--v=5` mean the same to Go's flag package; `$(VAR)` resolves from the container env. */
function normaliseArgs(c: Json): string[] {
  const env = Object.fromEntries((c.env ?? []).filter((e: Json) => e.value !== undefined).map((e: Json) => [e.name, e.value]));
  return (c.args ?? []).map((a: string) => {
    const withDashes = a.replace(/^-+/, '--');
    return withDashes.replace(/\$\((ADDRESS)\)/g, (_m, v) => env[v] ?? `$(${v})`);
  }).sort();
}

const mounts = (c: Json): string[] =>
  (c.volumeMounts ?? []).map((m: Json) => `${m.name}:${m.mountPath.replace(/\/$/, '')}${m.mountPropagation ? `:${m.mountPropagation}` : ''}`).sort();

function probe(c: Json): Json {
  if (!c.livenessProbe) return undefined;
  const p = c.livenessProbe;
  const portRef = p.httpGet.port;
  const port = typeof portRef === 'number' ? portRef : (c.ports ?? []).find((x: Json) => x.name === portRef)?.containerPort;
  return {
    path: p.httpGet.path, port, initialDelaySeconds: p.initialDelaySeconds, timeoutSeconds: p.timeoutSeconds,
    periodSeconds: p.periodSeconds, failureThreshold: p.failureThreshold,
  };
}

function canonicalRules(rules: Json[]): string[] {
  return [...new Set(rules.flatMap((r) => r.apiGroups.flatMap((g: string) =>
    r.resources.map((res: string) => `${g || 'core'}/${res}: ${[...r.verbs].sort().join(',')}`))))].sort();
}

/** Rendered for 1.34, the release the upstream files are written for. */
function ours(): Json[] {
  const app = Testing.app();
  const chart = new HostpathDriverChart(app, 'hostpath', { kubernetesVersion: '1.34' });
  return Testing.synth(chart);
}

describeWithShared('hostpath preset parity with csi-driver-host-path v1.18.0 (kubernetes-1.34)', () => {
  const upstreamPlugin = loadDocs(sharedPath(...UPSTREAM, 'csi-hostpath-plugin.yaml'));
  const upSts = upstreamPlugin.find((d) => d.kind === 'StatefulSet');
  const docs = ours();
  const sts = docs.find((d) => d.kind === 'StatefulSet');
  const upContainers: Json[] = upSts.spec.template.spec.containers;
  const ourContainers: Json[] = sts.spec.template.spec.containers;
  const ourByName = Object.fromEntries(ourContainers.map((c) => [c.name, c]));

  it('runs the same containers and no others', () => {
    expect(ourContainers.map((c) => c.name).sort()).toEqual(upContainers.map((c) => c.name).sort());
  });

  it('pins the same images, or the newer release the catalog pins for 1.34 (late-2026 releases, FACTS §0.2)', () => {
    const tagOf = (image: string) => image.slice(image.lastIndexOf(':') + 1);
    const repoOf = (image: string) => image.slice(0, image.lastIndexOf(':'));
    const newer: string[] = [];
    for (const up of upContainers) {
      const mine: string = ourByName[up.name].image;
      expect(repoOf(mine), up.name).toBe(repoOf(up.image));
      if (mine === up.image) continue;
      const component = repoOf(mine).split('/').pop() as Component;
      expect(compareTags(tagOf(mine), tagOf(up.image)), `${up.name}: ${mine} is older than upstream's ${up.image}`).toBeGreaterThan(0);
      expect(tagOf(mine), up.name).toBe(defaultRelease(component, 34)!.tag);
      newer.push(`${component} ${tagOf(up.image)} -> ${tagOf(mine)}`);
    }
    expect(newer.sort()).toEqual([
      'csi-provisioner v6.3.0 -> v6.4.0', 'csi-resizer v2.2.1 -> v2.3.0', 'csi-snapshotter v8.6.0 -> v8.7.0', 'livenessprobe v2.19.0 -> v2.20.0',
    ]);
  });

  it('passes the same args except the listed deviations', () => {
    for (const up of upContainers) {
      const dev = DEVIATIONS[up.name];
      const upArgs = normaliseArgs(up);
      const ourArgs = normaliseArgs(ourByName[up.name]);
      expect(ourArgs.filter((a) => !upArgs.includes(a)).sort(), `${up.name} added`).toEqual([...dev.addedArgs].sort());
      expect(upArgs.filter((a) => !ourArgs.includes(a)).sort(), `${up.name} removed`).toEqual([...dev.removedArgs].sort());
    }
  });

  it('mounts the same volumes at the same paths with the same propagation', () => {
    for (const up of upContainers) {
      const expected = mounts(up).filter((m) => !(DEVIATIONS[up.name].removedMounts ?? []).includes(m));
      expect(mounts(ourByName[up.name]), up.name).toEqual(expected);
    }
  });

  it('declares the same host volumes', () => {
    const norm = (vols: Json[]) => vols.map((v) => `${v.name}:${v.hostPath.path.replace(/\/$/, '')}:${v.hostPath.type}`).sort();
    expect(norm(sts.spec.template.spec.volumes)).toEqual(norm(upSts.spec.template.spec.volumes));
  });

  it('probes the driver and the registrar like upstream', () => {
    for (const up of upContainers.filter((c) => c.livenessProbe)) {
      expect(probe(ourByName[up.name]), up.name).toEqual(probe(up));
    }
  });

  it('grants the plugin account exactly the sidecar ClusterRoles upstream binds (minus snapshot-metadata)', () => {
    const bound = upstreamPlugin.filter((d) => d.kind === 'ClusterRoleBinding').map((b) => b.roleRef.name).sort();
    // Deviation: external-snapshot-metadata-runner is bound upstream, but the snapshot-metadata sidecar is not deployed.
    expect(bound.filter((n: string) => !(n in SIDECAR_RBAC))).toEqual(['external-snapshot-metadata-runner']);
    const upstreamRules = bound.filter((n: string) => n in SIDECAR_RBAC).flatMap((n: string) =>
      loadDocs(sharedPath('reference', 'upstream', SIDECAR_RBAC[n])).filter((d) => d.kind === 'ClusterRole').flatMap((d) => d.rules));
    const sa = sts.spec.template.spec.serviceAccountName;
    const ourRoles = docs.filter((d) => d.kind === 'ClusterRoleBinding' && d.subjects.some((s: Json) => s.name === sa)).map((b) => b.roleRef.name);
    const ourRules = docs.filter((d) => d.kind === 'ClusterRole' && ourRoles.includes(d.metadata.name)).flatMap((d) => d.rules);
    expect(canonicalRules(ourRules)).toEqual(canonicalRules(upstreamRules));
    // Deviation: no leader election, so no lease Roles.
    expect(docs.filter((d) => d.kind === 'Role')).toEqual([]);
  });

  it('renders the same CSIDriver, writing API defaults out', () => {
    const up = loadDocs(sharedPath(...UPSTREAM, 'csi-hostpath-driverinfo.yaml'))[0];
    const our = docs.find((d) => d.kind === 'CSIDriver');
    expect(our.metadata.name).toBe(up.metadata.name);
    // volumeLifecycleModes is a set; we render it sorted.
    expect({ ...our.spec, volumeLifecycleModes: [...our.spec.volumeLifecycleModes].sort() })
      .toMatchObject({ ...up.spec, volumeLifecycleModes: [...up.spec.volumeLifecycleModes].sort() });
    // Extra fields are the API defaults (attachRequired true because hostpath runs an attacher).
    expect(our.spec).toMatchObject({ attachRequired: true, requiresRepublish: false, storageCapacity: false });
  });

  it('renders the same VolumeSnapshotClass', () => {
    const up = loadDocs(sharedPath(...UPSTREAM, 'csi-hostpath-snapshotclass.yaml'))[0];
    const our = docs.find((d) => d.kind === 'VolumeSnapshotClass');
    expect({ name: our.metadata.name, driver: our.driver, deletionPolicy: our.deletionPolicy })
      .toEqual({ name: up.metadata.name, driver: up.driver, deletionPolicy: up.deletionPolicy });
  });

  it('renders the example StorageClass of upstream examples/', () => {
    const up = loadDocs(sharedPath('reference', 'upstream', 'csi-driver-host-path-v1.18.0', 'examples', 'csi-storageclass.yaml'))[0];
    const our = docs.find((d) => d.kind === 'StorageClass');
    for (const k of ['provisioner', 'reclaimPolicy', 'volumeBindingMode', 'allowVolumeExpansion']) expect(our[k], k).toEqual(up[k]);
  });

  it('renders into its own namespace, labelled Pod Security "privileged" (deviation: upstream uses default)', () => {
    // Upstream puts the plugin and every RBAC subject into `default`.
    const upNamespaces = new Set(upstreamPlugin.flatMap((d) => [d.metadata.namespace, ...(d.subjects ?? []).map((x: Json) => x.namespace)]).filter(Boolean));
    expect([...upNamespaces]).toEqual(['default']);
    const ns = docs.filter((d) => d.kind === 'Namespace');
    expect(ns.map((d) => d.metadata.name)).toEqual(['csi-hostpath']);
    // The plugin container is privileged, which only the "privileged" level admits.
    expect(ns[0].metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    const namespaced = docs.filter((d) => ['ServiceAccount', 'StatefulSet', 'Role', 'RoleBinding'].includes(d.kind));
    expect(namespaced.length).toBeGreaterThan(1);
    for (const d of namespaced) expect(d.metadata.namespace, `${d.kind} ${d.metadata.name}`).toBe('csi-hostpath');
    const subjects = docs.filter((d) => d.kind.endsWith('RoleBinding')).flatMap((b) => b.subjects);
    expect(subjects.length).toBeGreaterThan(0);
    for (const x of subjects) expect(x.namespace, x.name).toBe('csi-hostpath');
    // Apply order: the Namespace comes before anything created in it.
    expect(docs.findIndex((d) => d.kind === 'Namespace')).toBeLessThan(docs.findIndex((d) => d.metadata.namespace === 'csi-hostpath'));
  });

  it('runs the plugin at cluster-critical priority (deviation: upstream sets no priority class)', () => {
    expect(upSts.spec.template.spec.priorityClassName).toBeUndefined();
    expect(sts.spec.template.spec.priorityClassName).toBe('system-cluster-critical');
  });

  it('keeps privilege on the plugin only (deviation: upstream makes sidecars privileged for SELinux)', () => {
    for (const c of ourContainers) expect(c.securityContext?.privileged === true, c.name).toBe(c.name === 'hostpath');
    const upPrivileged = upContainers.filter((c) => c.securityContext?.privileged).map((c) => c.name).sort();
    expect(upPrivileged).toEqual(['csi-attacher', 'csi-provisioner', 'csi-resizer', 'csi-snapshotter', 'hostpath', 'node-driver-registrar']);
  });
});

it('restores upstream privileged sidecars on request, for SELinux hosts', () => {
  const app = Testing.app();
  const chart = new HostpathDriverChart(app, 'hostpath', { driver: { seLinuxPrivilegedSidecars: true } });
  const sts = Testing.synth(chart).find((d: Json) => d.kind === 'StatefulSet');
  expect(sts.spec.template.spec.containers.find((c: Json) => c.name === 'csi-provisioner').securityContext).toEqual({ privileged: true });
});

it('targets Kubernetes 1.32 with the v5 provisioner and v1 resizer lines', () => {
  const app = Testing.app();
  const chart = new HostpathDriverChart(app, 'hostpath', { kubernetesVersion: '1.32' });
  const sts = Testing.synth(chart).find((d: Json) => d.kind === 'StatefulSet');
  const images = sts.spec.template.spec.containers.map((c: Json) => c.image);
  expect(images).toContain('registry.k8s.io/sig-storage/csi-provisioner:v5.3.0');
  expect(images).toContain('registry.k8s.io/sig-storage/csi-resizer:v1.14.0');
});

it('moves every namespaced object and RBAC subject with the namespace prop', () => {
  const app = Testing.app();
  const docs = Testing.synth(new HostpathDriverChart(app, 'hostpath', { namespace: 'storage-demo' }));
  expect(docs.filter((d: Json) => d.kind === 'Namespace').map((d: Json) => d.metadata.name)).toEqual(['storage-demo']);
  const namespaces = new Set(docs.flatMap((d: Json) => [d.metadata.namespace, ...(d.subjects ?? []).map((x: Json) => x.namespace)]).filter(Boolean));
  expect([...namespaces]).toEqual(['storage-demo']);
});

it('deploys into an existing namespace without rendering it when createNamespace is off', () => {
  const app = Testing.app();
  const docs = Testing.synth(new HostpathDriverChart(app, 'hostpath', { namespace: 'default', createNamespace: false }));
  expect(docs.some((d: Json) => d.kind === 'Namespace')).toBe(false);
  expect(docs.find((d: Json) => d.kind === 'StatefulSet').metadata.namespace).toBe('default');
});

it('refuses to create (and relabel) a built-in namespace', () => {
  const app = Testing.app();
  expect(() => new HostpathDriverChart(app, 'hostpath', { namespace: 'kube-system' }))
    .toThrow(/namespace 'kube-system' is a built-in namespace, which this stack would relabel .*; set 'createNamespace: false'/);
});

it('the single-replica hostpath StatefulSet gets no PodDisruptionBudget or topology spread (they serve replicated controllers)', () => {
  const docs: Json[] = Testing.synth(new HostpathDriverChart(Testing.app(), 'hostpath'));
  expect(docs.filter((d) => d.kind === 'PodDisruptionBudget')).toEqual([]);
  const sts = docs.filter((d) => d.kind === 'StatefulSet');
  expect(sts).toHaveLength(1);
  expect(sts[0].spec.replicas).toBe(1);
  expect(sts[0].spec.template.spec.topologySpreadConstraints).toBeUndefined();
});
