import { App, Testing } from 'cdk8s';
import { expect, it } from 'vitest';
import { SnapshotPlatformChart } from '../../src';

it('the README OpenShift example leaves CRDs and controller to the cluster and still renders the guard', () => {
  const app = new App({ outdir: Testing.app().outdir });
  // --- README example (between the markers) ---
  new SnapshotPlatformChart(app, 'snapshots', { crds: false, controller: false });
  // --- end of README example ---
  const objects = Testing.synth(app.charts[0]);
  expect(objects.filter((o) => o.kind === 'CustomResourceDefinition' || o.kind === 'Deployment' || o.kind === 'Namespace')).toEqual([]);
  expect(objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy').length).toBeGreaterThan(0);
});
