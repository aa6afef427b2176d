import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { expect, it } from 'vitest';
import { SnapshotUserRoles, VolumeModeGuard } from '../../src';

it('the README cdk8s-plus example binds and exempts cdk8s-plus subjects', () => {
  const chart = Testing.chart();
  // --- README example (between the markers) ---
  const velero = kplus.ServiceAccount.fromServiceAccountName(chart, 'Velero', 'velero', { namespaceName: 'velero' });
  new VolumeModeGuard(chart, 'Guard', {
    approvers: [kplus.Group.fromName(chart, 'Admins', 'storage-admins')],
    exempt: { restoreKeepsVolumeMode: { subjects: [velero] } },
  });
  // --- end of README example ---
  const objects = Testing.synth(chart);
  const binding = objects.find((o) => o.kind === 'ClusterRoleBinding');
  expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'storage-admins' }]);
  const restore = objects.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === 'snapshot-restore-keeps-volume-mode');
  expect(restore.spec.matchConditions.map((c: { expression: string }) => c.expression).join('\n'))
    .toContain("'system:serviceaccount:velero:velero'");
});

it('a cdk8s-plus User where a Group is needed, and a group that exempts everyone, fail with the fix', () => {
  const chart = Testing.chart();
  expect(() => new SnapshotUserRoles(chart, 'Roles', { classReaderGroups: [kplus.User.fromName(chart, 'Alice', 'alice')] }))
    .toThrow(/classReaderGroups\[0\]\.kind 'User' is not a Group: this binding is for groups; pass a group name or a cdk8s-plus Group/);
  expect(() => new VolumeModeGuard(Testing.chart(), 'Guard', { exempt: { restoreKeepsVolumeMode: { groups: ['system:authenticated'] } } }))
    .toThrow(/exempt\.groups 'system:authenticated' exempts every signed-in user, so the policy would guard nothing; exempt the few users/);
  expect(() => new VolumeModeGuard(Testing.chart(), 'Guard', { approvers: [{ kind: 'ServiceAccount', name: 'velero' }] }))
    .toThrow(/approvers\[0\]\.namespace \(unset\) is required for a ServiceAccount; set the namespace/);
});
