/** The environment is unusable; `problems` names every variable to fix, one per entry. */
export class ApiConfigError extends Error {
  override readonly name = 'ApiConfigError';

  constructor(readonly problems: readonly string[]) {
    super(
      `The API cannot start: ${problems.length} environment variable${problems.length === 1 ? '' : 's'} need${problems.length === 1 ? 's' : ''} fixing:\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
  }
}
