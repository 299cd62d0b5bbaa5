import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Runtime tests spawn real Node processes that really block, but most of a test's time is waiting on them
    // (start-up, idle beats, exit): three workers on 2 cores took `npm test` on Node 20 from 255 to 201 s, and
    // the suite still passes with two spinning processes beside it (`npm run test:stress`). Four (168 s) would
    // load a busy machine beyond what that run checks.
    maxWorkers: 3,
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
