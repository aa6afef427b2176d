/**
 * Release tags of the kubernetes-csi images look like `v8.6.0` (optionally with a pre-release
 * suffix). Only what the catalog needs: parse and compare.
 */
export interface ParsedTag {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease?: string;
}

const TAG = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

/** Parses `v1.2.3` / `1.2.3` / `v1.2.3-rc.1`; undefined when the tag is not a release version. */
export function parseTag(tag: string): ParsedTag | undefined {
  const m = TAG.exec(tag);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] };
}

/** Orders two release tags; a pre-release sorts before its release. Throws on a non-version tag. */
export function compareTags(a: string, b: string): number {
  const pa = parseTag(a);
  const pb = parseTag(b);
  if (!pa || !pb) throw new Error(`cannot compare non-semver tags '${a}' and '${b}'`);
  const d = pa.major - pb.major || pa.minor - pb.minor || pa.patch - pb.patch;
  if (d !== 0) return Math.sign(d);
  if (pa.prerelease === pb.prerelease) return 0;
  if (pa.prerelease === undefined) return 1;
  if (pb.prerelease === undefined) return -1;
  return pa.prerelease < pb.prerelease ? -1 : 1;
}
