/**
 * Rendering of the admission policies: API versions per target, bindings, actions, the mutating
 * opt-in rules, the approver ClusterRole and bad input.
 */
import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import {
  APPROVE_MODE_CHANGE_VERB, MODE_CHANGE_APPROVER_CLUSTER_ROLE, POLICY_NAMES, RESTORES_SNAPSHOT_LABEL, SNAPSHOT_NAME_BUCKET_LABEL, SNAPSHOT_STACK_KUBERNETES,
  SOURCE_VOLUME_MODE_LABEL,
} from '../src/catalog';
import { AdmissionPolicy, ValidationAction } from '../src/constructs/guard/admission-policy';
import { VolumeModeGuard, VolumeModeGuardProps } from '../src/constructs/guard/volume-mode-guard';
import { MUTATING_POLICIES, VALIDATING_POLICIES } from '../src/policies';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec?: any; rules?: any[]; subjects?: any[] };

function synthGuard(props: VolumeModeGuardProps = {}): Obj[] {
  const chart = new Chart(Testing.app(), 'test');
  new VolumeModeGuard(chart, 'Guard', props);
  return Testing.synth(chart) as Obj[];
}
const named = (objs: Obj[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);

describe('VolumeModeGuard', () => {
  it('renders the seven validating policies with Deny bindings on 1.30, failing closed unless a policy says why not', () => {
    const objs = synthGuard({ kubernetesVersion: '1.30' });
    for (const def of Object.values(VALIDATING_POLICIES)) {
      const policy = named(objs, 'ValidatingAdmissionPolicy', def.name)!;
      expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1');
      expect(policy.spec.failurePolicy).toBe(def.failurePolicy?.action ?? 'Fail');
      const binding = named(objs, 'ValidatingAdmissionPolicyBinding', `${def.name}-binding`)!;
      expect(binding.spec).toMatchObject({ policyName: def.name, validationActions: ['Deny'] });
    }
    expect(objs.filter((o) => o.kind.startsWith('Mutating'))).toEqual([]);
  });

  it('fails open exactly where the param kind is a custom resource (the CRDs may be missing), never elsewhere', () => {
    const open = Object.values(VALIDATING_POLICIES).filter((d) => d.failurePolicy?.action === 'Ignore').map((d) => d.name).sort();
    expect(open).toEqual([POLICY_NAMES.singleDefaultSnapshotClass, POLICY_NAMES.restoreKeepsVolumeMode].sort());
    for (const d of Object.values(VALIDATING_POLICIES)) {
      const customParam = d.params !== undefined && d.params.kind.apiVersion.startsWith('snapshot.storage.k8s.io/');
      expect(d.failurePolicy?.action === 'Ignore', d.name).toBe(customParam);
    }
  });

  it('renders the mutating policies as v1 on 1.36 by default', () => {
    const objs = synthGuard({ kubernetesVersion: '1.36' });
    for (const def of Object.values(MUTATING_POLICIES)) {
      expect(named(objs, 'MutatingAdmissionPolicy', def.name)?.apiVersion).toBe('admissionregistration.k8s.io/v1');
      expect(named(objs, 'MutatingAdmissionPolicyBinding', `${def.name}-binding`)?.spec).toEqual({ policyName: def.name });
    }
  });

  it('leaves the mutating policies out on 1.34/1.35 unless opted in', () => {
    expect(synthGuard({ kubernetesVersion: '1.35' }).filter((o) => o.kind.startsWith('Mutating'))).toEqual([]);
  });

  it('renders v1beta1 with the gate and runtime-config named when opted in on 1.34', () => {
    const objs = synthGuard({ kubernetesVersion: '1.34', allowBetaMutatingApi: true });
    const policy = named(objs, 'MutatingAdmissionPolicy', POLICY_NAMES.addProtectionFlag)!;
    expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1beta1');
    expect(Object.values(policy.metadata.annotations ?? {})[0]).toMatch(/--feature-gates=MutatingAdmissionPolicy=true --runtime-config=admissionregistration.k8s.io\/v1beta1=true/);
    // Container args is an atomic list, which an ApplyConfiguration may not set: JSONPatch it is.
    // Whitespace aside: rendered expressions are laid out over several lines (policies/cel-format.ts).
    const mutation = policy.spec.mutations[0];
    expect(mutation.patchType).toBe('JSONPatch');
    expect(mutation.jsonPatch.expression.replace(/\s+/g, '')).toMatch(/^variables\.lacking\.map\(i,.*JSONPatch\{op:'add',path:'\/spec\/template\/spec\/containers\/'\+string\(i\)\+'\/args'\+'\/-'/);
    const stamp = named(objs, 'MutatingAdmissionPolicy', POLICY_NAMES.stampModeChangeApprover)!;
    expect(stamp.spec.mutations[0]).toMatchObject({ patchType: 'ApplyConfiguration', applyConfiguration: { expression: expect.stringMatching(/^Object\{\s*metadata:/) } });
  });

  it('refuses mutatingPolicies: true on 1.35 without the opt-in, naming the fix', () => {
    expect(() => synthGuard({ kubernetesVersion: '1.35', mutatingPolicies: true })).toThrow(/mutatingPolicies true needs allowBetaMutatingApi on Kubernetes 1.35.*set allowBetaMutatingApi: true/);
  });

  it('refuses mutating policies below 1.34 and says why', () => {
    expect(() => synthGuard({ kubernetesVersion: '1.33', mutatingPolicies: true })).toThrow(/mutatingPolicies true cannot be honoured on Kubernetes 1.33: MutatingAdmissionPolicy is v1beta1 from 1.34/);
    expect(() => synthGuard({ kubernetesVersion: '1.31', allowBetaMutatingApi: true })).toThrow(/allowBetaMutatingApi true cannot be honoured/);
  });

  it('leaves the mutating policies out when mutatingPolicies is false', () => {
    expect(synthGuard({ mutatingPolicies: false }).filter((o) => o.kind.startsWith('Mutating'))).toEqual([]);
  });

  it('ships the approver ClusterRole granting only the custom verb on volumesnapshotcontents', () => {
    const role = named(synthGuard(), 'ClusterRole', MODE_CHANGE_APPROVER_CLUSTER_ROLE)!;
    expect(role.rules).toEqual([{ apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshotcontents'], verbs: [APPROVE_MODE_CHANGE_VERB] }]);
    expect(named(synthGuard(), 'ClusterRoleBinding', MODE_CHANGE_APPROVER_CLUSTER_ROLE)).toBeUndefined();
  });

  it('binds the approver role to the given subjects, sorted', () => {
    const b = named(synthGuard({ approvers: [{ kind: 'ServiceAccount', name: 'velero', namespace: 'velero' }, { kind: 'Group', name: 'storage-admins' }] }),
      'ClusterRoleBinding', MODE_CHANGE_APPROVER_CLUSTER_ROLE)!;
    expect(b.subjects).toEqual([
      { kind: 'Group', name: 'storage-admins', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'ServiceAccount', name: 'velero', namespace: 'velero' },
    ]);
  });

  it('uses Warn/Audit per policy and default actions for the rest', () => {
    const objs = synthGuard({ defaultActions: [ValidationAction.AUDIT, ValidationAction.WARN], actions: { requireSourceVolumeMode: [ValidationAction.DENY] } });
    expect(named(objs, 'ValidatingAdmissionPolicyBinding', `${POLICY_NAMES.requireSourceVolumeMode}-binding`)!.spec.validationActions).toEqual(['Deny']);
    expect(named(objs, 'ValidatingAdmissionPolicyBinding', `${POLICY_NAMES.keepProtectionFlag}-binding`)!.spec.validationActions).toEqual(['Warn', 'Audit']);
  });

  it('gives the class policies a paramRef with selector {} (all objects) and Allow, and notes the cost', () => {
    const objs = synthGuard();
    for (const name of [POLICY_NAMES.singleDefaultSnapshotClass, POLICY_NAMES.singleDefaultStorageClass]) {
      const b = named(objs, 'ValidatingAdmissionPolicyBinding', `${name}-binding`)!;
      expect(b.spec.paramRef).toEqual({ selector: {}, parameterNotFoundAction: 'Allow' });
      expect(Object.values(b.metadata.annotations ?? {})[0]).toMatch(/once per .* \(\{\}: all of them\); cost grows/);
    }
    expect(named(objs, 'ValidatingAdmissionPolicy', POLICY_NAMES.restoreKeepsVolumeMode)!.spec.paramKind)
      .toEqual({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotContent' });
    expect(named(objs, 'ValidatingAdmissionPolicy', POLICY_NAMES.singleDefaultStorageClass)!.spec.paramKind)
      .toEqual({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' });
  });

  describe('the restore policy, whose cost grows with the contents each binding reads', () => {
    const restoreBindings = (objs: ReturnType<typeof synthGuard>) => objs
      .filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding' && o.spec.policyName === POLICY_NAMES.restoreKeepsVolumeMode)
      .map((o) => ({ name: o.metadata.name, objectSelector: o.spec.matchResources?.objectSelector, params: o.spec.paramRef.selector }));

    it('with both labelling policies: one binding per mode and name bucket, reading only contents of another mode in that bucket, or unlabelled', () => {
      const expected = ['Block', 'Filesystem'].flatMap((mode) => ['0', '1', '2', '3'].map((bucket) => ({
        name: `${POLICY_NAMES.restoreKeepsVolumeMode}-binding-${mode.toLowerCase()}-${bucket}`,
        objectSelector: { matchLabels: { [RESTORES_SNAPSHOT_LABEL]: mode, [SNAPSHOT_NAME_BUCKET_LABEL]: bucket } },
        params: {
          matchExpressions: [
            { key: SOURCE_VOLUME_MODE_LABEL, operator: 'NotIn', values: [mode, 'Unknown'] },
            { key: SNAPSHOT_NAME_BUCKET_LABEL, operator: 'NotIn', values: ['0', '1', '2', '3'].filter((b) => b !== bucket) },
          ],
        },
      })));
      expect(restoreBindings(synthGuard())).toEqual(expected);
    });

    it('without the content labels: one binding for every restoring claim, reading every content', () => {
      expect(restoreBindings(synthGuard({ exclude: ['labelSnapshotContents'] }))).toEqual([{
        name: `${POLICY_NAMES.restoreKeepsVolumeMode}-binding`,
        objectSelector: { matchExpressions: [{ key: RESTORES_SNAPSHOT_LABEL, operator: 'Exists' }] },
        params: {},
      }]);
    });

    it('without mutating policies (1.30-1.33): every claim, every content', () => {
      expect(restoreBindings(synthGuard({ kubernetesVersion: '1.33' }))).toEqual([{ name: `${POLICY_NAMES.restoreKeepsVolumeMode}-binding`, objectSelector: undefined, params: {} }]);
    });

    it("narrows every binding further with the user's param selector", () => {
      const user = { matchLabels: { 'backup.example.com/restorable': 'true' }, matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['gold'] }] };
      for (const b of restoreBindings(synthGuard({ paramSelectors: { restoreKeepsVolumeMode: user } }))) {
        expect(b.params.matchLabels).toEqual(user.matchLabels);
        expect(b.params.matchExpressions.slice(0, 1)).toEqual(user.matchExpressions);
        expect(b.params.matchExpressions.slice(1).map((e: { key: string }) => e.key)).toEqual([SOURCE_VOLUME_MODE_LABEL, SNAPSHOT_NAME_BUCKET_LABEL]);
      }
      expect(restoreBindings(synthGuard({ kubernetesVersion: '1.33', paramSelectors: { restoreKeepsVolumeMode: user } }))[0].params).toEqual(user);
    });
  });

  it('adds an exemption as a match condition', () => {
    const objs = synthGuard({ exempt: { keepProtectionFlag: { groups: ['break-glass'], users: ['admin'] } } });
    const conds = named(objs, 'ValidatingAdmissionPolicy', POLICY_NAMES.keepProtectionFlag)!.spec.matchConditions;
    expect(conds[conds.length - 1]).toEqual({
      name: 'not-an-exempt-principal',
      expression: "!(request.userInfo.username in ['admin'])\n&& !request.userInfo.groups.exists(g, g in ['break-glass'])",
    });
  });

  it('exempts nobody from the protection-flag policy by default (only Pods made from a workload template are left to the workload)', () => {
    const conds = named(synthGuard(), 'ValidatingAdmissionPolicy', POLICY_NAMES.keepProtectionFlag)!.spec.matchConditions;
    expect(conds.map((c: { name: string }) => c.name))
      .toEqual(['not-being-deleted', 'creates-or-changes-the-pod-spec', 'not-made-from-a-workload-template', 'runs-a-guarded-image']);
  });

  it('excludes a policy on request', () => {
    const objs = synthGuard({ exclude: ['restoreKeepsVolumeMode'] });
    expect(named(objs, 'ValidatingAdmissionPolicy', POLICY_NAMES.restoreKeepsVolumeMode)).toBeUndefined();
    expect(named(objs, 'ValidatingAdmissionPolicy', POLICY_NAMES.requireSourceVolumeMode)).toBeDefined();
  });

  it('renders byte-identical output twice', () => {
    expect(JSON.stringify(synthGuard())).toBe(JSON.stringify(synthGuard()));
  });
});

describe('bad input', () => {
  it('refuses Deny together with Warn', () => {
    expect(() => synthGuard({ defaultActions: [ValidationAction.DENY, ValidationAction.WARN] })).toThrow(/validationActions \["Deny","Warn"\] combines Deny and Warn.*use \['Deny'\]/);
  });
  it('refuses an empty action list', () => {
    expect(() => synthGuard({ actions: { keepProtectionFlag: [] } })).toThrow(/validationActions \[\] is empty; use \['Deny'\]/);
  });
  it('refuses an unknown action', () => {
    expect(() => synthGuard({ defaultActions: ['Block' as ValidationAction] })).toThrow(/validationActions \["Block"\] contains unknown action 'Block'; use only Deny, Warn, Audit/);
  });
  it('refuses a duplicated action', () => {
    expect(() => synthGuard({ defaultActions: [ValidationAction.AUDIT, ValidationAction.AUDIT] })).toThrow(/lists an action twice/);
  });
  it('refuses an unknown policy key', () => {
    expect(() => synthGuard({ exclude: ['noSuchPolicy' as never] })).toThrow(/policy key 'noSuchPolicy' is not a policy of the guard; use one of requireSourceVolumeMode/);
  });
  it('refuses actions for a mutating policy', () => {
    expect(() => synthGuard({ actions: { addProtectionFlag: [ValidationAction.WARN] } as never })).toThrow(/actions.addProtectionFlag .* is set for a mutating policy/);
  });
  it('refuses a param selector for a policy without params', () => {
    expect(() => synthGuard({ paramSelectors: { keepProtectionFlag: {} } as never })).toThrow(/paramSelectors.keepProtectionFlag .* is set for a policy without params/);
  });
  it('refuses an exemption that names nobody', () => {
    expect(() => synthGuard({ exempt: { keepProtectionFlag: {} } })).toThrow(/exempt \{\} names nobody; list users or groups/);
  });
  it('refuses an exempt name with a quote', () => {
    expect(() => synthGuard({ exempt: { keepProtectionFlag: { users: ["x' || true || '"] } } })).toThrow(/exempt.users .* is not a user or group name/);
  });
  it('refuses a ServiceAccount approver without namespace', () => {
    expect(() => synthGuard({ approvers: [{ kind: 'ServiceAccount', name: 'velero' }] })).toThrow(/approvers\[0\].namespace \(unset\) is required for a ServiceAccount; set the namespace/);
  });
  it('refuses a namespace on a Group approver', () => {
    expect(() => synthGuard({ approvers: [{ kind: 'Group', name: 'admins', namespace: 'x' }] })).toThrow(/approvers\[0\].namespace 'x' does not apply to a Group/);
  });
  it('refuses a target outside the supported range', () => {
    expect(() => synthGuard({ kubernetesVersion: '1.29' }))
      .toThrow(`kubernetesVersion '1.29' is outside the supported range 1.30 to 1.${SNAPSHOT_STACK_KUBERNETES.max}`);
  });
  it('AdmissionPolicy refuses a mutating policy on 1.35 without the opt-in', () => {
    const chart = new Chart(Testing.app(), 'test');
    expect(() => new AdmissionPolicy(chart, 'P', { definition: MUTATING_POLICIES.addProtectionFlag, kubernetesVersion: '1.35' }))
      .toThrow(/allowBetaMutatingApi \(unset\) is not true, but Kubernetes 1.35 serves MutatingAdmissionPolicy only as v1beta1.*--runtime-config=admissionregistration.k8s.io\/v1beta1=true/);
  });
  it('AdmissionPolicy refuses validationActions on a mutating policy', () => {
    const chart = new Chart(Testing.app(), 'test');
    expect(() => new AdmissionPolicy(chart, 'P', { definition: MUTATING_POLICIES.addProtectionFlag, validationActions: [ValidationAction.DENY] }))
      .toThrow(/validationActions \["Deny"\] does not apply to mutating policy add-volume-mode-protection-flag; remove validationActions/);
  });
});
