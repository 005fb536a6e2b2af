import type { ErrorReport } from '../runtime/error-report';
import { ProgressBar } from './progress-bar';
import type { TerminalStream } from './terminal';

export interface OutputOptions {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
}

/**
 * Where every byte gcm prints goes. Results go to stdout (human text, or JSON with
 * `--json`); notes, warnings, progress and errors go to stderr, so a pipe only ever sees
 * results. `--quiet` keeps stderr to errors; progress is drawn only on a terminal.
 */
export class Output {
  private bar?: ProgressBar;

  constructor(
    readonly stdout: TerminalStream,
    readonly stderr: TerminalStream,
    readonly options: OutputOptions,
  ) {}

  get json(): boolean {
    return this.options.json;
  }

  /** One result: `human()` lines in text mode, `data` as one JSON document with --json. */
  result(data: unknown, human: () => string | readonly string[]): void {
    if (this.options.json) {
      this.stdout.write(`${JSON.stringify(data, null, this.stdout.isTTY ? 2 : undefined)}\n`);
      return;
    }
    const text = human();
    const lines = typeof text === 'string' ? text : text.join('\n');
    if (lines !== '') this.stdout.write(lines.endsWith('\n') ? lines : `${lines}\n`);
  }

  /** A note about what is happening (stderr; silent with --quiet). */
  note(message: string): void {
    this.bar?.clear();
    if (!this.options.quiet) this.stderr.write(`${message}\n`);
  }

  warn(message: string): void {
    this.bar?.clear();
    if (!this.options.quiet) this.stderr.write(`gcm: warning: ${message}\n`);
  }

  /** Diagnostics shown with --verbose only. */
  debug(message: string): void {
    this.bar?.clear();
    if (this.options.verbose) this.stderr.write(`gcm: ${message}\n`);
  }

  /**
   * A machine-readable event on stderr with --json (resume tokens, summaries of streaming
   * commands whose stdout is NDJSON), a human line otherwise.
   */
  event(data: Record<string, unknown>, human: string): void {
    this.bar?.clear();
    if (this.options.json) this.stderr.write(`${JSON.stringify(data)}\n`);
    else if (!this.options.quiet || data['resumeToken'] !== undefined) this.stderr.write(`${human}\n`);
  }

  error(report: ErrorReport): void {
    this.bar?.clear();
    if (this.options.json) {
      this.stderr.write(`${JSON.stringify({ error: { code: report.code, exitCode: report.exitCode, message: report.message, ...(report.details ? { details: report.details } : {}), ...(report.hint ? { hint: report.hint } : {}) } })}\n`);
      return;
    }
    const lines = [`gcm: ${report.message}`, ...(report.details ?? []).map((line) => `  - ${line}`)];
    if (report.hint && !this.options.quiet) lines.push(`hint: ${report.hint}`);
    this.stderr.write(`${lines.join('\n')}\n`);
  }

  /** A progress display on stderr when it is a terminal (and not --quiet); a no-op otherwise. */
  progress(label: string): ProgressBar {
    this.bar = new ProgressBar(this.stderr, { label, enabled: Boolean(this.stderr.isTTY) && !this.options.quiet });
    return this.bar;
  }
}
