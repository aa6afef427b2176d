/**
 * SnapshotCrds: parity with the upstream external-snapshotter CRDs (everything but prose), plus the
 * behaviours this project relies on (sourceVolumeMode rules, v1beta1 not served, opt-in group CRDs).
 */
import * as fs from 'node:fs';
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import * as YAML from 'yaml';
import { KEEP_ON_PRUNE_ANNOTATIONS, SNAPSHOT_CRD_RELEASE } from '../src/catalog';
import { SnapshotCrds, SnapshotCrdsProps } from '../src/constructs/platform/snapshot-crds';
import { ALL_SNAPSHOT_CRDS, crdName, crdSchema, GROUP_SNAPSHOT_CRDS, SNAPSHOT_CRDS } from '../src/crds';
import { describeWithShared, sharedPath } from './support/shared';
import { withoutRecommendedLabels } from './support/synth';

type Json = any;

function synth(props?: SnapshotCrdsProps): Json[] {
  const chart = Testing.chart();
  new SnapshotCrds(chart, 'Crds', props);
  return Testing.synth(chart);
}

function byName(docs: Json[]): Map<string, Json> {
  return new Map(docs.map((d) => [d.metadata.name, d]));
}

/** The release whose CRD files ours match (the catalog says why it may trail the pinned controller). */
const RELEASE = SNAPSHOT_CRD_RELEASE;
const upstreamDir = (tag: string) => sharedPath('reference', 'upstream', `external-snapshotter-${tag}`, 'crd');

function loadUpstream(tag: string, file: string): Json {
  return YAML.parse(fs.readFileSync(`${upstreamDir(tag)}/${file}`, 'utf8'));
}

/** Removes prose: `description` keys, except where `description` would be a field name under `properties`. */
function withoutDescriptions(value: Json, parentKey = ''): Json {
  if (Array.isArray(value)) return value.map((v) => withoutDescriptions(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value)
      .filter(([k]) => parentKey === 'properties' || k !== 'description')
      .map(([k, v]) => [k, withoutDescriptions(v, k)]));
  }
  return value;
}

/** Every difference as `path: ours vs upstream`; arrays compare by position. */
function differences(ours: Json, theirs: Json, path = '$'): string[] {
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(ours.length, theirs.length); i++) out.push(...differences(ours[i], theirs[i], `${path}[${i}]`));
    return out;
  }
  const isObj = (v: Json) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(ours) && isObj(theirs)) {
    const keys = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].sort();
    return keys.flatMap((k) => differences(ours[k], theirs[k], `${path}.${k}`));
  }
  return JSON.stringify(ours) === JSON.stringify(theirs) ? [] : [`${path}: ours ${JSON.stringify(ours)} vs upstream ${JSON.stringify(theirs)}`];
}

/** All `description` strings of a document, whitespace-normalised. */
function descriptions(value: Json, parentKey = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => descriptions(v, '', out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'description' && parentKey !== 'properties' && typeof v === 'string') out.add(v.replace(/\s+/g, ' ').trim());
      else descriptions(v, k, out);
    }
  }
  return out;
}

const CONTROLLER_GEN_ANNOTATION = 'controller-gen.kubebuilder.io/version';

describeWithShared(`SnapshotCrds matches upstream external-snapshotter ${RELEASE} CRDs`, () => {
  // Collection runs even when the block is skipped, so nothing here may touch ../shared eagerly.
  const ours = byName(synth({ groupSnapshots: true }));

  test('renders exactly the CRDs the upstream kustomization lists', () => {
    const kustomization = loadUpstream(RELEASE, 'kustomization.yaml');
    const upstreamNames = (kustomization.resources as string[])
      .map((f) => f.replace(/\.yaml$/, '').split('_'))
      .map(([group, plural]) => `${plural}.${group}`);
    expect([...ours.keys()].sort()).toEqual(upstreamNames.sort());
  });

  for (const crd of ALL_SNAPSHOT_CRDS) {
    const file = `${crd.group}_${crd.plural}.yaml`;

    test(`${crdName(crd)} equals ${file} except descriptions`, () => {
      const upstream = loadUpstream(RELEASE, file);
      // Two deliberate omissions, each pinned by the next test: controller-gen's tool-version
      // annotation (we are not controller-gen output) and the server-owned empty status stub.
      delete upstream.metadata.annotations[CONTROLLER_GEN_ANNOTATION];
      delete upstream.status;
      // Deliberate additions, pinned elsewhere: the annotations that keep GitOps tools from pruning
      // the CRD (below) and the app.kubernetes.io labels of every object (dist-review.test.ts).
      const mine = withoutRecommendedLabels(ours.get(crdName(crd)));
      for (const key of Object.keys(KEEP_ON_PRUNE_ANNOTATIONS)) delete mine.metadata.annotations[key];
      const diffs = differences(withoutDescriptions(mine), withoutDescriptions(upstream));
      expect(diffs, `differences from upstream:\n${diffs.join('\n')}`).toEqual([]);
    });

    test(`${crdName(crd)}: what the parity test leaves out carries no information`, () => {
      const upstream = loadUpstream(RELEASE, file);
      // Some upstream files carry controller-gen's empty status stub, the group ones none at all.
      if (upstream.status !== undefined) {
        expect(upstream.status).toEqual({ acceptedNames: { kind: '', plural: '' }, conditions: [], storedVersions: [] });
      }
      expect(ours.get(crdName(crd)).status).toBeUndefined();
      expect(ours.get(crdName(crd)).metadata.annotations).not.toHaveProperty(CONTROLLER_GEN_ANNOTATION);
    });

    test(`${crdName(crd)}: Argo CD and Flux never prune or delete it`, () => {
      expect(ours.get(crdName(crd)).metadata.annotations).toMatchObject({
        'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
        'kustomize.toolkit.fluxcd.io/prune': 'disabled',
      });
    });

    test(`${crdName(crd)}: descriptions are our own, not upstream prose`, () => {
      const theirs = descriptions(loadUpstream(RELEASE, file));
      const copied = [...descriptions(ours.get(crdName(crd)))].filter((d) => theirs.has(d));
      expect(copied).toEqual([]);
    });
  }

  test('the differences() helper reports a readable path (so a failing parity test is actionable)', () => {
    const upstream = withoutDescriptions(loadUpstream(RELEASE, 'snapshot.storage.k8s.io_volumesnapshotcontents.yaml'));
    const tampered = structuredClone(upstream);
    tampered.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.sourceVolumeMode['x-kubernetes-validations'][0].message = 'changed';
    expect(differences(tampered, upstream)).toEqual([
      '$.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.sourceVolumeMode.x-kubernetes-validations[0].message: ' +
      'ours "changed" vs upstream "sourceVolumeMode is immutable"',
    ]);
  });

  test('v7.0.0 already had spec.sourceVolumeMode but no CEL rule guarding it; ours has both rules', () => {
    const v7 = loadUpstream('v7.0.0', 'snapshot.storage.k8s.io_volumesnapshotcontents.yaml');
    const v7spec = v7.spec.versions.find((v: Json) => v.name === 'v1').schema.openAPIV3Schema.properties.spec;
    expect(v7spec.properties.sourceVolumeMode.type).toBe('string');
    expect(JSON.stringify(v7)).not.toContain('x-kubernetes-validations');
    const spec = crdSchema('VolumeSnapshotContent', 'v1').properties!.spec!;
    expect(spec.properties!.sourceVolumeMode!['x-kubernetes-validations']).toHaveLength(1);
    expect(spec['x-kubernetes-validations']).toHaveLength(1);
  });
});

describe('SnapshotCrds', () => {
  test('spec.sourceVolumeMode is immutable and cannot be removed once set (rendered CRD, v1)', () => {
    const vsc = byName(synth()).get('volumesnapshotcontents.snapshot.storage.k8s.io');
    const spec = vsc.spec.versions.find((v: Json) => v.name === 'v1').schema.openAPIV3Schema.properties.spec;
    expect(spec.properties.sourceVolumeMode['x-kubernetes-validations']).toEqual([
      { rule: 'self == oldSelf', message: 'sourceVolumeMode is immutable' },
    ]);
    expect(spec['x-kubernetes-validations']).toEqual([
      { rule: '!has(oldSelf.sourceVolumeMode) || has(self.sourceVolumeMode)', message: 'sourceVolumeMode is required once set' },
    ]);
  });

  test('the sourceVolumeMode rules reject a change and a removal when evaluated as CEL', async () => {
    const { evaluate } = await import('@marcbachmann/cel-js');
    const spec = crdSchema('VolumeSnapshotContent').properties!.spec!;
    const fieldRule = spec.properties!.sourceVolumeMode!['x-kubernetes-validations']![0].rule;
    const specRule = spec['x-kubernetes-validations']![0].rule;
    expect(evaluate(fieldRule, { self: 'Block', oldSelf: 'Filesystem' })).toBe(false);
    expect(evaluate(fieldRule, { self: 'Block', oldSelf: 'Block' })).toBe(true);
    expect(evaluate(specRule, { self: { driver: 'd' }, oldSelf: { driver: 'd', sourceVolumeMode: 'Block' } })).toBe(false);
    expect(evaluate(specRule, { self: { driver: 'd', sourceVolumeMode: 'Block' }, oldSelf: { driver: 'd' } })).toBe(true);
    expect(evaluate(specRule, { self: { driver: 'd' }, oldSelf: { driver: 'd' } })).toBe(true);
  });

  test('snapshot.storage.k8s.io v1beta1 is listed, deprecated and not served; v1 is served and stored', () => {
    for (const crd of synth().filter((d) => d.spec.group === 'snapshot.storage.k8s.io')) {
      const versions = Object.fromEntries(crd.spec.versions.map((v: Json) => [v.name, v]));
      expect(Object.keys(versions), crd.metadata.name).toEqual(['v1', 'v1beta1']);
      expect(versions.v1beta1, crd.metadata.name).toMatchObject({ served: false, storage: false, deprecated: true });
      expect(versions.v1, crd.metadata.name).toMatchObject({ served: true, storage: true });
    }
  });

  test('every CRD has exactly one storage version', () => {
    for (const crd of synth({ groupSnapshots: true })) {
      expect(crd.spec.versions.filter((v: Json) => v.storage), crd.metadata.name).toHaveLength(1);
    }
  });

  test('group snapshot CRDs are rendered by default (v8.7 controllers look for them at start), without a conversion webhook', () => {
    const docs = synth();
    expect(docs.map((d) => d.metadata.name).sort()).toEqual([
      'volumegroupsnapshotclasses.groupsnapshot.storage.k8s.io',
      'volumegroupsnapshotcontents.groupsnapshot.storage.k8s.io',
      'volumegroupsnapshots.groupsnapshot.storage.k8s.io',
      'volumesnapshotclasses.snapshot.storage.k8s.io',
      'volumesnapshotcontents.snapshot.storage.k8s.io',
      'volumesnapshots.snapshot.storage.k8s.io',
    ]);
    for (const crd of docs.filter((d) => d.spec.group === 'groupsnapshot.storage.k8s.io')) {
      // v8.6.0's conversion webhook cannot convert v1 (FACTS §0.2): never a Webhook strategy.
      expect([crd.metadata.name, crd.spec.conversion?.strategy ?? 'None']).toEqual([crd.metadata.name, 'None']);
      expect(crd.spec.versions.find((v: Json) => v.name === 'v1')?.served).toBe(true);
    }
  });

  test('groupSnapshots: false leaves the group snapshot CRDs out', () => {
    const docs = synth({ groupSnapshots: false });
    expect(docs.map((d) => d.metadata.name).sort()).toEqual([
      'volumesnapshotclasses.snapshot.storage.k8s.io',
      'volumesnapshotcontents.snapshot.storage.k8s.io',
      'volumesnapshots.snapshot.storage.k8s.io',
    ]);
    expect(docs.some((d) => d.spec.group === 'groupsnapshot.storage.k8s.io')).toBe(false);
  });

  test('groupSnapshots: true adds the three group snapshot CRDs', () => {
    const names = synth({ groupSnapshots: true }).map((d) => d.metadata.name);
    expect(names).toHaveLength(6);
    expect(names).toEqual(expect.arrayContaining([
      'volumegroupsnapshotclasses.groupsnapshot.storage.k8s.io',
      'volumegroupsnapshotcontents.groupsnapshot.storage.k8s.io',
      'volumegroupsnapshots.groupsnapshot.storage.k8s.io',
    ]));
  });

  test('exposes each CRD under a stable id named after its kind', () => {
    const chart = Testing.chart();
    const crds = new SnapshotCrds(chart, 'Crds', { groupSnapshots: true });
    expect(crds.volumeSnapshotContent.node.id).toBe('VolumeSnapshotContent');
    expect(crds.volumeSnapshotContent.name).toBe('volumesnapshotcontents.snapshot.storage.k8s.io');
    expect(crds.volumeSnapshot.name).toBe('volumesnapshots.snapshot.storage.k8s.io');
    expect(crds.volumeSnapshotClass.name).toBe('volumesnapshotclasses.snapshot.storage.k8s.io');
    expect(crds.volumeGroupSnapshotContent?.name).toBe('volumegroupsnapshotcontents.groupsnapshot.storage.k8s.io');
    expect(crds.crds.map((c) => c.node.id)).toEqual([...SNAPSHOT_CRDS, ...GROUP_SNAPSHOT_CRDS].map((c) => c.kind));
  });

  test('group CRD handles are undefined without groupSnapshots', () => {
    const crds = new SnapshotCrds(Testing.chart(), 'Crds', { groupSnapshots: false });
    expect(crds.volumeGroupSnapshot).toBeUndefined();
    expect(crds.volumeGroupSnapshotClass).toBeUndefined();
    expect(crds.volumeGroupSnapshotContent).toBeUndefined();
  });

  test('output is deterministic: two synths are byte-identical YAML', () => {
    const render = () => synth({ groupSnapshots: true }).map((d) => YAML.stringify(d)).join('---\n');
    expect(render()).toBe(render());
  });

  test('every CRD in *.k8s.io carries the api-approved annotation the API server demands', () => {
    for (const crd of synth({ groupSnapshots: true })) {
      expect(crd.metadata.annotations['api-approved.kubernetes.io'], crd.metadata.name)
        .toMatch(/^https:\/\/github\.com\/kubernetes-csi\/external-snapshotter\/pull\/\d+$/);
    }
  });

  test('groupSnapshots that is not a boolean is refused, naming the prop, value and fix', () => {
    expect(() => new SnapshotCrds(Testing.chart(), 'Crds', { groupSnapshots: 'yes' as unknown as boolean }))
      .toThrow(/groupSnapshots 'yes' is not a boolean; set groupSnapshots to true or false/);
  });

  test('crdSchema returns a copy the caller may change without affecting rendering', () => {
    const schema = crdSchema('VolumeSnapshotContent', 'v1') as Json;
    schema.properties.spec.properties.sourceVolumeMode['x-kubernetes-validations'] = [];
    expect(crdSchema('VolumeSnapshotContent', 'v1').properties!.spec!.properties!.sourceVolumeMode!['x-kubernetes-validations']).toHaveLength(1);
  });

  test('crdSchema refuses an unknown version and lists the known ones', () => {
    expect(() => crdSchema('VolumeSnapshot', 'v2')).toThrow(/VolumeSnapshot has no version 'v2'; use one of v1, v1beta1/);
  });

  test('crdSchema refuses an unknown kind and lists the known ones', () => {
    expect(() => crdSchema('PersistentVolume' as never)).toThrow(/kind 'PersistentVolume' is not a snapshot CRD kind; use one of VolumeSnapshotClass/);
  });
});
