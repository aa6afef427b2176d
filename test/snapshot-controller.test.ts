import * as fs from 'node:fs';
import { describe, expect, it, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SNAPSHOT_STACK_KUBERNETES } from '../src/catalog';
import { SnapshotController } from '../src/constructs/platform/snapshot-controller';
import { describeWithShared, sharedPath } from './support/shared';
import { one, synth, testChart } from './support/synth';

function render(props: ConstructorParameters<typeof SnapshotController>[2] = {}, kubernetesVersion?: string) {
  const chart = testChart(kubernetesVersion);
  const controller = new SnapshotController(chart, 'Controller', props);
  return { controller, objects: synth(chart) };
}

function container(objects: ReturnType<typeof synth>) {
  return one(objects, 'Deployment').spec.template.spec.containers[0];
}

describe('SnapshotController defaults', () => {
  const { objects } = render();
  const deployment = one(objects, 'Deployment', 'snapshot-controller');

  it('runs two replicas with leader election and the upstream rollout settings', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.minReadySeconds).toBe(35);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(container(objects).args).toContain('--leader-election=true');
  });

  it('writes the volume-mode protection flag explicitly', () => {
    expect(container(objects).args).toContain('--prevent-volume-mode-conversion=true');
  });

  it('pins the catalog release by tag', () => {
    expect(container(objects).image).toBe('registry.k8s.io/sig-storage/snapshot-controller:v8.7.0');
  });

  it('serves metrics and the leader-election health check, probed by name', () => {
    const c = container(objects);
    expect(c.args).toContain('--http-endpoint=:8080');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz/leader-election', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/metrics', port: 'http' });
    expect(one(objects, 'Service').spec.ports[0]).toMatchObject({ port: 8080, targetPort: 'http' });
  });

  it('passes Pod Security "restricted"', () => {
    const pod = deployment.spec.template.spec;
    const sc = container(objects).securityContext;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(sc.capabilities).toEqual({ drop: ['ALL'] });
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
  });

  it('requests resources, spreads replicas, sets a priority class and a PodDisruptionBudget', () => {
    const pod = deployment.spec.template.spec;
    expect(container(objects).resources.requests).toEqual({ cpu: '10m', memory: '64Mi' });
    expect(pod.priorityClassName).toBe('system-cluster-critical');
    expect(pod.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    expect(one(objects, 'PodDisruptionBudget').spec).toMatchObject({ minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  });

  it('sorts its args so diffs stay stable', () => {
    const args: string[] = container(objects).args;
    expect([...args].sort()).toEqual(args);
  });

  it('renders byte-identical output twice', () => {
    expect(JSON.stringify(render().objects)).toBe(JSON.stringify(objects));
  });
});

describe('SnapshotController options', () => {
  it('a single replica runs without leader election, lease permissions or PodDisruptionBudget', () => {
    const { objects } = render({ replicas: 1 });
    expect(container(objects).args).toContain('--leader-election=false');
    expect(objects.some((o) => o.kind === 'Role' || o.kind === 'PodDisruptionBudget')).toBe(false);
    expect(container(objects).livenessProbe.httpGet.path).toBe('/metrics');
  });

  it('turning the protection off is explicit and visible in the args', () => {
    const { objects } = render({ preventVolumeModeConversion: false });
    expect(container(objects).args).toContain('--prevent-volume-mode-conversion=false');
  });

  it('renders a digest-pinned image', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const { objects } = render({ image: { digest } });
    expect(container(objects).image).toBe(`registry.k8s.io/sig-storage/snapshot-controller:v8.7.0@${digest}`);
  });

  it('adds the node rules only with distributed snapshotting', () => {
    const hasNodes = (objs: ReturnType<typeof synth>) =>
      one(objs, 'ClusterRole').rules.some((r: any) => r.resources.includes('nodes'));
    expect(hasNodes(render().objects)).toBe(false);
    const { objects } = render({ distributedSnapshotting: true });
    expect(hasNodes(objects)).toBe(true);
    expect(container(objects).args).toContain('--enable-distributed-snapshotting=true');
  });

  it('binds an existing ServiceAccount instead of rendering one', () => {
    const { objects } = render({ rbac: { existingServiceAccountName: 'platform-snapshots' } });
    expect(objects.some((o) => o.kind === 'ServiceAccount')).toBe(false);
    expect(one(objects, 'ClusterRoleBinding').subjects[0].name).toBe('platform-snapshots');
    expect(one(objects, 'Deployment').spec.template.spec.serviceAccountName).toBe('platform-snapshots');
  });

  it('renders feature gates sorted in one flag', () => {
    const { objects } = render({ featureGates: { ReleaseLeaderElectionOnExit: true, CSIVolumeGroupSnapshot: true } });
    expect(container(objects).args).toContain('--feature-gates=CSIVolumeGroupSnapshot=true,ReleaseLeaderElectionOnExit=true');
  });
});

describe('SnapshotController bad input fails at synth with the prop, the value and the fix', () => {
  test.each([
    ['a version below the protection floor', { image: { tag: 'v5.0.1' } }, /image\.tag 'v5\.0\.1' cannot refuse volume mode conversion .*needs >= v6\.0\.0.*pin 'v8\.7\.0' \(the catalog's release for this target/],
    ['a floating tag', { image: { tag: 'latest' } }, /image\.tag 'latest' is not a pinned release tag.*pin a release such as 'v8\.7\.0'/],
    ['a digest that is not sha256', { image: { digest: 'sha256:abc' } }, /image\.digest 'sha256:abc' is not a content digest.*sha256:<64 lower-case hex characters>/],
    ['an invalid namespace', { namespace: 'Snapshot_System' }, /namespace 'Snapshot_System' is not a valid DNS-1123 label; use at most 63/],
    ['replicas < 1', { replicas: 0 }, /replicas 0 must be a whole number >= 1; set replicas/],
    ['an invalid ClusterRole name', { rbac: { clusterRoleName: 'Runner!' } }, /rbac\.clusterRoleName 'Runner!' is not a valid DNS-1123 subdomain/],
    ['a wildcard rule override', { rbac: { clusterRules: [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }] } }, /rbac\.clusterRules\[0\]\.resources \["\*"\] contains the wildcard "\*"; list the exact/],
    ['a request that is not a quantity', { resources: { requests: { cpu: 'lots', memory: '64Mi' } } }, /resources\.requests\.cpu 'lots' is not a Kubernetes quantity; write a number with an optional suffix/],
    ['a limit that is not a quantity', { resources: { requests: { cpu: '10m' }, limits: { memory: '256 MiB' } } }, /resources\.limits\.memory '256 MiB' is not a Kubernetes quantity/],
    ['a negative request', { resources: { requests: { memory: '-64Mi' } } }, /resources\.requests\.memory '-64Mi' is negative; give a quantity of zero or more/],
    ['a request above its limit', { resources: { requests: { memory: '512Mi' }, limits: { memory: '256Mi' } } }, /resources\.requests\.memory '512Mi' is above resources\.limits\.memory '256Mi'.*; lower the request or raise the limit/],
    ['an unknown resource name', { resources: { requests: { cpus: '1' } } }, /resources\.requests 'cpus' is not a container resource name; use cpu, ephemeral-storage, memory/],
  ])('%s', (_name, props, message) => {
    expect(() => render(props as any)).toThrow(message);
  });

  test.each([['1.29'], [`1.${SNAPSHOT_STACK_KUBERNETES.max + 1}`], ['2.0']])('target Kubernetes %s', (version) => {
    const range = `1\\.${SNAPSHOT_STACK_KUBERNETES.min} to 1\\.${SNAPSHOT_STACK_KUBERNETES.max}`;
    expect(() => render({ kubernetesVersion: version })).toThrow(new RegExp(`kubernetesVersion '.*' (is outside the supported range ${range}|is not a Kubernetes minor release)`));
  });

  it('the fix an error names works when followed: the suggested release passes every check', () => {
    const message = (() => { try { render({ image: { tag: 'v5.0.1' } }); return ''; } catch (e) { return (e as Error).message; } })();
    const suggested = /pin '(v[\d.]+)'/.exec(message)![1];
    expect(() => render({ image: { tag: suggested } })).not.toThrow();
  });

  it('an older release is accepted when it has the flag, and the flag is still written', () => {
    const { objects } = render({ image: { tag: 'v8.2.0' } });
    expect(container(objects).args).toContain('--prevent-volume-mode-conversion=true');
  });

  it('a release without catalogued RBAC asks for explicit rules', () => {
    expect(() => render({ image: { tag: 'v7.0.0' } })).toThrow(/image\.tag 'v7\.0\.0' has no catalogued RBAC rules.*pass 'rbac\.clusterRules'/);
  });
});

describeWithShared('SnapshotController RBAC parity with upstream rbac-snapshot-controller.yaml v8.6.0', () => {
  const upstream = parseAllDocuments(fs.readFileSync(sharedPath('reference/upstream/external-snapshotter-v8.6.0/rbac-snapshot-controller.yaml'), 'utf8'))
    .map((d) => d.toJSON()).filter(Boolean);
  const { objects } = render();
  const normalize = (rules: any[]) => rules.map((r) => ({ apiGroups: r.apiGroups, resources: r.resources, verbs: [...r.verbs].sort() }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  it('ClusterRole rules equal upstream', () => {
    expect(normalize(one(objects, 'ClusterRole').rules)).toEqual(normalize(upstream.find((o) => o.kind === 'ClusterRole').rules));
  });

  it('leader-election Role rules equal upstream', () => {
    expect(normalize(one(objects, 'Role').rules)).toEqual(normalize(upstream.find((o) => o.kind === 'Role').rules));
  });

  it('uses the upstream names for the namespaced account and role', () => {
    for (const kind of ['ServiceAccount', 'Role']) {
      expect(one(objects, kind).metadata.name).toBe(upstream.find((o) => o.kind === kind).metadata.name);
    }
  });

  it('never takes upstream\'s cluster-scoped names, which an existing install in kube-system already holds', () => {
    for (const kind of ['ClusterRole', 'ClusterRoleBinding']) {
      const ours = one(objects, kind).metadata.name;
      expect(ours).not.toBe(upstream.find((o) => o.kind === kind).metadata.name);
      expect(ours).toBe('csi-snapshot-guard-snapshot-controller');
    }
  });

  it('no rule uses a wildcard', () => {
    const all = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role').flatMap((o) => o.rules);
    expect(all.flatMap((r: any) => [...r.apiGroups, ...r.resources, ...r.verbs])).not.toContain('*');
  });
});

describe('pinned releases are checked by release line', () => {
  it('a newer major than the catalog knows is refused (its RBAC and flags are unknown)', () => {
    expect(() => render({ image: { tag: 'v9.0.0' } })).toThrow(
      /image\.tag 'v9\.0\.0' is a newer release line than the catalog knows \(snapshot-controller v8\.7\.0\).*add the v9 line to src\/catalog/);
  });

  it('a patch release of a catalogued line is accepted', () => {
    const { objects } = render({ image: { tag: 'v8.6.1' } });
    expect(container(objects).image).toBe('registry.k8s.io/sig-storage/snapshot-controller:v8.6.1');
  });
});

describe('SnapshotController: system priority class outside kube-system', () => {
  it('renders the ResourceQuota that admits the class in its own namespace, with room for a rollout', () => {
    const { objects, controller } = render({ namespace: 'snapshot-system', replicas: 3 });
    const quota = one(objects, 'ResourceQuota');
    expect(quota.metadata).toMatchObject({ name: 'snapshot-controller-critical-pods', namespace: 'snapshot-system' });
    expect(quota.spec).toEqual({
      hard: { pods: '6' },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['system-cluster-critical'] }] },
    });
    expect(controller.criticalPodsQuota).toBeDefined();
  });

  it('needs none in kube-system, or for a priority class of your own', () => {
    expect(render().objects.filter((o) => o.kind === 'ResourceQuota')).toEqual([]);
    expect(render({ namespace: 'snapshot-system', priorityClassName: 'storage-critical' }).objects.filter((o) => o.kind === 'ResourceQuota')).toEqual([]);
  });
});

describe('mistakes a user made, refused with a fix that works', () => {
  it('a tag without its v, which the registry never published', () => {
    expect(() => render({ image: { tag: '8.7.0' } })).toThrow(/image\.tag '8\.7\.0' is not a published tag: kubernetes-csi images are tagged with a leading v; write 'v8\.7\.0'/);
    expect(() => render({ image: { tag: 'v8.7.0' } })).not.toThrow();
  });

  it('RBAC rules with no verbs, an empty resource list or an unknown verb', () => {
    const rule = { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get'] };
    expect(() => render({ rbac: { clusterRules: [{ ...rule, verbs: [] }] } })).toThrow(/rbac\.clusterRules\[0\]\.verbs \[\] is empty or not a list: the rule would grant nothing/);
    expect(() => render({ rbac: { clusterRules: [{ ...rule, resources: [] }] } })).toThrow(/rbac\.clusterRules\[0\]\.resources \[\] is empty/);
    expect(() => render({ rbac: { clusterRules: [{ ...rule, verbs: ['read'] }] } })).toThrow(/rbac\.clusterRules\[0\]\.verbs 'read' is not a Kubernetes API verb; use get, list, watch/);
    expect(() => render({ rbac: { clusterRules: [rule] } })).not.toThrow();
  });
});
