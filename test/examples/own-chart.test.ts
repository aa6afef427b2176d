import { App, Chart, Testing } from 'cdk8s';
import { expect, it } from 'vitest';
import { KUBERNETES_VERSION_CONTEXT, SnapshotController, SnapshotCrds } from '../../src';

it('the README example renders CRDs and a protected controller for the chosen target', () => {
  const app = new App({ outdir: Testing.app().outdir });
  // --- README example (between the markers, with package imports) ---
  app.node.setContext(KUBERNETES_VERSION_CONTEXT, '1.34');    // one target for every construct
  const chart = new Chart(app, 'snapshots');
  new SnapshotCrds(chart, 'Crds');
  new SnapshotController(chart, 'Controller', {
    namespace: 'storage-system',
    replicas: 3,
    // image: { tag: 'v8.7.0', digest: 'sha256:<64 hex characters>' },   // optional: pin by digest
  });
  // --- end of README example ---
  const objects = Testing.synth(chart);
  // Three snapshot and three group snapshot CRDs: v8.7 controllers look for both at start.
  expect(objects.filter((o) => o.kind === 'CustomResourceDefinition')).toHaveLength(6);
  const deployment = objects.find((o) => o.kind === 'Deployment');
  expect(deployment.metadata.namespace).toBe('storage-system');
  expect(deployment.spec.replicas).toBe(3);
  expect(deployment.spec.template.spec.containers[0].args).toContain('--prevent-volume-mode-conversion=true');
});
