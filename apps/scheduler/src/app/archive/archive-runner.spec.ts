import { Registry } from 'prom-client';
import { Redactor } from '@gcm/audit';
import type { ArchiveJob, ArchiveRunSummary } from '@gcm/archive';
import { GcmLogger } from '@gcm/logging';
import { SchedulerMetrics } from '../metrics/scheduler-metrics';
import { ArchiveRunner } from './archive-runner.service';

function summary(status: ArchiveRunSummary['status']): ArchiveRunSummary {
  return { runId: 'r', kind: 'scheduled', role: 'coordinator', status, windows: [], found: 0, archived: 0, unchanged: 0, failed: 0, parked: 0, apiCalls: 0, durationMs: 0 };
}

describe('ArchiveRunner', () => {
  let release: (status: ArchiveRunSummary['status']) => void;
  const signals: AbortSignal[] = [];
  const job = {
    run: ({ signal }: { signal: AbortSignal }) => {
      signals.push(signal);
      return new Promise<ArchiveRunSummary>((resolve) => {
        release = (status) => resolve(summary(status));
        signal.addEventListener('abort', () => resolve(summary('cancelled')));
      });
    },
  } as unknown as ArchiveJob;
  const lines: string[] = [];
  const metrics = new SchedulerMetrics(new Registry());
  const runner = new ArchiveRunner(job, metrics, new GcmLogger({ level: 'info', redactor: new Redactor(), sink: { write: (line) => lines.push(line) } }));

  it('never runs twice at once in one process: a tick during a run is skipped and counted', async () => {
    const first = runner.runScheduled('start-up');
    expect(runner.running).toBe(true);
    expect(await runner.runScheduled('cron')).toBeUndefined();
    expect(lines.map((line) => JSON.parse(line).msg)).toContain('Archive run skipped: the previous run is still going');
    release('succeeded');
    expect(await first).toMatchObject({ status: 'succeeded' });
    expect(runner.running).toBe(false);
    expect(runner.lastSummary?.status).toBe('succeeded');
    expect(await metrics.registry.getSingleMetricAsString('gcm_scheduler_runs_skipped_total')).toContain('gcm_scheduler_runs_skipped_total{reason="overlap"} 1');
  });

  it('on shutdown stops the run in progress and waits for it, then starts no more', async () => {
    const running = runner.runScheduled('cron');
    await runner.beforeApplicationShutdown();
    expect(signals.at(-1)?.aborted).toBe(true);
    expect(await running).toMatchObject({ status: 'cancelled' });
    expect(runner.stopping).toBe(true);
    expect(await runner.runScheduled('cron')).toBeUndefined();
  });
});
