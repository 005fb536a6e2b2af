import { Inject, Injectable, Optional } from '@nestjs/common';
import { CrmSyncJob, type CrmSyncReport } from '@gcm/live-events';
import { GcmLogger } from '@gcm/logging';

/** Sends due CRM records from the outbox (when a CRM endpoint is configured). A tick during a run is skipped. */
@Injectable()
export class CrmSyncRunner {
  private running = false;

  constructor(
    @Optional() @Inject(CrmSyncJob) private readonly job: CrmSyncJob | null,
    @Inject(GcmLogger) private readonly logger: GcmLogger,
  ) {}

  async syncDue(): Promise<CrmSyncReport | undefined> {
    if (!this.job || this.running) return undefined;
    this.running = true;
    try {
      const report = await this.job.run();
      if (report.claimed > 0) this.logger.emit('info', 'CRM records sent', { ...report }, CrmSyncRunner.name);
      return report;
    } catch (error) {
      this.logger.emit('error', `CRM sync failed: ${(error as Error).message}`, {}, CrmSyncRunner.name);
      return undefined;
    } finally {
      this.running = false;
    }
  }
}
