import baseConfig, { boundaries } from '../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // benchmarks load libs lazily on purpose (start-up and memory are what they measure),
    // which must not forbid the static imports of the workspace scripts beside them
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false, { checkDynamicDependenciesExceptions: ['@gcm/*'] }),
    },
  },
];
