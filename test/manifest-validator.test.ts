/**
 * The offline manifest validator itself, on hand-written objects: each test breaks one thing and
 * expects exactly that finding, so a validator that silently passes everything fails here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import * as YAML from 'yaml';
import { expectValid, findManifestProblems, PROJECT_SCHEMA_DIR, schemaFileFor, validateManifests } from './support/manifest-validator';
import { describeWithShared, sharedPath } from './support/shared';

function deployment(container: Record<string, unknown> = { name: 'web', image: 'registry.example/web:1.0' }, extraSpec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'apps', labels: { app: 'web' }, annotations: { 'example.com/owner': 'team-a' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [container] },
      },
      ...extraSpec,
    },
  };
}

/** A small hand-written CRD: Widget (namespaced), served v1 and an unserved v0. */
function widgetCrd(scope: 'Namespaced' | 'Cluster' = 'Namespaced') {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
      scope,
      versions: [
        {
          name: 'v1', served: true, storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: {
                  type: 'object',
                  required: ['size'],
                  properties: {
                    size: { type: 'integer', format: 'int32', minimum: 1 },
                    mode: { type: 'string', enum: ['Filesystem', 'Block'] },
                    port: { 'x-kubernetes-int-or-string': true },
                    extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  },
                },
              },
            },
          },
        },
        { name: 'v0', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
      ],
    },
  };
}

function widget(spec: Record<string, unknown>, apiVersion = 'example.com/v1', namespace: string | undefined = 'apps') {
  return { apiVersion, kind: 'Widget', metadata: { name: 'w1', ...(namespace ? { namespace } : {}) }, spec };
}

describeWithShared('manifest validator: Kubernetes objects', () => {
  test('a complete Deployment has no findings', () => {
    expect(validateManifests([deployment()], { kubernetesVersion: '1.36' })).toEqual([]);
  });

  test('an unknown field is reported with its JSON path and a suggestion', () => {
    const findings = validateManifests([deployment({ name: 'web', image: 'x:1', imagePullPolicyy: 'Always' })]);
    expect(findings).toEqual([
      'Deployment/web: spec.template.spec.containers[0].imagePullPolicyy: unknown field (did you mean "imagePullPolicy"?)',
    ]);
  });

  test('a wrong type is reported', () => {
    const findings = validateManifests([deployment(undefined, { replicas: '2' })]);
    expect(findings).toEqual(['Deployment/web: spec.replicas: expected integer, got string "2"']);
  });

  test('a missing required field is reported (container without name)', () => {
    const findings = validateManifests([deployment({ image: 'x:1' })]);
    expect(findings).toEqual(['Deployment/web: spec.template.spec.containers[0].name: missing required field']);
  });

  test('int-or-string fields take both forms and nothing else', () => {
    const probe = (port: unknown) => deployment({ name: 'web', image: 'x:1', readinessProbe: { httpGet: { port } } });
    expect(validateManifests([probe(8080)])).toEqual([]);
    expect(validateManifests([probe('http')])).toEqual([]);
    expect(validateManifests([probe(true)])).toEqual([
      expect.stringMatching(/^Deployment\/web: spec\.template\.spec\.containers\[0\]\.readinessProbe\.httpGet\.port: .*boolean true/),
    ]);
  });

  test('annotation and label maps take any key but only string values', () => {
    const d = deployment();
    (d.metadata.annotations as Record<string, unknown>)['anything.example.org/at-all'] = 'yes';
    expect(validateManifests([d])).toEqual([]);
    (d.metadata.labels as Record<string, unknown>).tier = 3;
    expect(validateManifests([d])).toEqual(['Deployment/web: metadata.labels.tier: expected string, got number 3']);
  });

  test('an int32 field that overflows is reported', () => {
    expect(validateManifests([deployment(undefined, { replicas: 2 ** 31 })])).toEqual([
      'Deployment/web: spec.replicas: value 2147483648 does not fit in int32',
    ]);
  });

  test('duplicate keys in a map-list are reported (two containers named web)', () => {
    const d = deployment();
    d.spec.template.spec.containers.push({ name: 'web', image: 'y:2' });
    expect(validateManifests([d])).toEqual([
      'Deployment/web: spec.template.spec.containers[1]: duplicate of item [0] (same name ["web"])',
    ]);
  });

  test('a null value is reported', () => {
    expect(validateManifests([deployment(undefined, { strategy: null })])).toEqual([
      'Deployment/web: spec.strategy: null value (omit the field instead)',
    ]);
  });

  test('an object without a name and a repeated object are reported', () => {
    const unnamed = { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { a: 'b' } };
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } };
    expect(validateManifests([unnamed, cm, cm])).toEqual([
      'ConfigMap/<unnamed object #0>: metadata.name: missing (neither name nor generateName is set)',
      'ConfigMap/c: (object): duplicate of object #1 (same group, kind, namespace and name)',
    ]);
  });

  test('an API version the target release does not offer is reported; the same object passes on a newer target', () => {
    const vac = { apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttributesClass', metadata: { name: 'fast' }, driverName: 'csi.example.com' };
    // VolumeAttributesClass is storage.k8s.io/v1alpha1 only in the 1.30 schema and v1 from 1.34.
    expect(validateManifests([vac], { kubernetesVersion: '1.30' })).toEqual([
      'VolumeAttributesClass/fast: apiVersion: storage.k8s.io/v1 VolumeAttributesClass is not in k8s-1.30.0.json; it offers storage.k8s.io/v1alpha1',
    ]);
    expect(validateManifests([vac], { kubernetesVersion: '1.34' })).toEqual([]);
  });

  test('a kind unknown to a Kubernetes group is reported, not treated as a custom resource', () => {
    const bogus = { apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } };
    expect(validateManifests([bogus])).toEqual([
      "Deploymnet/x: apiVersion: kind Deploymnet does not exist in group 'apps' in k8s-1.37.2.json",
    ]);
  });
});

describeWithShared('manifest validator: schema choice', () => {
  const file = (v: string | number) => path.basename(schemaFileFor(v));

  test('an exact schema is used when present', () => {
    expect(file('1.30')).toBe('k8s-1.30.0.json');
    expect(file('1.34')).toBe('k8s-1.34.0.json');
    expect(file(36)).toBe('k8s-1.36.0.json');
    // The project's own file (schemas/, fetched from a real 1.37.2 API server).
    expect(file('1.37')).toBe('k8s-1.37.2.json');
    expect(path.dirname(schemaFileFor('1.37'))).toBe(PROJECT_SCHEMA_DIR);
  });

  test('otherwise the nearest newer schema is used', () => {
    expect(file('1.31')).toBe('k8s-1.34.0.json');
    expect(file('1.35')).toBe('k8s-1.36.0.json');
    expect(file('1.23')).toBe('k8s-1.30.0.json');
  });

  test('a target newer than every schema is an error naming the file to add', () => {
    expect(() => schemaFileFor('1.38')).toThrow(/no Kubernetes schema for 1\.38 or newer .* add it with: bash scripts\/kubernetes-schema\/fetch\.sh 1\.38/);
  });

  test('a malformed target is an error', () => {
    expect(() => schemaFileFor('latest')).toThrow(/kubernetesVersion 'latest' is not a Kubernetes minor/);
  });
});

describeWithShared('manifest validator: custom resources', () => {
  test('a custom resource that matches its CRD in the same set passes (and the CRD itself is valid)', () => {
    expect(validateManifests([widgetCrd(), widget({ size: 3, mode: 'Block', port: 'http', extra: { any: { thing: 1 } } })])).toEqual([]);
  });

  test('an unknown field in a custom resource spec is reported', () => {
    expect(validateManifests([widgetCrd(), widget({ size: 3, colour: 'blue' })])).toEqual([
      'Widget/w1: spec.colour: unknown field',
    ]);
  });

  test('enum, type, bound and required rules of the CRD schema are reported', () => {
    const findings = validateManifests([widgetCrd(), widget({ mode: 'Raw', port: 1.5 }), { ...widget({ size: 0 }), metadata: { name: 'w2', namespace: 'apps' } }]);
    expect(findings).toEqual([
      'Widget/w1: spec.size: missing required field',
      'Widget/w1: spec.mode: value string "Raw" is not one of ["Filesystem", "Block"]',
      'Widget/w1: spec.port: expected integer or string, got number 1.5',
      'Widget/w2: spec.size: value 0 is below the minimum 1',
    ]);
  });

  test('custom resource metadata is checked as Kubernetes ObjectMeta', () => {
    const w = { ...widget({ size: 1 }), metadata: { name: 'w1', labelz: { a: 'b' } } };
    expect(validateManifests([widgetCrd(), w])).toEqual(['Widget/w1: metadata.labelz: unknown field (did you mean "labels"?)']);
  });

  test('a CRD passed in opts.crds validates custom resources not rendered with it', () => {
    expect(validateManifests([widget({ size: 2, colour: 'blue' })], { crds: [widgetCrd()] })).toEqual([
      'Widget/w1: spec.colour: unknown field',
    ]);
  });

  test('a version the CRD does not serve is reported', () => {
    expect(validateManifests([widgetCrd(), widget({ size: 1 }, 'example.com/v0')])).toEqual([
      "Widget/w1: apiVersion: version 'v0' of CRD widgets.example.com is not served",
    ]);
  });

  test('a namespace on a cluster-scoped custom resource is reported', () => {
    expect(validateManifests([widgetCrd('Cluster'), widget({ size: 1 })])).toEqual([
      'Widget/w1: metadata.namespace: set on a cluster-scoped custom resource (CRD widgets.example.com)',
    ]);
  });

  test('a custom resource without any CRD is reported as having no schema', () => {
    const rule = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'snapshots', namespace: 'monitoring' }, spec: { groups: [] } };
    expect(validateManifests([rule])).toEqual([
      expect.stringMatching(/^PrometheusRule\/snapshots: \(object\): no schema: monitoring\.coreos\.com\/v1 PrometheusRule is neither in k8s-1\.37\.2\.json nor defined by a CustomResourceDefinition .*opts\.allowWithoutSchema with a reason$/),
    ]);
  });

  test('an allow-listed custom resource without a CRD passes; the allowance needs a reason', () => {
    const gate = { apiVersion: 'config.openshift.io/v1', kind: 'FeatureGate', metadata: { name: 'cluster' }, spec: {} };
    const allowance = { apiVersion: 'config.openshift.io/v1', kind: 'FeatureGate', reason: 'installed by OpenShift itself' };
    expect(validateManifests([gate], { allowWithoutSchema: [allowance] })).toEqual([]);
    expect(() => validateManifests([gate], { allowWithoutSchema: [{ ...allowance, reason: ' ' }] }))
      .toThrow(/allowWithoutSchema entry config\.openshift\.io\/v1 FeatureGate needs a reason/);
  });

  test('an allowance for one apiVersion does not cover another', () => {
    const gate = { apiVersion: 'config.openshift.io/v1alpha1', kind: 'FeatureGate', metadata: { name: 'cluster' } };
    const findings = validateManifests([gate], { allowWithoutSchema: [{ apiVersion: 'config.openshift.io/v1', kind: 'FeatureGate', reason: 'OpenShift' }] });
    expect(findings).toEqual([expect.stringMatching(/^FeatureGate\/cluster: \(object\): no schema/)]);
  });

  test('an undeclared field under a CRD object with no properties is reported (the apiserver prunes it)', () => {
    const crd = widgetCrd();
    (crd.spec.versions[0].schema.openAPIV3Schema.properties!.spec.properties as Record<string, unknown>).opaque = { type: 'object' };
    expect(validateManifests([crd, widget({ size: 1, opaque: { x: 1 } })])).toEqual([
      'Widget/w1: spec.opaque.x: unknown field (the schema declares no fields here, so the apiserver drops it)',
    ]);
  });
});

describeWithShared('manifest validator: CRD rules beyond the OpenAPI type', () => {
  test('a CRD whose name is not <plural>.<group> is reported', () => {
    const crd = widgetCrd();
    crd.metadata.name = 'widget.example.com';
    expect(validateManifests([crd])).toEqual([
      "CustomResourceDefinition/widget.example.com: metadata.name: must be 'widgets.example.com' (<spec.names.plural>.<spec.group>)",
    ]);
  });

  test('a CRD without exactly one storage version is reported', () => {
    const crd = widgetCrd();
    crd.spec.versions[1].storage = true;
    expect(validateManifests([crd])).toEqual([
      'CustomResourceDefinition/widgets.example.com: spec.versions: exactly one version must have storage: true (found 2)',
    ]);
  });

  test('a non-structural schema (untyped node) is reported', () => {
    const crd = widgetCrd();
    (crd.spec.versions[0].schema.openAPIV3Schema.properties!.spec.properties as Record<string, unknown>).loose = { description: 'no type' };
    expect(validateManifests([crd])).toEqual([
      'CustomResourceDefinition/widgets.example.com: spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.loose: structural schema: type is missing',
    ]);
  });

  test('a map-list whose key is neither required nor defaulted is reported', () => {
    const crd = widgetCrd();
    (crd.spec.versions[0].schema.openAPIV3Schema.properties!.spec.properties as Record<string, unknown>).ports = {
      type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', properties: { name: { type: 'string' } } },
    };
    expect(validateManifests([crd])).toEqual([
      "CustomResourceDefinition/widgets.example.com: spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.ports: map-list key 'name' must be required or have a default in items",
    ]);
  });
});

describeWithShared('manifest validator: against upstream reference manifests', () => {
  const upstream = sharedPath('reference', 'upstream', 'external-snapshotter-v8.6.0');
  const load = (...files: string[]) => files.flatMap((f) =>
    YAML.parseAllDocuments(fs.readFileSync(path.join(upstream, f), 'utf8')).map((d) => d.toJSON()).filter((o) => o && o.kind));
  const crds = () => load(
    'crd/snapshot.storage.k8s.io_volumesnapshotclasses.yaml',
    'crd/snapshot.storage.k8s.io_volumesnapshotcontents.yaml',
    'crd/snapshot.storage.k8s.io_volumesnapshots.yaml',
  ).map((c) => { delete c.metadata.creationTimestamp; return c; }); // controller-gen writes null here

  test('the upstream snapshot examples pass against the upstream CRDs', () => {
    const examples = load('examples/snapshot-v1.yaml', 'examples/snapshotclass-v1.yaml', 'examples/pvc.yaml', 'examples/restore.yaml');
    expect(examples.length).toBeGreaterThanOrEqual(4);
    expect(validateManifests(examples, { crds: crds(), kubernetesVersion: '1.30' })).toEqual([]);
  });

  test('a VolumeSnapshotContent with a bad deletionPolicy is caught by the upstream CRD enum', () => {
    const content = {
      apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotContent', metadata: { name: 'c1' },
      spec: {
        deletionPolicy: 'Keep', driver: 'hostpath.csi.k8s.io', source: { snapshotHandle: 'h1' }, sourceVolumeMode: 'Filesystem',
        volumeSnapshotRef: { name: 's1', namespace: 'default' },
      },
    };
    expect(validateManifests([content], { crds: crds() })).toEqual([
      'VolumeSnapshotContent/c1: spec.deletionPolicy: value string "Keep" is not one of ["Delete", "Retain"]',
    ]);
  });
});

describeWithShared('manifest validator: expectValid and speed', () => {
  test('expectValid is silent on valid objects and lists every finding otherwise', () => {
    expect(() => expectValid([deployment()])).not.toThrow();
    const second = deployment(undefined, { replicas: '2' });
    second.metadata.name = 'web-2';
    expect(() => expectValid([deployment({ image: 'x:1' }), second]))
      .toThrow(/2 problem\(s\) in 2 rendered objects \(Kubernetes 37\):\n {2}Deployment\/web: .*containers\[0\]\.name: missing required field\n {2}Deployment\/web-2: spec\.replicas: expected integer/);
  });

  test('expectValid refuses an empty list (a chart that rendered nothing is not "valid")', () => {
    expect(() => expectValid([])).toThrow(/no objects to validate/);
  });

  test('structured findings carry object, path and problem separately', () => {
    expect(findManifestProblems([deployment({ image: 'x:1' })])).toEqual([
      { object: 'Deployment/web', path: 'spec.template.spec.containers[0].name', problem: 'missing required field' },
    ]);
  });

  test('validates thousands of objects quickly (compiled once, cached)', () => {
    const objects: unknown[] = [widgetCrd()];
    for (let i = 0; i < 3000; i++) {
      const d = deployment();
      d.metadata.name = `web-${i}`;
      objects.push(d, { ...widget({ size: i + 1 }), metadata: { name: `w-${i}`, namespace: 'apps' } });
    }
    validateManifests(objects.slice(0, 3)); // schema load and compile are one-off costs
    const start = performance.now();
    const findings = validateManifests(objects);
    const seconds = (performance.now() - start) / 1000;
    const rate = Math.round(objects.length / seconds);
    console.log(`manifest validator: ${objects.length} objects in ${(seconds * 1000).toFixed(0)} ms = ${rate} objects/s`);
    expect(findings).toEqual([]);
    // Measured ~60-80k objects/s on the 2-core CI box; the floor leaves room for a busy machine.
    expect(rate).toBeGreaterThan(5000);
  });
});
