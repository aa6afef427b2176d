/**
 * Lifecycle lookups against FACTS §e / §f1 / §g2 / §g3. Expected values are written from FACTS.md,
 * not from the catalog; the last block re-reads the FACTS §e table itself when ../shared is present.
 */
import * as fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  closestGateName, FEATURE_GATES, featureGate, GateComponent, gateComponents, GateMaturity, gateState, OPENSHIFT_RELEASES,
  openShiftMigrationByProvisioner, openShiftMigrationMode, OpenShiftMigrationMode, openShiftRelease, runtimeConfigFor,
} from '../src/catalog';
import { describeWithShared, sharedPath } from './support/shared';

function at(name: string, minor: number) {
  const gate = featureGate(name);
  if (!gate) throw new Error(`${name} missing from the catalog`);
  return gateState(gate, minor);
}

describe('Kubernetes gate lifecycle (FACTS §e)', () => {
  test('CSIMigrationvSphere: beta off on 1.24, beta on 1.25, GA locked 1.26, accepted to 1.28, gone 1.29', () => {
    expect(at('CSIMigrationvSphere', 24).phase).toMatchObject({ maturity: GateMaturity.BETA, defaultOn: false });
    expect(at('CSIMigrationvSphere', 25).phase).toMatchObject({ maturity: GateMaturity.BETA, defaultOn: true });
    expect(at('CSIMigrationvSphere', 26).phase).toMatchObject({ maturity: GateMaturity.GA, defaultOn: true, locked: true });
    expect(at('CSIMigrationvSphere', 28).accepted).toBe(true);
    expect(at('CSIMigrationvSphere', 29).removed).toBe(true);
  });

  test.each([
    // [gate, GA minor, last accepting minor] straight from the FACTS §e table
    ['CSIMigration', 25, 26],
    ['CSIMigrationAWS', 25, 26],
    ['CSIMigrationGCE', 25, 27],
    ['CSIMigrationAzureDisk', 24, 26],
    ['CSIMigrationAzureFile', 26, 29],
    ['CSIMigrationOpenStack', 24, 25],
    ['ValidatingAdmissionPolicy', 30, 31],
    ['VolumeSnapshotDataSource', 20, 22],
    ['CSINodeInfo', 17, 22],
    ['CSIDriverRegistry', 18, 21],
    ['KubeletPluginsWatcher', 13, 16],
  ])('%s is GA from 1.%i and accepted up to 1.%i', (name, ga, last) => {
    expect(at(name, ga).phase?.maturity).toBe(GateMaturity.GA);
    expect(at(name, ga - 1).phase?.maturity).not.toBe(GateMaturity.GA);
    expect(at(name, last).accepted).toBe(true);
    expect(at(name, last + 1).removed).toBe(true);
  });

  test('beta defaults that flipped: AWS/GCE on from 1.23, AzureDisk on in 1.23, AzureFile on 1.24-1.25', () => {
    expect(at('CSIMigrationAWS', 22).phase?.defaultOn).toBe(false);
    expect(at('CSIMigrationAWS', 23).phase?.defaultOn).toBe(true);
    expect(at('CSIMigrationGCE', 22).phase?.defaultOn).toBe(false);
    expect(at('CSIMigrationAzureDisk', 23).phase).toMatchObject({ maturity: GateMaturity.BETA, defaultOn: true });
    expect(at('CSIMigrationAzureFile', 23).phase?.defaultOn).toBe(false);
    expect(at('CSIMigrationAzureFile', 24).phase?.defaultOn).toBe(true);
  });

  test('CSIMigrationPortworx: alpha 1.23, beta off 1.25, beta on 1.31, GA locked 1.33, last accepted 1.35', () => {
    expect(at('CSIMigrationPortworx', 23).phase?.maturity).toBe(GateMaturity.ALPHA);
    expect(at('CSIMigrationPortworx', 30).phase).toMatchObject({ maturity: GateMaturity.BETA, defaultOn: false });
    expect(at('CSIMigrationPortworx', 31).phase).toMatchObject({ maturity: GateMaturity.BETA, defaultOn: true });
    expect(at('CSIMigrationPortworx', 33).phase).toMatchObject({ maturity: GateMaturity.GA, locked: true });
    // FACTS left the removal UNCONFIRMED; kube_features.go of v1.35.4 has the gate, v1.36.3 does not.
    expect(at('CSIMigrationPortworx', 35).accepted).toBe(true);
    expect(at('CSIMigrationPortworx', 36).removed).toBe(true);
  });

  test('CSIMigrationRBD and InTreePluginRBDUnregister: alpha to 1.27, deprecated 1.28-1.30, gone 1.31', () => {
    for (const name of ['CSIMigrationRBD', 'InTreePluginRBDUnregister']) {
      expect(at(name, 27).phase?.maturity).toBe(GateMaturity.ALPHA);
      expect(at(name, 28).phase?.maturity).toBe(GateMaturity.DEPRECATED);
      expect(at(name, 30).accepted).toBe(true);
      expect(at(name, 31).removed).toBe(true);
    }
  });

  test('InTreePlugin<X>Unregister gates are alpha (off) to 1.30; the Portworx one lasts to 1.35', () => {
    for (const p of ['AWS', 'GCE', 'AzureDisk', 'AzureFile', 'OpenStack', 'vSphere']) {
      expect(at(`InTreePlugin${p}Unregister`, 30).phase).toMatchObject({ maturity: GateMaturity.ALPHA, defaultOn: false });
      expect(at(`InTreePlugin${p}Unregister`, 31).removed).toBe(true);
    }
    expect(at('InTreePluginPortworxUnregister', 35).accepted).toBe(true);
    expect(at('InTreePluginPortworxUnregister', 36).removed).toBe(true);
  });

  test('CSIVolumeHealth is alpha and off from 1.21 through 1.37; the kubelet reads it, and the API server too from 1.37', () => {
    expect(at('CSIVolumeHealth', 21).phase).toMatchObject({ maturity: GateMaturity.ALPHA, defaultOn: false });
    expect(at('CSIVolumeHealth', 37).phase).toMatchObject({ maturity: GateMaturity.ALPHA, defaultOn: false });
    expect(gateComponents(featureGate('CSIVolumeHealth')!, 36)).toEqual([GateComponent.KUBELET]);
    expect(gateComponents(featureGate('CSIVolumeHealth')!, 37)).toEqual([GateComponent.KUBELET, GateComponent.KUBE_APISERVER]);
  });

  test('StrictCostEnforcementForVAP: beta off in 1.30, GA locked in 1.32, last accepted 1.34', () => {
    expect(at('StrictCostEnforcementForVAP', 30).phase).toMatchObject({ maturity: GateMaturity.BETA, defaultOn: false });
    expect(at('StrictCostEnforcementForVAP', 32).phase).toMatchObject({ maturity: GateMaturity.GA, defaultOn: true, locked: true });
    expect(at('StrictCostEnforcementForVAP', 35).removed).toBe(true);
  });

  test('AnyVolumeDataSource: GA locked from 1.33, gone in 1.37 (FACTS §0.1)', () => {
    expect(at('AnyVolumeDataSource', 33).phase).toMatchObject({ maturity: GateMaturity.GA, defaultOn: true, locked: true });
    expect(at('AnyVolumeDataSource', 36).accepted).toBe(true);
    expect(at('AnyVolumeDataSource', 37).removed).toBe(true);
  });

  test('MutatingAdmissionPolicy is GA and on from 1.36 but not locked (k8s.io/apiserver v0.36.3, v0.37.2)', () => {
    expect(at('MutatingAdmissionPolicy', 37).phase).toEqual({ maturity: GateMaturity.GA, since: 36, defaultOn: true });
  });

  test('CSIMigration* gates reach controller-manager and kubelet; admission gates only the apiserver', () => {
    expect(featureGate('CSIMigrationvSphere')!.components).toEqual(
      expect.arrayContaining([GateComponent.KUBE_CONTROLLER_MANAGER, GateComponent.KUBELET]));
    expect(featureGate('MutatingAdmissionPolicy')!.components).toEqual([GateComponent.KUBE_APISERVER]);
    expect(featureGate('ValidatingAdmissionPolicy')!.components).toEqual([GateComponent.KUBE_APISERVER]);
  });

  test('misspellings find the real name', () => {
    expect(closestGateName('CSIMigrationVSphere')).toBe('CSIMigrationvSphere');
    expect(closestGateName('CSIVolumeHeath')).toBe('CSIVolumeHealth');
    expect(closestGateName('TotallyUnrelatedThing')).toBeUndefined();
  });
});

describe('admission gates and their --runtime-config (FACTS §f1)', () => {
  const vap = () => featureGate('ValidatingAdmissionPolicy')!;
  const map = () => featureGate('MutatingAdmissionPolicy')!;

  test('ValidatingAdmissionPolicy: v1alpha1 on 1.26, v1beta1 (off) on 1.28-1.29, nothing from 1.30', () => {
    expect(runtimeConfigFor(vap(), 26)).toBe('admissionregistration.k8s.io/v1alpha1=true');
    expect(runtimeConfigFor(vap(), 28)).toBe('admissionregistration.k8s.io/v1beta1=true');
    expect(at('ValidatingAdmissionPolicy', 29).phase).toMatchObject({ maturity: GateMaturity.BETA, defaultOn: false });
    expect(runtimeConfigFor(vap(), 30)).toBeUndefined();
  });

  test('MutatingAdmissionPolicy: v1alpha1 on 1.32, v1beta1 (off) on 1.34-1.35, v1 on by default in 1.36', () => {
    expect(runtimeConfigFor(map(), 32)).toBe('admissionregistration.k8s.io/v1alpha1=true');
    expect(runtimeConfigFor(map(), 34)).toBe('admissionregistration.k8s.io/v1beta1=true');
    expect(at('MutatingAdmissionPolicy', 35).phase).toMatchObject({ maturity: GateMaturity.BETA, defaultOn: false });
    expect(at('MutatingAdmissionPolicy', 36).phase).toMatchObject({ maturity: GateMaturity.GA, defaultOn: true });
    expect(runtimeConfigFor(map(), 36)).toBeUndefined();
  });

  test('MutatingAdmissionPolicy exists from 1.30 (without effect before 1.32) and not before', () => {
    expect(at('MutatingAdmissionPolicy', 29).notYet).toBe(true);
    expect(at('MutatingAdmissionPolicy', 30).phase?.maturity).toBe(GateMaturity.ALPHA);
    expect(map().admissionApi!(31)).toBeUndefined();
  });
});

describe('OpenShift (FACTS §g2, §g3)', () => {
  test.each([[10, 23], [11, 24], [12, 25], [13, 26], [14, 27], [15, 28], [19, 32]])('4.%i ships Kubernetes 1.%i (confirmed)', (ocp, k8s) => {
    expect(openShiftRelease(ocp)).toEqual({ minor: ocp, kubernetesMinor: k8s, confirmed: true });
  });

  test('4.16-4.18 and 4.20-4.22 are inferred (FACTS §0.2), marked unconfirmed and say from what', () => {
    for (const [ocp, k8s] of [[16, 29], [17, 30], [18, 31], [20, 33], [21, 34], [22, 35]]) {
      expect(openShiftRelease(ocp)).toEqual({ minor: ocp, kubernetesMinor: k8s, confirmed: false, inferredFrom: expect.stringMatching(/^inferred: k8s\.io\/api in the release branch go\.mod/) });
    }
    expect(OPENSHIFT_RELEASES[0].minor).toBe(10);
    expect(OPENSHIFT_RELEASES[OPENSHIFT_RELEASES.length - 1].minor).toBe(22);
  });

  const mode = (provisioner: string, ocp: number) => openShiftMigrationMode(openShiftMigrationByProvisioner(provisioner)!, ocp);

  test('vSphere: FeatureGate on 4.10-4.12, Storage opt-in on 4.13, automatic from 4.14', () => {
    expect(mode('kubernetes.io/vsphere-volume', 10)).toBe(OpenShiftMigrationMode.FEATURE_GATE);
    expect(mode('kubernetes.io/vsphere-volume', 12)).toBe(OpenShiftMigrationMode.FEATURE_GATE);
    expect(mode('kubernetes.io/vsphere-volume', 13)).toBe(OpenShiftMigrationMode.STORAGE_OPERATOR_OPT_IN);
    expect(mode('kubernetes.io/vsphere-volume', 14)).toBe(OpenShiftMigrationMode.AUTOMATIC);
    expect(openShiftMigrationByProvisioner('kubernetes.io/vsphere-volume')!.gate).toBe('CSIMigrationvSphere');
  });

  test('4.11: Azure Disk and Cinder automatic; AWS EBS, Azure File, GCE PD manual', () => {
    expect(mode('kubernetes.io/azure-disk', 11)).toBe(OpenShiftMigrationMode.AUTOMATIC);
    expect(mode('kubernetes.io/cinder', 11)).toBe(OpenShiftMigrationMode.AUTOMATIC);
    expect(mode('kubernetes.io/aws-ebs', 11)).toBe(OpenShiftMigrationMode.FEATURE_GATE);
    expect(mode('kubernetes.io/azure-file', 11)).toBe(OpenShiftMigrationMode.FEATURE_GATE);
    expect(mode('kubernetes.io/gce-pd', 11)).toBe(OpenShiftMigrationMode.FEATURE_GATE);
  });

  test('4.12: AWS EBS and GCE PD automatic, Azure File still manual; 4.13: Azure File automatic', () => {
    expect(mode('kubernetes.io/aws-ebs', 12)).toBe(OpenShiftMigrationMode.AUTOMATIC);
    expect(mode('kubernetes.io/gce-pd', 12)).toBe(OpenShiftMigrationMode.AUTOMATIC);
    expect(mode('kubernetes.io/azure-file', 12)).toBe(OpenShiftMigrationMode.FEATURE_GATE);
    expect(mode('kubernetes.io/azure-file', 13)).toBe(OpenShiftMigrationMode.AUTOMATIC);
  });
});

describeWithShared('catalog agrees with the FACTS §e table', () => {
  // Rows like "| CSIMigrationvSphere | 1.18 | 1.19–1.24 off, 1.25 on | 1.26 | 1.28 |".
  const facts = () => fs.readFileSync(sharedPath('reference', 'FACTS.md'), 'utf8');
  const sectionE = () => facts().split('\n## e.')[1].split('\n## f.')[0];
  const rows = () => sectionE().split('\n')
    .map((line) => line.split('|').map((c) => c.trim()))
    .filter((cells) => cells.length >= 6 && /^[A-Z][A-Za-z]+$/.test(cells[1]));

  test('every plain gate row of §e is catalogued', () => {
    const names = rows().map((c) => c[1]).filter((n) => n !== 'Gate' && n !== 'CSIVolumeGroupSnapshot');
    expect(names.length).toBeGreaterThanOrEqual(14);
    for (const name of names) expect(FEATURE_GATES.map((g) => g.name)).toContain(name);
  });

  test('GA and last-accepting releases match wherever the table states a plain release', () => {
    let compared = 0;
    for (const cells of rows()) {
      const gate = featureGate(cells[1]);
      if (!gate) continue;
      const ga = /^\**1\.(\d+)/.exec(cells[4]);
      if (ga) {
        expect(gate.phases.find((p) => p.maturity === GateMaturity.GA)?.since, `${gate.name} GA`).toBe(Number(ga[1]));
        compared++;
      }
      const last = /^1\.(\d+)/.exec(cells[5]);
      if (last) {
        expect(gate.lastAccepted, `${gate.name} last`).toBe(Number(last[1]));
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(20);
  });
});
