/**
 * A CSI driver as the classes see it: its name, and (when the app defines the driver with
 * CsiDriver) what it can do, so a class cannot promise what its driver lacks. @internal
 */
import { IConstruct } from 'constructs';
import { CsiCapability } from '../../catalog';
import { PropError } from '../common/_validation';

/** What StorageClass and VolumeSnapshotClass read from a driver. CsiDriver implements it. */
export interface ICsiDriverRef {
  /** The name the driver registers, e.g. `hostpath.csi.k8s.io`. */
  readonly driverName: string;
  /** What the driver declares it can do. */
  readonly capabilities: ReadonlySet<CsiCapability>;
}

/** A driver given by name (nothing to check it against) or as a CsiDriver of this app. */
export type CsiDriverRef = string | ICsiDriverRef;

/** The name of a driver reference; the capabilities too when it is a CsiDriver. */
export function driverRef(value: unknown): { name: unknown; capabilities?: ReadonlySet<CsiCapability> } {
  if (value !== null && typeof value === 'object' && 'driverName' in value) {
    const d = value as ICsiDriverRef;
    return { name: d.driverName, capabilities: d.capabilities };
  }
  return { name: value };
}

/** Refuses a class setting whose driver lacks the capability it needs. */
export function requireCapability(scope: IConstruct, prop: string, value: unknown, driver: { name: unknown; capabilities?: ReadonlySet<CsiCapability> },
  capability: CsiCapability, what: string, fix: string): void {
  if (driver.capabilities && !driver.capabilities.has(capability)) {
    throw new PropError(scope, prop, value, `needs ${what}, and CsiDriver ${String(driver.name)} does not declare ${capability}`, fix);
  }
}
