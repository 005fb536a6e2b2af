import { Inject, Injectable, Optional } from '@nestjs/common';
import { QaSnapshotJob, type QaSnapshotRun } from '@gcm/live-events';
import { GcmLogger } from '@gcm/logging';

/** Stores the QA snapshot of the previous UTC day (a re-run with the same content adds no version). */
@Injectable()
export class QaSnapshotRunner {
  private running = false;

  constructor(
    @Optional() @Inject(QaSnapshotJob) private readonly job: QaSnapshotJob | null,
    @Inject(GcmLogger) private readonly logger: GcmLogger,
  ) {}

  async snapshotPreviousDay(): Promise<QaSnapshotRun | undefined> {
    if (!this.job || this.running) return undefined;
    this.running = true;
    try {
      const run = await this.job.runPreviousDay();
      this.logger.emit(
        'info',
        run.created ? `QA snapshot version ${run.snapshot.version} stored` : 'QA snapshot unchanged',
        { name: run.snapshot.name, version: run.snapshot.version, created: run.created },
        QaSnapshotRunner.name,
      );
      return run;
    } catch (error) {
      this.logger.emit('error', `QA snapshot failed: ${(error as Error).message}`, {}, QaSnapshotRunner.name);
      return undefined;
    } finally {
      this.running = false;
    }
  }
}
