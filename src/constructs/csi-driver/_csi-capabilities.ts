/** The capability list of a CsiDriver, checked. @internal */
import { Construct } from 'constructs';
import { CsiCapability } from '../../catalog';
import { PropError } from '../common/_validation';

/**
 * Capabilities that only a controller service can have: declaring one without CONTROLLER_SERVICE
 * would render a driver with no controller and none of the sidecars those capabilities call for.
 */
const CONTROLLER_ONLY_CAPABILITIES: readonly CsiCapability[] = [
  CsiCapability.CREATE_DELETE_VOLUME, CsiCapability.PUBLISH_UNPUBLISH_VOLUME, CsiCapability.CREATE_DELETE_SNAPSHOT,
  CsiCapability.EXPAND_VOLUME, CsiCapability.LIST_VOLUMES, CsiCapability.GET_VOLUME, CsiCapability.GET_CAPACITY,
];

/** The capability list as a set: every entry a CsiCapability, none twice, controller ones with their service. */
export function checkCapabilities(scope: Construct, value: unknown): Set<CsiCapability> {
  const known = Object.values(CsiCapability) as string[];
  if (!Array.isArray(value)) {
    throw new PropError(scope, 'capabilities', value, 'is not a list', "list what the driver implements, e.g. ['CONTROLLER_SERVICE', 'CREATE_DELETE_VOLUME']");
  }
  value.forEach((c, i) => {
    if (!known.includes(c)) {
      throw new PropError(scope, `capabilities[${i}]`, c, 'is not a CSI capability', `use one of ${known.join(', ')}`);
    }
    if (value.indexOf(c) !== i) throw new PropError(scope, `capabilities[${i}]`, c, 'is listed twice', 'list each capability once');
  });
  const caps = new Set(value as CsiCapability[]);
  const controllerOnly = CONTROLLER_ONLY_CAPABILITIES.filter((c) => caps.has(c));
  if (controllerOnly.length > 0 && !caps.has(CsiCapability.CONTROLLER_SERVICE)) {
    throw new PropError(scope, 'capabilities', value,
      `declares controller capabilities (${controllerOnly.join(', ')}) without CONTROLLER_SERVICE, so no controller and none of their sidecars would run`,
      "add 'CONTROLLER_SERVICE' (CsiCapability.CONTROLLER_SERVICE) to 'capabilities'");
  }
  return caps;
}

