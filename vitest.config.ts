import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    benchmark: { include: ['test/bench/**/*.bench.ts'] },
    // A throwaway PostgreSQL cluster for the run when the server is installed (PG suites skip otherwise).
    globalSetup: ['test/helpers/postgres-cluster.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
