import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Runtime tests spawn real Node processes that really block: keep them off each other's cores.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'eslint-plugin',
          include: ['packages/eslint-plugin/test/**/*.test.ts'],
          setupFiles: ['packages/eslint-plugin/test/setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'packages',
          include: ['packages/{catalog,runtime-monitor,cli}/test/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
