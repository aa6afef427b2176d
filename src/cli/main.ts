/**
 * Command-line entry: `csi-snapshot-guard doctor [backfill-source-volume-mode]`. The only part of
 * the project that talks to a cluster. Argument parsing is node:util parseArgs, no dependency.
 */
import { parseArgs } from 'node:util';
import { runBackfill } from './backfill';
import { runDoctor } from './doctor';
import { connect } from './kube';
import { renderBackfillTable, renderDoctorTable } from './render';
import { LIBRARY_VERSION } from '../constructs/common/_labels';

/** Usage text. */
export const USAGE = `usage:
  csi-snapshot-guard doctor [options]                               audit the cluster (read-only)
  csi-snapshot-guard doctor backfill-source-volume-mode [--apply]   fill spec.sourceVolumeMode (dry-run unless --apply)
  (the word doctor may be left out: npm run doctor -- --help)

options:
  --kubeconfig <file>   kubeconfig to use (default: KUBECONFIG, ~/.kube/config, then in-cluster)
  --context <name>      kubeconfig context (default: current context)
  --output table|json   report format (default: table)
  --progress            show scan progress on stderr even when it is not a terminal
  --page-size <n>       items per list request (default: 500)
  --timeout <seconds>   per-request timeout (default: 30)
  --apply               backfill only: write the patches
  -h, --help            this text
  --version             the csi-snapshot-guard version

exit codes: 0 all good, 1 warnings (or dry-run changes pending), 2 failures or unusable input
`;

/** Where the command writes; tests pass buffers. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

/** Runs the command with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = process): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'kubeconfig': { type: 'string' },
        'context': { type: 'string' },
        'output': { type: 'string', default: 'table' },
        'progress': { type: 'boolean', default: false },
        'page-size': { type: 'string', default: '500' },
        'timeout': { type: 'string', default: '30' },
        'apply': { type: 'boolean', default: false },
        'help': { type: 'boolean', short: 'h', default: false },
        'version': { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    io.stdout.write(`csi-snapshot-guard ${LIBRARY_VERSION}\n`);
    return 0;
  }
  // `doctor` is the only command, so it may be left out (`npm run doctor -- backfill-source-volume-mode`).
  const [sub, ...extra] = positionals[0] === 'doctor' ? positionals.slice(1) : positionals;
  const usageError = (msg: string) => { io.stderr.write(`${msg}\n\n${USAGE}`); return 2; };
  if (extra.length > 0 || (sub !== undefined && sub !== 'backfill-source-volume-mode')) {
    return usageError(`unknown subcommand '${[sub, ...extra].join(' ')}'; the only one is 'backfill-source-volume-mode'`);
  }
  if (values.output !== 'table' && values.output !== 'json') return usageError(`--output '${values.output}' is not table or json`);
  const pageSize = Number(values['page-size']);
  if (!Number.isInteger(pageSize) || pageSize < 1) return usageError(`--page-size '${values['page-size']}' is not a positive integer`);
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) return usageError(`--timeout '${values.timeout}' is not a positive number of seconds`);
  if (values.apply && sub === undefined) return usageError('--apply belongs to `doctor backfill-source-volume-mode`; the audit never writes');

  let cluster;
  try {
    cluster = connect({ kubeconfig: values.kubeconfig, context: values.context, timeoutMs: timeout * 1000 });
  } catch (e) {
    io.stderr.write(`cannot load the kubeconfig: ${(e as Error).message}\n`);
    return 2;
  }
  const showProgress = values.progress || io.stderr.isTTY === true;
  const progress = showProgress ? (msg: string) => io.stderr.write(`… ${msg}\n`) : undefined;
  const json = values.output === 'json';
  if (sub === 'backfill-source-volume-mode') {
    const report = await runBackfill(cluster, { apply: values.apply, pageSize, progress });
    io.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : renderBackfillTable(report));
    return report.exitCode;
  }
  const report = await runDoctor(cluster, { pageSize, progress });
  io.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : renderDoctorTable(report));
  return report.exitCode;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
    process.stderr.write(`doctor crashed: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 2;
  });
}
