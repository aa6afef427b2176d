/**
 * Every policy case through the offline harness, the type checks, and the agreement of cel-js with
 * cel-go (the API server's engine) on every expression each case evaluates.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  APPLY_ATOMIC_FIELDS, APPROVE_MODE_CHANGE_VERB, CEL_LIBRARY_SINCE, Component, MODE_CHANGE_APPROVED_BY_ANNOTATION, POLICY_NAMES,
  POLICY_POD_SPEC_LIMITS, PREVENT_VOLUME_MODE_CONVERSION_FLAG,
} from '../src/catalog';
import { AnyPolicyDefinition, MUTATING_POLICIES, MutatingPolicyDefinition, PolicyDefinition, VALIDATING_POLICIES } from '../src/policies';
import { catalogImage, container, pod, podSpec, workload } from '../src/policies/_fixtures';
import { PROTECTION_CEL } from '../src/policies/keep-protection-flag';
import {
  celEvaluatorPath, celGoCosts, checkPolicy, crossCheckWithCelGo, evaluateCase, ExpressionTrace, mergeApplyConfiguration, policyExpressions, runPolicyCases,
} from '../src/testing';
import { describeWithShared, sharedPath } from './support/shared';

const ALL: AnyPolicyDefinition[] = [...Object.values(VALIDATING_POLICIES), ...Object.values(MUTATING_POLICIES)];

describe('policy definitions', () => {
  it('cover every policy name of the catalog exactly once', () => {
    expect(ALL.map((d) => d.name).sort()).toEqual(Object.values(POLICY_NAMES).sort());
  });

  it('ship at least 40 cases, at least 20 of them denied', () => {
    const cases = ALL.flatMap((d) => d.cases as readonly { expect: string }[]);
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((c) => c.expect === 'denied').length).toBeGreaterThanOrEqual(20);
  });

  it.each(ALL.map((d) => [d.name, d] as const))('%s has allowed and refused (or mutated) cases', (_n, def) => {
    const verdicts = new Set((def.cases as readonly { expect: string }[]).map((c) => c.expect));
    if (def.type === 'validating') {
      expect(verdicts.has('denied')).toBe(true);
      expect(verdicts.has('allowed') || verdicts.has('not-matched')).toBe(true);
    } else {
      expect(verdicts.has('mutated')).toBe(true);
      expect(verdicts.has('not-matched')).toBe(true);
    }
  });

  it.each(ALL.map((d) => [d.name, d] as const))('%s type-checks and uses only what its minimum Kubernetes offers', (_n, def) => {
    expect(checkPolicy(def)).toEqual([]);
  });

  it('validating policies run on the oldest target (1.30) and use no library newer than that', () => {
    for (const def of Object.values(VALIDATING_POLICIES)) {
      expect(def.minKubernetesMinor).toBe(30);
      for (const lib of def.celLibraries) expect(CEL_LIBRARY_SINCE[lib]).toBeLessThanOrEqual(30);
    }
  });
});

for (const def of ALL) {
  describe(`cases of ${def.name}`, () => {
    it.each(runPolicyCases(def).map((r) => [r.case, r] as const))('%s', (_n, report) => {
      expect(report.problem).toBeUndefined();
    });
  });
}

describe('type checking catches mistakes', () => {
  const base = VALIDATING_POLICIES.requireSourceVolumeMode;
  const withValidation = (expression: string, messageExpression?: string): PolicyDefinition => ({
    ...base, validations: [{ expression, message: 'm', ...(messageExpression ? { messageExpression } : {}) }],
  });

  it('refuses a misspelt variable name', () => {
    expect(checkPolicy(withValidation("variables.mdoe == 'Block'"))).toEqual([
      expect.objectContaining({ path: 'validations[0].expression', problem: expect.stringMatching(/does not type-check.*mdoe/) }),
    ]);
  });

  it('refuses an undeclared top-level variable', () => {
    expect(checkPolicy(withValidation("obj.spec.sourceVolumeMode == 'Block'"))[0].problem).toMatch(/does not type-check.*obj/);
  });

  it('refuses a misspelt request field', () => {
    expect(checkPolicy(withValidation("request.userinfo.username == 'x'"))[0].problem).toMatch(/userinfo/);
  });

  it('refuses a misspelt authorizer method', () => {
    expect(checkPolicy(withValidation("authorizer.group('a').resource('b').check('c').alowed()"))[0].problem).toMatch(/alowed/);
  });

  it('refuses a validation that is not a bool', () => {
    expect(checkPolicy(withValidation("'yes'"))[0].problem).toMatch(/has type string, expected bool/);
  });

  it('refuses a messageExpression that is not a string', () => {
    expect(checkPolicy(withValidation('true', '1 + 1'))[0].problem).toMatch(/has type int, expected string/);
  });

  it('refuses a function Kubernetes does not offer (cel-js only)', () => {
    expect(checkPolicy(withValidation("b'x'.hex() == '78'"))[0].problem).toMatch(/calls hex\(\), which Kubernetes CEL does not offer/);
  });

  it('refuses a library the definition does not declare', () => {
    const def = { ...withValidation("object.metadata.name.split('-').size() > 1"), celLibraries: ['optionalTypes'] as const };
    expect(checkPolicy(def)[0].problem).toMatch(/calls split\(\) from stringsV2, which celLibraries does not declare/);
  });

  it('refuses a library newer than the target', () => {
    const def = { ...withValidation('true'), celLibraries: ['semver'] as const };
    expect(checkPolicy(def, { kubernetesMinor: 30 })[0].problem).toMatch(/semver needs Kubernetes >= 1.34, target is 1.30/);
  });

  it('offers ext.Sets from 1.30 and only when declared', () => {
    const expression = "sets.contains(['Filesystem', 'Block'], [object.spec.?sourceVolumeMode.orValue('Block')])";
    const declared = { ...withValidation(expression), celLibraries: ['optionalTypes', 'sets'] as const };
    expect(checkPolicy(declared, { kubernetesMinor: 30 })).toEqual([]);
    expect(checkPolicy(declared, { kubernetesMinor: 29 })[0].problem).toMatch(/sets needs Kubernetes >= 1.30, target is 1.29/);
    const undeclared = { ...withValidation(expression), celLibraries: ['optionalTypes'] as const };
    expect(checkPolicy(undeclared)[0].problem).toMatch(/calls sets.contains\(\) from sets, which celLibraries does not declare/);
  });

  it('offers ext.Lists v3 from 1.35, and includes() on no supported target', () => {
    const distinct = { ...withValidation('[1, 1, 2].distinct() == [1, 2]'), celLibraries: [...base.celLibraries, 'listsV3'] as const };
    expect(checkPolicy(distinct, { kubernetesMinor: 35 })).toEqual([]);
    expect(checkPolicy(distinct, { kubernetesMinor: 34 })[0].problem).toMatch(/listsV3 needs Kubernetes >= 1.35, target is 1.34/);
    const includes = { ...withValidation('true'), celLibraries: ['listsIncludes'] as const };
    expect(checkPolicy(includes, { kubernetesMinor: 37 })[0].problem).toMatch(/listsIncludes needs Kubernetes >= 1.38/);
  });

  it('evaluates ext.Sets and ext.Lists v3 as cel-go documents them', () => {
    const verdict = (expression: string) => evaluateCase(
      { ...withValidation(expression), celLibraries: ['sets', 'listsV3'] }, base.cases[0]).verdict;
    for (const holds of [
      "sets.contains(['a', 'b'], ['b'])", "!sets.contains(['a'], ['a', 'c'])", "sets.equivalent(['a', 'b', 'a'], ['b', 'a'])",
      "sets.intersects(['a', 'b'], ['c', 'b'])", "!sets.intersects(['a'], [])", '[1, 2, 3, 4].slice(1, 3) == [2, 3]',
      '[[1], [2, 3]].flatten() == [1, 2, 3]', '[3, 1, 3, 2].distinct() == [3, 1, 2]', "['b', 'c', 'a'].sort() == ['a', 'b', 'c']",
    ]) expect([holds, verdict(holds)]).toEqual([holds, 'allowed']);
    expect(verdict('[1, 2].slice(1, 3) == []')).toBe('error');
  });

  it('reports an evaluation error as verdict error (failurePolicy Fail)', () => {
    const def = withValidation("int(object.metadata.name) > 0");
    const result = evaluateCase(def, base.cases[0]);
    expect(result.verdict).toBe('error');
    expect(result.errors[0]).toMatch(/validations\[0\]/);
  });
});

describe('harness semantics', () => {
  const restore = VALIDATING_POLICIES.restoreKeepsVolumeMode;
  const denied = restore.cases.find((c) => c.name === 'Filesystem snapshot restored as Block')!;

  it('falls back to message when messageExpression yields an empty string', () => {
    const def: PolicyDefinition = { ...restore, validations: [{ ...restore.validations[0], messageExpression: "''" }] };
    expect(evaluateCase(def, denied).messages).toEqual([restore.validations[0].message]);
  });

  it('denies with parameterNotFoundAction Deny when the selector matches nothing', () => {
    const def: PolicyDefinition = { ...restore, params: { ...restore.params!, parameterNotFoundAction: 'Deny' } };
    expect(evaluateCase(def, { ...denied, params: [] }).verdict).toBe('denied');
  });

  it('runs once per param and ANDs the results (one mismatching content is enough)', () => {
    const result = evaluateCase(restore, denied);
    expect(result.verdict).toBe('denied');
    expect(result.traces.filter((t) => t.path.startsWith('matchConditions[0]')).length).toBe(denied.params!.length);
  });

  it('formats the denial as the API server does', () => {
    expect(evaluateCase(restore, denied).denial).toMatch(
      /^ValidatingAdmissionPolicy 'snapshot-restore-keeps-volume-mode' with binding 'snapshot-restore-keeps-volume-mode-binding' denied request: PersistentVolumeClaim db-raw /);
  });

  it('rewrites typed object construction of mutations before evaluating', () => {
    const m = policyExpressions(MUTATING_POLICIES.stampModeChangeApprover).find((e) => e.role === 'mutation')!;
    expect(m.source).toMatch(/^Object\{metadata: Object.metadata\{/);
    expect(m.evaluated).toMatch(/^\{'metadata': dyn\( \{'annotations': dyn\(/);
  });
});

describe('the audit stamp: mutating and validating policies together', () => {
  const stamp = MUTATING_POLICIES.stampModeChangeApprover;
  const approve = VALIDATING_POLICIES.approveVolumeModeChange;
  const approverGrant = { group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotcontents', verb: APPROVE_MODE_CHANGE_VERB };
  const mutated = stamp.cases.filter((c) => c.expect === 'mutated');

  it.each(mutated.map((c) => [c.name, c] as const))('the stamp written for "%s" passes the approval policy', (_n, c) => {
    const after = evaluateCase(stamp, c).patchedObject as Record<string, unknown>;
    expect(evaluateCase(approve, { ...c, object: after, permissions: [approverGrant] }).verdict).toBe('allowed');
  });

  it.each(mutated.map((c) => [c.name, c] as const))('without the mutating policy, a stamp naming someone else in "%s" is refused', (_n, c) => {
    const object = structuredClone(c.object) as { metadata: { annotations: Record<string, string> } };
    object.metadata.annotations[MODE_CHANGE_APPROVED_BY_ANNOTATION] = 'storage-admin';
    const result = evaluateCase(approve, { ...c, object, permissions: [approverGrant] });
    expect(result.verdict).toBe('denied');
    expect(result.messages[0]).toMatch(new RegExp(`may not (add|change) annotation ${MODE_CHANGE_APPROVED_BY_ANNOTATION} `));
  });
});

describe('ApplyConfiguration may not set atomic fields', () => {
  const add = MUTATING_POLICIES.addProtectionFlag;
  const TRUE_FLAG = `${PREVENT_VOLUME_MODE_CONVERSION_FLAG}=true`;
  // The mutation this policy shipped with before: server-side apply of each container's args. The
  // API server refuses it (args is atomic), so with failurePolicy Fail every matching write failed.
  const needsFlag = `${PROTECTION_CEL.guardedImage} && ${PROTECTION_CEL.tagged} && ${PROTECTION_CEL.versionNum} >= ${PROTECTION_CEL.flagSince} && !${PROTECTION_CEL.mentionsFlag}`;
  const oldPolicy: MutatingPolicyDefinition = {
    ...add,
    variables: [],
    mutations: [{
      patchType: 'ApplyConfiguration',
      expression: 'Object{spec: Object.spec{template: Object.spec.template{spec: Object.spec.template.spec{containers: '
        + `object.spec.template.spec.containers.filter(c, ${needsFlag}).map(c, Object.spec.template.spec.containers{name: c.name, args: c.?args.orValue([]) + ['${TRUE_FLAG}']})`
        + '}}}}',
    }],
  };
  const mutated = add.cases.filter((c) => c.expect === 'mutated');

  it.each(mutated.map((c) => [c.name, c] as const))('the old ApplyConfiguration mutation now fails for "%s"', (_n, c) => {
    const result = evaluateCase(oldPolicy, c);
    expect(result.verdict).toBe('error');
    expect(result.errors[0]).toMatch(/^mutations\[0\]: ApplyConfiguration may not set atomic lists, maps or structs \(spec\.template\.spec\.containers\[\]\.args\); use a JSONPatch mutation$/);
  });

  it.each(mutated.map((c) => [c.name, c] as const))('the JSONPatch mutation passes for "%s"', (_n, c) => {
    expect(evaluateCase(add, c).verdict).toBe('mutated');
  });

  it('refuses command of a Pod init container too', () => {
    const p = pod('debug', podSpec([container('a', 'busybox:1.36')], [container('init', 'busybox:1.36')]));
    expect(() => mergeApplyConfiguration(p, { spec: { initContainers: [{ name: 'init', command: ['true'] }] } })).toThrow(/spec\.initContainers\[\]\.command/);
  });

  it('still merges granular fields: a container by name, annotations', () => {
    const d = workload('Deployment', 'x', podSpec([container('a', 'busybox:1.36', ['sleep', '1']), container('b', 'busybox:1.36')]));
    const out = mergeApplyConfiguration(d, {
      metadata: { annotations: { note: 'yes' } }, spec: { template: { spec: { containers: [{ name: 'b', image: 'busybox:1.37' }] } } },
    }) as { metadata: { annotations: Record<string, string> }; spec: { template: { spec: { containers: { name: string; image: string; args?: string[] }[] } } } };
    expect(out.metadata.annotations).toEqual({ note: 'yes' });
    expect(out.spec.template.spec.containers.map((c) => [c.name, c.image, c.args])).toEqual([['a', 'busybox:1.36', ['sleep', '1']], ['b', 'busybox:1.37', undefined]]);
  });

  it('knows no atomic fields of kinds outside the catalog (a VolumeSnapshotContent)', () => {
    const stamp = MUTATING_POLICIES.stampModeChangeApprover;
    expect(() => mergeApplyConfiguration(stamp.cases[0].object, { spec: { source: { volumeHandle: 'x' } } })).not.toThrow();
  });
});

describeWithShared('the atomic fields of the catalog match the Kubernetes 1.36 schema', () => {
  type Schema = { properties?: Record<string, Schema>; items?: Schema; $ref?: string; 'x-kubernetes-list-type'?: string; 'x-kubernetes-map-type'?: string };
  const defs = (JSON.parse(fs.readFileSync(sharedPath('reference', 'k8s-schemas', 'k8s-1.36.0.json'), 'utf8')) as { definitions: Record<string, Schema> }).definitions;
  const deref = (s: Schema): Schema => (s.$ref ? defs[s.$ref.replace('#/definitions/', '')] : s);
  const definitionOf = (apiVersion: string, kind: string) => defs[`io.k8s.api.${apiVersion.includes('/') ? apiVersion.replace('/', '.') : `core.${apiVersion}`}.${kind}`];
  /** The schema of the field at a dotted path, `[]` stepping into list items. */
  const fieldAt = (root: Schema, path: string): Schema => path.split('.').reduce((s, seg) => {
    const list = seg.endsWith('[]');
    const prop = deref(s).properties?.[seg.replace('[]', '')];
    if (!prop) throw new Error(`no field ${seg} in ${path}`);
    return list ? prop.items! : prop;
  }, root);
  const isAtomic = (s: Schema) => s['x-kubernetes-list-type'] === 'atomic' || s['x-kubernetes-map-type'] === 'atomic' || deref(s)['x-kubernetes-map-type'] === 'atomic';
  const rows = APPLY_ATOMIC_FIELDS.flatMap((f) => f.kinds.flatMap((kind) => f.paths.map((path) => [f.apiVersion, kind, path] as const)));

  it.each(rows)('%s %s %s is atomic', (apiVersion, kind, path) => {
    expect(isAtomic(fieldAt(definitionOf(apiVersion, kind), path))).toBe(true);
  });

  it('containers merge by name and metadata.annotations is a granular map (the stamp policy may apply it)', () => {
    const deployment = definitionOf('apps/v1', 'Deployment');
    expect(fieldAt(deployment, 'spec.template.spec.containers')['x-kubernetes-list-type']).toBe('map');
    const annotations = fieldAt(definitionOf('v1', 'Pod'), 'metadata.annotations');
    expect(isAtomic(annotations)).toBe(false);
  });
});

const celeval = celEvaluatorPath();
const CELGO_BUILD = 'bash ../shared/tools/celgo/build.sh';
// .ci/run builds celeval before the tests, so in CI a missing binary is a broken pipeline, not a skip.
const IN_CI = process.env.CI === 'true';

if (!celeval && !IN_CI) {
  const why = `cel-go agreement SKIPPED: celeval not found (set CELEVAL or CELGO_DIR, or build it with \`${CELGO_BUILD}\`)`;
  // The default reporter only counts skipped tests; the warning puts the reason in every run's output.
  console.warn(why);
  describe.skip(why, () => {
    it('replays every evaluation through cel-go', () => {});
  });
} else {
  describe('cel-go agrees with cel-js on every evaluated expression', () => {
    it('has the celeval binary (CI=true: required)', () => {
      expect(celeval, `celeval not found; build it with \`${CELGO_BUILD}\` (or set CELEVAL / CELGO_DIR)`).toBeDefined();
    });
    if (!celeval) return;
    const traces: ExpressionTrace[] = ALL.flatMap((d) => runPolicyCases(d).flatMap((r) => r.result.traces));

    it(`replays ${traces.length} evaluations through celeval --k8s without a difference`, () => {
      expect(traces.length).toBeGreaterThan(500);
      const diffs = crossCheckWithCelGo(traces, celeval);
      expect(diffs.map((d) => `${d.trace.path}: cel-js ${JSON.stringify(d.trace.result)} vs cel-go ${JSON.stringify(d.celGo)}`)).toEqual([]);
    });

    it('notices a disagreement (a trace with a wrong result)', () => {
      const t = traces.find((x) => x.result.ok && x.result.value === true)!;
      const diffs = crossCheckWithCelGo([{ ...t, result: { ok: true, value: false } }], celeval);
      expect(diffs).toHaveLength(1);
    });

    // FACTS §f4: each expression may cost 1,000,000 at run time, a binding 10,000,000 in all, its
    // match conditions 2,500,000. The worst case the pod spec limits allow: 32 guarded containers, each
    // with 128 arguments of the longest length checked, none naming the flag (so no rule stops early).
    // Measured with maxArgumentLength 256 (cel-go v0.26 cost model): the heaviest expression is the
    // mutating policy's `lacking` at ~280,000, the validating policy's `unparsable` ~238,000; the
    // regex rules used before exceeded 1,000,000 from about 100 characters per argument.
    describe('the worst case the pod spec limits allow stays within the API server cost limits', () => {
      const { maxContainers, maxArguments, maxArgumentLength } = POLICY_POD_SPEC_LIMITS;
      const args = Array.from({ length: maxArguments }, (_, i) => {
        const head = `--option-${String(i).padStart(3, '0')}=`;
        return head + 'x'.repeat(maxArgumentLength - head.length);
      });
      const images = {
        'current release': catalogImage(Component.CSI_PROVISIONER),
        'off-by-default release': catalogImage(Component.SNAPSHOT_CONTROLLER, 'v6.3.4'),
        'digest only': `registry.k8s.io/sig-storage/csi-provisioner@sha256:${'c'.repeat(64)}`,
      };
      // The mutating policy leaves digest-only images alone, so it does no work there.
      const rows = Object.entries(images).flatMap(([label, image]) => [VALIDATING_POLICIES.keepProtectionFlag, MUTATING_POLICIES.addProtectionFlag]
        .filter((def) => def.type === 'validating' || label !== 'digest only')
        .map((def) => [`${def.name}, ${label}`, def, image] as const));

      it.each(rows)('%s', (_n, def, image) => {
        const object = workload('Deployment', 'wide', podSpec(Array.from({ length: maxContainers }, (_, i) => container(`c${i}`, image, args))));
        const result = evaluateCase(def, { name: 'worst case', request: { operation: 'CREATE' }, object, expect: 'allowed' });
        // Really checked, not refused early as too large.
        expect(result.messages.join(' ')).not.toMatch(/too large/);
        expect(['allowed', 'denied', 'mutated']).toContain(result.verdict);
        const costs = celGoCosts(result.traces, celeval);
        expect(costs.filter((c) => c.error !== undefined).map((c) => `${c.trace.path}: ${c.error}`)).toEqual([]);
        const max = Math.max(...costs.map((c) => c.cost!));
        expect(max).toBeGreaterThan(50_000); // the measurement is of real work
        expect(max).toBeLessThan(1_000_000);
        expect(costs.reduce((sum, c) => sum + c.cost!, 0)).toBeLessThan(10_000_000);
        expect(costs.filter((c) => c.trace.path.startsWith('matchConditions')).reduce((sum, c) => sum + c.cost!, 0)).toBeLessThan(2_500_000);
      });
    });

    it('covers error results too: an error on one side only is a disagreement', () => {
      const t = traces.find((x) => x.result.ok)!;
      expect(crossCheckWithCelGo([{ ...t, result: { ok: false, error: 'x' } }], celeval)).toHaveLength(1);
    });
  });
}
