import { CliError } from './cli.error';
import { ExitCode } from './exit-code';

/** The run stopped because `--max-requests` Genesys calls were made: exit 4, like a rate limit. */
export class RequestBudgetExhaustedError extends CliError {
  override readonly name = 'RequestBudgetExhaustedError';

  constructor(readonly budget: number, hint?: string) {
    super(`Stopped after using the request budget of ${budget.toLocaleString('en-US')} Genesys API calls (--max-requests)`, {
      exitCode: ExitCode.RateLimit,
      code: 'REQUEST_BUDGET_EXHAUSTED',
      hint,
    });
  }
}

/**
 * `--max-requests`: counts the transport's HTTP exchanges and aborts the run's signal
 * once the budget is used, so a long search or archive stops cleanly (calls already in
 * flight finish) and can be resumed. Protects an org's shared rate limit from a runaway
 * command.
 */
export class RequestBudget {
  private readonly controller = new AbortController();
  private used = 0;
  private failureStatus?: number;

  constructor(readonly limit: number | undefined) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get exhausted(): boolean {
    return this.controller.signal.aborted;
  }

  get requests(): number {
    return this.used;
  }

  /** The status of the last Genesys answer that was an error (4xx/5xx), if any. */
  get lastFailureStatus(): number | undefined {
    return this.failureStatus;
  }

  /** The transport's onResponse hook. */
  readonly observe = (event: { status: number }): void => {
    this.used++;
    if (event.status >= 400) this.failureStatus = event.status;
    if (this.limit !== undefined && this.used >= this.limit && !this.exhausted) {
      this.controller.abort(new RequestBudgetExhaustedError(this.limit));
    }
  };
}
