const nxPreset = require('@nx/jest/preset').default;

/** Shared Jest settings for every project (each project's jest.config.ts spreads this). */
module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: false }],
  },
  coverageReporters: ['text-summary', 'lcov'],
};
