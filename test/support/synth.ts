/** In-process synthesis helpers: no CLI, no files. */
import { Chart, Testing } from 'cdk8s';
import { KUBERNETES_VERSION_CONTEXT } from '../../src/constructs/common/_target';

/** A rendered Kubernetes object as plain JSON. */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string; [k: string]: any }; [k: string]: any };

/** A fresh chart in a fresh app, optionally targeting a Kubernetes release. */
export function testChart(kubernetesVersion?: string): Chart {
  const app = Testing.app();
  if (kubernetesVersion) app.node.setContext(KUBERNETES_VERSION_CONTEXT, kubernetesVersion);
  return new Chart(app, 'test');
}

/** Synthesizes a chart to its objects. */
export function synth(chart: Chart): K8sObject[] {
  return Testing.synth(chart) as K8sObject[];
}

/** The one object of a kind (and name); fails the test if there is not exactly one. */
export function one(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}${name ? `/${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** The app.kubernetes.io labels every construct adds (src/constructs/common/_labels.ts). */
export const RECOMMENDED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/version'];

/** A copy without the recommended labels (and without `labels` if nothing else is left), to compare with upstream files. */
export function withoutRecommendedLabels<T>(obj: T): T {
  const copy = JSON.parse(JSON.stringify(obj));
  const labels = copy?.metadata?.labels;
  if (labels) {
    for (const k of RECOMMENDED_LABELS) delete labels[k];
    if (Object.keys(labels).length === 0) delete copy.metadata.labels;
  }
  return copy;
}
