import { Construct } from 'constructs';
import {
  CrdDefinition, crdName, GROUP_SNAPSHOT_CRDS, OpenApiSchema, SNAPSHOT_CRDS, VOLUME_GROUP_SNAPSHOT_CLASS_CRD,
  VOLUME_GROUP_SNAPSHOT_CONTENT_CRD, VOLUME_GROUP_SNAPSHOT_CRD, VOLUME_SNAPSHOT_CLASS_CRD, VOLUME_SNAPSHOT_CONTENT_CRD,
  VOLUME_SNAPSHOT_CRD,
} from '../../crds';
import { KEEP_ON_PRUNE_ANNOTATIONS } from '../../catalog';
import { JsonSchemaProps, KubeCustomResourceDefinition, KubeCustomResourceDefinitionProps } from '../../imports/k8s';
import { resolveKubernetesMinor } from '../common/_target';
import { checkProps, PropError } from '../common/_validation';
import { labelObjects, ObjectLabelsProps } from '../common/_labels';

/** Props of {@link SnapshotCrds}. */
export interface SnapshotCrdsProps extends ObjectLabelsProps {
  /**
   * Target Kubernetes release; the CRDs' CEL rules and the controllers need 1.30 or newer.
   * @default - the chart's `csi-snapshot-guard:kubernetesVersion` context, else the newest supported minor
   */
  readonly kubernetesVersion?: string;
  /**
   * Also install the groupsnapshot.storage.k8s.io CRDs (VolumeGroupSnapshotClass,
   * VolumeGroupSnapshot, VolumeGroupSnapshotContent; v1 served, no conversion webhook). From
   * external-snapshotter v8.7.0 the controller and csi-snapshotter look for them at start (their
   * `CSIVolumeGroupSnapshot` gate is on by default). Leave them out only together with that gate
   * off: SnapshotPlatformChart does both with `groupSnapshots: false`.
   * @default true
   */
  readonly groupSnapshots?: boolean;
  /**
   * Mark every CRD so Argo CD and Flux never prune or delete it (catalog KEEP_ON_PRUNE_ANNOTATIONS):
   * removing a snapshot CRD deletes every snapshot of its kind with it. Turn off only when your
   * GitOps tool must be able to remove them.
   * @default true
   */
  readonly keepOnPrune?: boolean;
}

/**
 * The CustomResourceDefinitions of CSI volume snapshots, as the catalog's external-snapshotter
 * release defines them (including the CEL rules that keep `spec.sourceVolumeMode` immutable).
 * Each CRD is a child whose id is its kind and whose name is `<plural>.<group>`.
 */
export class SnapshotCrds extends Construct {
  /** volumesnapshotclasses.snapshot.storage.k8s.io */
  public readonly volumeSnapshotClass: KubeCustomResourceDefinition;
  /** volumesnapshotcontents.snapshot.storage.k8s.io */
  public readonly volumeSnapshotContent: KubeCustomResourceDefinition;
  /** volumesnapshots.snapshot.storage.k8s.io */
  public readonly volumeSnapshot: KubeCustomResourceDefinition;
  /** volumegroupsnapshotclasses.groupsnapshot.storage.k8s.io, when `groupSnapshots` is true. */
  public readonly volumeGroupSnapshotClass?: KubeCustomResourceDefinition;
  /** volumegroupsnapshotcontents.groupsnapshot.storage.k8s.io, when `groupSnapshots` is true. */
  public readonly volumeGroupSnapshotContent?: KubeCustomResourceDefinition;
  /** volumegroupsnapshots.groupsnapshot.storage.k8s.io, when `groupSnapshots` is true. */
  public readonly volumeGroupSnapshot?: KubeCustomResourceDefinition;
  /** Every CRD rendered, in install order; depend on these before creating snapshot objects. */
  public readonly crds: readonly KubeCustomResourceDefinition[];

  constructor(scope: Construct, id: string, props: SnapshotCrdsProps = {}) {
    super(scope, id);
    checkProps(this, props, 'SnapshotCrdsProps');
    resolveKubernetesMinor(this, props.kubernetesVersion);
    const groupSnapshots = props.groupSnapshots ?? true;
    if (typeof groupSnapshots !== 'boolean') {
      throw new PropError(this, 'groupSnapshots', groupSnapshots, 'is not a boolean', 'set groupSnapshots to true or false');
    }

    const rendered = new Map<CrdDefinition, KubeCustomResourceDefinition>();
    for (const crd of groupSnapshots ? [...SNAPSHOT_CRDS, ...GROUP_SNAPSHOT_CRDS] : SNAPSHOT_CRDS) {
      rendered.set(crd, new KubeCustomResourceDefinition(this, crd.kind, toCrdProps(crd, props.keepOnPrune ?? true)));
    }
    this.volumeSnapshotClass = rendered.get(VOLUME_SNAPSHOT_CLASS_CRD)!;
    this.volumeSnapshotContent = rendered.get(VOLUME_SNAPSHOT_CONTENT_CRD)!;
    this.volumeSnapshot = rendered.get(VOLUME_SNAPSHOT_CRD)!;
    this.volumeGroupSnapshotClass = rendered.get(VOLUME_GROUP_SNAPSHOT_CLASS_CRD);
    this.volumeGroupSnapshotContent = rendered.get(VOLUME_GROUP_SNAPSHOT_CONTENT_CRD);
    this.volumeGroupSnapshot = rendered.get(VOLUME_GROUP_SNAPSHOT_CRD);
    this.crds = [...rendered.values()];
    labelObjects(this, { name: 'snapshot-crds', component: 'crds' }, props.labels);
  }
}

/** Maps our wire-form data to the generated L1 props. */
function toCrdProps(crd: CrdDefinition, keepOnPrune: boolean): KubeCustomResourceDefinitionProps {
  return {
    metadata: {
      name: crdName(crd),
      annotations: { 'api-approved.kubernetes.io': crd.apiApproval, ...(keepOnPrune ? KEEP_ON_PRUNE_ANNOTATIONS : {}) },
    },
    spec: {
      group: crd.group,
      names: {
        kind: crd.kind,
        listKind: crd.listKind,
        plural: crd.plural,
        singular: crd.singular,
        shortNames: [...crd.shortNames],
        categories: crd.categories && [...crd.categories],
      },
      scope: crd.scope,
      versions: crd.versions.map((v) => ({
        name: v.name,
        served: v.served,
        storage: v.storage,
        deprecated: v.deprecated,
        deprecationWarning: v.deprecationWarning,
        additionalPrinterColumns: v.printerColumns.map((c) => ({ ...c })),
        schema: { openApiv3Schema: toJsonSchemaProps(v.schema) },
        // Upstream writes `subresources: {}` for kinds without status; keep that shape.
        subresources: v.statusSubresource ? { status: {} } : {},
      })),
    },
  };
}

/**
 * Wire-form schema -> generated JsonSchemaProps. The generated serializer converts `properties`
 * recursively but copies `items` and `additionalProperties` verbatim, so those stay in wire form.
 */
function toJsonSchemaProps(s: OpenApiSchema): JsonSchemaProps {
  return {
    type: s.type,
    description: s.description,
    properties: s.properties && Object.fromEntries(
      Object.keys(s.properties).sort().map((k) => [k, toJsonSchemaProps(s.properties![k])])),
    required: s.required && [...s.required],
    items: s.items && sortKeysDeep(s.items),
    additionalProperties: s.additionalProperties && sortKeysDeep(s.additionalProperties),
    enum: s.enum && [...s.enum],
    default: s.default,
    format: s.format,
    pattern: s.pattern,
    minimum: s.minimum,
    xKubernetesIntOrString: s['x-kubernetes-int-or-string'],
    xKubernetesListType: s['x-kubernetes-list-type'],
    xKubernetesMapType: s['x-kubernetes-map-type'],
    xKubernetesValidations: s['x-kubernetes-validations']?.map((r) => ({ rule: r.rule, message: r.message })),
  };
}

/** A copy with object keys sorted at every level (arrays keep their order). */
function sortKeysDeep(value: unknown): any {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeysDeep((value as Record<string, unknown>)[k])]));
  }
  return value;
}
