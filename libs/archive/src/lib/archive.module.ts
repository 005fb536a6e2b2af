import { Module } from '@nestjs/common';
import { ArchiveJob } from './archive-job.service';
import { ARCHIVE_MODULE_OPTIONS, ArchiveConfigurableModule, type ArchiveModuleOptions } from './archive.module-definition';
import { RetentionSweep } from './retention/retention-sweep.service';

/**
 * Provides `ArchiveJob` and `RetentionSweep`. The options carry the job's collaborators,
 * so the usual form is `forRootAsync`:
 *
 * ```ts
 * ArchiveModule.forRootAsync({
 *   inject: [StoreDatabase, ARCHIVE_SINK, ConversationSearch, MessagingClient, GenesysTransport],
 *   useFactory: (store, sink, search, messaging, transport) => ({ store, sink, search, messaging, transport }),
 * })
 * ```
 */
@Module({
  providers: [
    {
      provide: ArchiveJob,
      inject: [ARCHIVE_MODULE_OPTIONS],
      useFactory: (options: ArchiveModuleOptions) => new ArchiveJob(options),
    },
    {
      provide: RetentionSweep,
      inject: [ARCHIVE_MODULE_OPTIONS],
      useFactory: (options: ArchiveModuleOptions) =>
        new RetentionSweep({
          sink: options.sink,
          remove: options.removeVersion,
          index: options.store.archiveIndex,
          audit: options.audit,
          logger: options.logger,
          clock: options.clock,
          actor: options.owner,
        }),
    },
  ],
  exports: [ArchiveJob, RetentionSweep],
})
export class ArchiveModule extends ArchiveConfigurableModule {}
