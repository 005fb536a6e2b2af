import { Controller, Get, Header, HttpStatus, Inject, Res } from '@nestjs/common';
import { StoreDatabase } from '@gcm/store';
import { ArchiveRunner } from '../archive/archive-runner.service';
import { LiveFeedRunner } from '../live/live-feed-runner.service';
import { SchedulerMetrics } from '../metrics/scheduler-metrics';

/** The parts of the HTTP response (express) these handlers use. */
interface HttpResponse {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
  send(body: string): unknown;
}

/** Liveness, readiness and Prometheus metrics on the scheduler's small HTTP port. */
@Controller()
export class HealthController {
  constructor(
    @Inject(StoreDatabase) private readonly store: StoreDatabase,
    @Inject(ArchiveRunner) private readonly runner: ArchiveRunner,
    @Inject(SchedulerMetrics) private readonly metrics: SchedulerMetrics,
    @Inject(LiveFeedRunner) private readonly liveFeed: LiveFeedRunner,
  ) {}

  /** The process answers: it is alive. */
  @Get('healthz')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready while the database answers and the process is not shutting down. The live feed's
   * state is reported (`liveFeed`, when configured) but does not decide readiness: a
   * replica on standby is as ready as the one running the feed.
   */
  @Get('readyz')
  async ready(@Res({ passthrough: true }) response: HttpResponse): Promise<Record<string, unknown>> {
    let database = 'ok';
    try {
      await this.store.ping();
    } catch (error) {
      database = `unreachable: ${(error as Error).message}`;
    }
    const stopping = this.runner.stopping;
    const ready = database === 'ok' && !stopping;
    const liveFeed = this.liveFeed.status();
    response.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ready ? 'ready' : 'not-ready',
      checks: { database, shuttingDown: stopping, runInProgress: this.runner.running },
      ...(this.runner.lastSummary ? { lastRun: { runId: this.runner.lastSummary.runId, status: this.runner.lastSummary.status } } : {}),
      ...(liveFeed.state !== 'off' ? { liveFeed } : {}),
    };
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async prometheus(@Res() response: HttpResponse): Promise<void> {
    response.setHeader('Content-Type', this.metrics.registry.contentType);
    response.send(await this.metrics.registry.metrics());
  }
}
