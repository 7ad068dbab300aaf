import { defineConfig } from 'vitest/config';

const exclude = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  test: {
    // CI also writes a machine-readable report, from which .ci/run prints the closing summary line.
    reporters: process.env['CI'] ? ['default', ['json', { outputFile: 'artifacts/vitest-report.json' }]] : ['default'],
    // e2e runs after the unit and int projects: it starts whole platforms (and private Kafka and
    // Mongo-wire servers it stops and restarts), which must not overlap the contract suites on a
    // 2-core machine. The shared servers are never stopped.
    projects: [
      { test: { name: 'unit', include: ['**/*.unit.test.ts'], exclude, sequence: { groupOrder: 0 } } },
      { test: { name: 'int', include: ['**/*.int.test.ts'], exclude, testTimeout: 30_000, hookTimeout: 60_000, sequence: { groupOrder: 0 } } },
      { test: { name: 'e2e', include: ['**/*.e2e.test.ts'], exclude, testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
