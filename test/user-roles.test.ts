import * as fs from 'node:fs';
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SnapshotUserRoles, SnapshotUserRolesProps } from '../src/constructs/platform/snapshot-user-roles';
import { k8sSchemaErrors } from './support/class-schemas';
import { describeWithShared, sharedPath } from './support/shared';

interface Rule { apiGroups: string[]; resources: string[]; verbs: string[] }

function render(props: SnapshotUserRolesProps = {}) {
  const chart = Testing.chart();
  new SnapshotUserRoles(chart, 'Users', props);
  return Testing.synth(chart) as Array<{ kind: string; metadata: { name: string; labels?: Record<string, string> }; rules?: Rule[]; subjects?: unknown[]; roleRef?: unknown }>;
}

/**
 * What a user bound to a built-in role may do, following the aggregation chain Kubernetes sets up:
 * admin aggregates roles labelled aggregate-to-admin (including the built-in edit), edit aggregates
 * aggregate-to-edit (including the built-in view), view aggregates aggregate-to-view.
 */
function effective(objects: ReturnType<typeof render>, role: 'admin' | 'edit' | 'view'): Rule[] {
  const chain = { admin: ['admin', 'edit', 'view'], edit: ['edit', 'view'], view: ['view'] }[role];
  return objects
    .filter((o) => o.kind === 'ClusterRole' && chain.some((r) => o.metadata.labels?.[`rbac.authorization.k8s.io/aggregate-to-${r}`] === 'true'))
    .flatMap((o) => o.rules ?? []);
}

function allows(rules: Rule[], group: string, resource: string, verb: string): boolean {
  return rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
}

describe('SnapshotUserRoles', () => {
  test('admin and edit users can create, list and delete VolumeSnapshots', () => {
    const objects = render();
    for (const role of ['admin', 'edit'] as const) {
      for (const verb of ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete']) {
        expect(allows(effective(objects, role), 'snapshot.storage.k8s.io', 'volumesnapshots', verb), `${role} ${verb}`).toBe(true);
      }
    }
  });

  test('view users can read VolumeSnapshots but not change them', () => {
    const view = effective(render(), 'view');
    for (const verb of ['get', 'list', 'watch']) expect(allows(view, 'snapshot.storage.k8s.io', 'volumesnapshots', verb)).toBe(true);
    for (const verb of ['create', 'update', 'patch', 'delete', 'deletecollection']) {
      expect(allows(view, 'snapshot.storage.k8s.io', 'volumesnapshots', verb), verb).toBe(false);
    }
  });

  test('no aggregated role touches VolumeSnapshotContents or uses wildcards', () => {
    const objects = render({ groupSnapshots: true });
    for (const rule of objects.flatMap((o) => o.rules ?? [])) {
      expect(rule.resources).not.toContain('volumesnapshotcontents');
      expect(rule.resources).not.toContain('volumegroupsnapshotcontents');
      for (const field of [rule.apiGroups, rule.resources, rule.verbs]) expect(field).not.toContain('*');
    }
  });

  test('class reading is not aggregated (a RoleBinding cannot reach cluster-scoped classes)', () => {
    const objects = render();
    for (const role of ['admin', 'edit', 'view'] as const) {
      expect(allows(effective(objects, role), 'snapshot.storage.k8s.io', 'volumesnapshotclasses', 'list')).toBe(false);
    }
    const reader = objects.find((o) => o.metadata.name === 'csi-snapshot-guard-volumesnapshotclasses-reader')!;
    expect(Object.keys(reader.metadata.labels ?? {}).filter((k) => k.startsWith('rbac.authorization.k8s.io/'))).toEqual([]);
    expect(allows(reader.rules!, 'snapshot.storage.k8s.io', 'volumesnapshotclasses', 'list')).toBe(true);
    expect(objects.some((o) => o.kind === 'ClusterRoleBinding')).toBe(false);
  });

  test('classReaderGroups binds the class reader cluster-wide to those groups only', () => {
    const binding = render({ classReaderGroups: ['team-b', 'system:authenticated'] }).find((o) => o.kind === 'ClusterRoleBinding')!;
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'csi-snapshot-guard-volumesnapshotclasses-reader' });
    expect(binding.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'team-b' },
    ]);
  });

  test('names are stable and follow the prefix', () => {
    expect(render().map((o) => o.metadata.name).sort()).toEqual([
      'csi-snapshot-guard-volumesnapshotclasses-reader', 'csi-snapshot-guard-volumesnapshots-edit', 'csi-snapshot-guard-volumesnapshots-view',
    ]);
    expect(render({ namePrefix: 'acme' }).map((o) => o.metadata.name)).toContain('acme-volumesnapshots-edit');
  });

  test('group snapshots are granted only when asked for', () => {
    expect(allows(effective(render(), 'edit'), 'groupsnapshot.storage.k8s.io', 'volumegroupsnapshots', 'create')).toBe(false);
    const objects = render({ groupSnapshots: true });
    expect(allows(effective(objects, 'edit'), 'groupsnapshot.storage.k8s.io', 'volumegroupsnapshots', 'create')).toBe(true);
    expect(allows(effective(objects, 'view'), 'groupsnapshot.storage.k8s.io', 'volumegroupsnapshots', 'delete')).toBe(false);
  });

  describe('bad input', () => {
    test('a prefix that makes invalid names', () => {
      expect(() => render({ namePrefix: 'CSI Guard' })).toThrow(/Users: namePrefix 'CSI Guard' does not make valid ClusterRole names \(e.g. 'CSI Guard-volumesnapshots-edit'\); use lower-case letters/);
    });
    test('a wildcard or empty group', () => {
      expect(() => render({ classReaderGroups: ['*'] })).toThrow(/classReaderGroups\[0\] '\*' is not a group name; name an existing group/);
      expect(() => render({ classReaderGroups: [''] })).toThrow(/classReaderGroups\[0\] '' is not a group name/);
    });
    test('a group listed twice', () => {
      expect(() => render({ classReaderGroups: ['a', 'a'] })).toThrow(/classReaderGroups \["a","a"\] lists a group twice; list each group once/);
    });
  });
});

describeWithShared('SnapshotUserRoles against the reference data', () => {
  const crdScope = (dir: string, file: string) => {
    const crd = parseAllDocuments(fs.readFileSync(sharedPath('reference', 'upstream', dir, 'crd', file), 'utf8'))
      .map((d) => d.toJS()).find((d) => d?.kind === 'CustomResourceDefinition');
    return { plural: crd.spec.names.plural as string, group: crd.spec.group as string, scope: crd.spec.scope as string };
  };

  test('every resource in an aggregated role is namespaced according to the v8.6.0 CRDs', () => {
    const scopes = fs.readdirSync(sharedPath('reference', 'upstream', 'external-snapshotter-v8.6.0', 'crd'))
      .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').map((f) => crdScope('external-snapshotter-v8.6.0', f));
    const objects = render({ groupSnapshots: true });
    const aggregated = (['admin', 'edit', 'view'] as const).flatMap((r) => effective(objects, r));
    expect(aggregated.length).toBeGreaterThan(0);
    for (const rule of aggregated) {
      for (const resource of rule.resources) {
        const crd = scopes.find((s) => s.plural === resource && rule.apiGroups.includes(s.group));
        expect(crd, resource).toBeDefined();
        expect(crd!.scope, resource).toBe('Namespaced');
      }
    }
  });

  test('rendered objects are valid against the Kubernetes 1.36 schema', () => {
    for (const o of render({ classReaderGroups: ['system:authenticated'], labels: { team: 'storage' } })) {
      expect(k8sSchemaErrors(`io.k8s.api.rbac.v1.${o.kind}`, o), o.metadata.name).toEqual([]);
    }
  });
});
