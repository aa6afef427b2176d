/**
 * The ready-made app: every chart this project ships, in the order reviewers read them.
 * Kept free of I/O so tests can build it in-process; src/main.ts writes it to dist/.
 */
import { App } from 'cdk8s';
import { SnapshotPlatformChart } from './charts/snapshot-platform';

/** Builds the app with all shipped charts; `outdir` is where `app.synth()` writes. */
export function buildApp(outdir: string): App {
  const app = new App({ outdir });
  new SnapshotPlatformChart(app, 'snapshot-platform');
  return app;
}
