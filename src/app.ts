/**
 * The ready-made app: every chart this project ships, grouped by output folder. Kept free of I/O
 * so tests can build it in-process; src/synth-output.ts writes it (src/main.ts: to dist/).
 *
 * dist/                 what `kubectl apply -f dist/` installs in one pass: the snapshot platform and
 *                       the volume mode guard. No custom resource sits here: kubectl resolves every
 *                       object's kind before it applies any, so a VolumeSnapshotClass beside the
 *                       CRD that defines it fails on a fresh cluster.
 * dist/examples/...     demo drivers and worked examples, one folder each, applied after the
 *                       platform on purpose, never by accident
 * dist/node-config/     kubelet / kubeadm configuration files: not Kubernetes objects
 */
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { FieldReportChart } from './charts/field-report';
import { HostpathDriverChart } from './charts/hostpath';
import { OpenShiftVsphereMigrationChart } from './charts/openshift-vsphere-migration';
import { SnapshotPlatformChart } from './charts/snapshot-platform';
import { vanillaVolumeHealthGates } from './charts/vanilla-volume-health-gates';
import { formatKubernetesMinor, OpenShiftFeatureSet, SNAPSHOT_STACK_KUBERNETES } from './catalog';
import { KUBERNETES_VERSION_CONTEXT } from './constructs/common/_target';
import { VolumeHealthAlerts } from './constructs/monitoring/volume-health-alerts';

/** One output folder and the app rendered into it. */
export interface ShippedApp {
  /** Folder relative to the output root (`''` for the root itself). */
  readonly folder: string;
  /** The app; `app.synth()` writes into `<root>/<folder>`. */
  readonly app: App;
  /** False for files that are configuration for node agents, not objects for the API server. */
  readonly kubernetesObjects: boolean;
  /** The platform the files are rendered for, as the file headers name it (`Kubernetes 1.36`). */
  readonly target: string;
}

/** Options of {@link buildApps}. */
export interface BuildAppsOptions {
  /**
   * Target Kubernetes minor of the platform and the examples that follow the cluster's version
   * (`'1.34'`). The OpenShift example keeps its own target. @default - the catalog's default
   */
  readonly kubernetesVersion?: string;
}

/** Builds every shipped app with its output under `root`. */
export function buildApps(root: string, options: BuildAppsOptions = {}): ShippedApp[] {
  const kubernetes = `Kubernetes ${options.kubernetesVersion ?? formatKubernetesMinor(SNAPSHOT_STACK_KUBERNETES.default)}`;
  const at = (folder: string) => {
    const app = new App({ outdir: path.join(root, folder) });
    if (options.kubernetesVersion !== undefined) app.node.setContext(KUBERNETES_VERSION_CONTEXT, options.kubernetesVersion);
    return app;
  };

  const main = at('');
  new SnapshotPlatformChart(main, 'snapshot-platform');

  // A demo driver (privileged, hostPath data): never part of what a production cluster applies.
  const hostpath = at('examples/csi-hostpath');
  new HostpathDriverChart(hostpath, 'csi-hostpath');

  // SCENARIOS §1: the driver comes from the csi-hostpath chart above.
  const fieldReport = at('examples/field-report');
  new FieldReportChart(fieldReport, 'field-report', { includeDriver: false });

  // SCENARIOS §5: irreversible on a real cluster, so it lives in its own folder.
  const openshift = new App({ outdir: path.join(root, 'examples/openshift-vsphere-migration') });
  const openshiftMigration = new OpenShiftVsphereMigrationChart(openshift, 'openshift-vsphere-migration', {
    acknowledgeNoUpgrade: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE,
  });

  // Needs the Prometheus operator's CRDs and the kubelet gate from node-config/, so it is opt-in.
  const healthAlerts = at('examples/volume-health-alerts');
  new VolumeHealthAlerts(new Chart(healthAlerts, 'volume-health-alerts'), 'Alerts', { namespace: 'monitoring' });

  const nodeConfig = new App({ outdir: path.join(root, 'node-config'), outputFileExtension: '.yaml' });
  const nodeGates = vanillaVolumeHealthGates(nodeConfig, options.kubernetesVersion ? { kubernetesVersion: options.kubernetesVersion } : {});

  return [
    { folder: '', app: main, kubernetesObjects: true, target: kubernetes },
    { folder: 'examples/csi-hostpath', app: hostpath, kubernetesObjects: true, target: kubernetes },
    { folder: 'examples/field-report', app: fieldReport, kubernetesObjects: true, target: kubernetes },
    { folder: 'examples/openshift-vsphere-migration', app: openshift, kubernetesObjects: true, target: `OpenShift ${openshiftMigration.openshiftVersion}` },
    { folder: 'examples/volume-health-alerts', app: healthAlerts, kubernetesObjects: true, target: kubernetes },
    { folder: 'node-config', app: nodeConfig, kubernetesObjects: false, target: `Kubernetes ${formatKubernetesMinor(nodeGates.gates.kubernetesMinor)} kubelets` },
  ];
}
