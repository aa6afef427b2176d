/**
 * The target Kubernetes release, chosen once per chart (or app) and read by every construct.
 * A construct's own `kubernetesVersion` prop wins over the context.
 */
import { IConstruct } from 'constructs';
import { formatKubernetesMinor, parseKubernetesMinor, SNAPSHOT_STACK_KUBERNETES } from '../../catalog';
import { PropError } from './_validation';

/** Context key holding the target Kubernetes release (`'1.37'`); set it on an App or Chart. */
export const KUBERNETES_VERSION_CONTEXT = 'csi-snapshot-guard:kubernetesVersion';

/** An inclusive range of Kubernetes minors. */
export interface MinorRange {
  readonly min: number;
  readonly max: number;
}

/**
 * The target minor for a construct: its explicit prop, else the context, else the default (SNAPSHOT_STACK_KUBERNETES.default).
 * Throws when the result is outside `range` (the snapshot stack's range unless told otherwise).
 */
export function resolveKubernetesMinor(scope: IConstruct, explicit: string | undefined, range: MinorRange = SNAPSHOT_STACK_KUBERNETES): number {
  const fromContext = scope.node.tryGetContext(KUBERNETES_VERSION_CONTEXT) as string | undefined;
  const value = explicit ?? fromContext ?? formatKubernetesMinor(SNAPSHOT_STACK_KUBERNETES.default);
  const prop = explicit !== undefined ? 'kubernetesVersion' : `context '${KUBERNETES_VERSION_CONTEXT}'`;
  const minor = parseKubernetesMinor(value);
  const supported = `${formatKubernetesMinor(range.min)} to ${formatKubernetesMinor(range.max)}`;
  if (minor === undefined) {
    throw new PropError(scope, prop, value, 'is not a Kubernetes minor release', `write it as '1.<minor>', between ${supported}`);
  }
  if (minor < range.min || minor > range.max) {
    throw new PropError(scope, prop, value, `is outside the supported range ${supported}`,
      `choose a target between ${supported}`);
  }
  return minor;
}
