import baseConfig, { boundaryConstraints } from '../../eslint.config.mjs';

/*
 * The root config bans type:testing libs from the cli's production code with
 * `notDependOnLibsWithTags`, which Nx checks transitively over a project graph that also
 * holds test-only edges: every lib whose specs start the sandbox is banned along with it,
 * so the cli could import none of them (the scheduler has the same workaround). Until the
 * root rule is fixed this project keeps the same tag constraints without that transitive
 * ban, and bans the sandbox and every lib's `testing` entry from production files directly.
 * `gcm sandbox` starts the emulator as its own process, never in-process.
 */
const testFiles = ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/e2e/**/*.ts', '**/test/**/*.ts'];

export default [
  ...baseConfig,
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { allow: [], banTransitiveDependencies: true, depConstraints: boundaryConstraints({ tests: true }) },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@gcm/genesys-sandbox', '@gcm/genesys-sandbox/*', '@gcm/*/testing'],
              message: 'Production code of the cli never loads the sandbox or test fakes (gcm sandbox starts it as a process); tests may.',
            },
          ],
        },
      ],
    },
  },
  { files: testFiles, rules: { 'no-restricted-imports': 'off' } },
  { files: ['eslint.config.mjs', 'jest.config.ts', 'bin/*.js'], rules: { '@nx/enforce-module-boundaries': 'off' } },
];
