/**
 * Typed shapes of the CustomResourceDefinitions this project ships. Keys are spelled exactly as the
 * Kubernetes API spells them (`x-kubernetes-validations`, not `xKubernetesValidations`) so that a
 * schema can be handed unchanged to a validator or a CEL evaluator in tests.
 */

/** One CEL rule of a schema node (`x-kubernetes-validations` entry). */
export interface CelRule {
  /** CEL expression; `self` is the node, `oldSelf` the previous value on update. */
  readonly rule: string;
  /** Message the API server returns when the rule is false. */
  readonly message: string;
}

/** The subset of OpenAPI v3 (structural schema) that the snapshot CRDs use. */
export interface OpenApiSchema {
  /** JSON type of the node. */
  readonly type?: 'array' | 'boolean' | 'integer' | 'object' | 'string';
  /** Human-readable explanation shown by `kubectl explain`. */
  readonly description?: string;
  /** Fields of an object. */
  readonly properties?: Readonly<Record<string, OpenApiSchema>>;
  /** Fields an object must contain. */
  readonly required?: readonly string[];
  /** Schema of every element of an array. */
  readonly items?: OpenApiSchema;
  /** Schema of every value of a map-like object. */
  readonly additionalProperties?: OpenApiSchema;
  /** Allowed values. */
  readonly enum?: readonly string[];
  /** Value used when the field is absent. */
  readonly default?: unknown;
  /** Value format (`date-time`, `int64`). */
  readonly format?: 'date-time' | 'int64';
  /** Regular expression a string must match. */
  readonly pattern?: string;
  /** Smallest allowed number. */
  readonly minimum?: number;
  /** Accepts an integer or a string (quantities). */
  readonly 'x-kubernetes-int-or-string'?: boolean;
  /** How lists merge under server-side apply. */
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'map' | 'set';
  /** How maps/objects merge under server-side apply. */
  readonly 'x-kubernetes-map-type'?: 'atomic' | 'granular';
  /** CEL rules checked by the API server (Kubernetes >= 1.25). */
  readonly 'x-kubernetes-validations'?: readonly CelRule[];
}

/** A column shown by `kubectl get`. */
export interface PrinterColumn {
  /** Column header. */
  readonly name: string;
  /** Column type as kubectl renders it. */
  readonly type: 'boolean' | 'date' | 'integer' | 'number' | 'string';
  /** JSONPath into the object. */
  readonly jsonPath: string;
  /** What the column shows. */
  readonly description?: string;
}

/** One API version of a CRD. */
export interface CrdVersion {
  /** Version name, e.g. `v1`. */
  readonly name: string;
  /** Whether the API server answers requests for this version. */
  readonly served: boolean;
  /** Whether objects are persisted in this version (exactly one version per CRD). */
  readonly storage: boolean;
  /** Whether clients get a deprecation warning. */
  readonly deprecated?: boolean;
  /** Custom text of that warning. */
  readonly deprecationWarning?: string;
  /** Whether `/status` is a separate subresource. */
  readonly statusSubresource: boolean;
  /** Columns for `kubectl get`. */
  readonly printerColumns: readonly PrinterColumn[];
  /** Schema of the whole object. */
  readonly schema: OpenApiSchema;
}

/** A complete CRD as data. */
export interface CrdDefinition {
  /** API group, e.g. `snapshot.storage.k8s.io`. */
  readonly group: string;
  /** Kind, e.g. `VolumeSnapshot`. */
  readonly kind: string;
  /** Lower-case plural resource name; with the group it forms the CRD name. */
  readonly plural: string;
  /** Lower-case singular resource name. */
  readonly singular: string;
  /** Kind of the list type. */
  readonly listKind: string;
  /** Short aliases for kubectl. */
  readonly shortNames: readonly string[];
  /** Groupings for `kubectl get <category>`. @default none */
  readonly categories?: readonly string[];
  /** Whether objects live in a namespace. */
  readonly scope: 'Cluster' | 'Namespaced';
  /**
   * Value of the `api-approved.kubernetes.io` annotation: the upstream API review link. The API
   * server refuses CRDs in `*.k8s.io` groups without it.
   */
  readonly apiApproval: string;
  /** Versions in upstream order. */
  readonly versions: readonly CrdVersion[];
}
