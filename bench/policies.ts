/**
 * Evaluation time per admission request for each policy (cel-js, the offline harness's engine):
 * a realistic CSI controller Deployment, a VolumeSnapshotContent update, a restore PVC against 100
 * contents and a default class against 20 classes. Prints the median of many runs per policy.
 * Run: npx tsx bench/policies.ts
 */
import { AnyPolicyDefinition, MUTATING_POLICIES, VALIDATING_POLICIES } from '../src/policies';
import { snapshotContent } from '../src/policies/_fixtures';
import type { MutatingPolicyCase, PolicyCase } from '../src/policies/types';
import { evaluateCase } from '../src/testing';

const RUNS = Number(process.env.RUNS ?? 2000);

function median(def: AnyPolicyDefinition, c: PolicyCase | MutatingPolicyCase): number {
  for (let i = 0; i < 50; i++) evaluateCase(def, c, { trace: false });
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    evaluateCase(def, c, { trace: false });
    times.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const find = <T extends { name: string }>(cases: readonly T[], name: string): T => {
  const c = cases.find((x) => x.name === name);
  if (!c) throw new Error(`no case ${name}`);
  return c;
};
const V = VALIDATING_POLICIES;
const M = MUTATING_POLICIES;
const manyContents = Array.from({ length: 99 }, (_, i) => snapshotContent(`snapcontent-${i}`, { snapshot: `snap-${i}`, namespace: 'team-a' }));
const rows: [AnyPolicyDefinition, PolicyCase | MutatingPolicyCase, string][] = [
  [V.requireSourceVolumeMode, find(V.requireSourceVolumeMode.cases, 'create with Filesystem'), 'VSC create'],
  [V.approveVolumeModeChange, find(V.approveVolumeModeChange.cases, 'approver adds true'), 'VSC annotation added'],
  [V.approveVolumeModeChange, find(V.approveVolumeModeChange.cases, 'ordinary user rewrites the stamp'), 'VSC stamp forged (denied)'],
  [V.approveVolumeModeChange, find(V.approveVolumeModeChange.cases, 'snapshot-controller update keeps the annotation'), 'VSC controller update (skipped)'],
  [V.keepProtectionFlag, find(V.keepProtectionFlag.cases, 'provisioner v6.3.0 without the flag (on by default)'), 'Deployment, 2 containers'],
  [V.keepProtectionFlag, find(V.keepProtectionFlag.cases, 'provisioner with --flag=false'), 'Deployment, --flag=false (denied)'],
  [V.keepProtectionFlag, find(V.keepProtectionFlag.cases, 'unrelated Deployment is not matched'), 'unrelated Deployment (skipped)'],
  [V.crdKeepsSourceVolumeMode, find(V.crdKeepsSourceVolumeMode.cases, 'update to the current CRD'), 'CRD update'],
  [V.singleDefaultSnapshotClass, { ...find(V.singleDefaultSnapshotClass.cases, 'first default for a driver') }, 'default class vs 1 class'],
  [V.restoreKeepsVolumeMode, { ...find(V.restoreKeepsVolumeMode.cases, 'Filesystem snapshot restored as Filesystem'), params: [...manyContents, snapshotContent('snapcontent-db')] }, 'restore PVC vs 100 contents'],
  [V.restoreKeepsVolumeMode, { ...find(V.restoreKeepsVolumeMode.cases, 'empty PVC is not matched'), params: manyContents }, 'plain PVC vs 99 contents (skipped)'],
  [M.addProtectionFlag, find(M.addProtectionFlag.cases, 'provisioner v6.3.0 without the flag gets it'), 'Deployment mutated'],
  [M.stampModeChangeApprover, find(M.stampModeChangeApprover.cases, 'approver sets true'), 'VSC stamped'],
];

console.log(`cel-js ${RUNS} runs each, median µs per admission request (matching, params, variables, validations, messages; no trace recording)`);
console.log('policy'.padEnd(48) + 'request'.padEnd(36) + 'median µs');
for (const [def, c, label] of rows) console.log(def.name.padEnd(48) + label.padEnd(36) + median(def, c).toFixed(1));
