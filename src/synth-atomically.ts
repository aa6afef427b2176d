/**
 * Writes synthesized output into a staging folder beside the target and swaps it in only when
 * synthesis succeeded, so a failed synth never leaves partial or mixed output behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Runs `render(stagingDir)` and replaces `target` with what it wrote; on error `target` is untouched. */
export function synthAtomically(target: string, render: (stagingDir: string) => void): void {
  const dir = path.resolve(target);
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}-staging-`));
  // mkdtemp creates the folder private (0700); the output is an ordinary, readable folder.
  fs.chmodSync(staging, 0o755);
  try {
    render(staging);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  const previous = `${staging}-previous`;
  if (fs.existsSync(dir)) fs.renameSync(dir, previous);
  fs.renameSync(staging, dir);
  fs.rmSync(previous, { recursive: true, force: true });
}
