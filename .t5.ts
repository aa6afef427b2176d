import { VALIDATING_POLICIES, MUTATING_POLICIES } from './src/policies';
import { checkPolicy, runPolicyCases, celEvaluatorPath, crossCheckWithCelGo } from './src/testing';
const all = [...Object.values(VALIDATING_POLICIES), ...Object.values(MUTATING_POLICIES)];
const traces: any[] = [];
for (const def of all) {
  for (const p of checkPolicy(def)) console.log('CHECK', def.name, p.path, p.problem);
  for (const r of runPolicyCases(def)) { traces.push(...r.result.traces); if (r.problem) console.log('CASE', def.name, '|', r.case, '|', r.problem); }
}
const bin = celEvaluatorPath();
console.log('traces', traces.length, bin);
if (bin) for (const d of crossCheckWithCelGo(traces, bin).slice(0, 10)) console.log('DIFF', d.trace.path, d.trace.expression.slice(0, 150), JSON.stringify(d.trace.result).slice(0, 200), JSON.stringify(d.celGo).slice(0, 300));
