import { ExitCode } from './exit-code';

/**
 * An error gcm reports itself: the message says what went wrong, the hint what to do,
 * and the exit code tells scripts which kind of failure it was.
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly exitCode: ExitCode;
  readonly hint?: string;
  /** Stable machine-readable code for `--json` output. */
  readonly code: string;

  constructor(message: string, options: { exitCode?: ExitCode; hint?: string; code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.exitCode = options.exitCode ?? ExitCode.Failure;
    this.hint = options.hint;
    this.code = options.code ?? 'FAILED';
  }
}

/** A flag or value the user got wrong: exit 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.Usage, hint, code: 'USAGE' });
  }
}

/** Ctrl-C: the command stopped cleanly; `resume` says how to continue. */
export class InterruptedError extends CliError {
  override readonly name = 'InterruptedError';

  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.Interrupted, hint, code: 'INTERRUPTED' });
  }
}
