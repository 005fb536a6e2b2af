import baseConfig, { boundaryConstraints } from '../../eslint.config.mjs';

/*
 * The root config bans type:testing libs from the API's production code with
 * `notDependOnLibsWithTags`, which Nx checks transitively over a project graph that also
 * holds test-only edges: every lib whose specs start the sandbox (genesys-auth,
 * messaging-client, search-stream, history-timeline, archive) is banned along with it,
 * so the API could import none of them. Until the root rule is fixed this project keeps
 * the same tag constraints without that transitive ban (as apps/scheduler does), and bans
 * the sandbox and every lib's `testing` entry from production files directly instead.
 */
const testFiles = ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/e2e/**/*.ts', '**/test/**/*.ts'];

export default [
  ...baseConfig,
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { allow: [], banTransitiveDependencies: true, depConstraints: boundaryConstraints({ tests: true }) }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@gcm/genesys-sandbox', '@gcm/genesys-sandbox/*', '@gcm/*/testing'],
              message: 'Production code of the API never loads the sandbox or test fakes; tests may.',
            },
          ],
        },
      ],
    },
  },
  { files: testFiles, rules: { 'no-restricted-imports': 'off' } },
  { files: ['eslint.config.mjs', 'jest.config.ts'], rules: { '@nx/enforce-module-boundaries': 'off' } },
];
