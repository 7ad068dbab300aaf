import { defineConfig } from 'vitest/config';

const exclude = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  test: {
    // CI also writes a machine-readable report, from which .ci/run prints the closing summary line.
    reporters: process.env['CI'] ? ['default', ['json', { outputFile: 'artifacts/vitest-report.json' }]] : ['default'],
    projects: [
      { test: { name: 'unit', include: ['**/*.unit.test.ts'], exclude } },
      { test: { name: 'int', include: ['**/*.int.test.ts'], exclude, testTimeout: 30_000, hookTimeout: 60_000 } },
      { test: { name: 'e2e', include: ['**/*.e2e.test.ts'], exclude, testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false } },
    ],
  },
});
