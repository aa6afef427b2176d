/**
 * The CEL layout of rendered policies: readable (one clause per line, no long lines) and the same
 * policy (every case of every policy gives the same verdict, message and patch with the laid-out
 * text as with the source text). The real API server replays the rendered text too (test/e2e/03).
 */
import { describe, expect, it } from 'vitest';
import { AnyPolicyDefinition, MUTATING_POLICIES, VALIDATING_POLICIES } from '../src/policies';
import { CEL_LINE_WIDTH, CelFormatError, formatCel } from '../src/policies/cel-format';
import { runPolicyCases } from '../src/testing';

const ALL: AnyPolicyDefinition[] = [...Object.values(VALIDATING_POLICIES), ...Object.values(MUTATING_POLICIES)];

/** The definition with every expression laid out as the construct renders it. */
function laidOut(def: AnyPolicyDefinition): AnyPolicyDefinition {
  const f = <T extends { expression: string }>(x: T): T => ({ ...x, expression: formatCel(x.expression) });
  const common = { matchConditions: def.matchConditions?.map(f), variables: def.variables?.map(f) };
  if (def.type === 'validating') {
    return { ...def, ...common, validations: def.validations.map((v) => ({ ...f(v), ...(v.messageExpression ? { messageExpression: formatCel(v.messageExpression) } : {}) })) };
  }
  return { ...def, ...common, mutations: def.mutations.map(f) };
}

describe('formatCel', () => {
  it('puts each top-level clause of a long condition on its own line, operator first', () => {
    const clauses = ["object.spec.?volumeMode.orValue('Filesystem') == 'Block'", "object.metadata.?labels[?'team'].orValue('') == 'storage'", 'size(object.spec.accessModes) == 1'];
    expect(formatCel(clauses.join(' && ')).split('\n')).toEqual([clauses[0], `&& ${clauses[1]}`, `&& ${clauses[2]}`]);
  });

  it('keeps a short expression on one line, spacing normalised', () => {
    expect(formatCel("params.metadata.name")).toBe('params.metadata.name');
    expect(formatCel("a  ==  'x'&&!b")).toBe("a == 'x' && !b");
    expect(formatCel('x - -1 > 0 ? [1, 2] : {}')).toBe('x - -1 > 0 ? [1, 2] : {}');
  });

  it('never breaks inside a string literal, even one that holds operators', () => {
    const literal = `'${'a && b || c ? d : e, '.repeat(3)}'`;
    const out = formatCel(`${literal} == object.metadata.name || ${literal} == object.metadata.namespace || object.kind == 'Pod'`);
    expect(out).toContain(literal);
    expect(out.split('\n')).toHaveLength(3);
  });

  it('lays out a ternary with its branches under the condition', () => {
    const out = formatCel("object.spec.?dataSourceRef.?kind.orValue('') == 'VolumeSnapshot' ? object.spec.dataSourceRef.name : object.spec.dataSource.name");
    expect(out.split('\n')).toEqual([
      "object.spec.?dataSourceRef.?kind.orValue('') == 'VolumeSnapshot'",
      '  ? object.spec.dataSourceRef.name',
      '  : object.spec.dataSource.name',
    ]);
  });

  it('cuts a long message literal into concatenated pieces of the same text', () => {
    const text = 'word '.repeat(60).trim();
    const out = formatCel(`'start: ' + object.metadata.name + ' ${text}'`);
    const pieces = out.split('\n').slice(2).map((l) => l.replace(/^\+ '|'$/g, ''));
    expect(pieces.join('')).toBe(` ${text}`);
    expect(Math.max(...out.split('\n').map((l) => l.length))).toBeLessThanOrEqual(CEL_LINE_WIDTH);
  });

  it('leaves a literal alone where cutting it would change the meaning', () => {
    const long = `'${'x '.repeat(70)}'`;
    expect(formatCel(`${long}.size() > 3`)).toContain(long);
  });

  it('tells a map key colon from a ternary colon inside a map literal', () => {
    const out = formatCel("JSONPatch{op: variables.hasArgs ? 'add' : 'replace', path: '/spec/template/spec/containers/' + string(variables.index) + '/args', value: variables.flagValue}");
    expect(out).toContain("op: variables.hasArgs ? 'add' : 'replace',");
    expect(out.split('\n')).toHaveLength(5);
  });

  it('refuses text it cannot read rather than guessing', () => {
    expect(() => formatCel('a && (b || c')).toThrow(CelFormatError);
    expect(() => formatCel("a // a comment\n && b")).toThrow(/comments/);
    expect(() => formatCel("'unterminated")).toThrow(/unterminated/);
  });
});

describe('every policy, laid out as rendered', () => {
  it.each(ALL.map((d) => [d.name, d] as const))('%s: every case gives the same result as the source text', (_name, def) => {
    const source = runPolicyCases(def);
    const rendered = runPolicyCases(laidOut(def));
    expect(rendered.map((r) => r.problem)).toEqual(source.map(() => undefined));
    expect(rendered.map((r) => [r.result.verdict, r.result.messages, r.result.patchedObject]))
      .toEqual(source.map((r) => [r.result.verdict, r.result.messages, r.result.patchedObject]));
  });

  it('no laid-out line is longer than the width plus indentation allows', () => {
    const lines = ALL.flatMap((def) => [
      ...(def.matchConditions ?? []), ...(def.variables ?? []),
      ...(def.type === 'validating' ? def.validations.flatMap((v) => [v, ...(v.messageExpression ? [{ expression: v.messageExpression }] : [])]) : def.mutations),
    ]).flatMap((e) => formatCel(e.expression).split('\n'));
    expect(lines.length).toBeGreaterThan(200);
    expect(lines.filter((l) => l.length > 160)).toEqual([]);
  });
});
