/**
 * The app's entry point: renders every shipped chart to dist/ (or $CDK8S_OUTDIR when run by
 * `cdk8s synth`). No cluster access, no network. A failed synth leaves the previous output as it was.
 */
import { buildApps } from './app';
import { synthAtomically } from './synth-atomically';

try {
  synthAtomically(process.env.CDK8S_OUTDIR ?? 'dist', (dir) => {
    for (const { app } of buildApps(dir)) app.synth();
  });
} catch (err) {
  process.stderr.write(`synth failed; the previous output is unchanged.\n${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
