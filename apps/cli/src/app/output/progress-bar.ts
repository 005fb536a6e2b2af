import type { TerminalStream } from './terminal';

export interface ProgressState {
  /** Units done so far (results, conversations, files). */
  readonly done: number;
  /** The total when known; a bar is drawn only then, a spinner otherwise. */
  readonly total?: number;
  /** Short text after the numbers, e.g. "chunk 3/7" or "12 unchanged". */
  readonly detail?: string;
}

export interface ProgressBarOptions {
  readonly label: string;
  readonly enabled: boolean;
  /** Redraws at most this often (default 100 ms): a fast stream must not flood the terminal. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

const SPINNER = ['|', '/', '-', '\\'];
const CLEAR_LINE = '\r\x1b[2K';

/**
 * One self-rewriting status line on stderr: `label [#####-----]  45%  123/270  detail`, or
 * a spinner with the count when the total is unknown. Disabled (every call a no-op) when
 * stderr is not a terminal, so logs and CI output never carry carriage returns.
 */
export class ProgressBar {
  private lastDraw = Number.NEGATIVE_INFINITY;
  private frame = 0;
  private visible = false;
  private state: ProgressState = { done: 0 };
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly stream: TerminalStream,
    private readonly options: ProgressBarOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  update(state: ProgressState): void {
    this.state = state;
    if (!this.options.enabled) return;
    const now = this.now();
    if (now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    this.draw();
  }

  /** Removes the line, so whatever is printed next starts on a clean line. */
  clear(): void {
    if (!this.options.enabled || !this.visible) return;
    this.stream.write(CLEAR_LINE);
    this.visible = false;
  }

  /** Draws the final state once (whatever the throttle says), then leaves the line. */
  finish(state?: ProgressState): void {
    if (state) this.state = state;
    if (!this.options.enabled) return;
    this.draw();
    this.stream.write('\n');
    this.visible = false;
  }

  render(width: number): string {
    const { done, total, detail } = this.state;
    const count = total !== undefined ? `${formatCount(done)}/${formatCount(total)}` : formatCount(done);
    const suffix = detail ? `  ${detail}` : '';
    if (total === undefined || total <= 0) {
      const spinner = SPINNER[this.frame++ % SPINNER.length];
      return fit(`${this.options.label} ${spinner} ${count}${suffix}`, width);
    }
    const ratio = Math.max(0, Math.min(1, done / total));
    const percent = `${String(Math.floor(ratio * 100)).padStart(3)}%`;
    const fixed = `${this.options.label} [] ${percent}  ${count}${suffix}`;
    const barWidth = Math.max(10, Math.min(30, width - fixed.length));
    const filled = Math.round(ratio * barWidth);
    return fit(`${this.options.label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${percent}  ${count}${suffix}`, width);
  }

  private draw(): void {
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`${CLEAR_LINE}${this.render(width)}`);
    this.visible = true;
  }
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function fit(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}
