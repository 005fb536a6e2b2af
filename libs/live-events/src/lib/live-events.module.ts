import { ConfigurableModuleBuilder, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CrmSyncJob, type CrmSyncJobOptions } from './crm/crm-sync.job';
import { LiveEvents, type FollowRequest, type LiveEventsCreateOptions } from './live-events.service';
import { QaSnapshotJob, type QaSnapshotJobOptions } from './qa/qa-snapshot.job';

export interface LiveEventsModuleOptions extends LiveEventsCreateOptions {
  /** Queues and users followed once the module starts (more with `LiveEvents.follow`). */
  follow?: FollowRequest;
}

const liveEventsDefinition = new ConfigurableModuleBuilder<LiveEventsModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (module, extras) => ({ ...module, global: extras.isGlobal }))
  .build();

export const LIVE_EVENTS_OPTIONS = liveEventsDefinition.MODULE_OPTIONS_TOKEN;
export type LiveEventsModuleAsyncOptions = typeof liveEventsDefinition.ASYNC_OPTIONS_TYPE;

/**
 * Provides a started `LiveEvents` (channel manager and processor on the given transport),
 * following `follow` and catching up from `resumeFrom`; closes it on shutdown. An SSE
 * controller injects `LiveEvents` and returns `events$({ queueIds, conversationIds })`.
 *
 * ```ts
 * LiveEventsModule.forRootAsync({
 *   inject: [GenesysTransport, StoreDatabase],
 *   useFactory: async (transport, store) => {
 *     const checkpoint = new LiveEventsCheckpoint(store);
 *     return { transport, checkpoint, resumeFrom: await checkpoint.load(),
 *              sinks: [new CrmOutboxSink({ store, destination: 'crm' })], follow: { queueIds } };
 *   },
 * })
 * ```
 */
@Module({
  providers: [
    {
      provide: LiveEvents,
      inject: [LIVE_EVENTS_OPTIONS],
      useFactory: async (options: LiveEventsModuleOptions) => {
        const { follow, ...rest } = options;
        const live = LiveEvents.create(rest);
        await live.start();
        if (follow) await live.follow(follow);
        await live.catchUp();
        return live;
      },
    },
  ],
  exports: [LiveEvents],
})
export class LiveEventsModule extends liveEventsDefinition.ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(@Inject(LiveEvents) private readonly live: LiveEvents) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.live.close();
  }
}

const crmSyncDefinition = new ConfigurableModuleBuilder<CrmSyncJobOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (module, extras) => ({ ...module, global: extras.isGlobal }))
  .build();

export const CRM_SYNC_OPTIONS = crmSyncDefinition.MODULE_OPTIONS_TOKEN;
export type CrmSyncModuleAsyncOptions = typeof crmSyncDefinition.ASYNC_OPTIONS_TYPE;

/**
 * Provides `CrmSyncJob`; the scheduler's cron method calls `run()`. A loop started with
 * `start()` is stopped on shutdown.
 */
@Module({
  providers: [{ provide: CrmSyncJob, inject: [CRM_SYNC_OPTIONS], useFactory: (options: CrmSyncJobOptions) => new CrmSyncJob(options) }],
  exports: [CrmSyncJob],
})
export class CrmSyncModule extends crmSyncDefinition.ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(@Inject(CrmSyncJob) private readonly job: CrmSyncJob) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }
}

const qaSnapshotDefinition = new ConfigurableModuleBuilder<QaSnapshotJobOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (module, extras) => ({ ...module, global: extras.isGlobal }))
  .build();

export const QA_SNAPSHOT_OPTIONS = qaSnapshotDefinition.MODULE_OPTIONS_TOKEN;
export type QaSnapshotModuleAsyncOptions = typeof qaSnapshotDefinition.ASYNC_OPTIONS_TYPE;

/** Provides `QaSnapshotJob`; the scheduler calls `runPreviousDay()` (or `run({window})`). */
@Module({
  providers: [{ provide: QaSnapshotJob, inject: [QA_SNAPSHOT_OPTIONS], useFactory: (options: QaSnapshotJobOptions) => new QaSnapshotJob(options) }],
  exports: [QaSnapshotJob],
})
export class QaSnapshotModule extends qaSnapshotDefinition.ConfigurableModuleClass {}
