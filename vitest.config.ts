import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'property-tests/**/*.test.ts'],
    // Claims run at quick effort inside the suite; the slowest take tens of seconds on one core.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
