/**
 * OpenShift FeatureGate, Storage operator opt-in and the in-tree / CSI StorageClass pair.
 * Expected values from FACTS §g1-§g3, §e (in-tree removals) and SCENARIOS §5.
 */
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { OpenShiftFeatureSet, VSphereStorageDriver } from '../src/catalog';
import { CsiMigrationStorageClasses, CsiMigrationStorageClassesProps, MigrationDefaultClass } from '../src/constructs/classes/csi-migration-storage-classes';
import { OpenShiftFeatureGate, OpenShiftFeatureGateProps } from '../src/constructs/feature-gates/openshift-feature-gate';
import { OpenShiftStorageDriver } from '../src/constructs/feature-gates/openshift-storage-driver';

const ACK = OpenShiftFeatureSet.CUSTOM_NO_UPGRADE;

function featureGate(props: OpenShiftFeatureGateProps) {
  const chart = Testing.chart();
  const construct = new OpenShiftFeatureGate(chart, 'FeatureGate', props);
  return { construct, doc: (Testing.synth(chart) as any[])[0] };
}

function vsphere411(extra: Partial<OpenShiftFeatureGateProps> = {}) {
  return featureGate({ openshiftVersion: '4.11', featureSet: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE, enabled: ['CSIMigrationvSphere'], acknowledgeNoUpgrade: ACK, ...extra });
}

describe('OpenShiftFeatureGate rendering', () => {
  test('4.11 vSphere migration: CustomNoUpgrade with CSIMigrationvSphere, cluster-scoped name cluster', () => {
    const { doc, construct } = vsphere411();
    expect(doc.apiVersion).toBe('config.openshift.io/v1');
    expect(doc.kind).toBe('FeatureGate');
    expect(doc.metadata.name).toBe('cluster');
    expect(doc.metadata.namespace).toBeUndefined();
    expect(doc.spec).toEqual({ featureSet: 'CustomNoUpgrade', customNoUpgrade: { enabled: ['CSIMigrationvSphere'] } });
    expect(construct.kubernetesMinor).toBe(24);
  });

  test('a NoUpgrade set carries the irreversibility annotation', () => {
    const { doc } = vsphere411();
    expect(doc.metadata.annotations['csi-snapshot-guard.io/irreversible']).toMatch(/CustomNoUpgrade cannot be undone and blocks minor upgrades/);
  });

  test('the default feature set is the empty string, never "Default", and has no annotation', () => {
    const { doc } = featureGate({ openshiftVersion: '4.14' });
    expect(doc.spec).toEqual({ featureSet: '' });
    expect(doc.metadata.annotations).toBeUndefined();
  });

  test('TechPreviewNoUpgrade with its acknowledgement renders without customNoUpgrade', () => {
    const { doc } = featureGate({ openshiftVersion: '4.12', featureSet: OpenShiftFeatureSet.TECH_PREVIEW_NO_UPGRADE,
      acknowledgeNoUpgrade: OpenShiftFeatureSet.TECH_PREVIEW_NO_UPGRADE });
    expect(doc.spec).toEqual({ featureSet: 'TechPreviewNoUpgrade' });
    expect(doc.metadata.annotations['csi-snapshot-guard.io/irreversible']).toMatch(/TechPreviewNoUpgrade cannot be undone/);
  });

  test('enabled and disabled lists are sorted; Kubernetes gates are checked at the release\'s Kubernetes minor', () => {
    const { doc } = featureGate({ openshiftVersion: '4.12', featureSet: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE, acknowledgeNoUpgrade: ACK,
      enabled: ['CSIVolumeHealth', 'CSIMigrationvSphere', 'CSIMigrationAzureFile'], disabled: ['InTreePluginvSphereUnregister'], allowAlphaGates: true });
    expect(doc.spec.customNoUpgrade).toEqual({
      enabled: ['CSIMigrationAzureFile', 'CSIMigrationvSphere', 'CSIVolumeHealth'],
      disabled: ['InTreePluginvSphereUnregister'],
    });
  });

  test('an unconfirmed OpenShift -> Kubernetes pairing is noted', () => {
    const { construct } = featureGate({ openshiftVersion: '4.17' });
    expect(construct.kubernetesMinor).toBe(30);
    expect(construct.notes.join()).toMatch(/4\.17 -> Kubernetes 1\.30 .* UNCONFIRMED/);
  });

  test('OpenShift-only gates pass with allowUncataloguedGates and are noted', () => {
    const { doc, construct } = featureGate({ openshiftVersion: '4.19', featureSet: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE, acknowledgeNoUpgrade: ACK,
      enabled: ['GatewayAPI'], allowUncataloguedGates: true });
    expect(doc.spec.customNoUpgrade.enabled).toEqual(['GatewayAPI']);
    expect(construct.notes.join()).toMatch(/GatewayAPI is not in the catalog/);
  });

  test('gateEnabled reflects the lists and Kubernetes defaults', () => {
    const { construct } = vsphere411();
    expect(construct.gateEnabled('CSIMigrationvSphere')).toBe(true);
    expect(construct.gateEnabled('CSIMigrationAWS')).toBe(true); // beta, on by default in 1.24 (FACTS §e)
    expect(construct.gateEnabled('CSIVolumeHealth')).toBe(false);
  });
});

describe('OpenShiftFeatureGate checks', () => {
  test('the literal "Default" is refused', () => {
    expect(() => featureGate({ openshiftVersion: '4.11', featureSet: 'Default' as OpenShiftFeatureSet }))
      .toThrow(/featureSet 'Default' is not in the API enum: the default feature set is the empty string; use OpenShiftFeatureSet.DEFAULT \(''\)/);
  });

  test('CustomNoUpgrade without acknowledgement fails and says why', () => {
    expect(() => vsphere411({ acknowledgeNoUpgrade: undefined }))
      .toThrow(/acknowledgeNoUpgrade \(unset\) does not acknowledge featureSet CustomNoUpgrade, which cannot be undone .* blocks minor upgrades.*; set acknowledgeNoUpgrade: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE/);
  });

  test('acknowledging another feature set does not count', () => {
    expect(() => vsphere411({ acknowledgeNoUpgrade: OpenShiftFeatureSet.TECH_PREVIEW_NO_UPGRADE }))
      .toThrow(/acknowledgeNoUpgrade 'TechPreviewNoUpgrade' does not acknowledge featureSet CustomNoUpgrade/);
  });

  test('gate lists without CustomNoUpgrade fail', () => {
    expect(() => featureGate({ openshiftVersion: '4.11', enabled: ['CSIMigrationvSphere'] }))
      .toThrow(/enabled \["CSIMigrationvSphere"\] is only read with featureSet CustomNoUpgrade, not ""; set featureSet/);
  });

  test('CustomNoUpgrade with no gates fails', () => {
    expect(() => featureGate({ openshiftVersion: '4.11', featureSet: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE, acknowledgeNoUpgrade: ACK }))
      .toThrow(/enabled \[\] is empty while featureSet is CustomNoUpgrade, which would block upgrades for nothing/);
  });

  test('4.14: vSphere migration is automatic, asking for it is an error with the reason', () => {
    expect(() => featureGate({ openshiftVersion: '4.14', featureSet: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE, enabled: ['CSIMigrationvSphere'], acknowledgeNoUpgrade: ACK }))
      .toThrow(/enabled 'CSIMigrationvSphere' is not needed on OpenShift 4\.14: CSI migration of kubernetes\.io\/vsphere-volume is GA and automatic for every cluster since 4\.14; remove the gate/);
  });

  test('4.13: vSphere migration goes through the Storage operator, not the FeatureGate', () => {
    expect(() => featureGate({ openshiftVersion: '4.13', featureSet: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE, enabled: ['CSIMigrationvSphere'], acknowledgeNoUpgrade: ACK }))
      .toThrow(/enabled 'CSIMigrationvSphere' is not how OpenShift 4\.13 migrates .*; remove the gate and use OpenShiftStorageDriver \(vsphereStorageDriver: CSIWithMigrationDriver\)/);
  });

  test('4.11: Azure Disk migration is already automatic', () => {
    expect(() => featureGate({ openshiftVersion: '4.11', featureSet: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE, enabled: ['CSIMigrationAzureDisk'], acknowledgeNoUpgrade: ACK }))
      .toThrow(/CSI migration of kubernetes\.io\/azure-disk is GA and automatic for every cluster since 4\.11/);
  });

  test('a misspelt gate gets a suggestion', () => {
    expect(() => vsphere411({ enabled: ['CSIMigrationVsphere'] }))
      .toThrow(/enabled\/disabled 'CSIMigrationVsphere' is not a known feature gate; did you mean 'CSIMigrationvSphere'/);
  });

  test('alpha Kubernetes gates need allowAlphaGates on OpenShift too', () => {
    expect(() => vsphere411({ enabled: ['CSIMigrationvSphere', 'CSIVolumeHealth'] }))
      .toThrow(/CSIVolumeHealth true enables a gate that is alpha on OpenShift 4\.11 \(Kubernetes 1\.24\)/);
  });

  test('only locked gates left would make CustomNoUpgrade pointless', () => {
    expect(() => featureGate({ openshiftVersion: '4.17', featureSet: OpenShiftFeatureSet.CUSTOM_NO_UPGRADE, enabled: ['ValidatingAdmissionPolicy'], acknowledgeNoUpgrade: ACK }))
      .toThrow(/enabled \["ValidatingAdmissionPolicy"\] leaves nothing to render once locked gates are dropped/);
  });

  test('a gate in both lists fails', () => {
    expect(() => vsphere411({ disabled: ['CSIMigrationvSphere'] })).toThrow(/disabled 'CSIMigrationvSphere' is also listed in enabled/);
  });

  test('a gate name outside the API pattern fails', () => {
    expect(() => vsphere411({ enabled: ['CSI Migration'] })).toThrow(/enabled\[0\] 'CSI Migration' is not a gate name/);
  });

  test.each(['4.9', '4.23', '3.11', 'latest'])('openshiftVersion %s is refused', (v) => {
    expect(() => featureGate({ openshiftVersion: v })).toThrow(/openshiftVersion '.*' is (outside the catalogued releases 4\.10 to 4\.22|not an OpenShift 4 release)/);
  });
});

describe('OpenShiftStorageDriver', () => {
  test('4.13 upgraded clusters: Storage cluster with vsphereStorageDriver CSIWithMigrationDriver, marked set-once', () => {
    const chart = Testing.chart();
    new OpenShiftStorageDriver(chart, 'Driver', { openshiftVersion: '4.13' });
    const [doc] = Testing.synth(chart) as any[];
    expect(doc).toMatchObject({ apiVersion: 'operator.openshift.io/v1', kind: 'Storage', metadata: { name: 'cluster' },
      spec: { vsphereStorageDriver: 'CSIWithMigrationDriver' } });
    expect(doc.metadata.annotations['csi-snapshot-guard.io/irreversible']).toMatch(/set-once/);
  });

  test('the legacy driver can be chosen explicitly', () => {
    const chart = Testing.chart();
    const d = new OpenShiftStorageDriver(chart, 'Driver', { openshiftVersion: '4.13', vsphereStorageDriver: VSphereStorageDriver.LEGACY_DEPRECATED_IN_TREE_DRIVER });
    expect(d.resource.toJson().spec.vsphereStorageDriver).toBe('LegacyDeprecatedInTreeDriver');
  });

  test('before 4.13 it points to the FeatureGate', () => {
    expect(() => new OpenShiftStorageDriver(Testing.chart(), 'Driver', { openshiftVersion: '4.12' }))
      .toThrow(/openshiftVersion '4\.12' has no vsphereStorageDriver opt-in \(it arrived in 4\.13\); .*OpenShiftFeatureGate with featureSet CustomNoUpgrade and enabled: \['CSIMigrationvSphere'\]/);
  });

  test('from 4.14 there is nothing to opt in to', () => {
    expect(() => new OpenShiftStorageDriver(Testing.chart(), 'Driver', { openshiftVersion: '4.14' }))
      .toThrow(/openshiftVersion '4\.14' migrates vSphere volumes automatically for every cluster \(since 4\.14\).*; remove this construct/);
  });
});

describe('CsiMigrationStorageClasses', () => {
  function classes(props: CsiMigrationStorageClassesProps) {
    const chart = Testing.chart();
    new CsiMigrationStorageClasses(chart, 'Classes', props);
    const docs = Testing.synth(chart) as any[];
    return Object.fromEntries(docs.map((d) => [d.metadata.name, d]));
  }
  const isDefault = (d: any) => d.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'];

  test('vSphere pair: thin (in-tree) and thin-csi (csi.vsphere.vmware.com), CSI default by default', () => {
    const c = classes({ kubernetesVersion: '1.24' });
    expect(c.thin.provisioner).toBe('kubernetes.io/vsphere-volume');
    expect(c['thin-csi'].provisioner).toBe('csi.vsphere.vmware.com');
    expect(isDefault(c['thin-csi'])).toBe('true');
    expect(isDefault(c.thin)).toBe('false');
  });

  test('the in-tree class can stay the default', () => {
    const c = classes({ kubernetesVersion: '1.24', defaultClass: MigrationDefaultClass.IN_TREE });
    expect(isDefault(c.thin)).toBe('true');
    expect(isDefault(c['thin-csi'])).toBe('false');
  });

  test('neither default marks both non-default', () => {
    const c = classes({ kubernetesVersion: '1.24', defaultClass: MigrationDefaultClass.NONE });
    expect([isDefault(c.thin), isDefault(c['thin-csi'])]).toEqual(['false', 'false']);
  });

  test('vSphere in-tree on 1.30 is refused and names the CSI driver', () => {
    expect(() => classes({ kubernetesVersion: '1.30' }))
      .toThrow(/inTreeProvisioner 'kubernetes\.io\/vsphere-volume' cannot be used on Kubernetes 1\.30: the in-tree plugin was removed in 1\.30; drop the in-tree class and render only a StorageClass with provisioner 'csi\.vsphere\.vmware\.com'/);
  });

  test('the OpenShift target maps to its Kubernetes minor (4.17 = 1.30: vSphere in-tree gone)', () => {
    expect(() => classes({ openshiftVersion: '4.17' }))
      .toThrow(/cannot be used on OpenShift 4\.17 \(Kubernetes 1\.30\): the in-tree plugin was removed in 1\.30/);
  });

  test('AWS EBS on 1.27 is refused with ebs.csi.aws.com', () => {
    expect(() => classes({ kubernetesVersion: '1.27', inTreeProvisioner: 'kubernetes.io/aws-ebs', inTreeName: 'gp2', csiName: 'gp3-csi' }))
      .toThrow(/removed in 1\.27; .*'ebs\.csi\.aws\.com'/);
  });

  test('glusterfs had no migration target: the CSI driver must be named', () => {
    expect(() => classes({ kubernetesVersion: '1.25', inTreeProvisioner: 'kubernetes.io/glusterfs', inTreeName: 'g', csiName: 'g-csi' }))
      .toThrow(/csiDriver \(unset\) must be set: kubernetes\.io\/glusterfs has no CSI migration target/);
  });

  test('other provisioners need explicit names', () => {
    expect(() => classes({ kubernetesVersion: '1.25', inTreeProvisioner: 'kubernetes.io/aws-ebs' }))
      .toThrow(/inTreeName \(unset\) has no default for kubernetes\.io\/aws-ebs/);
  });

  test('a CSI driver is not an in-tree provisioner', () => {
    expect(() => classes({ kubernetesVersion: '1.25', inTreeProvisioner: 'csi.vsphere.vmware.com' }))
      .toThrow(/inTreeProvisioner 'csi\.vsphere\.vmware\.com' is not a catalogued in-tree provisioner; use one of kubernetes\.io\/cinder/);
  });

  test('two classes cannot share a name', () => {
    expect(() => classes({ kubernetesVersion: '1.25', csiName: 'thin' })).toThrow(/csiName 'thin' is also the name of the in-tree class/);
  });
});
