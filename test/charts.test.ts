/**
 * Every chart the app ships: its objects validate against the Kubernetes OpenAPI schema of the
 * chart's target release (and custom resources against the CRDs rendered in the app), cluster-scoped
 * objects carry no namespace, and dist/ is byte-identical to a fresh synth (dist/ is the reviewed
 * YAML snapshot of each chart: a failure shows the diff; `npm run synth` re-renders it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApps } from '../src/app';
import { synthApps } from '../src/synth-output';
import { SnapshotPlatformChart } from '../src/charts/snapshot-platform';
import { formatKubernetesMinor, SNAPSHOT_STACK_KUBERNETES } from '../src/catalog';
import { KUBERNETES_VERSION_CONTEXT } from '../src/constructs/common/_target';
import { expectValid, NoSchemaAllowance } from './support/manifest-validator';
import { describeWithShared } from './support/shared';
import { K8sObject } from './support/synth';

/** Custom resources whose CRDs belong to other projects; accepted without a schema, on purpose. */
const FOREIGN_CUSTOM_RESOURCES: NoSchemaAllowance[] = [
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', reason: 'CRD ships with the Prometheus operator' },
  { apiVersion: 'config.openshift.io/v1', kind: 'FeatureGate', reason: 'OpenShift API, served by the cluster version operator' },
  { apiVersion: 'operator.openshift.io/v1', kind: 'Storage', reason: 'OpenShift API, served by the cluster storage operator' },
];

/** Kinds Kubernetes serves cluster-wide (custom kinds are looked up in their CRD). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'CSIDriver', 'CSINode',
  'PersistentVolume', 'PriorityClass', 'VolumeAttachment', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'FeatureGate', 'Storage', 'VolumeAttributesClass',
]);

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'charts-test-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
const apps = buildApps(outdir);
const charts: Chart[] = apps.filter((a) => a.kubernetesObjects).flatMap((a) => a.app.charts);
const configCharts: Chart[] = apps.filter((a) => !a.kubernetesObjects).flatMap((a) => a.app.charts);
const rendered = new Map<Chart, K8sObject[]>(charts.map((c) => [c, Testing.synth(c) as K8sObject[]]));
const allObjects = [...rendered.values()].flat();
const crds = allObjects.filter((o) => o.kind === 'CustomResourceDefinition');
const crdScope = new Map(crds.map((c) => [`${c.spec.group}/${c.spec.names.kind}`, c.spec.scope]));

function isClusterScoped(o: K8sObject): boolean {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return crdScope.get(`${group}/${o.kind}`) === 'Cluster' || CLUSTER_SCOPED.has(o.kind);
}

function targetOf(chart: Chart): string {
  return chart.node.tryGetContext(KUBERNETES_VERSION_CONTEXT) ?? formatKubernetesMinor(SNAPSHOT_STACK_KUBERNETES.default);
}

describe('shipped charts', () => {
  it('the app ships the platform, the hostpath driver and the examples', () => {
    expect(charts.map((c) => c.node.id)).toEqual(expect.arrayContaining(['snapshot-platform', 'csi-hostpath', 'field-report', 'openshift-vsphere-migration']));
  });

  it('node configuration files are kept out of the folder `kubectl apply -f dist/` reads', () => {
    expect(apps.filter((a) => !a.kubernetesObjects).every((a) => a.folder !== '')).toBe(true);
    expect(configCharts.length).toBeGreaterThan(0);
  });

  for (const chart of charts) {
    describe(chart.node.id, () => {
      const objects = rendered.get(chart)!;

      it('renders objects', () => {
        expect(objects.length).toBeGreaterThan(0);
      });

      it('cluster-scoped objects carry no namespace; namespaced ones do', () => {
        for (const o of objects) {
          if (isClusterScoped(o)) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBeUndefined();
          else expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toMatch(/^[a-z0-9-]+$/);
        }
      });

      it('every object has an explicit name (no generated hash suffix)', () => {
        for (const o of objects) expect(o.metadata.name, o.kind).not.toMatch(/-c8[0-9a-f]{6}$/);
      });
    });
  }
});

describeWithShared('shipped charts validate against the Kubernetes OpenAPI schema of their target', () => {
  for (const chart of charts) {
    it(`${chart.node.id} (Kubernetes ${targetOf(chart)})`, () => {
      expectValid(rendered.get(chart)!, { kubernetesVersion: targetOf(chart), crds, allowWithoutSchema: FOREIGN_CUSTOM_RESOURCES });
    });
  }
});

describe('dist/ is byte-identical to a fresh synth', () => {
  const distDir = path.join(process.cwd(), 'dist');
  synthApps(outdir);
  const list = (dir: string): string[] => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();

  it('has the same files', () => {
    expect(list(distDir)).toEqual(list(outdir));
  });

  for (const file of list(outdir)) {
    it(file, () => {
      const fresh = fs.readFileSync(path.join(outdir, file), 'utf8');
      const committed = fs.existsSync(path.join(distDir, file)) ? fs.readFileSync(path.join(distDir, file), 'utf8') : '';
      expect(committed, `dist/${file} is stale: run 'npm run synth' and review the diff`).toBe(fresh);
    });
  }
});

describeWithShared('the default platform validates on every supported target', () => {
  for (let minor = SNAPSHOT_STACK_KUBERNETES.min; minor <= SNAPSHOT_STACK_KUBERNETES.max; minor++) {
    const version = formatKubernetesMinor(minor);
    it(`Kubernetes ${version}`, () => {
      const chart = new SnapshotPlatformChart(Testing.app(), 'platform', { kubernetesVersion: version, groupSnapshots: true });
      expectValid(Testing.synth(chart), { kubernetesVersion: version, allowWithoutSchema: FOREIGN_CUSTOM_RESOURCES });
    });
  }
});

describe('SnapshotPlatformChart on a cluster that already runs snapshot-controller and owns the CRDs', () => {
  it('renders only what works with any controller: the guard, user roles and doctor RBAC', () => {
    const objects = Testing.synth(new SnapshotPlatformChart(Testing.app(), 'platform', { controller: false, crds: false })) as K8sObject[];
    const kinds = new Set(objects.map((o) => o.kind));
    for (const absent of ['CustomResourceDefinition', 'Deployment', 'Namespace', 'Service', 'PodDisruptionBudget', 'ResourceQuota']) expect(kinds.has(absent), absent).toBe(false);
    expect(objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy')).toHaveLength(7);
    expect(objects.some((o) => o.kind === 'ClusterRole' && o.metadata.name === 'csi-snapshot-guard-doctor')).toBe(true);
  });

  it('refuses group snapshot CRDs when it renders no CRDs', () => {
    expect(() => new SnapshotPlatformChart(Testing.app(), 'platform', { crds: false, groupSnapshots: true }))
      .toThrow(/groupSnapshots.*crds is false.*drop groupSnapshots/);
  });
});
