import { defineConfig } from 'vitest/config';

// Two cores: the Pyodide, browser and VS Code suites each start heavy processes, so files run two
// at a time and slow suites get generous hook timeouts (cold starts), not generous test timeouts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 30_000,
    hookTimeout: 240_000,
    reporters: ['default'],
  },
});
