import { Inject, Injectable } from '@nestjs/common';
import { RetentionSweep, type RetentionReport } from '@gcm/archive';
import type { SchedulerConfig } from '../config/scheduler-config';
import { GcmLogger } from '@gcm/logging';
import { SchedulerMetrics } from '../metrics/scheduler-metrics';
import { SCHEDULER_CONFIG } from '../scheduler.tokens';

/** Applies the configured retention policy to the archive (one sweep at a time). */
@Injectable()
export class RetentionRunner {
  private running?: Promise<RetentionReport | undefined>;

  constructor(
    @Inject(RetentionSweep) private readonly sweeper: RetentionSweep,
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    @Inject(SchedulerMetrics) private readonly metrics: SchedulerMetrics,
    @Inject(GcmLogger) private readonly logger: GcmLogger,
  ) {}

  async sweep(): Promise<RetentionReport | undefined> {
    const policy = this.config.retention?.policy;
    if (!policy || this.running) return undefined;
    this.running = this.sweeper.sweep(policy).then(
      (report) => {
        this.metrics.retentionSwept(report);
        return report;
      },
      (error: unknown) => {
        this.logger.emit('error', `Retention sweep failed: ${(error as Error).message}`, {}, RetentionRunner.name);
        return undefined;
      },
    );
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }
}
