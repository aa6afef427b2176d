/**
 * Policy 6: one default class, enforced by the API server for classes made anywhere. A policy cannot
 * list other objects, so the binding hands it every existing class as a param (paramRef selector)
 * and the new default is checked against each one. This replaces the removed snapshot-validation-webhook.
 */
import { POLICY_NAMES } from '../catalog';
import { DEFAULT_CLASS_ANNOTATION_VALUE, STORAGE_CLASS_API, VOLUME_SNAPSHOT_CLASS_API } from '../catalog/classes';
import { DEFAULT_SNAPSHOT_CLASS_ANNOTATION, DEFAULT_STORAGE_CLASS_ANNOTATIONS, SNAPSHOT_GROUP, SNAPSHOT_RESOURCES } from '../catalog/snapshot-api';
import { annotationOf, celString } from './_cel';
import type { PolicyDefinition } from './types';

const TRUE = celString(DEFAULT_CLASS_ANNOTATION_VALUE);
const isDefaultSnapshotClass = (o: string) => `${annotationOf(o, DEFAULT_SNAPSHOT_CLASS_ANNOTATION)}.orValue('') == ${TRUE}`;
const isDefaultStorageClass = (o: string) => DEFAULT_STORAGE_CLASS_ANNOTATIONS.map((a) => `${annotationOf(o, a)}.orValue('') == ${TRUE}`).join(' || ');

function snapshotClass(name: string, driver: string, isDefault: boolean): Record<string, unknown> {
  return {
    apiVersion: VOLUME_SNAPSHOT_CLASS_API.apiVersion, kind: VOLUME_SNAPSHOT_CLASS_API.kind,
    metadata: { name, ...(isDefault ? { annotations: { [DEFAULT_SNAPSHOT_CLASS_ANNOTATION]: DEFAULT_CLASS_ANNOTATION_VALUE } } : {}) },
    driver, deletionPolicy: 'Delete',
  };
}

function storageClass(name: string, provisioner: string, defaultAnnotation?: string): Record<string, unknown> {
  return {
    apiVersion: STORAGE_CLASS_API.apiVersion, kind: STORAGE_CLASS_API.kind,
    metadata: { name, ...(defaultAnnotation ? { annotations: { [defaultAnnotation]: DEFAULT_CLASS_ANNOTATION_VALUE } } : {}) },
    provisioner, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true,
  };
}

const HOSTPATH = 'hostpath.csi.k8s.io';
const EBS = 'ebs.csi.aws.com';
const [GA_ANNOTATION, BETA_ANNOTATION] = DEFAULT_STORAGE_CLASS_ANNOTATIONS;
/** The first default-class annotation set to true on `o`, as a CEL string (the last one when none is). */
const defaultStorageAnnotationOf = (o: string) => DEFAULT_STORAGE_CLASS_ANNOTATIONS.slice(0, -1).reduceRight(
  (rest, a) => `(${annotationOf(o, a)}.orValue('') == ${TRUE} ? ${celString(a)} : ${rest})`,
  celString(DEFAULT_STORAGE_CLASS_ANNOTATIONS[DEFAULT_STORAGE_CLASS_ANNOTATIONS.length - 1]));

/** At most one default VolumeSnapshotClass per CSI driver. */
export const singleDefaultSnapshotClass: PolicyDefinition = {
  type: 'validating',
  name: POLICY_NAMES.singleDefaultSnapshotClass,
  description: `A VolumeSnapshotClass marked ${DEFAULT_SNAPSHOT_CLASS_ANNOTATION}: "true" is refused while another class of the same driver already is the default. `
    + 'The binding passes every existing class as a param, so classes created outside this project count too.',
  minKubernetesMinor: 30,
  celLibraries: ['optionalTypes'],
  matchConstraints: {
    resourceRules: [{ apiGroups: [SNAPSHOT_GROUP], apiVersions: ['*'], resources: [SNAPSHOT_RESOURCES.volumeSnapshotClasses], operations: ['CREATE', 'UPDATE'] }],
  },
  matchConditions: [{ name: 'marks-a-default', expression: isDefaultSnapshotClass('object') }],
  params: { kind: VOLUME_SNAPSHOT_CLASS_API, selector: {}, parameterNotFoundAction: 'Allow' },
  failurePolicy: {
    action: 'Ignore',
    why: 'Its param kind is a custom resource: while the CRD is being reinstalled it cannot resolve, and a duplicate default is an '
      + 'inconvenience (snapshots without a class fail), not a safety problem worth refusing class writes for.',
  },
  validations: [{
    expression: `params.metadata.name == object.metadata.name || params.driver != object.driver || !(${isDefaultSnapshotClass('params')})`,
    message: 'another VolumeSnapshotClass of this driver is already the default',
    messageExpression: "'VolumeSnapshotClass ' + object.metadata.name + ' cannot be the default for driver ' + object.driver"
      + " + ': VolumeSnapshotClass ' + params.metadata.name + ' already is. Remove the annotation "
      + `${DEFAULT_SNAPSHOT_CLASS_ANNOTATION} from one of them; with two defaults, snapshots without a class fail.'`,
  }],
  cases: [
    {
      name: 'first default for a driver', request: { operation: 'CREATE' },
      object: snapshotClass('csi-hostpath-snapclass', HOSTPATH, true), params: [snapshotClass('ebs-snapclass', EBS, true)], expect: 'allowed',
    },
    { name: 'first class in the cluster (no params)', request: { operation: 'CREATE' }, object: snapshotClass('csi-hostpath-snapclass', HOSTPATH, true), params: [], expect: 'allowed' },
    {
      name: 'second default for the same driver', request: { operation: 'CREATE' },
      object: snapshotClass('fast-snapclass', HOSTPATH, true),
      params: [snapshotClass('csi-hostpath-snapclass', HOSTPATH, true), snapshotClass('ebs-snapclass', EBS, true)], expect: 'denied',
      message: 'VolumeSnapshotClass fast-snapclass cannot be the default for driver hostpath.csi.k8s.io: VolumeSnapshotClass csi-hostpath-snapclass already is. '
        + `Remove the annotation ${DEFAULT_SNAPSHOT_CLASS_ANNOTATION} from one of them; with two defaults, snapshots without a class fail.`,
    },
    {
      name: 'update marks an existing class as a second default', request: { operation: 'UPDATE' },
      oldObject: snapshotClass('fast-snapclass', HOSTPATH, false), object: snapshotClass('fast-snapclass', HOSTPATH, true),
      params: [snapshotClass('fast-snapclass', HOSTPATH, false), snapshotClass('csi-hostpath-snapclass', HOSTPATH, true)], expect: 'denied', message: /csi-hostpath-snapclass already is/,
    },
    {
      name: 're-applying the existing default (it sees itself as a param)', request: { operation: 'UPDATE' },
      oldObject: snapshotClass('csi-hostpath-snapclass', HOSTPATH, true), object: snapshotClass('csi-hostpath-snapclass', HOSTPATH, true),
      params: [snapshotClass('csi-hostpath-snapclass', HOSTPATH, true), snapshotClass('other', HOSTPATH, false)], expect: 'allowed',
    },
    {
      name: 'non-default class of a driver that has a default', request: { operation: 'CREATE' },
      object: snapshotClass('slow-snapclass', HOSTPATH, false), params: [snapshotClass('csi-hostpath-snapclass', HOSTPATH, true)], expect: 'not-matched',
    },
  ],
};

/** At most one default StorageClass in the cluster (either annotation spelling). */
export const singleDefaultStorageClass: PolicyDefinition = {
  type: 'validating',
  name: POLICY_NAMES.singleDefaultStorageClass,
  description: `A StorageClass marked as default (${DEFAULT_STORAGE_CLASS_ANNOTATIONS.join(' or ')}: "true") is refused while another StorageClass already is the default. `
    + 'Kubernetes would silently pick the newest of several defaults; this policy makes the choice explicit again.',
  minKubernetesMinor: 30,
  celLibraries: ['optionalTypes'],
  matchConstraints: {
    resourceRules: [{ apiGroups: ['storage.k8s.io'], apiVersions: ['v1'], resources: ['storageclasses'], operations: ['CREATE', 'UPDATE'] }],
  },
  matchConditions: [{ name: 'marks-a-default', expression: isDefaultStorageClass('object') }],
  params: { kind: STORAGE_CLASS_API, selector: {}, parameterNotFoundAction: 'Allow' },
  validations: [{
    expression: `params.metadata.name == object.metadata.name || !(${isDefaultStorageClass('params')})`,
    message: 'another StorageClass is already the default',
    // Names the annotation the existing default carries (the GA or the beta spelling).
    messageExpression: "'StorageClass ' + object.metadata.name + ' cannot be the default: StorageClass ' + params.metadata.name"
      + ` + ' already is (' + ${defaultStorageAnnotationOf('params')} + '). Remove that annotation from it, or the default annotation from '`
      + " + object.metadata.name + ', first.'",
  }],
  cases: [
    {
      name: 'first default StorageClass', request: { operation: 'CREATE' },
      object: storageClass('csi-hostpath-sc', HOSTPATH, GA_ANNOTATION), params: [storageClass('standard', 'rancher.io/local-path')], expect: 'allowed',
    },
    {
      name: 'second default StorageClass for another provisioner', request: { operation: 'CREATE' },
      object: storageClass('gp3', EBS, GA_ANNOTATION), params: [storageClass('csi-hostpath-sc', HOSTPATH, GA_ANNOTATION)], expect: 'denied',
      message: `StorageClass gp3 cannot be the default: StorageClass csi-hostpath-sc already is (${GA_ANNOTATION}). Remove that annotation from it, or the default annotation from gp3, first.`,
    },
    {
      name: 'existing default uses the beta annotation', request: { operation: 'CREATE' },
      object: storageClass('gp3', EBS, GA_ANNOTATION), params: [storageClass('thin', 'kubernetes.io/vsphere-volume', BETA_ANNOTATION)], expect: 'denied',
      message: `StorageClass gp3 cannot be the default: StorageClass thin already is (${BETA_ANNOTATION}). Remove that annotation from it, or the default annotation from gp3, first.`,
    },
    {
      name: 'new default uses the beta annotation', request: { operation: 'CREATE' },
      object: storageClass('thin-csi', 'csi.vsphere.vmware.com', BETA_ANNOTATION), params: [storageClass('thin', 'kubernetes.io/vsphere-volume', GA_ANNOTATION)], expect: 'denied', message: /cannot be the default/,
    },
    {
      name: 'default annotation set to false is no default', request: { operation: 'CREATE' },
      object: { ...storageClass('gp3', EBS), metadata: { name: 'gp3', annotations: { [GA_ANNOTATION]: 'false' } } },
      params: [storageClass('csi-hostpath-sc', HOSTPATH, GA_ANNOTATION)], expect: 'not-matched',
    },
  ],
};
