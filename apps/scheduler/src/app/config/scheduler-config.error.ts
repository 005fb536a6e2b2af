export interface ConfigProblem {
  /** The environment variable (or command-line flag) at fault. */
  readonly variable: string;
  /** Its value as shown to the operator; absent for secrets and unset variables. */
  readonly value?: string;
  readonly problem: string;
}

/** Start-up refused: every bad variable at once, in one message, secrets never shown. */
export class SchedulerConfigError extends Error {
  override readonly name = 'SchedulerConfigError';

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid scheduler configuration: ${problems.length} ${problems.length === 1 ? 'variable needs' : 'variables need'} fixing.\n` +
        problems.map((p) => `  - ${p.variable}${p.value === undefined ? '' : `=${JSON.stringify(p.value)}`}: ${p.problem}`).join('\n') +
        '\nSet them in the environment or in .env (see apps/scheduler/README.md).',
    );
  }
}
