/**
 * Locates ../shared (reference data beside the project). Tests that need it skip with a clear
 * message on a user's fresh clone; CI always has it (and fails if it is missing there).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe } from 'vitest';

/** Root of the shared reference folder (override with CSI_SHARED_DIR). */
export const SHARED_DIR = path.resolve(process.env.CSI_SHARED_DIR ?? path.join(process.cwd(), '..', 'shared'));

/** True when ../shared/reference is present. */
export const HAS_SHARED = fs.existsSync(path.join(SHARED_DIR, 'reference'));

if (!HAS_SHARED && process.env.CI === 'true') {
  throw new Error(`CI=true but the shared reference folder is missing at ${SHARED_DIR}; CI must run with ../shared beside the project`);
}

/** Path inside ../shared. */
export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DIR, ...parts);
}

/** A describe block that runs only when ../shared is present, and says why it was skipped. */
export function describeWithShared(name: string, fn: () => void): void {
  if (!HAS_SHARED) {
    describe.skip(`${name} [skipped: ../shared/reference not found at ${SHARED_DIR}; set CSI_SHARED_DIR to run it]`, fn);
    return;
  }
  describe(name, fn);
}
