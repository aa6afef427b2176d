/** Human-readable tables for the reports; `--output json` prints the report objects as they are. */
import type { BackfillReport } from './backfill';
import type { DoctorReport } from './doctor';

/** The audit as a table: one block per finding, worst first within each check. */
export function renderDoctorTable(report: DoctorReport): string {
  const lines = [`doctor: ${report.server}`, ''];
  const width = Math.max(0, ...report.findings.map((f) => (f.subject ?? f.id).length));
  for (const f of report.findings) {
    lines.push(`${f.status.toUpperCase().padEnd(4)}  ${f.check.padEnd(9)}  ${(f.subject ?? f.id).padEnd(width)}  ${f.summary}`);
    if (f.status !== 'pass') {
      for (const e of f.evidence) lines.push(`      - ${e}`);
      if (f.fix) lines.push(`      fix: ${f.fix}`);
    }
  }
  const s = report.summary;
  lines.push('', `${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.skip} skipped; exit ${report.exitCode}`);
  return lines.join('\n') + '\n';
}

/** The backfill as a table: one line per content that lacked the field. */
export function renderBackfillTable(report: BackfillReport): string {
  const lines = [`backfill-source-volume-mode: ${report.server} (${report.apply ? 'apply' : 'dry-run: nothing written; add --apply to write'})`, ''];
  for (const e of report.entries) {
    lines.push(`${e.outcome.toUpperCase().padEnd(14)}  ${e.name}${e.mode ? `  -> ${e.mode}` : ''}`);
    lines.push(`                - ${e.reason}`);
  }
  const c = report.counts;
  lines.push('', `${report.scanned} scanned; ${c.patched} patched, ${c['would-patch']} would be patched, ${c.undeterminable} undeterminable (untouched), `
    + `${c['set-meanwhile']} set meanwhile, ${c.gone} gone, ${c.failed} failed; exit ${report.exitCode}`);
  return lines.join('\n') + '\n';
}
