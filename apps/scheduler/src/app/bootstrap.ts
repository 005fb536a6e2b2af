import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { Redactor } from '@gcm/audit';
import { NestPinoLogger } from '@gcm/logging/nest';
import { redactDatabaseUrl } from '@gcm/store';
import { AppModule } from './app.module';
import { ArchiveRunner } from './archive/archive-runner.service';
import { withEnvFile } from './config/env-file';
import { loadSchedulerConfig, type SchedulerConfig } from './config/scheduler-config';
import { SchedulerConfigError } from './config/scheduler-config.error';
import { CronScheduleService } from './cron/cron-schedule.service';
import { GcmLogger } from '@gcm/logging';

export interface SchedulerProcess {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly argv: readonly string[];
  readonly write?: (line: string) => void;
}

export interface RunningScheduler {
  readonly app: INestApplication;
  readonly config: SchedulerConfig;
  readonly logger: GcmLogger;
  /** The port the health/metrics server listens on. */
  readonly port: number;
  /** Stops gracefully: the run in progress stops (finishing or handing back its work), then everything closes. */
  close(): Promise<void>;
}

/** Exit codes: 0 done, 1 a backfill that did not complete or a crash, 2 bad configuration. */
export const EXIT = { ok: 0, failed: 1, config: 2 } as const;

/**
 * Validates the configuration and starts the scheduler. Throws SchedulerConfigError
 * (every bad variable in one message) before anything is opened.
 */
export async function startScheduler(process_: SchedulerProcess): Promise<RunningScheduler> {
  const { env } = withEnvFile(process_.env);
  const config = loadSchedulerConfig(env, process_.argv);
  const logger = new GcmLogger({ level: config.logLevel, redactor: new Redactor({ knownSecrets: config.secrets }), sink: process_.write ? { write: process_.write } : undefined });
  const app = await NestFactory.create(AppModule.forRoot(config, logger), { bufferLogs: true, abortOnError: false });
  // Nest's own lines through nestjs-pino, over the same pino logger as the scheduler's
  app.useLogger(app.get(NestPinoLogger));
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address() as AddressInfo;
  logger.emit(
    'info',
    'Scheduler listening',
    {
      host: config.http.host,
      port: address.port,
      replicaId: config.replicaId,
      cron: config.backfill ? 'off (backfill)' : config.cron,
      nextRuns: app.get(CronScheduleService).nextRuns(),
      database: redactDatabaseUrl(config.databaseUrl),
    },
    'Scheduler',
  );
  let closing: Promise<void> | undefined;
  return {
    app,
    config,
    logger,
    port: address.port,
    close: () => (closing ??= app.close()),
  };
}

/** The program: start, then the start-up run or the one-shot backfill, and signals. */
export async function main(
  process_: SchedulerProcess & {
    exit: (code: number) => void;
    onSignal: (signal: NodeJS.Signals, handler: () => void) => void;
    /** Where a promise rejection nobody handled is reported (process 'unhandledRejection'). */
    onUnhandledRejection?: (handler: (reason: unknown) => void) => void;
  },
): Promise<void> {
  const write = process_.write ?? ((line: string) => process.stdout.write(line));
  // Signals are taken from the first moment: a SIGTERM while the app is still starting
  // (a replica stopped right after a restart) stops it cleanly once it has started,
  // instead of Node's default of dying by the signal.
  let scheduler: RunningScheduler | undefined;
  let signalled: NodeJS.Signals | undefined;
  const shutDown = (running: RunningScheduler, signal: NodeJS.Signals) => {
    running.logger.emit('info', `${signal} received: stopping`, {}, 'Scheduler');
    running.close().then(
      () => {
        running.logger.emit('info', 'Scheduler stopped', {}, 'Scheduler');
        process_.exit(EXIT.ok);
      },
      (error: unknown) => {
        running.logger.emit('error', `Stopping failed: ${(error as Error).message}`, {}, 'Scheduler');
        process_.exit(EXIT.failed);
      },
    );
  };
  const stop = (signal: NodeJS.Signals) => () => {
    if (signalled !== undefined) {
      if (scheduler) scheduler.logger.emit('warn', `Second ${signal}: exiting without waiting`, {}, 'Scheduler');
      process_.exit(EXIT.failed);
      return;
    }
    signalled = signal;
    if (scheduler) shutDown(scheduler, signal);
  };
  process_.onSignal('SIGTERM', stop('SIGTERM'));
  process_.onSignal('SIGINT', stop('SIGINT'));
  try {
    scheduler = await startScheduler({ ...process_, write });
  } catch (error) {
    const problems = error instanceof SchedulerConfigError ? error.problems : undefined;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: (error as Error).message, ...(problems ? { problems } : {}) })}\n`);
    process_.exit(problems ? EXIT.config : EXIT.failed);
    return;
  }
  const { config } = scheduler;
  // No failed run may take the process down: every scheduled path catches and records its
  // failures; a rejection that still escapes is a bug, logged at error level (the e2e
  // process helper fails any test that sees one) while the schedule keeps going.
  const started = scheduler;
  process_.onUnhandledRejection?.((reason) =>
    started.logger.emit('error', `Unhandled rejection (a bug; the scheduler keeps running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`, {}, 'Scheduler'),
  );
  if (signalled !== undefined) {
    shutDown(scheduler, signalled);
    return;
  }

  const runner = scheduler.app.get(ArchiveRunner);
  if (config.backfill) {
    const summary = await runner.backfill(config.backfill);
    await scheduler.close();
    process_.exit(summary && (summary.status === 'succeeded' || summary.status === 'partial') ? EXIT.ok : EXIT.failed);
    return;
  }
  if (config.runAtStart) void runner.runScheduled('start-up');
}
