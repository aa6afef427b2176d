/**
 * Replays harness traces on cel-go, the engine the API server runs, through the `celeval` tool
 * (../shared/tools/celgo): one process, batch mode, Kubernetes' extension set (`--k8s`).
 * Any difference in value, or an error on one side only, is a disagreement.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExpressionTrace } from './harness';

/** A trace on which the two engines differ. */
export interface CelGoDisagreement {
  readonly trace: ExpressionTrace;
  readonly celGo: { ok: boolean; value?: unknown; error?: string; stage?: string };
}

/** The celeval binary: $CELEVAL, else $CELGO_DIR/bin/celeval (CELGO_DIR default /tmp/celgo); undefined when absent. */
export function celEvaluatorPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env.CELEVAL ?? join(env.CELGO_DIR ?? '/tmp/celgo', 'bin', 'celeval');
  return existsSync(path) ? path : undefined;
}

/** Runs every trace through celeval and returns the ones whose result differs. */
export function crossCheckWithCelGo(traces: readonly ExpressionTrace[], binary: string): CelGoDisagreement[] {
  const input = traces.map((t) => JSON.stringify({
    expression: t.expression,
    vars: t.vars,
    authorizer: { allowed: t.permissions },
  })).join('\n') + '\n';
  const run = spawnSync(binary, ['--k8s', '--batch', '-'], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`celeval failed (${run.status}): ${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  if (lines.length !== traces.length) throw new Error(`celeval returned ${lines.length} results for ${traces.length} inputs`);
  const out: CelGoDisagreement[] = [];
  traces.forEach((t, i) => {
    const go = JSON.parse(lines[i]) as { ok: boolean; value?: unknown; error?: string; stage?: string };
    const same = go.ok === t.result.ok && (!go.ok || JSON.stringify(canonical(go.value)) === JSON.stringify(canonical((t.result as { value: unknown }).value)));
    if (!same) out.push({ trace: t, celGo: go });
  });
  return out;
}

/** What cel-go charged for one trace (`celeval --cost`, the API server's per-call limit enforced). */
export interface CelGoCost {
  readonly trace: ExpressionTrace;
  /** Runtime cost; undefined when the evaluation failed (e.g. the per-call limit was exceeded). */
  readonly cost?: number;
  readonly error?: string;
}

/** Runs every trace through `celeval --cost` and returns the runtime cost of each, in order. */
export function celGoCosts(traces: readonly ExpressionTrace[], binary: string): CelGoCost[] {
  const input = traces.map((t) => JSON.stringify({ expression: t.expression, vars: t.vars, authorizer: { allowed: t.permissions } })).join('\n') + '\n';
  const run = spawnSync(binary, ['--k8s', '--cost', '--batch', '-'], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`celeval failed (${run.status}): ${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  if (lines.length !== traces.length) throw new Error(`celeval returned ${lines.length} results for ${traces.length} inputs`);
  return traces.map((trace, i) => {
    const go = JSON.parse(lines[i]) as { ok: boolean; cost?: number; error?: string };
    return go.ok ? { trace, cost: go.cost } : { trace, error: go.error };
  });
}

/** Sorted keys, so that map order does not count as a difference. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}
