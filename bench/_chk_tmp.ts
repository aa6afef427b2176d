import { spawnSync } from 'node:child_process';
import { VALIDATING_POLICIES, MUTATING_POLICIES } from '../src/policies';
import { catalogImage, container, podSpec, workload } from '../src/policies/_fixtures';
import { Component } from '../src/catalog';
import { evaluateCase } from '../src/testing';
const N = Number(process.argv[2] ?? 256);
const nArgs = Number(process.argv[3] ?? 128);
const mode = process.argv[4] ?? 'tagged';
const image = mode === 'digest' ? `registry.k8s.io/sig-storage/csi-provisioner@sha256:${'a'.repeat(64)}` : catalogImage(Component.CSI_PROVISIONER, mode === 'old' ? 'v3.6.4' : undefined);
const args = Array.from({ length: nArgs }, (_, i) => `--a${String(i).padStart(3, '0')}=${'x'.repeat(N - 7)}`);
const obj = workload('Deployment', 'w', podSpec(Array.from({ length: 32 }, (_, i) => container(`c${i}`, image, args))));
for (const def of [VALIDATING_POLICIES.keepProtectionFlag, MUTATING_POLICIES.addProtectionFlag] as any[]) {
  const r = evaluateCase(def, { name: 'x', request: { operation: 'CREATE' }, object: obj, expect: 'allowed' } as any);
  const input = r.traces.map((t) => JSON.stringify({ expression: t.expression, vars: t.vars })).join('\n') + '\n';
  const run = spawnSync('/tmp/celgo/bin/celeval', ['--k8s', '--cost', '--batch', '-'], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  const out = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
  console.log(def.name, r.verdict, r.messages[0]?.slice(0, 80));
  out.forEach((o, i) => console.log('  ', r.traces[i].path.padEnd(50), o.ok ? o.cost : 'ERR ' + o.error?.slice(0, 80)));
}
