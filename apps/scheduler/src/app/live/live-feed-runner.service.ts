import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { RunLease } from '@gcm/archive';
import { GenesysTransport, realSleep, systemClock, type Clock, type Sleep } from '@gcm/genesys-auth';
import { CrmOutboxSink, LiveEvents, LiveEventsCheckpoint, type LiveEvent, type LiveEventSink } from '@gcm/live-events';
import type { ChannelEvent, ManagerFailure, SubscribeResult } from '@gcm/messaging-client';
import { StoreDatabase } from '@gcm/store';
import type { SchedulerConfig } from '../config/scheduler-config';
import { GcmLogger } from '@gcm/logging';
import { SchedulerMetrics } from '../metrics/scheduler-metrics';
import { SCHEDULER_CONFIG } from '../scheduler.tokens';

/** The CRM endpoint id: the outbox destination `CrmOutboxSink` writes to and `CrmSyncJob` reads. */
export const CRM_ENDPOINT_ID = 'crm';
/** Checkpoint rows of the live feed: its watermark (`live-events:crm`) and the lease (`live-events:crm:lease`). */
export const LIVE_FEED_CHECKPOINT = 'crm';
export const LIVE_FEED_LEASE = `live-events:${LIVE_FEED_CHECKPOINT}:lease`;

/** Time for the live feed (tests pass a manual clock); production uses the system's. */
export const LIVE_FEED_TIME = Symbol('LIVE_FEED_TIME');
export interface LiveFeedTime {
  readonly clock: Clock;
  readonly sleep: Sleep;
}

export type LiveFeedState = 'off' | 'standby' | 'starting' | 'running' | 'stopped';

/** What /readyz and /metrics report about the live feed of this replica. */
export interface LiveFeedStatus {
  readonly state: LiveFeedState;
  /** The replica running the feed, when this one is on standby and it is known. */
  readonly runningOn?: string;
  readonly channelsOpen: number;
  readonly topics: { readonly permitted: number; readonly rejected: number };
  /** Events written to the CRM outbox by this process. */
  readonly eventsWritten: number;
  /** When the last of them was written (ISO-8601). */
  readonly lastEventAt?: string;
  /** Everything up to this instant is in the outbox (what the checkpoint saves). */
  readonly watermark?: string;
}

const MAX_RETRY_DELAY_MS = 60_000;

/**
 * The deployed live feed: `LiveEvents` on the configured queues and users, every event
 * through `CrmOutboxSink` into the CRM outbox (which the CRM sync cron drains), the
 * watermark in `LiveEventsCheckpoint`. One replica runs it at a time: it holds a lease in
 * the database (`RunLease`, renewed every third of `GCM_SCHEDULER_LIVE_LEASE`); the others
 * wait on standby and take over, resuming from the shared checkpoint with `catchUp()`,
 * once the lease expires or is released. A restarted replica (same id) takes its own
 * lease back at once. The outbox stores each record once by its idempotency key, so the
 * moment two replicas may both write (a lease lost while a write was under way) yields no
 * duplicate either.
 *
 * Started in the background at bootstrap (a Genesys outage never stops the scheduler from
 * starting: start-up failures are logged and retried with backoff); on shutdown the feed
 * closes (channels closed, the watermark saved) and the lease is released before the
 * database closes.
 */
@Injectable()
export class LiveFeedRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly stop = new AbortController();
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private task?: Promise<void>;
  private live?: LiveEvents;
  private state: LiveFeedState = 'off';
  private runningOn?: string;
  private topics = { permitted: 0, rejected: 0 };
  private eventsWritten = 0;
  private lastEventAt?: number;
  private lastWatermark?: number;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    @Inject(StoreDatabase) private readonly store: StoreDatabase,
    @Inject(GenesysTransport) private readonly transport: GenesysTransport,
    @Inject(GcmLogger) private readonly logger: GcmLogger,
    @Inject(SchedulerMetrics) private readonly metrics: SchedulerMetrics,
    @Optional() @Inject(LIVE_FEED_TIME) time?: LiveFeedTime | null,
  ) {
    this.clock = time?.clock ?? systemClock;
    this.sleep = time?.sleep ?? realSleep;
    if (config.live) metrics.observeLiveFeed(() => this.status());
  }

  status(): LiveFeedStatus {
    const watermark = this.live ? this.live.watermark() : this.lastWatermark;
    return {
      state: this.state,
      ...(this.state === 'standby' && this.runningOn ? { runningOn: this.runningOn } : {}),
      channelsOpen: this.live ? this.live.manager.channels().filter((channel) => channel.state === 'open').length : 0,
      topics: { ...this.topics },
      eventsWritten: this.eventsWritten,
      ...(this.lastEventAt !== undefined ? { lastEventAt: new Date(this.lastEventAt).toISOString() } : {}),
      ...(watermark !== undefined ? { watermark: new Date(watermark).toISOString() } : {}),
    };
  }

  onApplicationBootstrap(): void {
    if (!this.config.live || this.config.backfill) return;
    this.state = 'standby';
    this.task = this.loop(this.config.live);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort(new Error('the scheduler is shutting down'));
    await this.task;
  }

  /** Wait for the lease, run the feed while holding it; again after losing it or failing. */
  private async loop(live: NonNullable<SchedulerConfig['live']>): Promise<void> {
    const lease = new RunLease(this.store, LIVE_FEED_LEASE, this.config.replicaId, live.leaseMs, this.clock);
    let failures = 0;
    let waitingLogged = false;
    while (!this.stop.signal.aborted) {
      let delayMs = live.leaseMs / 3;
      try {
        if (await lease.tryAcquire()) {
          waitingLogged = false;
          await this.lead(lease, live);
          failures = 0;
          delayMs = 0;
        } else {
          const holder = (await lease.peek())?.owner ?? undefined;
          this.state = 'standby';
          this.runningOn = holder;
          if (!waitingLogged) this.emit('info', 'Live feed on standby: another replica runs it', { runningOn: holder ?? null });
          waitingLogged = true;
          failures = 0;
        }
      } catch (error) {
        if (this.stop.signal.aborted) break;
        failures++;
        delayMs = Math.min(MAX_RETRY_DELAY_MS, 1_000 * 2 ** (failures - 1));
        this.state = 'standby';
        this.emit('error', `Live feed failed: ${(error as Error).message}`, { attempt: failures, retryInMs: delayMs });
      }
      if (delayMs > 0) await this.sleep(delayMs, this.stop.signal).catch(() => undefined);
    }
    this.state = 'stopped';
  }

  /** Runs the feed while the lease holds; returns on shutdown or when the lease is lost. */
  private async lead(lease: RunLease, options: NonNullable<SchedulerConfig['live']>): Promise<void> {
    this.state = 'starting';
    this.runningOn = undefined;
    const leadership = new AbortController();
    const keeper = this.keepLease(lease, options.leaseMs, leadership);
    const checkpoint = new LiveEventsCheckpoint(this.store, LIVE_FEED_CHECKPOINT);
    let live: LiveEvents | undefined;
    let closing: Promise<void> | undefined;
    // a start-up still following or catching up is cut short too: closing ends its requests
    const close = () => (closing ??= live ? live.close() : Promise.resolve());
    leadership.signal.addEventListener('abort', () => void close().catch(() => undefined), { once: true });
    try {
      const resumeFrom = await checkpoint.load();
      if (leadership.signal.aborted) return;
      live = LiveEvents.create({
        transport: this.transport,
        sinks: [this.countingSink(new CrmOutboxSink({ store: this.store, destination: CRM_ENDPOINT_ID }))],
        checkpoint,
        resumeFrom,
        clock: this.clock,
        sleep: this.sleep,
        logger: this.logger.forLibrary('LiveEvents'),
      });
      this.live = live;
      live.manager.on('failure', this.onFailure);
      live.manager.on('channel', this.onChannel);
      await live.start();
      const followed = await live.follow({ queueIds: options.queueIds, userIds: options.userIds });
      this.reportTopics(followed);
      const caughtUp = leadership.signal.aborted ? undefined : await live.catchUp();
      if (!leadership.signal.aborted) {
        this.state = 'running';
        this.emit('info', 'Live feed started', {
          replicaId: this.config.replicaId,
          resumedFrom: resumeFrom === undefined ? null : new Date(resumeFrom).toISOString(),
          caughtUp: caughtUp?.backfilled ?? null,
          permitted: followed.permitted.length,
          rejected: followed.rejected.length,
          channels: live.manager.channels().length,
        });
        await new Promise<void>((resolve) => {
          if (leadership.signal.aborted) resolve();
          else leadership.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
    } finally {
      leadership.abort();
      await keeper;
      if (live) {
        // closing saves the watermark: everything written to the outbox so far is not read again
        await close().catch((error: unknown) => this.emit('warn', `Closing the live feed failed: ${(error as Error).message}`));
        live.manager.off('failure', this.onFailure);
        live.manager.off('channel', this.onChannel);
        this.lastWatermark = await checkpoint.load().catch(() => this.lastWatermark);
      }
      this.live = undefined;
      await lease.release().catch((error: unknown) => this.emit('warn', `Cannot release the live feed lease: ${(error as Error).message}`));
      if (live) {
        this.emit('info', 'Live feed stopped', {
          watermark: this.lastWatermark === undefined ? null : new Date(this.lastWatermark).toISOString(),
          eventsWritten: this.eventsWritten,
        });
      }
    }
  }

  /**
   * Renews the lease every third of its length until shutdown or until it is lost (another
   * replica took it after it expired, or the database stayed unreachable past its end):
   * then `leadership` is aborted and the feed stops.
   */
  private async keepLease(lease: RunLease, leaseMs: number, leadership: AbortController): Promise<void> {
    const stopped = AbortSignal.any([this.stop.signal, leadership.signal]);
    let renewedAt = this.clock.now();
    while (!stopped.aborted) {
      try {
        await this.sleep(leaseMs / 3, stopped);
      } catch {
        break;
      }
      try {
        if (await lease.renew()) {
          renewedAt = this.clock.now();
          continue;
        }
        this.emit('warn', 'Live feed lease lost: another replica runs the feed now');
      } catch (error) {
        if (this.clock.now() - renewedAt < leaseMs) {
          this.emit('warn', `Renewing the live feed lease failed: ${(error as Error).message}`);
          continue;
        }
        this.emit('warn', `Live feed lease expired: it could not be renewed (${(error as Error).message})`);
      }
      leadership.abort();
    }
    leadership.abort();
  }

  private countingSink(sink: CrmOutboxSink): LiveEventSink {
    return {
      name: sink.name,
      write: async (events: readonly LiveEvent[]) => {
        await sink.write(events);
        this.eventsWritten += events.length;
        this.lastEventAt = this.clock.now();
        this.metrics.liveEventsWritten(events);
      },
    };
  }

  private reportTopics(result: SubscribeResult): void {
    this.topics = { permitted: result.permitted.length, rejected: result.rejected.length };
    for (const rejected of result.rejected) {
      this.emit('warn', 'Live feed topic rejected', {
        topic: rejected.id,
        reason: rejected.rejectionReason ?? null,
        ...(rejected.missingPermissions?.length ? { missingPermissions: rejected.missingPermissions } : {}),
      });
    }
    if (result.permitted.length === 0) this.emit('error', 'Live feed: Genesys rejected every topic; no events will come until the configuration or the permissions change');
  }

  private readonly onFailure = (failure: ManagerFailure) => {
    this.emit('warn', `Live feed channel ${failure.operation} failed: ${failure.error.message}`, { operation: failure.operation, channelId: failure.channelId ?? null });
  };

  private readonly onChannel = (event: ChannelEvent) => {
    this.emit(event.type === 'dropped' ? 'warn' : 'info', `Live feed channel ${event.type}`, {
      channelId: event.channelId,
      ...(event.previousChannelId ? { previousChannelId: event.previousChannelId } : {}),
      ...(event.reason ? { reason: event.reason } : {}),
    });
  };

  private emit(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void {
    this.logger.emit(level, message, fields, LiveFeedRunner.name);
  }
}
