import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'generated/**/*.test.ts'],
    // a consumer project's tests, run by test/package.test.ts against the packed package
    exclude: [...configDefaults.exclude, 'test/fixtures/consumer/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
