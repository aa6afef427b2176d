// Types of scripts/install-size.cjs for the TypeScript tests that use it.
export declare const BUDGET_BYTES: number;
export declare function measure(nodeModules: string): { bytes: number; packages: number };
export declare function measureInstall(tarball: string, app: string, deps: Record<string, string>): {
  before: { bytes: number; packages: number };
  after: { bytes: number; packages: number };
  addedBytes: number;
  addedPackages: number;
};
export declare function pack(root: string): string;
