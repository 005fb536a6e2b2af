import nx from '@nx/eslint-plugin';

/**
 * Module boundaries (see docs/architecture.md). Every project has one scope:* and one
 * type:* tag, and every constraint is explicit: there is deliberately no `*` catch-all,
 * so a project whose tags match no rule below may import nothing.
 *
 * Production code and test code differ in one respect: tests (`*.spec.ts`, e2e) may
 * import the `type:testing` libs (the Genesys sandbox and lib fakes); production code of
 * the api, scheduler and cli apps never does. The standalone sandbox app is the one app
 * whose production code serves the emulator.
 */
export function boundaryConstraints({ tests }) {
  const testing = tests ? ['type:testing'] : [];
  return [
    // type axis
    {
      sourceTag: 'type:app',
      onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:testing'],
    },
    {
      sourceTag: 'type:feature',
      onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', ...testing],
    },
    {
      sourceTag: 'type:data-access',
      onlyDependOnLibsWithTags: ['type:data-access', 'type:util', ...testing],
    },
    {
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:testing'],
    },
    { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', ...testing] },
    // scope axis
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:api', 'scope:shared'] },
    { sourceTag: 'scope:scheduler', onlyDependOnLibsWithTags: ['scope:scheduler', 'scope:shared'] },
    { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:cli', 'scope:shared'] },
    { sourceTag: 'scope:sandbox', onlyDependOnLibsWithTags: ['scope:sandbox', 'scope:shared'] },
    // workspace tooling (benchmarks, checks) drives the libs and the sandbox from outside
    {
      sourceTag: 'type:tool',
      onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:testing'],
    },
    { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:shared'] },
    // Production code of these apps never loads the emulator: the local stack starts it as
    // its own process. Checked on direct imports only: notDependOnLibsWithTags would be
    // checked transitively over a graph that holds test-only edges (every lib whose specs
    // start the sandbox), banning the libs themselves. `appProductionRules` adds the ban on
    // `@gcm/*/testing` entries, which share their lib's tags.
    ...(tests
      ? []
      : ['scope:api', 'scope:scheduler', 'scope:cli'].map((sourceTag) => ({
          sourceTag,
          onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util'],
        }))),
  ];
}

export const testFiles = ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/e2e/**/*.ts', '**/test/**/*.ts'];

/** For apps/api, apps/scheduler, apps/cli: production files never import the sandbox or a lib's test fakes. */
export function appProductionRules(app) {
  return [
    {
      files: ['**/*.ts'],
      ignores: testFiles,
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: ['@gcm/genesys-sandbox', '@gcm/genesys-sandbox/*', '@gcm/*/testing'],
                message: `Production code of the ${app} never loads the sandbox or test fakes (the local stack starts the sandbox as its own process); tests may.`,
              },
            ],
          },
        ],
      },
    },
  ];
}

export function boundaries(tests, extra = {}) {
  return [
    'error',
    {
      allow: [],
      banTransitiveDependencies: true,
      depConstraints: boundaryConstraints({ tests }),
      ...extra,
    },
  ];
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/tmp', '**/coverage', '.nx/**', 'var/**'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false),
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: testFiles,
    rules: { '@nx/enforce-module-boundaries': boundaries(true) },
  },
  {
    // tool configuration files sit outside every project's source
    files: ['**/eslint.config.mjs', '**/jest.config.ts', 'jest.preset.js'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
