/**
 * The catalog's sidecar RBAC equals upstream's rbac.yaml at the newest release whose file can be
 * read here (../shared/reference/upstream): with every optional feature on it grants exactly
 * upstream's full file (including the rules upstream ships commented out for optional features);
 * with every feature off it drops exactly those optional rules. The late-2026 releases (v8.7.0,
 * v6.4.0, v2.3.0, v0.19.0) have no readable rbac.yaml here; the last test pins what the catalog
 * grants them relative to the checked file, so any change there is a reviewed decision.
 */
import * as fs from 'node:fs';
import { expect, it } from 'vitest';
import * as YAML from 'yaml';
import {
  Component, COMPONENT_RELEASES, FEATURE_CROSS_NAMESPACE_DATA_SOURCE, FEATURE_SECRETS, FEATURE_STORAGE_CAPACITY,
  RbacRule, rbacRuleSet,
} from '../src/catalog';
import { describeWithShared, sharedPath } from './support/shared';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

/** One rule per (group, resource) with sorted verbs, so order in the files does not matter. */
function canonical(rules: readonly RbacRule[]): string[] {
  const out: string[] = [];
  for (const r of rules) {
    for (const g of r.apiGroups) {
      for (const res of r.resources) out.push(`${g || 'core'}/${res}: ${[...r.verbs].sort().join(',')}`);
    }
  }
  return out.sort();
}

interface Upstream {
  cluster: Rule[];
  namespaced: Rule[];
  /** Rules upstream ships commented out (to be uncommented for optional features). */
  commented: Rule[];
}

function loadUpstream(file: string): Upstream {
  const text = fs.readFileSync(sharedPath('reference', 'upstream', file), 'utf8');
  const docs = YAML.parseAllDocuments(text).map((d) => d.toJSON()).filter(Boolean);
  const cluster = docs.filter((d) => d.kind === 'ClusterRole').flatMap((d) => d.rules as Rule[]);
  const namespaced = docs.filter((d) => d.kind === 'Role').flatMap((d) => d.rules as Rule[]);
  const commented: Rule[] = [];
  const re = /#\s*-\s*apiGroups:\s*(\[[^\]]*\])\s*\n\s*#\s*resources:\s*(\[[^\]]*\])\s*\n\s*#\s*verbs:\s*(\[[^\]]*\])/g;
  for (const m of text.matchAll(re)) {
    commented.push({ apiGroups: JSON.parse(m[1]), resources: JSON.parse(m[2]), verbs: JSON.parse(m[3]) });
  }
  return { cluster, namespaced, commented };
}

interface Case {
  component: Component;
  file: string;
  /** Optional rules, as upstream documents them in comments next to each rule. */
  optionalCluster: string[];
  optionalNamespaced: string[];
}

const CASES: Case[] = [
  {
    component: Component.CSI_PROVISIONER,
    file: 'external-provisioner-v6.3.0/rbac.yaml',
    // Commented out upstream: secrets ("plugins that require secrets"), referencegrants (alpha cross-namespace sources).
    optionalCluster: ['core/secrets: get,list', 'gateway.networking.k8s.io/referencegrants: get,list,watch'],
    // "only needed enabling the publishing of storage capacity information" + the owner walk.
    optionalNamespaced: ['apps/replicasets: get', 'core/pods: get', 'storage.k8s.io/csistoragecapacities: create,delete,get,list,patch,update,watch'],
  },
  {
    component: Component.CSI_ATTACHER,
    file: 'external-attacher-v4.12.0/rbac.yaml',
    optionalCluster: ['core/secrets: get,list'],
    optionalNamespaced: [],
  },
  {
    component: Component.CSI_RESIZER,
    file: 'external-resizer-v2.2.1/rbac.yaml',
    optionalCluster: ['core/secrets: get,list,watch'],
    optionalNamespaced: [],
  },
  {
    component: Component.CSI_SNAPSHOTTER,
    file: 'external-snapshotter-v8.6.0/rbac-csi-snapshotter.yaml',
    optionalCluster: ['core/secrets: get,list'],
    optionalNamespaced: [],
  },
  {
    component: Component.CSI_EXTERNAL_HEALTH_MONITOR_CONTROLLER,
    file: 'external-health-monitor-v0.18.0/rbac.yaml',
    optionalCluster: [],
    optionalNamespaced: [],
  },
];

function pinnedTag(component: Component): string {
  return COMPONENT_RELEASES[component][0].tag;
}

/** The release of an upstream file, from its folder name (`external-resizer-v2.2.1/rbac.yaml` -> v2.2.1). */
function fileTag(file: string): string {
  return /-(v\d+\.\d+\.\d+)\//.exec(file)![1];
}

describeWithShared('sidecar RBAC parity with upstream rbac.yaml', () => {
  for (const c of CASES) {
    it(`${c.component} ${fileTag(c.file)} with every feature on equals upstream's full file`, () => {
      const set = rbacRuleSet(c.component, fileTag(c.file));
      expect(set, `no rule set for ${c.component} ${fileTag(c.file)}`).toBeDefined();
      const up = loadUpstream(c.file);
      const optional = Object.values(set!.optional);
      const ours = {
        cluster: canonical([...set!.cluster, ...optional.flatMap((o) => o.cluster ?? [])]),
        namespaced: canonical([...set!.namespaced, ...optional.flatMap((o) => o.namespaced ?? [])]),
      };
      expect(ours.cluster).toEqual(canonical([...up.cluster, ...up.commented]));
      expect(ours.namespaced).toEqual(canonical(up.namespaced));
    });

    it(`${c.component} ${fileTag(c.file)} with every feature off drops exactly the optional rules`, () => {
      const set = rbacRuleSet(c.component, fileTag(c.file))!;
      const up = loadUpstream(c.file);
      const fullCluster = canonical([...up.cluster, ...up.commented]);
      const fullNamespaced = canonical(up.namespaced);
      const offCluster = canonical(set.cluster);
      const offNamespaced = canonical(set.namespaced);
      expect(fullCluster.filter((r) => !offCluster.includes(r))).toEqual([...c.optionalCluster].sort());
      expect(fullNamespaced.filter((r) => !offNamespaced.includes(r))).toEqual([...c.optionalNamespaced].sort());
      // Nothing granted beyond upstream.
      expect(offCluster.filter((r) => !fullCluster.includes(r))).toEqual([]);
    });
  }

  it('each pinned release grants what the checked file grants, plus only the documented additions', () => {
    // Release notes of v8.7.0, v6.4.0 and v2.3.0 list no RBAC change (FACTS §0.2); v0.19.0 writes PVC status.
    const added: Partial<Record<Component, string[]>> = {
      [Component.CSI_EXTERNAL_HEALTH_MONITOR_CONTROLLER]: ['core/persistentvolumeclaims/status: patch'],
    };
    for (const c of CASES) {
      const pinned = rbacRuleSet(c.component, pinnedTag(c.component))!;
      const checked = rbacRuleSet(c.component, fileTag(c.file))!;
      const extra = canonical(pinned.cluster).filter((r) => !canonical(checked.cluster).includes(r));
      expect([c.component, extra]).toEqual([c.component, added[c.component] ?? []]);
      expect(canonical(checked.cluster).filter((r) => !canonical(pinned.cluster).includes(r))).toEqual([]);
      expect(canonical(pinned.namespaced)).toEqual(canonical(checked.namespaced));
    }
  });

  it('the provisioner optional rules are keyed by the features that need them', () => {
    const set = rbacRuleSet(Component.CSI_PROVISIONER, pinnedTag(Component.CSI_PROVISIONER))!;
    expect(canonical(set.optional[FEATURE_SECRETS].cluster ?? [])).toEqual(['core/secrets: get,list']);
    expect(canonical(set.optional[FEATURE_CROSS_NAMESPACE_DATA_SOURCE].cluster ?? []))
      .toEqual(['gateway.networking.k8s.io/referencegrants: get,list,watch']);
    expect(canonical(set.optional[FEATURE_STORAGE_CAPACITY].namespaced ?? [])).toContain('storage.k8s.io/csistoragecapacities: create,delete,get,list,patch,update,watch');
  });
});

it('the v5 provisioner line lacks the v6.2 snapshot finalizer verbs (FACTS §d)', () => {
  const v5 = rbacRuleSet(Component.CSI_PROVISIONER, 'v5.3.0')!;
  const v6 = rbacRuleSet(Component.CSI_PROVISIONER, 'v6.3.0')!;
  expect(canonical(v5.cluster)).toContain('snapshot.storage.k8s.io/volumesnapshots: get,list');
  expect(canonical(v6.cluster)).toContain('snapshot.storage.k8s.io/volumesnapshots: get,list,update,watch');
  expect(rbacRuleSet(Component.CSI_PROVISIONER, 'v4.0.0')).toBeUndefined();
});
