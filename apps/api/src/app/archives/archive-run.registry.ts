import type { ArchiveObserver } from '@gcm/archive';
import type { ArchiveRunDto } from './archives.dto';

const KEPT_RUNS = 200;

/**
 * The archive runs this instance started, newest kept, oldest forgotten past KEPT_RUNS.
 * It is also the ArchiveJob's observer: `ArchiveJob.backfill` names its run id only in
 * its final summary, but announces it to the observer synchronously when it begins, so
 * `capture` learns the id before the run does any I/O.
 */
export class ArchiveRunRegistry implements ArchiveObserver {
  private readonly runs = new Map<string, ArchiveRunDto>();
  private capturing?: (runId: string) => void;

  get running(): ArchiveRunDto | undefined {
    return [...this.runs.values()].find((run) => run.status === 'running');
  }

  get(runId: string): ArchiveRunDto | undefined {
    return this.runs.get(runId);
  }

  put(run: ArchiveRunDto): void {
    this.runs.delete(run.runId);
    this.runs.set(run.runId, run);
    while (this.runs.size > KEPT_RUNS) {
      const [oldest] = this.runs.keys();
      this.runs.delete(oldest);
    }
  }

  /** Calls `start` and returns the id of the run it began. */
  capture<T>(start: () => T): { runId: string; result: T } {
    let runId: string | undefined;
    this.capturing = (id) => (runId = id);
    try {
      const result = start();
      if (runId === undefined) throw new Error('the archive job began no run synchronously');
      return { runId, result };
    } finally {
      this.capturing = undefined;
    }
  }

  runStarted(event: { readonly runId: string }): void {
    this.capturing?.(event.runId);
  }
}
