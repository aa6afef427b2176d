/**
 * The ready-made app: every chart this project ships, grouped by output folder. Kept free of I/O
 * so tests can build it in-process; src/main.ts writes it to dist/.
 *
 * dist/                 what `kubectl apply -f dist/` installs: the snapshot platform, the volume
 *                       mode guard and the hostpath CSI driver
 * dist/examples/...     worked examples, one folder each: applied on purpose, never by accident
 * dist/node-config/     kubelet / kubeadm configuration files: not Kubernetes objects
 */
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { FieldReportChart } from './charts/field-report';
import { HostpathDriverChart } from './charts/hostpath';
import { OpenShiftVsphereMigrationChart } from './charts/openshift-vsphere-migration';
import { SnapshotPlatformChart } from './charts/snapshot-platform';
import { vanillaVolumeHealthGates } from './charts/vanilla-volume-health-gates';
import { OpenShiftFeatureSet } from './catalog';
import { VolumeHealthAlerts } from './constructs/volume-health-alerts';

/** One output folder and the app rendered into it. */
export interface ShippedApp {
  /** Folder relative to the output root (`''` for the root itself). */
  readonly folder: string;
  /** The app; `app.synth()` writes into `<root>/<folder>`. */
  readonly app: App;
  /** False for files that are configuration for node agents, not objects for the API server. */
  readonly kubernetesObjects: boolean;
}

/** Builds every shipped app with its output under `root`. */
export function buildApps(root: string): ShippedApp[] {
  const at = (folder: string) => new App({ outdir: path.join(root, folder) });

  const main = at('');
  new SnapshotPlatformChart(main, 'snapshot-platform');
  new HostpathDriverChart(main, 'csi-hostpath');

  // SCENARIOS §1: the driver comes from the csi-hostpath chart above.
  const fieldReport = at('examples/field-report');
  new FieldReportChart(fieldReport, 'field-report', { includeDriver: false });

  // SCENARIOS §5: irreversible on a real cluster, so it lives in its own folder.
  const openshift = at('examples/openshift-vsphere-migration');
  new OpenShiftVsphereMigrationChart(openshift, 'openshift-vsphere-migration', {
    acknowledgeNoUpgrade: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE,
  });

  // Needs the Prometheus operator's CRDs and the kubelet gate from node-config/, so it is opt-in.
  const healthAlerts = at('examples/volume-health-alerts');
  new VolumeHealthAlerts(new Chart(healthAlerts, 'volume-health-alerts'), 'Alerts', { namespace: 'monitoring' });

  const nodeConfig = new App({ outdir: path.join(root, 'node-config'), outputFileExtension: '.yaml' });
  vanillaVolumeHealthGates(nodeConfig);

  return [
    { folder: '', app: main, kubernetesObjects: true },
    { folder: 'examples/field-report', app: fieldReport, kubernetesObjects: true },
    { folder: 'examples/openshift-vsphere-migration', app: openshift, kubernetesObjects: true },
    { folder: 'examples/volume-health-alerts', app: healthAlerts, kubernetesObjects: true },
    { folder: 'node-config', app: nodeConfig, kubernetesObjects: false },
  ];
}
