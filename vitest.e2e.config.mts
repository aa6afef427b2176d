import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/** Files run in name order: 01-apply.e2e.ts meets a fresh cluster, later files build on it. */
class ByName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

// The end-to-end suite: one real API server for every file (scripts/e2e/run.sh starts it), so files
// run one after another; cluster-scoped objects would otherwise race.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    sequence: { sequencer: ByName },
  },
});
