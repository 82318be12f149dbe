// npm run mutation: StrykerJS over the fast adapter (src/adapter/engine.ts, store.ts), with the
// conformance run at its defaults as the test: a mutant is killed when `smmu-sva conform` against
// test/fixtures/impls/adapter.ts (which loads the mutated adapter) is not CONFORMANT.
// The command runner tells the instrumented code which mutant is active through the environment
// (__STRYKER_ACTIVE_MUTANT__), which the adapter process inherits from conform.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: { command: 'node --import tsx tools/cli.ts conform --impl "node --import tsx test/fixtures/impls/adapter.ts"' },
  mutate: ['src/adapter/engine.ts', 'src/adapter/store.ts'],
  coverageAnalysis: 'off',
  concurrency: 2,
  timeoutMS: 120000,
  timeoutFactor: 1.5,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  ignorePatterns: ['node_modules', 'reports', '.scratch', '.stryker-tmp'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  disableTypeChecks: 'src/adapter/**/*.ts',
};
