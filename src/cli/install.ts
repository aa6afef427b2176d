/**
 * How the doctor's cluster client is installed. It is an optional peer dependency, so installing
 * the library for its constructs does not pull it in (README "Install size").
 */

/** The @kubernetes/client-node releases the doctor runs on (1.4 runs on Node 20; 2.x needs Node >= 22.19). */
export const CLIENT_NODE_RANGE = '~1.4.0';

/** One line that runs the doctor on a machine where nothing is installed. */
export const DOCTOR_NPX_COMMAND = `npx -y -p csi-snapshot-guard -p @kubernetes/client-node@${CLIENT_NODE_RANGE} csi-snapshot-guard doctor`;
